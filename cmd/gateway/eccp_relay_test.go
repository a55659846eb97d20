package main

import (
	"strings"
	"testing"

	"github.com/callgate/callgate/api/eccp"
)

// The relay keeps what a resumed session needs from the client's requests.
func TestRelayNotesTheSessionState(t *testing.T) {
	r := &sessionRelay{}
	for _, doc := range []string{
		`<?xml version="1.0"?><request id="5"><login><username>agentconsole</username><password>x</password></login></request>`,
		`<request id="6"><filterbyagent><agent_number>Agent/9000</agent_number></filterbyagent></request>`,
		`<request id="7"><callprogress><enable>1</enable></callprogress></request>`,
	} {
		r.note([]byte(doc))
	}
	if !strings.Contains(string(r.login), `<request id="callgate-login">`) || r.filter != "Agent/9000" || !r.progress {
		t.Fatalf("login %q filter %q progress %v", r.login, r.filter, r.progress)
	}
	if strings.Join(r.pending, ",") != "5,6,7" {
		t.Fatalf("pending %v", r.pending)
	}
	r.answered("6")
	r.note([]byte(`<request id="8"><filterbyagent><agent_number>any</agent_number></filterbyagent></request>`))
	r.note([]byte(`<request id="9"><logout/></request>`))
	if r.filter != "" || r.login != nil || r.progress || strings.Join(r.pending, ",") != "5,7,8,9" {
		t.Fatalf("after any and logout: login %q filter %q progress %v pending %v", r.login, r.filter, r.progress, r.pending)
	}
}

// No document from a client or a leader makes the relay's parsing panic.
func FuzzRelayParsing(f *testing.F) {
	f.Add([]byte(`<request id="1"><login><username>a</username><password>b</password></login></request>`))
	f.Add([]byte(`<?xml version="1.0"?>` + "\n" + `<callgate_seq n="18446744073709551615"/>`))
	f.Add([]byte(`<response id="callgate-login"><login_response><success/></login_response></response>`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		r := &sessionRelay{}
		r.note(doc)
		_, _ = eccp.SeqMarker(doc)
		if m := respIDRE.FindSubmatch(doc); m != nil {
			r.answered(string(m[1]))
		}
	})
}
