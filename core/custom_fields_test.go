package core_test

import (
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// A list's custom fields hold each lead's values per entry list: display
// fields hold none, values are cut to the field's max, a field's removal
// takes its values, and a lead's deletion takes all of them.
func TestListCustomFieldsKeepLeadValuesPerEntryList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		h := newHarness(t, st, harnessOpt{})
		e := h.e
		must(t, st.Create(h.ctx, &core.List{ID: 500, Name: "cf", Campaign: "OUT1", Active: true}))
		for _, bad := range []core.ListField{
			{ListID: 500, Label: "phone_number", Type: "TEXT"},
			{ListID: 500, Label: "9lives", Type: "TEXT"},
			{ListID: 500, Label: "ok", Type: "NOPE"},
			{ListID: 501, Label: "ok", Type: "TEXT"},
		} {
			if _, err := e.AddListField(h.ctx, bad); err == nil {
				t.Errorf("field %+v accepted", bad)
			}
		}
		for _, f := range []core.ListField{
			{ListID: 500, Label: "plan", Type: "TEXT", Rank: 2, Max: 4},
			{ListID: 500, Label: "intro", Type: "DISPLAY", Rank: 1},
			{ListID: 500, Label: "note", Type: "AREA", Rank: 3},
		} {
			if _, err := e.AddListField(h.ctx, f); err != nil {
				t.Fatalf("add %s: %v", f.Label, err)
			}
		}
		if _, err := e.AddListField(h.ctx, core.ListField{ListID: 500, Label: "plan", Type: "TEXT"}); core.ErrorCode(err) != core.ECONFLICT {
			t.Errorf("second plan: %v, want ECONFLICT", err)
		}
		fields, _ := e.ListFields(h.ctx, 500)
		if len(fields) != 3 || fields[0].Label != "intro" || fields[2].Label != "note" {
			t.Errorf("fields in rank order: %+v", fields)
		}
		l := core.Lead{ListID: 500, PhoneNumber: "5551000"}
		must(t, e.AddLead(h.ctx, &l, core.AddLeadOptions{}))
		n, err := e.SetLeadFieldValues(h.ctx, l.ID, 500, map[string]string{"plan": "Golden", "intro": "x", "other": "y", "note": ""})
		if err != nil || n != 2 {
			t.Fatalf("set values: %d %v", n, err)
		}
		got, _ := e.LeadFieldValues(h.ctx, l.ID, 500)
		if len(got) != 2 || got["plan"] != "Gold" || got["note"] != "" {
			t.Errorf("values %v", got)
		}
		if stored, _ := e.Lead(h.ctx, l.ID); stored.EntryListID != 500 {
			t.Errorf("entry list %d, want 500", stored.EntryListID)
		}
		if _, err := e.DeleteListField(h.ctx, 500, "plan"); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.LeadFieldValues(h.ctx, l.ID, 500); len(got) != 1 {
			t.Errorf("values after field removal %v", got)
		}
		if _, err := e.DeleteLead(h.ctx, l.ID); err != nil {
			t.Fatal(err)
		}
		var left []core.LeadFieldValue
		must(t, st.Find(h.ctx, &left, core.Eq("lead_id", l.ID)))
		if len(left) != 0 {
			t.Errorf("values outlived their lead: %+v", left)
		}
	})
}
