package core

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Forms are the data-collection forms agents fill during a call (a
// campaign's or a queue's). The engine validates and stores their values so
// every dialect saves them under the same rules.

// FormSpec is a form with its fields in display order.
type FormSpec struct {
	Form   Form
	Fields []FormField
}

// Forms loads the forms with these ids, in the order given, each once;
// forms that do not exist or have no field are left out.
func (e *Engine) Forms(ctx context.Context, ids []uint) ([]FormSpec, error) {
	var out []FormSpec
	seen := map[uint]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		var f Form
		if err := e.store.First(ctx, &f, ByID(id)); err != nil {
			if errors.Is(err, ErrNoRecord) {
				continue
			}
			return nil, err
		}
		var fields []FormField
		if err := e.store.Find(ctx, &fields, Eq("form_id", id).Asc("order").Asc("id")); err != nil {
			return nil, err
		}
		if len(fields) == 0 {
			continue
		}
		out = append(out, FormSpec{f, fields})
	}
	return out, nil
}

// FormEntry is one value an agent entered for a field of a form.
type FormEntry struct {
	FormID, FieldID uint
	Value           string
}

// FormRejection says why a form entry was refused.
type FormRejection int

const (
	FormUnreadable   FormRejection = iota + 1 // the forms could not be read
	FormUnknown                               // no such form (or it has no field)
	FormFieldUnknown                          // the field is not in the form
	FormValueTooLong                          // more than MaxFormValue bytes
	FormBadDate                               // a DATE field's value is not yyyy-mm-dd[ hh:mm:ss]
	FormNotInList                             // a LIST field's value is not one of its options
)

// MaxFormValue is the longest value a field takes.
const MaxFormValue = 250

// FormError is a refused form entry. Nothing of the request was saved.
type FormError struct {
	Reason          FormRejection
	FormID, FieldID uint
	Err             error // the store error of FormUnreadable
}

func (e *FormError) Error() string {
	return fmt.Sprintf("form %d field %d: rejected (%d)", e.FormID, e.FieldID, e.Reason)
}

func (e *FormError) Unwrap() error {
	if e.Err != nil {
		return e.Err
	}
	return ErrInvalid
}

var (
	formDateRE     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	formDateTimeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$`)
)

// FormOptions splits a LIST field's options ("a,b,c," as the admin
// stores them).
func FormOptions(f FormField) []string {
	return strings.Split(strings.TrimSuffix(f.Options, ","), ",")
}

// SaveFormData validates the entries of a call against their forms and
// stores them in one transaction, replacing earlier values of the same
// fields. The first invalid entry refuses the whole request with a
// *FormError; LABEL fields take no value and are skipped.
func (e *Engine) SaveFormData(ctx context.Context, callID uint64, entries []FormEntry) error {
	var ids []uint
	for _, en := range entries {
		ids = append(ids, en.FormID)
	}
	forms, err := e.Forms(ctx, ids)
	if err != nil {
		return &FormError{Reason: FormUnreadable, Err: err}
	}
	byForm := map[uint]map[uint]FormField{}
	for _, f := range forms {
		m := map[uint]FormField{}
		for _, fl := range f.Fields {
			m[fl.ID] = fl
		}
		byForm[f.Form.ID] = m
	}
	var writes []FormValue
	for _, en := range entries {
		reject := func(r FormRejection) error { return &FormError{Reason: r, FormID: en.FormID, FieldID: en.FieldID} }
		fields, ok := byForm[en.FormID]
		if !ok {
			return reject(FormUnknown)
		}
		fl, ok := fields[en.FieldID]
		if !ok {
			return reject(FormFieldUnknown)
		}
		if fl.Type == "LABEL" {
			continue
		}
		switch {
		case len(en.Value) > MaxFormValue:
			return reject(FormValueTooLong)
		case fl.Type == "DATE" && en.Value != "" && !formDateRE.MatchString(en.Value) && !formDateTimeRE.MatchString(en.Value):
			return reject(FormBadDate)
		case fl.Type == "LIST" && !containsString(FormOptions(fl), en.Value):
			return reject(FormNotInList)
		}
		var old FormValue
		switch err := e.store.First(ctx, &old, Eq("call_id", callID).Eq("field_id", en.FieldID)); {
		case err == nil:
			old.Value = en.Value
			writes = append(writes, old)
		case errors.Is(err, ErrNoRecord):
			writes = append(writes, FormValue{CallID: callID, FieldID: en.FieldID, FormID: en.FormID, Value: en.Value})
		default:
			return fmt.Errorf("forms: previous value: %w", err)
		}
	}
	now := e.now()
	return e.store.Tx(ctx, func(tx Store) error {
		for _, w := range writes {
			w.SavedAt = now
			if w.ID != 0 {
				if err := tx.Updates(ctx, &FormValue{ID: w.ID}, map[string]any{"value": w.Value, "saved_at": now}); err != nil {
					return err
				}
			} else if err := tx.Create(ctx, &w); err != nil {
				return err
			}
		}
		return nil
	})
}

func containsString(xs []string, v string) bool {
	for _, x := range xs {
		if x == v {
			return true
		}
	}
	return false
}

// FormAnswer is a stored value with its field.
type FormAnswer struct {
	Field FormField
	Value string
}

// CallFormData lists the values collected for a call, by form and then by
// field order.
func (e *Engine) CallFormData(ctx context.Context, callID uint64) ([]FormAnswer, error) {
	var vals []FormValue
	if err := e.store.Find(ctx, &vals, Eq("call_id", callID)); err != nil || len(vals) == 0 {
		return nil, err
	}
	ids := make([]uint, 0, len(vals))
	for _, v := range vals {
		ids = append(ids, v.FieldID)
	}
	var fields []FormField
	if err := e.store.Find(ctx, &fields, All.In("id", ids)); err != nil {
		return nil, err
	}
	byID := map[uint]FormField{}
	for _, f := range fields {
		byID[f.ID] = f
	}
	var out []FormAnswer
	for _, v := range vals {
		if f, ok := byID[v.FieldID]; ok {
			out = append(out, FormAnswer{f, v.Value})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Field.FormID != out[j].Field.FormID {
			return out[i].Field.FormID < out[j].Field.FormID
		}
		return out[i].Field.Order < out[j].Field.Order
	})
	return out, nil
}
