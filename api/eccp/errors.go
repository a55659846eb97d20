package eccp

import (
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

// engineFailure is the nested failure answering cmd when the engine refused
// it: the code from failureCodes, the command's own text for that code
// (Issabel's strings) or the generic one. The engine's text is never sent:
// it may carry internals; the caller logs it.
func engineFailure(cmd string, err error, texts map[string]string) *elem {
	code := core.ErrorCode(err)
	if code == "" {
		code = core.EINTERNAL
	}
	n, ok := failureCodes[code]
	if !ok {
		n, code = 500, core.EINTERNAL
	}
	msg := texts[code]
	if msg == "" {
		msg = failureTexts[code]
	}
	return nestedFailure(cmd, n, msg)
}

// refreshAgentsTexts: Issabel's refreshagents cannot fail; Callgate's reload
// reads the store and can.
var refreshAgentsTexts = map[string]string{core.EINTERNAL: "Unable to refresh agents"}
