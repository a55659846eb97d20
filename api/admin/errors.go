package admin

import (
	"errors"
	"net/http"

	"github.com/callgate/callgate/core"
)

// statusOf is the one table from engine error codes to HTTP statuses.
var statusOf = map[string]int{
	core.EINVALID:      http.StatusBadRequest,
	core.EUNAUTHORIZED: http.StatusForbidden, // authenticated, but the principal may not
	core.ENOTFOUND:     http.StatusNotFound,
	core.ECONFLICT:     http.StatusConflict,
	core.EUNAVAILABLE:  http.StatusServiceUnavailable,
	core.EINTERNAL:     http.StatusInternalServerError,
}

// referenced are the not-found sentinels that name something a request body
// refers to (a campaign, queue or pause code): the request is wrong (400),
// the resource addressed by the URL is not missing.
var referenced = []error{core.ErrUnknownCampaign, core.ErrUnknownQueue, core.ErrUnknownPause}

// engineStatus is the status and message for an engine error. Messages of
// EINTERNAL errors are never sent (they may carry SQL); the others are the
// engine's text, which names only what the caller supplied.
func engineStatus(err error) (int, string) {
	code := core.ErrorCode(err)
	for _, s := range referenced {
		if errors.Is(err, s) {
			return http.StatusBadRequest, err.Error()
		}
	}
	switch {
	case errors.Is(err, core.ErrNoRecord), errors.Is(err, core.ErrCallNotFound):
		return http.StatusNotFound, "not found"
	case errors.Is(err, core.ErrNotFound):
		return http.StatusNotFound, "channel not found"
	case errors.Is(err, core.ErrNotConnected):
		return http.StatusServiceUnavailable, core.ErrNotConnected.Error()
	}
	status, ok := statusOf[code]
	if !ok || status == http.StatusInternalServerError {
		return http.StatusInternalServerError, "internal error"
	}
	var e *core.Error
	if errors.As(err, &e) {
		return status, err.Error()
	}
	return status, core.ErrorMessage(err)
}
