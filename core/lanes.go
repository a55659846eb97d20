package core

import (
	"slices"
	"sync"
)

// lanes runs effects outside the engine lock, in order per key: a task
// starts once every task submitted before it on any of its keys has
// finished, and tasks with no key in common run concurrently. Keys name the
// resources an effect touches (a channel, a bridge, the store), so a PBX
// command stalled on one call holds back only what touches the same
// channels and bridges, and all store writes share one ordered lane.
//
// Submission order is the engine's decision order: the engine submits while
// it still holds its lock (submitting is memory work only), so no later
// decision can overtake an earlier one on a shared key.
type lanes struct {
	mu     sync.Mutex
	queues map[string][]*task
	idle   *sync.Cond
	active int
	// activeWith counts the active tasks holding each key.
	activeWith map[string]int
}

type task struct {
	keys []string
	// fn runs the task; what it returns runs after the task left its lanes.
	fn      func() func()
	blocked int // keys on which an earlier task is still queued
}

func newLanes() *lanes {
	l := &lanes{queues: map[string][]*task{}, activeWith: map[string]int{}}
	l.idle = sync.NewCond(&l.mu)
	return l
}

// submit queues tasks in order and starts those that are free to run.
func (l *lanes) submit(ts []*task) {
	var ready []*task
	l.mu.Lock()
	for _, t := range ts {
		slices.Sort(t.keys)
		t.keys = slices.Compact(t.keys)
		for _, k := range t.keys {
			q := l.queues[k]
			if len(q) > 0 {
				t.blocked++
			}
			l.queues[k] = append(q, t)
		}
		for _, k := range t.keys {
			l.activeWith[k]++
		}
		if t.blocked == 0 {
			ready = append(ready, t)
		}
	}
	l.active += len(ts)
	l.mu.Unlock()
	for _, t := range ready {
		go l.exec(t)
	}
}

func (l *lanes) exec(t *task) {
	after := t.fn()
	var ready []*task
	l.mu.Lock()
	for _, k := range t.keys {
		q := l.queues[k]
		// t is at the head of each of its queues: it only ran once it was.
		q[0] = nil
		q = q[1:]
		if len(q) == 0 {
			delete(l.queues, k)
			continue
		}
		l.queues[k] = q
		n := q[0]
		n.blocked--
		if n.blocked == 0 {
			ready = append(ready, n)
		}
	}
	l.mu.Unlock()
	for _, n := range ready {
		go l.exec(n)
	}
	if after != nil {
		after()
	}
	l.done(t)
}

func (l *lanes) done(t *task) {
	l.mu.Lock()
	for _, k := range t.keys {
		if l.activeWith[k]--; l.activeWith[k] == 0 {
			delete(l.activeWith, k)
		}
	}
	l.active--
	l.idle.Broadcast()
	l.mu.Unlock()
}

// wait blocks until no task is queued or running.
func (l *lanes) wait() { l.waitOnly("") }

// waitOnly blocks until every task queued or running holds key (none
// when key is ""): waitOnly(storeKey) waits for everything but the store.
func (l *lanes) waitOnly(key string) {
	l.mu.Lock()
	for l.active > l.activeWith[key] {
		l.idle.Wait()
	}
	l.mu.Unlock()
}
