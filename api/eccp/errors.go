package eccp

import (
	"errors"

	"github.com/callgate/callgate/core"
)

// Engine refusals on the ECCP wire. Every request the engine refuses gets a
// <failure>, never <success/>: the number from failureCodes (ENOTFOUND 404,
// EINVALID 400, ECONFLICT 417, EUNAUTHORIZED 401, EUNAVAILABLE and EINTERNAL
// 500), the message from the command's Issabel texts (per sentinel or code,
// below and in handlers_agent.go) or failureTexts. Per command:
//   - refreshagents: reload failed → 500 "Unable to refresh agents"
//     (Issabel's cannot fail).
//   - unpauseagent: ENOTFOUND → 404 "Agent not found or not logged in
//     through ECCP"; ECONFLICT → 417 "Agent currently not logged in";
//     EUNAVAILABLE → 500 "No AMI connection"; other → 500 "Unable to stop
//     agent break".
//   - pauseagent: ErrNotLoggedIn/ErrAlreadyPaused/ErrUnknownAgent → the
//     "(collision)" texts; EUNAVAILABLE → "No AMI connection"; other → 500
//     "Unable to start agent break".
//   - hangup, transfercall, atxfercall, mixmonitormute/unmute: call or login
//     gone (ErrNoCall, ErrNotLoggedIn, ErrCallNotFound) → 417 "Agent not in
//     call"; other → 500 with the command's text.
//   - hold: ErrAlreadyOnHold/ErrNoCall/ErrNotLoggedIn → their 417 texts,
//     ErrUnknownAgent → 404; other → 500 "Unable to start agent hold".
//   - unhold (was <success/> on any failure): ErrNoCall/ErrNotLoggedIn →
//     417, ErrUnknownAgent → 404 "Specified agent not found"; other → 500
//     "No AMI connection" or "Server error" by code.
//   - schedulecall: any → 500 "Failed to insert scheduled call".

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
