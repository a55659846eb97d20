package core

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"time"
)

// authCache serves what every authenticated request reads — API users,
// agents (hashed password, level, group), the recent login failures of a
// source and the dialect settings that switch an API on — from memory, so the VICIdial API (which authenticates every
// request) costs no store read per request; and the lines' numbers, which
// every inbound call is checked against.
//
// It stays consistent with the store through the store's write reports
// (WriteWatcher): a write of an agent, an API user or a login failure
// (or setting) through any handle of the database, or a transaction that
// wrote one,
// empties the matching map. A load that raced such a write is not kept
// (gen). Writes by other gateways sharing the database are seen once an
// entry is older than ttl. Without a WriteWatcher nothing is cached.
type authCache struct {
	now func() time.Time
	ttl time.Duration

	mu     sync.Mutex
	gen    uint64 // bumped by every invalidation
	users  map[authKey]cached[APIUser]
	agents map[string]cached[Agent]
	fails  map[authKey]cached[[]LoginFailure] // by (dialect, source)
	// settings: the stored values of a scope (read-only maps), which
	// decide whether a dialect's API is on (VICIdial's every request).
	settings map[settingsKey]cached[map[string]Setting]
	// values: a scope's effective values (Settings.Values; read-only
	// maps), emptied with settings.
	values map[settingsKey]cached[SettingValues]
	// lineNumbers: one entry, every line's main and additional numbers
	// (a read-only set): inbound routing asks on every call whether the
	// dialed number is a line's, and it is rarely one.
	lineNumbers map[struct{}]cached[map[string]bool]
	// ruleGroups: a line's rule groups by (line number, name), read by
	// every call a line's API emits (configuration, rarely written).
	ruleGroups map[ruleGroupKey]cached[RuleGroup]
	// lists by id: every lead a CRM adds names its list (configuration,
	// rarely written).
	lists map[uint64]cached[List]
}

type settingsKey struct{ dialect, scope, owner string }

type ruleGroupKey struct{ line, name string }

// authKey is (dialect, principal or source).
type authKey struct{ dialect, name string }

type cached[T any] struct {
	v     T
	found bool
	at    time.Time
}

// authCacheTTL bounds how long another gateway's change can go unseen.
const authCacheTTL = 2 * time.Second

// maxAuthCached bounds each map; a full map is emptied (names sprayed by
// an attacker cannot grow memory).
const maxAuthCached = 16384

var (
	agentType        = reflect.TypeFor[Agent]()
	apiUserType      = reflect.TypeFor[APIUser]()
	loginFailureType = reflect.TypeFor[LoginFailure]()
	settingType      = reflect.TypeFor[Setting]()
	lineType         = reflect.TypeFor[Line]()
	ruleGroupType    = reflect.TypeFor[RuleGroup]()
	listType         = reflect.TypeFor[List]()
)

func newAuthCache(now func() time.Time, st Store) *authCache {
	c := &authCache{now: now, users: map[authKey]cached[APIUser]{}, agents: map[string]cached[Agent]{},
		fails: map[authKey]cached[[]LoginFailure]{}, settings: map[settingsKey]cached[map[string]Setting]{},
		values:      map[settingsKey]cached[SettingValues]{},
		lineNumbers: map[struct{}]cached[map[string]bool]{}, ruleGroups: map[ruleGroupKey]cached[RuleGroup]{},
		lists: map[uint64]cached[List]{}}
	if w, ok := st.(WriteWatcher); ok {
		c.ttl = authCacheTTL
		w.WatchWrites(c.invalidate)
	}
	return c
}

// invalidate drops what a write of a record of type t may have changed.
func (c *authCache) invalidate(t reflect.Type) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch t {
	case agentType:
		clear(c.agents)
	case apiUserType:
		clear(c.users)
	case loginFailureType:
		clear(c.fails)
	case settingType:
		clear(c.settings)
		clear(c.values)
	case lineType:
		clear(c.lineNumbers)
	case ruleGroupType:
		clear(c.ruleGroups)
	case listType:
		clear(c.lists)
	default:
		return
	}
	c.gen++
}

// lookup returns m's fresh entry for k or loads it; ErrNoRecord is cached
// too (an API user that is not an agent is looked up as one on every
// request). Other errors are not.
func lookup[K comparable, T any](c *authCache, m map[K]cached[T], k K, load func() (T, error)) (T, error) {
	now := c.now()
	c.mu.Lock()
	e, ok := m[k]
	gen := c.gen
	c.mu.Unlock()
	if ok && now.Sub(e.at) < c.ttl && !now.Before(e.at) {
		if !e.found {
			return e.v, ErrNoRecord
		}
		return e.v, nil
	}
	v, err := load()
	if err != nil && !errors.Is(err, ErrNoRecord) || c.ttl == 0 {
		return v, err
	}
	c.mu.Lock()
	if c.gen == gen {
		if len(m) >= maxAuthCached {
			clear(m)
		}
		m[k] = cached[T]{v: v, found: err == nil, at: now}
	}
	c.mu.Unlock()
	return v, err
}

// APIUser returns the credential of a dialect's API user or client;
// ErrNoRecord if there is none. Served from memory (authCache).
func (e *Engine) APIUser(ctx context.Context, dialect, user string) (APIUser, error) {
	return lookup(e.auth, e.auth.users, authKey{dialect, user}, func() (APIUser, error) {
		var u APIUser
		err := e.store.First(ctx, &u, Eq("dialect", dialect).Eq("username", user))
		return u, err
	})
}

// FindAgent returns the stored agent with that username, active or not;
// ErrNoRecord if none. Served from memory (authCache).
func (e *Engine) FindAgent(ctx context.Context, user string) (Agent, error) {
	return lookup(e.auth, e.auth.agents, user, func() (Agent, error) {
		var a Agent
		err := e.store.First(ctx, &a, Eq("username", user))
		return a, err
	})
}

// recentFailures returns a source's login failures since since, newest
// first, at most 64 (past that many the delays are at their cap anyway).
func (e *Engine) recentFailures(ctx context.Context, dialect, source string, since time.Time) ([]LoginFailure, error) {
	// The cached rows are those of the window at load time; the window's
	// start is applied again as time passes.
	rows, err := lookup(e.auth, e.auth.fails, authKey{dialect, source}, func() ([]LoginFailure, error) {
		var rows []LoginFailure
		err := e.store.Find(ctx, &rows, Eq("dialect", dialect).Eq("source", source).Gt("time", since).
			Desc("time").Take(64))
		return rows, err
	})
	if err != nil {
		return nil, err
	}
	n := len(rows)
	for n > 0 && !rows[n-1].Time.After(since) {
		n--
	}
	return rows[:n], nil
}
