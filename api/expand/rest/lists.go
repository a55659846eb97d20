package rest

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/callgate/callgate/core"
	"github.com/go-chi/chi/v5"
)

// Simple lists (external/lists/simple): the core's key/value lists.

type simpleListJSON struct {
	Alias       string `json:"alias"`
	Description string `json:"description"`
	ID          uint64 `json:"id"`
	Name        string `json:"name"`
	Type        string `json:"type"`
}

type elementJSON struct {
	ID    uint64 `json:"id"`
	Key   string `json:"key"`
	Value string `json:"value"`
}

type dataJSON[T any] struct {
	Data []T `json:"data"`
}

func listOut(l core.SimpleList) simpleListJSON {
	return simpleListJSON{Alias: l.Alias, Description: l.Description, ID: l.ID, Name: l.Name, Type: "simple"}
}

func elementOut(el core.SimpleListElement) elementJSON {
	return elementJSON{ID: el.ID, Key: el.Key, Value: el.Value}
}

func (h *handler) routeLists(r chi.Router) {
	r.Get("/", h.simpleLists)
	r.Get("/{list}", h.simpleList)
	r.Get("/{list}/elements", h.listElements)
	r.Post("/{list}/elements", h.addElement)
	r.Get("/{list}/elements/{key}", h.element(h.getElement))
	r.Put("/{list}/elements/{key}", h.element(h.putElement))
	r.Delete("/{list}/elements/{key}", h.element(h.deleteElement))
}

func (h *handler) simpleLists(w http.ResponseWriter, r *http.Request) {
	ls, err := h.eng.SimpleLists(r.Context())
	if err != nil {
		h.fail(w, err)
		return
	}
	out := dataJSON[simpleListJSON]{Data: make([]simpleListJSON, 0, len(ls))}
	for _, l := range ls {
		out.Data = append(out.Data, listOut(l))
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *handler) simpleList(w http.ResponseWriter, r *http.Request) {
	l, err := h.eng.SimpleListNamed(r.Context(), chi.URLParam(r, "list"))
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, listOut(l))
}

func (h *handler) listElements(w http.ResponseWriter, r *http.Request) {
	els, err := h.eng.SimpleListElements(r.Context(), chi.URLParam(r, "list"))
	if err != nil {
		h.fail(w, err)
		return
	}
	out := dataJSON[elementJSON]{Data: make([]elementJSON, 0, len(els))}
	for _, el := range els {
		out.Data = append(out.Data, elementOut(el))
	}
	writeJSON(w, http.StatusOK, out)
}

// elementBody is {"key": ..., "value": ...}; key and value may be JSON
// strings or numbers.
type elementBody struct {
	Key   json.RawMessage `json:"key"`
	Value json.RawMessage `json:"value"`
}

func readElement(w http.ResponseWriter, r *http.Request, needKey bool) (key, value string, ok bool) {
	var b elementBody
	dec := json.NewDecoder(r.Body)
	err := dec.Decode(&b)
	if err == nil && dec.More() {
		err = errFormat
	}
	if err == nil && needKey {
		key, err = scalarText(b.Key)
	}
	if err == nil {
		value, err = scalarText(b.Value)
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge)
		} else {
			writeError(w, http.StatusBadRequest)
		}
		return "", "", false
	}
	return key, value, true
}

// addElement: POST → 201 with the element; 409 when the key exists.
func (h *handler) addElement(w http.ResponseWriter, r *http.Request) {
	key, value, ok := readElement(w, r, true)
	if !ok {
		return
	}
	el, err := h.eng.AddSimpleListElement(r.Context(), chi.URLParam(r, "list"), key, value)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, elementOut(el))
}

type elementFunc func(w http.ResponseWriter, r *http.Request, list, key string) (core.SimpleListElement, error)

func (h *handler) element(fn elementFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		el, err := fn(w, r, chi.URLParam(r, "list"), chi.URLParam(r, "key"))
		if errors.Is(err, errAnswered) {
			return
		}
		if err != nil {
			h.fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, elementOut(el))
	}
}

// errAnswered: the request was already answered (a bad body).
var errAnswered = errors.New("answered")

func (h *handler) getElement(_ http.ResponseWriter, r *http.Request, list, key string) (core.SimpleListElement, error) {
	return h.eng.SimpleListElement(r.Context(), list, key)
}

func (h *handler) putElement(w http.ResponseWriter, r *http.Request, list, key string) (core.SimpleListElement, error) {
	_, value, ok := readElement(w, r, false)
	if !ok {
		return core.SimpleListElement{}, errAnswered
	}
	return h.eng.SetSimpleListElement(r.Context(), list, key, value)
}

func (h *handler) deleteElement(_ http.ResponseWriter, r *http.Request, list, key string) (core.SimpleListElement, error) {
	return h.eng.DeleteSimpleListElement(r.Context(), list, key)
}
