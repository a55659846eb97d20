package vicidial

import (
	"errors"

	"github.com/callgate/callgate/core"
)

// errNoPreview is preview_dial_action with no undialed lead on the screen.
var errNoPreview = &core.Error{Code: core.ECONFLICT, Message: "no lead in preview"}

// refusal is the VICIdial answer to an engine refusal: api.php's own
// ERROR line nearest to what went wrong. exit mirrors api.php lines that
// end the script (no close_window_link after them).
type refusal struct {
	reason, data string
	exit         bool
}

// refusals is the one table from engine errors to VICIdial ERROR lines,
// per function. api.php queues commands for the agent screen and answers
// SUCCESS; Callgate acts at once, so when the engine refuses the answer is
// the function's nearest error line instead (listed in doc.go). extra is
// data the function already formatted for the line it would print itself
// (e.g. recording's "|recording_id|||server|session|status" tail).
var refusals = map[string]func(c *call, err error, extra string) refusal{
	"external_hangup": func(c *call, err error, _ string) refusal {
		return refusal{reason: "agent_user does not have a live call", data: c.agentUser}
	},
	"external_status": func(c *call, err error, _ string) refusal {
		switch {
		case errors.Is(err, core.ErrNoCall), errors.Is(err, core.ErrCallNotFound):
			return refusal{reason: "agent_user does not have a live call", data: c.agentUser}
		case errors.Is(err, core.ErrUnknownLead):
			return refusal{reason: "agent_user does not have a lead on their screen", data: c.agentUser}
		}
		return refusal{reason: "external_status not valid", data: c.value + "|" + c.agentUser}
	},
	"external_pause": func(c *call, err error, _ string) refusal {
		if errors.Is(err, core.ErrNotPaused) {
			return refusal{reason: "external_pause agent is not paused", data: c.value + "|" + c.agentUser, exit: true}
		}
		return refusal{reason: "external_pause not valid", data: c.value + "|" + c.agentUser}
	},
	"logout": func(c *call, err error, _ string) refusal {
		return refusal{reason: "logout not valid", data: c.value + "|" + c.agentUser}
	},
	"recording": func(c *call, err error, extra string) refusal {
		if errors.Is(err, core.ErrNotRecording) {
			return refusal{reason: "stop recording error", data: c.agentUser + extra, exit: true}
		}
		if errors.Is(err, core.ErrNoCall) {
			return refusal{reason: "agent_user does not have a live call", data: c.agentUser}
		}
		return refusal{reason: "recording not valid", data: c.value + "|" + c.agentUser}
	},
	"audio_playback": func(c *call, err error, extra string) refusal {
		stage := c.p.get("stage")
		switch {
		case errors.Is(err, core.ErrNoPlayback):
			return refusal{reason: "audio_playback error - no audio playing in agent session", data: extra + stage + "|" + c.agentUser, exit: true}
		case errors.Is(err, core.ErrNoCall):
			return refusal{reason: "audio_playback error - no session data", data: stage + "|" + c.agentUser, exit: true}
		}
		return refusal{reason: "audio_playback error - entry is empty", data: stage + "|" + c.agentUser, exit: true}
	},
	"external_dial": func(c *call, err error, extra string) refusal {
		p := c.p
		switch {
		case errors.Is(err, core.ErrUnknownLead):
			return refusal{reason: "lead_id is not valid", data: c.agentUser + "|" + p.get("lead_id"), exit: true}
		case errors.Is(err, core.ErrDNC), core.ErrorCode(err) == core.EINVALID:
			return refusal{reason: "phone number is not valid", data: c.agentUser + "|" + c.value + "|" + p.get("lead_id") + "|" + p.get("alt_dial"), exit: true}
		case core.ErrorCode(err) == core.ECONFLICT:
			return refusal{reason: "agent_user is not paused", data: c.agentUser}
		}
		return refusal{reason: "external_dial not valid", data: c.value + "|" + p.get("phone_code") + "|" + p.get("search") + "|" +
			p.get("preview") + "|" + p.get("focus") + "|" + p.get("lead_id") + "|" + c.agentUser + "|" + p.get("alt_user")}
	},
	"preview_dial_action": func(c *call, err error, _ string) refusal {
		switch {
		case errors.Is(err, errNoPreview), core.ErrorCode(err) == core.ENOTFOUND:
			return refusal{reason: "agent_user does not have a lead on their screen", data: c.agentUser}
		case core.ErrorCode(err) == core.ECONFLICT:
			return refusal{reason: "agent_user is not paused", data: c.agentUser}
		}
		return refusal{reason: "preview_dial_action not valid", data: c.value + "||" + c.agentUser + "|" + c.p.get("alt_user")}
	},
	"change_ingroups": func(c *call, err error, _ string) refusal {
		choices := c.p.get("ingroup_choices")
		if errors.Is(err, core.ErrUnknownQueue) {
			return refusal{reason: "ingroup does not exist", data: c.agentUser + "||" + choices}
		}
		return refusal{reason: "change_ingroups not valid", data: c.value + "|" + c.p.get("blended") + "|" + choices + "|" + c.agentUser}
	},
	"update_fields": func(c *call, err error, _ string) refusal {
		if core.ErrorCode(err) == core.ENOTFOUND {
			return refusal{reason: "agent_user does not have a lead on their screen", data: c.agentUser}
		}
		return refusal{reason: "agent_user not valid", data: c.agentUser}
	},
	"refresh_panel": func(c *call, err error, _ string) refusal {
		return refusal{reason: "agent_user not valid", data: c.agentUser}
	},
	"set_timer_action": func(c *call, err error, _ string) refusal {
		return refusal{reason: "set_timer_action not valid", data: c.agentUser + "|" + c.value}
	},
	"vm_message": func(c *call, err error, _ string) refusal {
		return refusal{reason: "vm_message not valid", data: c.p.get("lead_id") + "|" + c.value + "|" + c.agentUser}
	},
	"st_login_log": func(c *call, err error, _ string) refusal {
		return refusal{reason: "no user found", data: c.value}
	},
	"ra_call_control": func(c *call, err error, _ string) refusal {
		if core.ErrorCode(err) == core.EINVALID {
			switch c.p.get("stage") {
			case "EXTENSIONTRANSFER":
				return refusal{reason: "phone_number is not valid", data: c.p.get("phone_number")}
			case "INGROUPTRANSFER":
				return refusal{reason: "ingroup is not valid", data: c.p.get("ingroup_choices")}
			}
		}
		if errors.Is(err, core.ErrUnknownQueue) {
			return refusal{reason: "ingroup is not valid", data: c.p.get("ingroup_choices")}
		}
		return refusal{reason: "no active call found", data: c.value}
	},
	"send_dtmf": func(c *call, err error, _ string) refusal {
		if errors.Is(err, core.ErrNoCall) {
			return refusal{reason: "agent_user does not have a live call", data: c.agentUser}
		}
		return refusal{reason: "send_dtmf not valid", data: c.value + "|" + c.agentUser}
	},
	"park_call": func(c *call, err error, _ string) refusal {
		if errors.Is(err, core.ErrNoCall) || errors.Is(err, core.ErrCallNotFound) {
			return refusal{reason: "agent_user does not have a lead on their screen", data: c.agentUser}
		}
		return refusal{reason: "park_call not valid", data: c.value + "|" + c.agentUser}
	},
	"transfer_conference": func(c *call, err error, _ string) refusal {
		switch {
		case errors.Is(err, core.ErrNoCall), errors.Is(err, core.ErrCallNotFound):
			return refusal{reason: "agent_user does not have a live call", data: c.agentUser}
		case errors.Is(err, core.ErrUnknownQueue):
			return refusal{reason: "ingroup is not valid", data: c.p.get("ingroup_choices")}
		case errors.Is(err, core.ErrBusy):
			// A transfer leg is already up (or the target agent is busy).
			return refusal{reason: "agent_user has current active 3-way call", data: c.agentUser + "|1|0|" + c.p.get("tw_check"), exit: true}
		}
		return refusal{reason: "value is not valid", data: c.value + "|" + c.user}
	},
	"switch_lead": func(c *call, err error, _ string) refusal {
		if core.ErrorCode(err) == core.ENOTFOUND {
			return refusal{reason: "switch-to lead not found", data: c.agentUser + "|" + c.p.get("lead_id") + "|" + c.p.get("vendor_lead_code")}
		}
		return refusal{reason: "agent_user does not have a live call", data: c.agentUser}
	},
	"pause_code": func(c *call, err error, _ string) refusal {
		if errors.Is(err, core.ErrNotPaused) {
			return refusal{reason: "pause_code error - agent is not paused", data: c.agentUser}
		}
		return refusal{reason: "pause_code not valid", data: c.value + "|" + c.agentUser}
	},
	"force_fronter_leave_3way": func(c *call, err error, _ string) refusal {
		if errors.Is(err, core.ErrNoCall) {
			return refusal{reason: "agent_user is not on a phone call", data: c.agentUser}
		}
		return refusal{reason: "no fronter found", data: c.agentUser}
	},
	"force_fronter_audio_stop": func(c *call, err error, extra string) refusal {
		if errors.Is(err, core.ErrNoPlayback) {
			return refusal{reason: "force_fronter_audio_stop error - no audio playing in other agent session", data: extra, exit: true}
		}
		return refusal{reason: "no fronter found", data: c.agentUser}
	},
}

// refused answers the function's VICIdial error line when the engine
// refused the action (err != nil) and reports whether it did; the engine's
// own text goes to the gateway log only (it may name internals).
func (c *call) refused(err error) bool { return c.refusedWith(err, "") }

func (c *call) refusedWith(err error, extra string) bool {
	if err == nil {
		return false
	}
	c.h.logEffect(c.function, c.agentUser, err)
	var r refusal
	switch {
	case errors.Is(err, core.ErrNotLoggedIn), errors.Is(err, core.ErrUnknownAgent):
		// The agent left between the prelude and the action.
		r = refusal{reason: "agent_user is not logged in", data: c.agentUser}
		if c.function == "audio_playback" {
			r.data = c.p.get("stage") + "|" + c.agentUser
		}
	case refusals[c.function] != nil:
		r = refusals[c.function](c, err, extra)
	default:
		r = refusal{reason: c.function + " not valid", data: c.value + "|" + c.agentUser}
	}
	if r.exit {
		c.emitExit("ERROR", r.reason, r.data)
	} else {
		c.emit("ERROR", r.reason, r.data)
	}
	return true
}
