package core

import (
	"context"
	"fmt"
)

// SetCallLead associates a call with a lead after the fact, when several
// contacts share the caller's number and the agent picks one (ECCP
// setcontact). A live call is updated in memory too, so later writes of the
// call keep the choice.
func (e *Engine) SetCallLead(ctx context.Context, callID, leadID uint64) error {
	e.lock()
	if c, ok := e.calls[callID]; ok {
		c.LeadID = leadID
		e.persistCall(ctx, &c.Call)
		return e.settleErr(ctx)
	}
	e.write("call lead", func(ctx context.Context, st Store) error {
		return st.Updates(ctx, &Call{ID: callID}, map[string]any{"lead_id": leadID})
	}).reported()
	if err := e.unlockWait(ctx); err != nil {
		return fmt.Errorf("set call lead: %w", err)
	}
	return nil
}
