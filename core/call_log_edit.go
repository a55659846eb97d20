package core

import (
	"context"
	"strings"
)

// LoggedCall finds the newest stored call of an outbound campaign, or of an
// in-group (inbound), by the Asterisk uniqueid of its customer channel or,
// with uniqueID empty, by lead. ErrNoRecord when there is none.
func (e *Engine) LoggedCall(ctx context.Context, group string, inbound bool, uniqueID string, leadID uint64) (Call, error) {
	f := Eq("campaign", group).Ne("direction", CallInbound)
	if inbound {
		f = Eq("queue", group).Eq("direction", CallInbound)
	}
	if uniqueID != "" {
		f = f.Eq("unique_id", uniqueID)
	} else {
		f = f.Eq("lead_id", leadID)
	}
	var c Call
	err := e.store.First(ctx, &c, f.Desc("created_at").Desc("id"))
	return c, err
}

// SetLoggedCallStatus rewrites the status of an ended call's record (the
// call log), not its lead's: VICIdial's update_log_entry. A call still live
// is refused: its status is decided by its disposition.
func (e *Engine) SetLoggedCallStatus(ctx context.Context, id uint64, status string) error {
	status = strings.TrimSpace(status)
	if status == "" || len(status) > 32 {
		return Errorf(EINVALID, "status %q", status)
	}
	e.lock()
	_, live := e.calls[id]
	e.unlock()
	if live {
		return Errorf(ECONFLICT, "call %d is live", id)
	}
	n, err := e.store.UpdateWhere(ctx, &Call{}, Eq("id", id), map[string]any{"status": status}, e.opt.Fence)
	if err != nil {
		return Internal("SetLoggedCallStatus", err)
	}
	if n == 0 {
		return Errorf(ENOTFOUND, "call %d", id)
	}
	return nil
}
