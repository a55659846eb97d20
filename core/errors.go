package core

import "errors"

// Sentinel errors of the engine. Adapters map them onto each dialect's own
// error texts with errors.Is; the wrapped text is for logs only.
var (
	ErrUnknownAgent    = errors.New("unknown agent")
	ErrNotLoggedIn     = errors.New("agent not logged in")
	ErrAlreadyLoggedIn = errors.New("agent already logged in")
	ErrNoCall          = errors.New("agent has no active call")
	ErrCallNotFound    = errors.New("call not found")
	ErrInvalid         = errors.New("invalid request")
	ErrBusy            = errors.New("agent busy")
	ErrUnknownQueue    = errors.New("unknown queue")
	ErrUnknownCampaign = errors.New("unknown campaign")
	ErrUnknownPause    = errors.New("unknown pause code")
	ErrUnknownLead     = errors.New("unknown lead")
	ErrDNC             = errors.New("number is on a do-not-call list")
	ErrNotPaused       = errors.New("agent not paused")
	ErrAlreadyPaused   = errors.New("agent already paused")
	ErrNotOnHold       = errors.New("call not on hold")
	ErrAlreadyOnHold   = errors.New("call already on hold")
	ErrNoTransfer      = errors.New("no transfer in progress")
	ErrNotRecording    = errors.New("not recording")
	ErrNotParked       = errors.New("call not parked")
	ErrNoPlayback      = errors.New("no playback")
	ErrStopped         = errors.New("engine stopped")
)
