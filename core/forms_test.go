package core_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

func TestSaveFormDataValidatesEveryEntryBeforeWritingAny(t *testing.T) {
	h := newHarness(t, storetest.Open(t, storetest.SQLite), harnessOpt{})
	f := core.Form{Name: "survey", Active: true}
	must(t, h.st.Create(h.ctx, &f))
	text := core.FormField{FormID: f.ID, Label: "name", Type: "TEXT", Order: 1}
	date := core.FormField{FormID: f.ID, Label: "when", Type: "DATE", Order: 2}
	list := core.FormField{FormID: f.ID, Label: "pick", Type: "LIST", Options: "a,b,", Order: 3}
	label := core.FormField{FormID: f.ID, Label: "note", Type: "LABEL", Order: 0}
	for _, fl := range []*core.FormField{&text, &date, &list, &label} {
		must(t, h.st.Create(h.ctx, fl))
	}
	const call = 77
	ok := core.FormEntry{FormID: f.ID, FieldID: text.ID, Value: "Ana"}
	cases := []struct {
		name  string
		entry core.FormEntry
		want  core.FormRejection
	}{
		{"unknown form", core.FormEntry{FormID: 999, FieldID: text.ID}, core.FormUnknown},
		{"field of no such form", core.FormEntry{FormID: f.ID, FieldID: 999}, core.FormFieldUnknown},
		{"too long", core.FormEntry{FormID: f.ID, FieldID: text.ID, Value: strings.Repeat("x", core.MaxFormValue+1)}, core.FormValueTooLong},
		{"bad date", core.FormEntry{FormID: f.ID, FieldID: date.ID, Value: "31/12/2026"}, core.FormBadDate},
		{"not an option", core.FormEntry{FormID: f.ID, FieldID: list.ID, Value: "c"}, core.FormNotInList},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := h.e.SaveFormData(h.ctx, call, []core.FormEntry{ok, c.entry})
			var fe *core.FormError
			if !errors.As(err, &fe) || fe.Reason != c.want {
				t.Fatalf("err = %v, want rejection %d", err, c.want)
			}
			if got, _ := h.e.CallFormData(h.ctx, call); len(got) != 0 {
				t.Fatalf("a refused request stored %+v", got)
			}
		})
	}

	must(t, h.e.SaveFormData(h.ctx, call, []core.FormEntry{
		ok, {FormID: f.ID, FieldID: date.ID, Value: "2026-12-31 10:00:00"}, {FormID: f.ID, FieldID: list.ID, Value: "b"},
		{FormID: f.ID, FieldID: label.ID, Value: "ignored"},
	}))
	must(t, h.e.SaveFormData(h.ctx, call, []core.FormEntry{{FormID: f.ID, FieldID: text.ID, Value: "Eva"}}))
	got, err := h.e.CallFormData(h.ctx, call)
	must(t, err)
	var vals []string
	for _, a := range got {
		vals = append(vals, a.Field.Label+"="+a.Value)
	}
	if s := strings.Join(vals, " "); s != "name=Eva when=2026-12-31 10:00:00 pick=b" {
		t.Fatalf("stored values: %s", s)
	}
}

func TestScheduleCallbackOnceRefusesTheSameMomentTwice(t *testing.T) {
	h := newHarness(t, storetest.Open(t, storetest.SQLite), harnessOpt{})
	when := time.Now().Add(time.Hour).Truncate(time.Second)
	cb := func() *core.Callback {
		return &core.Callback{Campaign: "OUT1", Phone: "5551000", When: when}
	}
	must(t, h.e.ScheduleCallbackOnce(h.ctx, cb()))
	if err := h.e.ScheduleCallbackOnce(h.ctx, cb()); !errors.Is(err, core.ErrDuplicate) {
		t.Fatalf("second schedule: %v, want ErrDuplicate", err)
	}
	later := cb()
	later.When = when.Add(time.Minute)
	must(t, h.e.ScheduleCallbackOnce(h.ctx, later))
}
