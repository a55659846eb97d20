package rest

import (
	"net/http"

	"github.com/callgate/callgate/core"
)

// errorCodes is the one table from HTTP status to the error body's code.
// The document defines only 400's {"errrorCode":"Unknown_data_format"}
// (spelled so); the others follow the same shape with the status' name.
var errorCodes = map[int]string{
	http.StatusBadRequest:            "Unknown_data_format",
	http.StatusUnauthorized:          "Authentication_failure",
	http.StatusForbidden:             "Forbidden",
	http.StatusNotFound:              "Resource_not_found",
	http.StatusMethodNotAllowed:      "Method_not_allowed",
	http.StatusConflict:              "Conflict",
	http.StatusRequestEntityTooLarge: "Request_entity_too_large",
	http.StatusInternalServerError:   "Internal_server_error",
	http.StatusServiceUnavailable:    "Service_unavailable",
}

// statusOf maps a core error code to the document's status codes.
func statusOf(err error) int {
	switch core.ErrorCode(err) {
	case core.EINVALID:
		return http.StatusBadRequest
	case core.ENOTFOUND:
		return http.StatusNotFound
	case core.ECONFLICT:
		return http.StatusConflict
	case core.EUNAUTHORIZED:
		return http.StatusForbidden
	case core.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func writeError(w http.ResponseWriter, status int) {
	code, ok := errorCodes[status]
	if !ok {
		code = "Internal_server_error"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`{"errrorCode":"` + code + `"}`))
}

// fail answers an engine error with its status; the reason is logged, never
// sent (it could name internals).
func (h *handler) fail(w http.ResponseWriter, err error) {
	status := statusOf(err)
	if status >= 500 {
		h.log.Error("expandweb3", "err", err)
	}
	writeError(w, status)
}
