package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Error codes of the engine, as in benbjohnson/wtf. They say what kind of
// failure happened, never how a dialect shows it: each adapter has one table
// from code (and, where a dialect is finer, the sentinel) to its own wire text.
const (
	ECONFLICT     = "conflict"     // the action conflicts with the current state (busy, already paused, on hold…)
	EINTERNAL     = "internal"     // a store or programming failure; the message never carries SQL
	EINVALID      = "invalid"      // the request itself is wrong
	ENOTFOUND     = "not_found"    // the agent, call, lead, queue… does not exist or is not there
	EUNAUTHORIZED = "unauthorized" // the principal may not do this
	EUNAVAILABLE  = "unavailable"  // the PBX or the engine cannot act now (disconnected, stopped)
)

// Error is the engine's one error type. Code is for adapters, Message for
// people (safe to show on a wire), Op names the engine operation, Err keeps
// a cause for logs and errors.Is/As.
type Error struct {
	Code    string
	Op      string
	Message string
	Err     error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op + ": ")
	}
	switch {
	case e.Message != "" && e.Err != nil:
		b.WriteString(e.Message + ": " + e.Err.Error())
	case e.Message != "":
		b.WriteString(e.Message)
	case e.Err != nil:
		b.WriteString(e.Err.Error())
	default:
		b.WriteString(e.Code)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode is the code of the first *Error in err's chain. Errors from the
// ports that carry no code are classified here, so a dialect never sees a
// raw store or PBX error: an unreachable PBX is EUNAVAILABLE, everything
// else unknown is EINTERNAL.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Code != "" {
		return e.Code
	}
	switch {
	case errors.Is(err, ErrNotConnected), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return EUNAVAILABLE
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrNoRecord):
		return ENOTFOUND
	case errors.Is(err, ErrDuplicate):
		return ECONFLICT
	case errors.Is(err, ErrConstraint):
		return EINVALID
	}
	var fe *FormError
	if errors.As(err, &fe) && fe.Reason != FormUnreadable {
		return EINVALID
	}
	return EINTERNAL
}

// ErrorMessage is the human message of the first *Error in err's chain that
// has one. Internal errors (store, unknown) give a generic text so that no
// SQL or driver detail reaches a wire.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Message != "" && e.Code != EINTERNAL {
		return e.Message
	}
	if ErrorCode(err) == EINTERNAL {
		return "internal error"
	}
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return strings.ReplaceAll(ErrorCode(err), "_", " ")
}

// Internal wraps a store (or other port) error surfaced by op as EINTERNAL,
// so its text (possibly SQL) stays in logs and never reaches a wire message.
func Internal(op string, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: EINTERNAL, Op: op, Err: err}
}

// Sentinel errors of the engine. Each is an *Error with a code; adapters
// map codes (and, where the dialect has finer texts, these sentinels with
// errors.Is) onto their wire. Wrapping with fmt.Errorf("%w") keeps both.
var (
	ErrUnknownAgent    = &Error{Code: ENOTFOUND, Message: "unknown agent"}
	ErrNotLoggedIn     = &Error{Code: ECONFLICT, Message: "agent not logged in"}
	ErrAlreadyLoggedIn = &Error{Code: ECONFLICT, Message: "agent already logged in"}
	ErrNoCall          = &Error{Code: ECONFLICT, Message: "agent has no active call"}
	ErrCallNotFound    = &Error{Code: ENOTFOUND, Message: "call not found"}
	ErrInvalid         = &Error{Code: EINVALID, Message: "invalid request"}
	ErrBusy            = &Error{Code: ECONFLICT, Message: "agent busy"}
	ErrUnknownQueue    = &Error{Code: ENOTFOUND, Message: "unknown queue"}
	ErrUnknownCampaign = &Error{Code: ENOTFOUND, Message: "unknown campaign"}
	ErrUnknownPause    = &Error{Code: EINVALID, Message: "unknown pause code"}
	ErrUnknownLead     = &Error{Code: ENOTFOUND, Message: "unknown lead"}
	ErrLeadQueued      = &Error{Code: ECONFLICT, Message: "lead already queued"}
	ErrDNC             = &Error{Code: ECONFLICT, Message: "number is on a do-not-call list"}
	ErrNotPaused       = &Error{Code: ECONFLICT, Message: "agent not paused"}
	ErrAlreadyPaused   = &Error{Code: ECONFLICT, Message: "agent already paused"}
	ErrNotOnHold       = &Error{Code: ECONFLICT, Message: "call not on hold"}
	ErrAlreadyOnHold   = &Error{Code: ECONFLICT, Message: "call already on hold"}
	ErrNoTransfer      = &Error{Code: ECONFLICT, Message: "no transfer in progress"}
	ErrNotRecording    = &Error{Code: ECONFLICT, Message: "not recording"}
	ErrNotParked       = &Error{Code: ECONFLICT, Message: "call not parked"}
	ErrNoPlayback      = &Error{Code: ECONFLICT, Message: "no playback"}
	ErrStopped         = &Error{Code: EUNAVAILABLE, Message: "engine stopped"}
)
