package core_test

import (
	"errors"
	"path"
	"strings"
	"testing"

	"github.com/callgate/callgate/core"
)

func TestRecordValidation(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	cases := []struct {
		name  string
		rec   interface{ Validate() error }
		field string // "" = valid
	}{
		{"ECCP agent by type and number", &core.Agent{Username: "9000", Number: "9000", Type: "Agent", Name: "Agente 9000"}, ""},
		{"SIP agent with PJSIP extension", &core.Agent{Username: "1064", Number: "1064", Type: "SIP", Extension: "PJSIP/1064", Name: "Agente 1064"}, ""},
		{"email-like username", &core.Agent{Username: "ana.perez@example.com", Number: "1", Type: "SIP"}, ""},
		{"unicode display name", &core.Agent{Username: "u1", Name: "José Nuñez 日本"}, ""},
		{"path in username", &core.Agent{Username: "../../../tmp/pwn"}, "username"},
		{"space in username", &core.Agent{Username: "a b"}, "username"},
		{"dot-dot username", &core.Agent{Username: ".."}, "username"},
		{"1 MB name", &core.Agent{Username: "u1", Name: long(1 << 20)}, "name"},
		{"name at the column size", &core.Agent{Username: "u1", Name: long(128)}, ""},
		{"name one over", &core.Agent{Username: "u1", Name: long(129)}, "name"},
		{"control character in name", &core.Agent{Username: "u1", Name: "evil\x1b[2J"}, "name"},
		{"newline in name", &core.Agent{Username: "u1", Name: "a\nb"}, "name"},
		{"invalid UTF-8", &core.Agent{Username: "u1", Name: "\xff\xfe"}, "name"},
		{"type with slash", &core.Agent{Username: "u1", Type: "SIP/x"}, "type"},
		{"extension with space", &core.Agent{Username: "u1", Extension: "PJSIP/1 0"}, "extension"},
		{"long username", &core.Agent{Username: long(65)}, "username"},
		{"long password", &core.Agent{Username: "u1", Password: long(129)}, "password"},
		{"queue name with slash", &core.Queue{Name: "a/b"}, "name"},
		{"queue with script lines", &core.Queue{Name: "8001", Script: "Hola\n\tguion"}, ""},
		{"campaign trunk template", &core.Campaign{Name: "TESTCAMP", Trunk: "PJSIP/{number}@trunk", Ingroups: "TEST_IN SALESLINE"}, ""},
		{"campaign hostile in-group", &core.Campaign{Name: "C", Ingroups: "TEST_IN ../x"}, "ingroups"},
		{"break named Baño", &core.PauseCode{Code: "Baño", Name: "Baño"}, ""},
		{"break code too long", &core.PauseCode{Code: long(33)}, "code"},
		{"disposition code with space", &core.Disposition{Code: "NOT INT"}, "code"},
		{"api user", &core.APIUser{Dialect: "vicidial", Username: "6666", Secret: "1234"}, ""},
		{"api user hostile", &core.APIUser{Dialect: "vicidial", Username: "x;rm -rf"}, "username"},
		{"route DID star code", &core.Route{DID: "*97", Queue: "8000"}, ""},
		{"route DID with slash", &core.Route{DID: "1/2", Queue: "8000"}, "did"},
		{"user group", &core.UserGroup{Name: "ADMIN", AllowedCampaigns: " -ALL-CAMPAIGNS- - "}, ""},
		{"DNC phone", &core.DNCEntry{Phone: "7275550001"}, ""},
		{"DNC phone hostile", &core.DNCEntry{Phone: "555 1234"}, "phone"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.rec.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			var ve *core.ValidationError
			if !errors.As(err, &ve) || ve.Field != tc.field {
				t.Fatalf("want an error on %q, got %v", tc.field, err)
			}
			if !errors.Is(err, core.ErrInvalid) {
				t.Fatalf("%v does not wrap ErrInvalid", err)
			}
			if len(err.Error()) > 200 {
				t.Fatalf("error echoes the input: %d bytes", len(err.Error()))
			}
		})
	}
}

// A user name that was stored before validation existed (or by another
// tool) must not steer the recording file out of its folder.
func TestRecordingFileNameCannotEscapeItsFolder(t *testing.T) {
	for _, user := range []string{"../../../tmp/pwn", `..\..\win`, "a b;rm -rf /", ".."} {
		t.Run(user, func(t *testing.T) {
			st := sqlite(t)
			h := newHarness(t, st, harnessOpt{agents: 1})
			var q core.Queue
			must(t, st.First(h.ctx, &q, core.Eq("name", "sales")))
			a := core.Agent{Username: user, Number: "9999", Type: "Agent", Extension: "PJSIP/evil", Active: true, Campaign: "OUT1"}
			must(t, st.Create(h.ctx, &a))
			must(t, st.Create(h.ctx, &core.QueueMember{QueueID: q.ID, AgentID: a.ID, Queue: q.Name, Agent: user}))
			must(t, h.e.Reload(h.ctx))
			h.login(user)
			h.inbound("5550099")
			h.callOf(user)
			rec, err := h.e.StartRecording(h.ctx, user)
			must(t, err)
			for what, p := range map[string]string{"name": rec.Name, "file": rec.File} {
				if strings.ContainsAny(p, `\ ;`) || strings.Contains(p, "..") {
					t.Errorf("%s %q carries unsafe characters", what, p)
				}
			}
			if strings.Contains(rec.Name, "/") {
				t.Errorf("name %q has a path separator", rec.Name)
			}
			if dir := path.Dir(path.Clean(rec.File)); dir != rec.DayFolder {
				t.Errorf("file %q leaves day folder %q", rec.File, rec.DayFolder)
			}
			if _, ok := h.pbx.Recording(rec.Name); !ok {
				t.Errorf("pbx has no recording %q", rec.Name)
			}
		})
	}
}
