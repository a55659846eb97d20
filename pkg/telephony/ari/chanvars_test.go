package ari

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/callgate/callgate/core"
)

// ARI cannot list a channel's variables: ChannelVars reads, by name, the
// variables the gateway set on that channel and Asterisk's standard ones.
func TestChannelVarsReadsSetAndStandardVariablesByName(t *testing.T) {
	f := newFakeARI(t)
	tel, _ := startTel(t, f, nil)
	ctx := t.Context()
	if _, err := tel.Originate(ctx, core.OriginateRequest{ChannelID: "c1", Endpoint: "PJSIP/1064",
		Variables: map[string]string{"CG_CALL": "42"}}); err != nil {
		t.Fatal(err)
	}
	if err := tel.SetVar(ctx, "c1", "CRM_TICKET", "T-7"); err != nil {
		t.Fatal(err)
	}
	if err := tel.SetVar(ctx, "c2", "ONLY_C2", "x"); err != nil {
		t.Fatal(err)
	}
	f.clearRequests()
	vars, err := tel.ChannelVars(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range vars {
		names = append(names, v.Name)
		// The fake answers v-NAME: the value is the one read from Asterisk.
		if v.Value != "v-"+v.Name {
			t.Errorf("%s = %q, want the value Asterisk gave (v-%s)", v.Name, v.Value, v.Name)
		}
	}
	want := append([]string{"CG_CALL", "CRM_TICKET"}, StandardVars...)
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("names = %q\n want %q", names, want)
	}
	for _, r := range f.requests() {
		if r.Method != "GET" || r.Path != "/channels/c1/variable" {
			t.Errorf("unexpected request %+v: ChannelVars only reads c1's variables", r)
		}
	}
}

func TestChannelVarsOfAnUnknownChannelIsNotFound(t *testing.T) {
	f := newFakeARI(t)
	tel, _ := startTel(t, f, nil)
	f.respond("GET", "/channels/gone/variable", 404, `{"message":"Provided channel was not found"}`)
	if _, err := tel.ChannelVars(t.Context(), "gone"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("error %v, want core.ErrNotFound", err)
	}
}

// Unset variables are left out, as Asterisk lists only variables that exist.
func TestListVarsLeavesOutUnsetVariables(t *testing.T) {
	var b VarBook
	b.Note("c1", "CG_A", "CG_B")
	b.Note("c1", "CG_A")
	get := func(_ context.Context, id, name string) (string, error) {
		if name == "CG_B" || name == "DIALSTATUS" {
			return "set-" + name, nil
		}
		return "", nil
	}
	got, err := ListVars(t.Context(), &b, "c1", get)
	if err != nil {
		t.Fatal(err)
	}
	want := []core.ChannelVar{{Name: "CG_B", Value: "set-CG_B"}, {Name: "DIALSTATUS", Value: "set-DIALSTATUS"}}
	if !slices.Equal(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	b.Forget("c1")
	if got, _ := ListVars(t.Context(), &b, "c1", get); len(got) != 1 {
		t.Errorf("after Forget: %+v, want only the standard DIALSTATUS", got)
	}
}
