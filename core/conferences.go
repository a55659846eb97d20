package core

import (
	"sort"
	"sync"
)

// conferenceRooms gives each agent session a conference room number, as a
// console that takes the first free room at login: rooms go in login
// order, an agent logging in again gets the same one back, and a session
// keeps its room until it ends.
type conferenceRooms struct {
	mu    sync.Mutex
	rooms map[string]conferenceRoom // by username
}

type conferenceRoom struct {
	session uint
	room    int
}

// ConferenceRoom is the room of session s; rooms are numbered from base+1.
func (e *Engine) ConferenceRoom(s AgentSession, base int) int {
	r := &e.rooms
	r.mu.Lock()
	if c, ok := r.rooms[s.Username]; ok && c.session == s.ID {
		r.mu.Unlock()
		return c.room
	}
	r.mu.Unlock()
	live := e.Sessions()
	found := false
	for _, o := range live {
		if o.Username == s.Username && o.ID == s.ID {
			found = true
		}
	}
	if !found {
		live = append(live, s)
	}
	sort.Slice(live, func(i, j int) bool {
		if !live[i].LoginAt.Equal(live[j].LoginAt) {
			return live[i].LoginAt.Before(live[j].LoginAt)
		}
		return live[i].ID < live[j].ID
	})
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.rooms == nil {
		r.rooms = map[string]conferenceRoom{}
	}
	used := map[int]bool{}
	current := map[string]bool{}
	for _, o := range live {
		current[o.Username] = true
		if c, ok := r.rooms[o.Username]; ok && c.session == o.ID {
			used[c.room] = true
		}
	}
	for user := range r.rooms {
		if !current[user] {
			delete(r.rooms, user)
		}
	}
	for _, o := range live {
		if c, ok := r.rooms[o.Username]; ok && c.session == o.ID {
			continue
		}
		n := base + 1
		for used[n] {
			n++
		}
		used[n] = true
		r.rooms[o.Username] = conferenceRoom{session: o.ID, room: n}
	}
	return r.rooms[s.Username].room
}
