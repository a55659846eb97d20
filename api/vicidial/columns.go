package vicidial

import (
	"context"

	"github.com/callgate/callgate/core"
)

// The vicidial_live_agents columns whose later reads change api.php
// answers. VICIdial keeps them in its database; Callgate keeps them in the
// core's agent values (bound to the agent's login), so a restarted gateway
// answers exactly as before.
const (
	colRecording    = "vicidial.recording"     // recording id, START or STOP
	colUpdateFields = "vicidial.update_fields" // external_update_fields data, for the affected-rows count
	colClosers      = "vicidial.closers"       // closer_campaigns once change_ingroups set it
	colPreview      = "vicidial.preview"       // lead external_dial preview=YES shows, not yet dialed
	colMultiDial    = "vicidial.multi_dial"    // multi_dial_phones pressed once
	colPlaying      = "vicidial.playing"       // call id audio_playback plays on
	// colRADone + call id: ra_call_control acted on that call (no agent).
	colRADone = "vicidial.ra_done:"
)

// column is the session's value of a column, "" when unset.
func (h *Handler) column(s core.AgentSession, key string) string {
	v, _, err := h.eng.AgentValues().Get(context.Background(), s.Username, s.ID, key)
	if err != nil {
		h.log.Error("vicidial: agent column not read", "agent", s.Username, "column", key, "err", err)
	}
	return v
}

// setColumn stores a column of the session. The action it reflects has
// already happened, so a failed write is logged rather than answered.
func (h *Handler) setColumn(s core.AgentSession, key, v string) {
	if err := h.eng.AgentValues().Set(context.Background(), s.Username, s.ID, key, v); err != nil {
		h.log.Error("vicidial: agent column not stored", "agent", s.Username, "column", key, "err", err)
	}
}
