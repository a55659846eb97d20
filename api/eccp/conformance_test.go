package eccp

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/demo"
	"github.com/callgate/callgate/pkg/store/storetest"
)

func seedDemo(t testing.TB, st core.Store) {
	t.Helper()
	if err := demo.Seed(context.Background(), st); err != nil {
		t.Fatal(err)
	}
}

var pauseIDRE = regexp.MustCompile(`<pause id="(\d+)"><name>([^<]*)</name><status>([AI])</status>`)

// getpauses lists Issabel's break table as dialerd does: break-type codes
// without a campaign, inactive ones included (status I). The demo's
// VICIdial pause codes (scoped to TESTCAMP) and the hold pseudo-break stay
// out; pauseagent refuses them and inactive breaks as it refuses an
// unknown id.
func TestGetPausesListsBreakTableWithoutCampaignCodes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		seed    func(testing.TB, core.Store)
		listed  string   // "id name status" triples, in order
		refused []string // codes pauseagent must answer with 404
	}{
		{"demo data", seedDemo, "2 Ba&#xF1;o A|3 Almuerzo A", []string{"HOLD", "BREAK", "LUNCH", "TRAIN"}},
		{"test fixture", seedFixture, "2 Ba&#xF1;o A|3 Almuerzo A|5 Retired I", []string{"HOLD", "BREAK", "OLD"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnvSeeded(t, storetest.SQLite, tc.seed)
			c := e.dial()
			c.login()
			var got []string
			for _, m := range pauseIDRE.FindAllStringSubmatch(c.req("<getpauses/>"), -1) {
				got = append(got, m[1]+" "+m[2]+" "+m[3])
			}
			if strings.Join(got, "|") != tc.listed {
				t.Errorf("getpauses lists %q, want %q", got, tc.listed)
			}
			loginAgent1064(t, c)
			h := "<agent_number>SIP/1064</agent_number><agent_hash>{hash SIP/1064}</agent_hash>"
			for _, code := range tc.refused {
				var pc core.PauseCode
				if err := e.st.First(context.Background(), &pc, core.Eq("code", code)); err != nil {
					t.Fatalf("pause code %s: %v", code, err)
				}
				r := c.req("<pauseagent>" + h + "<pause_type>" + u64(uint64(pc.ID)) + "</pause_type></pauseagent>")
				want := "<pauseagent_response><failure><code>404</code><message>Break ID not found or not active</message></failure></pauseagent_response>"
				if !strings.Contains(r, want) {
					t.Errorf("pauseagent %s (id %d): %s", code, pc.ID, r)
				}
			}
			if r := c.req("<pauseagent>" + h + "<pause_type>3</pause_type></pauseagent>"); !strings.Contains(r, "<success/>") {
				t.Errorf("pauseagent 3: %s", r)
			}
		})
	}
}

// readRaw reads exactly the bytes of the next n packets.
func readRaw(t *testing.T, c *client, n int) []byte {
	t.Helper()
	var raw []byte
	fr := newFramer(0)
	buf := make([]byte, 1<<16)
	c.conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	for n > 0 {
		k, err := c.conn.Read(buf)
		raw = append(raw, buf[:k]...)
		fr.feed(buf[:k])
		for {
			doc, ferr := fr.next()
			if ferr != nil {
				t.Fatalf("framing: %v in %q", ferr, raw)
			}
			if doc == nil {
				break
			}
			n--
		}
		if err != nil && n > 0 {
			t.Fatalf("read: %v after %d bytes", err, len(raw))
		}
	}
	return raw
}

// rootEnds lists, for a stream of packets, the offset just past each
// root's '>' and whether a newline follows it.
func rootEnds(t *testing.T, stream []byte) (ends []int, newline []bool) {
	t.Helper()
	decl := []byte(xmlDecl)
	for off := 0; off < len(stream); {
		if !bytes.HasPrefix(stream[off:], decl) {
			t.Fatalf("no declaration at %d: %q", off, stream[off:min(off+40, len(stream))])
		}
		next := len(stream)
		if i := bytes.Index(stream[off+len(decl):], decl); i >= 0 {
			next = off + len(decl) + i
		}
		end, nl := next, stream[next-1] == '\n'
		if nl {
			end--
		}
		ends, newline = append(ends, end), append(newline, nl)
		off = next
	}
	return ends, newline
}

// phpClientReadsAll mimics how ECCP.class.php splits a backlog it reads
// with fread, which returns at most phpReadSize bytes: after a root it
// resets its parser and, with nothing left over, hands the next read to
// the fresh parser unchanged, so a read that starts with the newline of
// the previous packet puts whitespace before an XML declaration, and
// libxml2 fails with "Reserved XML Name".
func phpClientReadsAll(t *testing.T, stream []byte) error {
	ends, _ := rootEnds(t, stream)
	isEnd := map[int]bool{}
	for _, e := range ends {
		isEnd[e] = true
	}
	for off := phpReadSize; off < len(stream); off += phpReadSize {
		if isEnd[off] && (stream[off] == '\n' || stream[off] == ' ') {
			return fmt.Errorf("read at offset %d starts with %q after a root: ECCPMalformedXMLException", off, stream[off])
		}
	}
	return nil
}

// A console that does not read while events pile up later reads them 8192
// bytes at a time. The packet whose '>' ends such a read must not carry
// the trailing newline; packets written while the client keeps up keep
// dialerd's exact bytes, newline included.
func TestPHPClientSurvivesABacklogReadEndingAtARoot(t *testing.T) {
	e := newEnv(t, storetest.SQLite)
	c := e.dial()
	c.login()
	pause := func(name string) {
		e.eng.Bus().Publish(core.AgentPauseStarted{Agent: "1064", Interface: "SIP/1064", PauseName: name, Start: testNow}, "1064")
	}
	request := func(id int) {
		c.write(fmt.Sprintf("%s<request id=\"%d\"><getrequestlist/></request>\n", xmlDecl, id))
	}

	// While the client keeps up: one event and a response, both ">\n".
	pause("x")
	request(2)
	raw := readRaw(t, c, 2)
	ends, nl := rootEnds(t, raw)
	if nl[0] != true || nl[1] != true {
		t.Fatalf("packets of a client that keeps up lost the newline: %q", raw)
	}
	first := raw[:ends[0]+1]
	eventSize := len(first)
	if !bytes.Contains(first, []byte("<event>")) {
		eventSize = len(raw) - len(first)
	}

	// A backlog whose first packet, with its newline, is one byte longer
	// than the client's read: the read ends just after its '>'.
	pause(strings.Repeat("x", 1+phpReadSize+1-eventSize))
	for i := 0; i < 30; i++ {
		pause("x")
	}
	backlog := readRaw(t, c, 31)
	ends, nl = rootEnds(t, backlog)
	if ends[0] != phpReadSize {
		t.Fatalf("first root ends at %d, want %d", ends[0], phpReadSize)
	}
	for i, n := range nl {
		if n {
			t.Errorf("packet %d (root end at %d, past the client's read size) kept its newline", i, ends[i])
		}
	}
	if err := phpClientReadsAll(t, backlog); err != nil {
		t.Error(err)
	}
	// The same backlog with dialerd's newlines is what broke the client.
	old := bytes.ReplaceAll(backlog, []byte(">"+xmlDecl), []byte(">\n"+xmlDecl))
	if phpClientReadsAll(t, old) == nil {
		t.Error("the client emulation accepts the stream that broke the real client")
	}

	// The reply to the next request is still behind the backlog; once the
	// client has read it, packets are byte-exact again.
	request(3)
	if _, nl = rootEnds(t, readRaw(t, c, 1)); nl[0] {
		t.Error("reply written behind the backlog kept its newline")
	}
	request(4)
	if r := readRaw(t, c, 1); !bytes.HasSuffix(r, []byte("</response>\n")) {
		t.Errorf("reply to a client that caught up: %q", r[max(0, len(r)-40):])
	}
}

// logoutagent during a call logs the agent off at once, as dialerd does by
// hanging up the call: the console sees the call end, then the logout.
func TestLogoutAgentDuringACallEndsItAndLogsOff(t *testing.T) {
	e := newEnv(t, storetest.SQLite)
	c := e.dial()
	c.login()
	loginAgent1064(t, c)
	e.pbx.InjectInbound("5551000", "5558001")
	c.until("<event><agentlinked>")
	c.settle()
	h := "<agent_number>SIP/1064</agent_number><agent_hash>{hash SIP/1064}</agent_hash>"
	if r := c.req("<logoutagent>" + h + "</logoutagent>"); r != `<response id="3"><logoutagent_response><status>logged-out</status></logoutagent_response></response>` {
		t.Errorf("logoutagent: %s", r)
	}
	// The events are published while the reply is built: either order.
	for _, ev := range []string{"<event><agentunlinked>", "<event><agentloggedout><agent>SIP/1064</agent></agentloggedout></event>"} {
		if !strings.Contains(c.log.String(), ev) {
			c.until(ev)
		}
	}
	if log := c.log.String(); strings.Index(log, "<event><agentunlinked>") > strings.Index(log, "<event><agentloggedout>") {
		t.Errorf("the agent logged off before its call ended:\n%s", log)
	}
	if r := c.req("<getagentstatus><agent_number>SIP/1064</agent_number></getagentstatus>"); !strings.Contains(r, "<status>offline</status>") {
		t.Errorf("after logoutagent: %s", r)
	}
}
