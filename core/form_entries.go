package core

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"
)

// Form entries: the values agents saved in one form, grouped per call, with
// the call they belong to (CRMs export them by form name and date).

// FormRecord is one call's entry in a form.
type FormRecord struct {
	Form     Form
	Call     Call
	Agent    Agent // the call's agent, when known
	Answers  []FormAnswer
	First    time.Time // first value saved
	Modified time.Time // last value saved
}

// FormNamed loads a form by name (ENOTFOUND when there is none).
func (e *Engine) FormNamed(ctx context.Context, name string) (Form, error) {
	var f Form
	if err := e.store.First(ctx, &f, Eq("name", name).Asc("id")); err != nil {
		if errors.Is(err, ErrNoRecord) {
			return f, Errorf(ENOTFOUND, "form %s", name)
		}
		return f, fmt.Errorf("form: %w", err)
	}
	return f, nil
}

// FormRecords lists a form's entries saved in [since, until) (zero: open),
// oldest first; callID, when not 0, selects one call's entry.
func (e *Engine) FormRecords(ctx context.Context, form string, since, until time.Time, callID uint64) ([]FormRecord, error) {
	f, err := e.FormNamed(ctx, form)
	if err != nil {
		return nil, err
	}
	q := Eq("form_id", f.ID)
	if callID != 0 {
		q = q.Eq("call_id", callID)
	}
	if !since.IsZero() {
		q = q.Gte("saved_at", since)
	}
	if !until.IsZero() {
		q = q.Lt("saved_at", until)
	}
	var vals []FormValue
	if err := e.store.Find(ctx, &vals, q.Asc("id").Take(maxLeadQuery)); err != nil {
		return nil, fmt.Errorf("form entries: %w", err)
	}
	var fields []FormField
	if err := e.store.Find(ctx, &fields, Eq("form_id", f.ID)); err != nil {
		return nil, fmt.Errorf("form fields: %w", err)
	}
	return e.groupFormValues(ctx, f, fields, vals)
}

func (e *Engine) groupFormValues(ctx context.Context, f Form, fields []FormField, vals []FormValue) ([]FormRecord, error) {
	byField := map[uint]FormField{}
	for _, fl := range fields {
		byField[fl.ID] = fl
	}
	byCall := map[uint64]*FormRecord{}
	var order []uint64
	for _, v := range vals {
		r := byCall[v.CallID]
		if r == nil {
			r = &FormRecord{Form: f, First: v.SavedAt, Modified: v.SavedAt}
			byCall[v.CallID] = r
			order = append(order, v.CallID)
		}
		if fl, ok := byField[v.FieldID]; ok {
			r.Answers = append(r.Answers, FormAnswer{Field: fl, Value: v.Value})
		}
		if v.SavedAt.Before(r.First) {
			r.First = v.SavedAt
		}
		if v.SavedAt.After(r.Modified) {
			r.Modified = v.SavedAt
		}
	}
	out := make([]FormRecord, 0, len(order))
	for _, id := range order {
		r := byCall[id]
		sort.SliceStable(r.Answers, func(i, j int) bool { return r.Answers[i].Field.Order < r.Answers[j].Field.Order })
		if err := e.store.First(ctx, &r.Call, Eq("id", id)); err != nil && !errors.Is(err, ErrNoRecord) {
			return nil, fmt.Errorf("form entry call: %w", err)
		}
		r.Call.ID = id
		if r.Call.Agent != "" {
			r.Agent, _ = e.FindAgent(ctx, r.Call.Agent)
		}
		out = append(out, *r)
	}
	return out, nil
}
