package core

import (
	"context"
	"sort"
	"strconv"
	"sync"
)

// roomKey is the agent value that keeps a session's room across restarts.
const roomKey = "conference_room"

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
	stored := e.storedRooms(live)
	r.mu.Lock()
	if r.rooms == nil {
		r.rooms = map[string]conferenceRoom{}
	}
	for user, c := range stored {
		if _, ok := r.rooms[user]; !ok {
			r.rooms[user] = c
		}
	}
	room, fresh := r.allocateLocked(live, base)
	r.mu.Unlock()
	for user, c := range fresh {
		if err := e.values.Set(context.Background(), user, c.session, roomKey, strconv.Itoa(c.room)); err != nil {
			e.log.Warn("engine: conference room not stored", "agent", user, "err", err)
		}
	}
	return room(s.Username)
}

// storedRooms reads the rooms kept for live sessions, which a restarted
// engine gives back instead of allocating them anew.
func (e *Engine) storedRooms(live []AgentSession) map[string]conferenceRoom {
	r := &e.rooms
	r.mu.Lock()
	var missing []AgentSession
	for _, o := range live {
		if c, ok := r.rooms[o.Username]; !ok || c.session != o.ID {
			missing = append(missing, o)
		}
	}
	r.mu.Unlock()
	out := map[string]conferenceRoom{}
	for _, o := range missing {
		v, ok, err := e.values.Get(context.Background(), o.Username, o.ID, roomKey)
		if n, cerr := strconv.Atoi(v); ok && err == nil && cerr == nil {
			out[o.Username] = conferenceRoom{session: o.ID, room: n}
		}
	}
	return out
}

// allocateLocked gives every live session without a room the first free
// one; it returns a lookup of rooms and the rooms it gave.
func (r *conferenceRooms) allocateLocked(live []AgentSession, base int) (func(string) int, map[string]conferenceRoom) {
	fresh := map[string]conferenceRoom{}
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
		fresh[o.Username] = r.rooms[o.Username]
	}
	rooms := make(map[string]int, len(r.rooms))
	for u, c := range r.rooms {
		rooms[u] = c.room
	}
	return func(u string) int { return rooms[u] }, fresh
}
