package eccp

import (
	"errors"

	"github.com/callgate/callgate/core"
)

// failureCodes is the one table from engine error codes to ECCP failure
// codes (Issabel's numbers: 400 bad request, 401 unauthorized, 404 not
// found, 417 wrong state, 500 the dialer or Asterisk failed).
var failureCodes = map[string]int{
	core.EINVALID:      400,
	core.EUNAUTHORIZED: 401,
	core.ENOTFOUND:     404,
	core.ECONFLICT:     417,
	core.EUNAVAILABLE:  500,
	core.EINTERNAL:     500,
}

// failureTexts are the messages for a code when the command has no text of
// its own for it. EUNAVAILABLE is Issabel's text for a dialer without AMI.
var failureTexts = map[string]string{
	core.EINVALID:      "Bad request",
	core.EUNAUTHORIZED: "Unauthorized",
	core.ENOTFOUND:     "Not found",
	core.ECONFLICT:     "Invalid state",
	core.EUNAVAILABLE:  "No AMI connection",
	core.EINTERNAL:     "Server error",
}

// text is one command's Issabel message for an engine refusal: for the
// sentinel is (errors.Is), else for the engine code, else (both empty) for
// anything not matched before. n overrides the code's ECCP number where
// Issabel uses another (e.g. a vanished call is 417 "Agent not in call").
type text struct {
	is   error
	code string
	n    int
	msg  string
}

// engineFailure is the nested failure answering cmd when the engine refused
// it: the first matching text gives the message, its number or the code's
// from failureCodes. The engine's own text is never sent (it may carry
// internals); callers log it.
func engineFailure(cmd string, err error, texts ...text) *elem {
	code := core.ErrorCode(err)
	n, ok := failureCodes[code]
	if !ok {
		n, code = 500, core.EINTERNAL
	}
	msg := failureTexts[code]
	for _, t := range texts {
		if (t.is != nil && errors.Is(err, t.is)) || (t.is == nil && t.code == code) || (t.is == nil && t.code == "") {
			msg = t.msg
			if t.n != 0 {
				n = t.n
			}
			break
		}
	}
	return nestedFailure(cmd, n, msg)
}

// refreshAgentsTexts: Issabel's refreshagents cannot fail; Callgate's reload
// reads the store and can.
var refreshAgentsTexts = []text{{msg: "Unable to refresh agents"}}

// notInCall is Issabel's 417 for an agent whose call (or login) is gone.
var notInCall = []text{
	{is: core.ErrNoCall, msg: "Agent not in call"},
	{is: core.ErrNotLoggedIn, n: 417, msg: "Agent not in call"},
	{is: core.ErrCallNotFound, n: 417, msg: "Agent not in call"},
}

// unpauseTexts: only a missing agent is Issabel's 404; a lost login is the
// 417, a PBX or store failure the dialer failing (500).
var unpauseTexts = []text{
	{code: core.ENOTFOUND, msg: "Agent not found or not logged in through ECCP"},
	{code: core.ECONFLICT, msg: "Agent currently not logged in"},
	{code: core.EUNAVAILABLE, msg: "No AMI connection"},
	{n: 500, msg: "Unable to stop agent break"},
}
