package admin

import (
	"errors"
	"io"
	"net/http"

	"github.com/callgate/callgate/core"
)

// mediaTypes are the formats /recordings/{id}/media serves, with their
// content types. The format query is checked against this table before it
// goes anywhere, so it never names a file.
var mediaTypes = map[string]string{
	"mp3": "audio/mpeg",
	"wav": "audio/wav",
	"gsm": "audio/x-gsm",
}

// recordingMedia serves a finished recording's audio: ?format=mp3 (the
// default) transcoded, or the recorded format (wav, gsm).
func (a *API) recordingMedia(w http.ResponseWriter, r *http.Request) {
	if a.media == nil {
		writeError(w, http.StatusServiceUnavailable, "recording media is not configured")
		return
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "mp3"
	}
	ctype, ok := mediaTypes[format]
	if !ok {
		writeError(w, http.StatusBadRequest, "format must be mp3, wav or gsm")
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		writeError(w, http.StatusNotFound, "recording not found")
		return
	}
	var rec core.Recording
	if err := a.rec.Get(r.Context(), &rec, core.ByID(id)); err != nil {
		if errors.Is(err, core.ErrNoRecord) {
			writeError(w, http.StatusNotFound, "recording not found")
			return
		}
		a.fail(w, r, err)
		return
	}
	body, err := a.media.Open(r.Context(), rec, format)
	switch {
	case err == nil:
	case errors.Is(err, core.ErrInvalid):
		writeError(w, http.StatusBadRequest, "recording "+itoa(int(rec.ID))+" is a "+rec.Format+" recording and cannot be served as "+format)
		return
	case errors.Is(err, core.ErrNotFound):
		writeError(w, http.StatusNotFound, "recording media not available")
		return
	default:
		// Encoder and PBX messages stay in the log.
		a.log.Error("admin: recording media", "recording", rec.ID, "err", err)
		writeError(w, http.StatusBadGateway, "recording media could not be produced")
		return
	}
	defer body.Close()
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", `attachment; filename="`+rec.GUID+"."+format+`"`)
	w.WriteHeader(http.StatusOK)
	_, _ = io.Copy(w, body)
}
