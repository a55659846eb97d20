package core

import (
	"context"
	"fmt"
	"reflect"
	"sync"
)

// Records is the provisioning service: it creates, reads, lists, updates
// and deletes the domain records of model.go by type, and keeps the rules
// that hold them together (queue members follow their agent's and queue's
// names and go with them; a form's fields go with the form). Operators'
// APIs render it; they never reach the store.
type Records struct{ st Store }

// NewRecords serves the records of st. The gateway uses Engine.Records; a
// provisioning API without a running engine can use this directly.
func NewRecords(st Store) *Records { return &Records{st: st} }

// Records is the engine's provisioning service. Writes through it do not
// reach the engine's caches until Reload.
func (e *Engine) Records() *Records { return NewRecords(e.store) }

var recordTypes = sync.OnceValue(func() map[reflect.Type]bool {
	m := map[reflect.Type]bool{}
	for _, v := range AllModels() {
		m[reflect.TypeOf(v).Elem()] = true
	}
	return m
})

// checkRecord refuses anything but a pointer to a record (or to a slice of
// records), so the service cannot be used as a raw table accessor.
func checkRecord(v any) error {
	t := reflect.TypeOf(v)
	if t == nil || t.Kind() != reflect.Pointer {
		return fmt.Errorf("records: %w: %T is not a record", ErrInvalid, v)
	}
	t = t.Elem()
	if t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if !recordTypes()[t] {
		return fmt.Errorf("records: %w: %T is not a record", ErrInvalid, v)
	}
	return nil
}

// Create inserts v and fills its key.
func (r *Records) Create(ctx context.Context, v any) error {
	if err := checkRecord(v); err != nil {
		return err
	}
	return r.st.Create(ctx, v)
}

// Save writes every field of v; a renamed agent or queue renames its
// memberships, which the ACD indexes by name.
func (r *Records) Save(ctx context.Context, v any) error {
	if err := checkRecord(v); err != nil {
		return err
	}
	if err := r.st.Save(ctx, v); err != nil {
		return err
	}
	return r.syncMemberNames(ctx, v)
}

// Get loads the first record matching f; ErrNoRecord if none.
func (r *Records) Get(ctx context.Context, dst any, f Filter) error {
	if err := checkRecord(dst); err != nil {
		return err
	}
	return r.st.First(ctx, dst, f)
}

// List loads the records matching f into dst, a pointer to a slice.
func (r *Records) List(ctx context.Context, dst any, f Filter) error {
	if err := checkRecord(dst); err != nil {
		return err
	}
	return r.st.Find(ctx, dst, f)
}

// Count counts the records of model's type matching f.
func (r *Records) Count(ctx context.Context, model any, f Filter) (int64, error) {
	if err := checkRecord(model); err != nil {
		return 0, err
	}
	return r.st.Count(ctx, model, f)
}

// Update sets cols of the record identified by v's key; ErrNoRecord if none.
func (r *Records) Update(ctx context.Context, v any, cols map[string]any) error {
	if err := checkRecord(v); err != nil {
		return err
	}
	return r.st.Updates(ctx, v, cols)
}

// Delete removes the record identified by v's key and what depends on it.
func (r *Records) Delete(ctx context.Context, v any) error {
	if err := checkRecord(v); err != nil {
		return err
	}
	id := reflect.ValueOf(v).Elem().FieldByName("ID")
	if !id.IsValid() || id.IsZero() {
		return fmt.Errorf("records: %w: delete without a key", ErrInvalid)
	}
	if err := r.st.Delete(ctx, reflect.New(reflect.TypeOf(v).Elem()).Interface(), ByID(id.Interface())); err != nil {
		return err
	}
	switch t := v.(type) {
	case *Agent:
		return r.st.Delete(ctx, &QueueMember{}, Eq("agent_id", t.ID))
	case *Queue:
		return r.st.Delete(ctx, &QueueMember{}, Eq("queue_id", t.ID))
	case *Form:
		return r.st.Delete(ctx, &FormField{}, Eq("form_id", t.ID))
	}
	return nil
}

func (r *Records) syncMemberNames(ctx context.Context, v any) error {
	var members []QueueMember
	var col, name string
	switch t := v.(type) {
	case *Agent:
		col, name = "agent_id", t.Username
		if err := r.st.Find(ctx, &members, Eq(col, t.ID)); err != nil {
			return err
		}
	case *Queue:
		col, name = "queue_id", t.Name
		if err := r.st.Find(ctx, &members, Eq(col, t.ID)); err != nil {
			return err
		}
	default:
		return nil
	}
	for i := range members {
		m := &members[i]
		field, have := "agent", m.Agent
		if col == "queue_id" {
			field, have = "queue", m.Queue
		}
		if have == name {
			continue
		}
		if err := r.st.Updates(ctx, m, map[string]any{field: name}); err != nil {
			return err
		}
	}
	return nil
}

// QueueMembers lists a queue's members, lowest penalty first.
func (r *Records) QueueMembers(ctx context.Context, queueID uint) ([]QueueMember, error) {
	var out []QueueMember
	err := r.st.Find(ctx, &out, Eq("queue_id", queueID).Asc("penalty").Asc("id"))
	return out, err
}

// PutQueueMember makes the agent a member of the queue with that penalty,
// creating the membership or updating the one there is.
func (r *Records) PutQueueMember(ctx context.Context, q Queue, a Agent, penalty int) (m QueueMember, created bool, err error) {
	m = QueueMember{QueueID: q.ID, AgentID: a.ID, Queue: q.Name, Agent: a.Username, Penalty: penalty}
	var existing QueueMember
	switch err = r.st.First(ctx, &existing, Eq("queue_id", q.ID).Eq("agent_id", a.ID)); err {
	case nil:
		m.ID = existing.ID
		return m, false, r.st.Save(ctx, &m)
	case ErrNoRecord:
		return m, true, r.st.Create(ctx, &m)
	}
	return m, false, err
}

// RemoveQueueMember ends a membership; ErrNoRecord if there is none.
func (r *Records) RemoveQueueMember(ctx context.Context, queueID, agentID uint) error {
	f := Eq("queue_id", queueID).Eq("agent_id", agentID)
	n, err := r.st.Count(ctx, &QueueMember{}, f)
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNoRecord
	}
	return r.st.Delete(ctx, &QueueMember{}, f)
}

// SetAgentQueues replaces the queues an agent belongs to, in one
// transaction: ErrUnknownAgent or ErrUnknownQueue leave them unchanged.
func (r *Records) SetAgentQueues(ctx context.Context, user string, queues []string) error {
	var a Agent
	if err := r.st.First(ctx, &a, Eq("username", user)); err != nil {
		if err == ErrNoRecord {
			return ErrUnknownAgent
		}
		return err
	}
	return r.st.Tx(ctx, func(tx Store) error {
		if err := tx.Delete(ctx, &QueueMember{}, Eq("agent_id", a.ID)); err != nil {
			return err
		}
		for _, name := range queues {
			var q Queue
			if err := tx.First(ctx, &q, Eq("name", name)); err != nil {
				if err == ErrNoRecord {
					return fmt.Errorf("%w: %s", ErrUnknownQueue, name)
				}
				return err
			}
			if err := tx.Create(ctx, &QueueMember{QueueID: q.ID, AgentID: a.ID, Queue: q.Name, Agent: a.Username}); err != nil {
				return err
			}
		}
		return nil
	})
}

// SetQueueMemberships replaces the queues an agent is a member of (its
// default in-groups) and reloads the ACD, so offers follow the new
// membership at once.
func (e *Engine) SetQueueMemberships(ctx context.Context, user string, queues []string) error {
	if err := e.Records().SetAgentQueues(ctx, user, queues); err != nil {
		return err
	}
	return e.Reload(ctx)
}
