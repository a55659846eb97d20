package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// AgentValue is one value a console protocol keeps for an agent's login
// (the recording id its screen shows, the in-groups it picked, the lead it
// previews…). The engine does not interpret it; it keeps it in the store,
// written with the change, so that a restarted gateway answers the console
// exactly as before. A value belongs to one session: once the agent logs in
// again it reads as unset.
type AgentValue struct {
	ID    uint   `gorm:"primaryKey" json:"id"`
	Agent string `gorm:"size:64;uniqueIndex:agent_value_key,priority:1" json:"agent"`
	Key   string `gorm:"size:96;uniqueIndex:agent_value_key,priority:2" json:"key"`
	// Session is the login the value belongs to; 0 outlives logins.
	Session   uint      `gorm:"not null;default:0" json:"session"`
	Value     string    `gorm:"type:text" json:"value"`
	UpdatedAt time.Time `json:"updated_at"`
}

// AgentValues is the service adapters keep per-agent console state in.
// Its mutex orders read-modify-write sequences (Swap) and guards no engine
// state, so the store writes under it never hold up the engine.
type AgentValues struct {
	st  Store
	now func() time.Time
	mu  sync.Mutex
}

// NewAgentValues serves the agent values of st.
func NewAgentValues(st Store, now func() time.Time) *AgentValues {
	return &AgentValues{st: st, now: now}
}

// AgentValues is the engine's per-agent console state service.
func (e *Engine) AgentValues() *AgentValues { return e.values }

// Get returns the agent's value of key for session (any session when 0);
// ok is false when unset, or set by another login.
func (v *AgentValues) Get(ctx context.Context, agent string, session uint, key string) (string, bool, error) {
	var r AgentValue
	err := v.st.First(ctx, &r, Eq("agent", agent).Eq("key", key))
	if errors.Is(err, ErrNoRecord) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("agent value %s/%s: %w", agent, key, err)
	}
	if session != 0 && r.Session != session {
		return "", false, nil
	}
	return r.Value, true, nil
}

// Set stores the agent's value of key for session.
func (v *AgentValues) Set(ctx context.Context, agent string, session uint, key, value string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.setLocked(ctx, agent, session, key, value)
}

func (v *AgentValues) setLocked(ctx context.Context, agent string, session uint, key, value string) error {
	if key == "" {
		return Errorf(EINVALID, "agent value: a key is required")
	}
	var r AgentValue
	err := v.st.First(ctx, &r, Eq("agent", agent).Eq("key", key))
	if err != nil && !errors.Is(err, ErrNoRecord) {
		return fmt.Errorf("agent value %s/%s: %w", agent, key, err)
	}
	r.Agent, r.Key, r.Session, r.Value, r.UpdatedAt = agent, key, session, value, v.now()
	if err := v.st.Save(ctx, &r); err != nil {
		return fmt.Errorf("agent value %s/%s: %w", agent, key, err)
	}
	return nil
}

// Swap stores value and returns what the session held before (ok false when
// nothing): the read and the write are one step for every caller of v.
func (v *AgentValues) Swap(ctx context.Context, agent string, session uint, key, value string) (prev string, ok bool, err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	prev, ok, err = v.Get(ctx, agent, session, key)
	if err != nil {
		return "", false, err
	}
	return prev, ok, v.setLocked(ctx, agent, session, key, value)
}

// Delete unsets the agent's value of key.
func (v *AgentValues) Delete(ctx context.Context, agent, key string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.st.Delete(ctx, &AgentValue{}, Eq("agent", agent).Eq("key", key)); err != nil {
		return fmt.Errorf("agent value %s/%s: %w", agent, key, err)
	}
	return nil
}

// Keys lists the agent's keys that start with prefix, any session.
func (v *AgentValues) Keys(ctx context.Context, agent, prefix string) ([]AgentValue, error) {
	var rows []AgentValue
	if err := v.st.Find(ctx, &rows, Eq("agent", agent).Asc("key")); err != nil {
		return nil, fmt.Errorf("agent values %s: %w", agent, err)
	}
	out := rows[:0]
	for _, r := range rows {
		if strings.HasPrefix(r.Key, prefix) {
			out = append(out, r)
		}
	}
	return out, nil
}
