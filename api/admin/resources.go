package admin

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
)

// resource is the generic CRUD of one record type over core.Records.
type resource[T any] struct {
	name string // singular, for messages ("agent")
	// defaults returns a new record with the values an omitted field
	// should take on create (Active: true...).
	defaults func() *T
	// input wraps the record for decoding when the wire form has more
	// than the record's JSON (write-only secrets); apply copies them in.
	input func(t *T) (target any, apply func())
	// validate checks required fields after decoding (create and update).
	validate func(t *T) error
	// before runs before every write (fill derived fields, timestamps).
	before func(ctx context.Context, a *API, t *T, creating bool) error
	// after runs after a successful create or update.
	after func(ctx context.Context, a *API, t *T) error
	// beforeDelete may refuse a delete (a logged-in agent).
	beforeDelete func(ctx context.Context, a *API, t *T) error
	// afterDelete removes dependent records.
	afterDelete func(ctx context.Context, a *API, t *T) error
	// filters maps query parameters onto columns (equality).
	filters map[string]string
	// timeCol enables since/until filters on that column.
	timeCol string
	order   []core.Order
	// reload: the engine caches this record type.
	reload bool
	// doc describes required fields and defaults for the document.
	doc string
}

func idOf(v any) uint64 {
	f := reflect.ValueOf(v).Elem().FieldByName("ID")
	if f.CanUint() {
		return f.Uint()
	}
	return 0
}

func setID(v any, id uint64) {
	f := reflect.ValueOf(v).Elem().FieldByName("ID")
	if f.CanSet() && f.CanUint() {
		f.SetUint(id)
	}
}

// restoreFields copies every field of src into dst except the ones the
// store assigns on insert.
func restoreFields(dst, src any) {
	d, s := reflect.ValueOf(dst).Elem(), reflect.ValueOf(src).Elem()
	for i := 0; i < d.NumField(); i++ {
		switch d.Type().Field(i).Name {
		case "ID", "CreatedAt", "UpdatedAt":
			continue
		}
		if d.Field(i).CanSet() {
			d.Field(i).Set(s.Field(i))
		}
	}
}

const (
	defaultLimit = 100
	maxLimit     = 1000
)

// listQuery builds a record filter from filters, limit/offset and since/until.
func listQuery(r *http.Request, filters map[string]string, timeCol string, order []core.Order) (core.Filter, error) {
	q := core.Filter{Order: order}
	vals := r.URL.Query()
	for param, col := range filters {
		if v := vals.Get(param); v != "" {
			q = q.Eq(col, v)
		}
	}
	if timeCol != "" {
		for _, p := range []struct {
			param string
			add   func(core.Filter, time.Time) core.Filter
		}{
			{"since", func(q core.Filter, t time.Time) core.Filter { return q.Gte(timeCol, t) }},
			{"until", func(q core.Filter, t time.Time) core.Filter { return q.Lt(timeCol, t) }},
		} {
			v := vals.Get(p.param)
			if v == "" {
				continue
			}
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return q, badRequest("%s must be an RFC 3339 time", p.param)
			}
			q = p.add(q, t.UTC())
		}
	}
	q.Limit = defaultLimit
	if v := vals.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return q, badRequest("limit must be a positive integer")
		}
		q.Limit = min(n, maxLimit)
	}
	if v := vals.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return q, badRequest("offset must be a non-negative integer")
		}
		q.Offset = n
	}
	return q, nil
}

func (res *resource[T]) orderBy() []core.Order {
	if res.order != nil {
		return res.order
	}
	return []core.Order{{Field: "id"}}
}

func (res *resource[T]) list(a *API) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q, err := listQuery(r, res.filters, res.timeCol, res.orderBy())
		if err != nil {
			a.fail(w, r, err)
			return
		}
		out := []T{}
		if err := a.rec.List(r.Context(), &out, q); err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, out)
	}
}

func (res *resource[T]) load(ctx context.Context, a *API, r *http.Request) (*T, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, notFound(res.name)
	}
	t := new(T)
	if err := a.rec.Get(ctx, t, core.ByID(id)); err != nil {
		if errors.Is(err, core.ErrNoRecord) {
			return nil, notFound(res.name)
		}
		return nil, err
	}
	return t, nil
}

func (res *resource[T]) get(a *API) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, err := res.load(r.Context(), a, r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, t)
	}
}

func (res *resource[T]) decodeInto(w http.ResponseWriter, r *http.Request, t *T) error {
	var target any = t
	var apply func()
	if res.input != nil {
		target, apply = res.input(t)
	}
	if err := decode(w, r, target); err != nil {
		return err
	}
	if apply != nil {
		apply()
	}
	return nil
}

func (res *resource[T]) create(a *API) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		t := new(T)
		if res.defaults != nil {
			t = res.defaults()
		}
		if err := res.decodeInto(w, r, t); err != nil {
			a.fail(w, r, err)
			return
		}
		if err := res.write(ctx, a, t, true); err != nil {
			a.fail(w, r, err)
			return
		}
		w.Header().Set("Location", strings.TrimSuffix(r.URL.Path, "/")+"/"+strconv.FormatUint(idOf(t), 10))
		writeJSON(w, http.StatusCreated, t)
	}
}

// update merges the body onto the stored record (PUT and PATCH alike):
// omitted fields, write-only secrets included, keep their values.
func (res *resource[T]) update(a *API) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		t, err := res.load(ctx, a, r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		id := idOf(t)
		if err := res.decodeInto(w, r, t); err != nil {
			a.fail(w, r, err)
			return
		}
		setID(t, id)
		if err := res.write(ctx, a, t, false); err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, t)
	}
}

func (res *resource[T]) write(ctx context.Context, a *API, t *T, creating bool) error {
	if res.validate != nil {
		if err := res.validate(t); err != nil {
			return err
		}
	}
	// The core's rules (lengths, identifier characters) after the
	// resource's own defaults were filled in.
	if v, ok := any(t).(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			var ve *core.ValidationError
			if errors.As(err, &ve) {
				return badRequest("invalid field %q: %s", ve.Field, ve.Reason)
			}
			return badRequest("invalid %s", res.name)
		}
	}
	if res.before != nil {
		if err := res.before(ctx, a, t, creating); err != nil {
			return err
		}
	}
	if creating {
		// gorm leaves zero values of columns with a database default out
		// of the INSERT and reads the default back into the record, so
		// "active": false would be stored (and answered) as true: restore
		// what the client asked for and save it again.
		want := *t
		if err := a.rec.Create(ctx, t); err != nil {
			return err
		}
		restoreFields(t, &want)
	}
	if err := a.rec.Save(ctx, t); err != nil {
		return err
	}
	if res.after != nil {
		if err := res.after(ctx, a, t); err != nil {
			return err
		}
	}
	if res.reload {
		a.reload(ctx)
	}
	return nil
}

func (res *resource[T]) remove(a *API) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		t, err := res.load(ctx, a, r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		if res.beforeDelete != nil {
			if err := res.beforeDelete(ctx, a, t); err != nil {
				a.fail(w, r, err)
				return
			}
		}
		if err := a.rec.Delete(ctx, t); err != nil {
			a.fail(w, r, err)
			return
		}
		if res.afterDelete != nil {
			if err := res.afterDelete(ctx, a, t); err != nil {
				a.fail(w, r, err)
				return
			}
		}
		if res.reload {
			a.reload(ctx)
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// required reports the first empty field among name/value pairs.
func required(pairs ...any) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		name := pairs[i].(string)
		switch v := pairs[i+1].(type) {
		case string:
			if strings.TrimSpace(v) == "" {
				return badRequest("missing required field %q", name)
			}
		case uint64:
			if v == 0 {
				return badRequest("missing required field %q", name)
			}
		case uint:
			if v == 0 {
				return badRequest("missing required field %q", name)
			}
		case time.Time:
			if v.IsZero() {
				return badRequest("missing required field %q", name)
			}
		}
	}
	return nil
}

func oneOf(field, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return badRequest("field %q must be one of %s", field, strings.Join(allowed, ", "))
}
