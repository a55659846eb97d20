package core

import (
	"context"
	"fmt"
)

// ScheduleCallbackOnce schedules cb unless an active callback of the same
// campaign and phone is already due at the same moment, which is refused
// with an error wrapping ErrDuplicate: a console that retries a request
// must not make the customer be called twice.
func (e *Engine) ScheduleCallbackOnce(ctx context.Context, cb *Callback) error {
	var dups []Callback
	if err := e.store.Find(ctx, &dups, Eq("campaign", cb.Campaign).Eq("phone", cb.Phone).Eq("status", "ACTIVE")); err != nil {
		return fmt.Errorf("schedule callback: %w", err)
	}
	for _, d := range dups {
		if d.When.Equal(cb.When) {
			return fmt.Errorf("schedule callback: %w: already scheduled", ErrDuplicate)
		}
	}
	return e.ScheduleCallback(ctx, cb)
}
