package eccp

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/pkg/store/storetest"
)

// FuzzRequests sends arbitrary request bodies through a real, logged-in
// session on a real engine: whatever arrives, the server must answer (or
// close, for malformed XML) without a handler panicking and without hanging.
// Run it with: go test ./api/eccp -run '^$' -fuzz FuzzRequests
func FuzzRequests(f *testing.F) {
	for _, s := range []string{
		`<getagentstatus><agent_number>Agent/9000</agent_number></getagentstatus>`,
		`<getmultipleagentstatus><agents><agent_number>SIP/1064</agent_number><agent_number>x</agent_number></agents></getmultipleagentstatus>`,
		`<pauseagent><agent_number>SIP/1064</agent_number><agent_hash>00</agent_hash><pause_type>2</pause_type></pauseagent>`,
		`<loginagent><agent_number>SIP/1064</agent_number><agent_hash>00</agent_hash><extension>1064</extension><timeout>-1</timeout></loginagent>`,
		`<getcampaigninfo><campaign_type>outgoing</campaign_type><campaign_id>999999999999999999999</campaign_id></getcampaigninfo>`,
		`<getcallinfo><campaign_type>incoming</campaign_type><call_id>1</call_id></getcallinfo>`,
		`<schedulecall><agent_number>SIP/1064</agent_number><agent_hash>0</agent_hash><schedule><date_init>2025-13-45</date_init></schedule></schedulecall>`,
		`<saveformdata><campaign_type>incoming</campaign_type><call_id>1</call_id><forms><form id="1"><field id="x">` + strings.Repeat("a", 300) + `</field></form></forms></saveformdata>`,
		`<getcampaignqueuewait><campaign_type>outgoing</campaign_type><campaign_id>1</campaign_id></getcampaignqueuewait>`,
		`<campaignlog><campaign_type>outgoing</campaign_type><campaign_id>1</campaign_id><datetime_start>x</datetime_start></campaignlog>`,
		`<getagentactivitysummary><datetime_start>2025-01-01 00:00:00</datetime_start><datetime_end>1</datetime_end></getagentactivitysummary>`,
		`<filterbyagent><agent_number>any</agent_number></filterbyagent>`,
		`<callprogress><enable>2</enable></callprogress>`,
		`<nosuchrequest/>`,
		`<getpauses>`,
	} {
		f.Add(s)
	}
	e := newEnv(f, storetest.SQLite)
	f.Fuzz(func(t *testing.T, body string) {
		conn, err := net.Dial("tcp", e.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fr := newFramer(0)
		buf := make([]byte, 64<<10)
		read := func() (string, error) {
			deadline := time.Now().Add(10 * time.Second)
			for {
				doc, err := fr.next()
				if err != nil {
					return "", err
				}
				if doc != nil {
					return string(doc), nil
				}
				conn.SetReadDeadline(deadline)
				n, err := conn.Read(buf)
				fr.feed(buf[:n])
				if err != nil {
					return "", err
				}
			}
		}
		if _, err := io.WriteString(conn, `<request id="1"><login><username>agentconsole</username><password>agentconsole</password></login></request>`); err != nil {
			t.Fatal(err)
		}
		if p, err := read(); err != nil || !strings.Contains(p, "<success/>") {
			t.Fatalf("login: %q %v", p, err)
		}
		if _, err := io.WriteString(conn, `<request id="2">`+body+`</request>`); err != nil {
			return // the server already closed (e.g. an oversized packet)
		}
		// Nothing more will come: a document left incomplete (an open
		// comment, a quote) must end with the connection, not hang it.
		conn.(*net.TCPConn).CloseWrite()
		for {
			p, err := read()
			if err == io.EOF {
				return // malformed input: answered 400 and closed, or closed
			}
			if err != nil {
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					t.Fatalf("no answer to %q", body)
				}
				return
			}
			if strings.HasPrefix(strings.TrimPrefix(p, "<?xml version=\"1.0\"?>\n"), "<event>") {
				continue
			}
			if strings.Contains(p, "<code>500</code><message>Server error</message>") {
				t.Fatalf("a handler panicked on %q: %s", body, p)
			}
			return
		}
	})
}
