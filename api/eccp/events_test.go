package eccp

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/api/vicidial"
	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/demo"
	"github.com/callgate/callgate/pkg/store/storetest"
)

func loginAgent1064(t *testing.T, c *client) {
	t.Helper()
	c.reqAsync("<loginagent><agent_number>SIP/1064</agent_number><agent_hash>{hash SIP/1064}</agent_hash><extension>1064</extension></loginagent>", "<event><agentloggedin>")
	c.settle()
}

// Events go only to logged-in sessions, honour filterbyagent, and
// callprogress only where enabled.
func TestEventsReachOnlyMatchingSessions(t *testing.T) {
	e := newEnv(t, storetest.SQLite)
	all := e.dial()
	all.login()
	filtered := e.dial()
	filtered.login()
	filtered.req("<filterbyagent><agent_number>Agent/9000</agent_number></filterbyagent>")
	anon := e.dial()
	anon.req("<getrequestlist/>")
	progress := e.dial()
	progress.login()
	progress.req("<filterbyagent><agent_number>Agent/9000</agent_number></filterbyagent>")
	progress.req("<callprogress><enable>1</enable></callprogress>")

	loginAgent1064(t, all)
	if err := e.eng.Pause(context.Background(), "1064", "BANO"); err != nil {
		t.Fatal(err)
	}
	ev := all.until("<event>")
	want := "<event><pausestart><pause_class>break</pause_class><pause_type>2</pause_type><pause_name>Ba&#xF1;o</pause_name><pause_start>2026-01-15 10:00:00</pause_start><agent_number>SIP/1064</agent_number></pausestart></event>"
	if ev != want {
		t.Errorf("pausestart:\n got %s\nwant %s", ev, want)
	}
	e.pbx.InjectInbound("5551000", "5558001")
	p := progress.until("<event>")
	if !strings.HasPrefix(p, "<event><callprogress>") || !strings.Contains(p, "<new_status>OnQueue</new_status>") {
		t.Errorf("callprogress: %s", p)
	}
	all.settle()
	if strings.Contains(all.log.String(), "callprogress>") {
		t.Errorf("callprogress reached a session that did not enable it:\n%s", all.log.String())
	}
	filtered.quiet(300 * time.Millisecond)
	anon.quiet(100 * time.Millisecond)
	// Clearing the filter lets SIP/1064's events through again.
	filtered.req("<filterbyagent><agent_number>any</agent_number></filterbyagent>")
	if err := e.eng.Unpause(context.Background(), "1064"); err != nil {
		t.Fatal(err)
	}
	if ev := filtered.until("<event>"); !strings.HasPrefix(ev, "<event><pauseend>") {
		t.Errorf("after clearing the filter: %s", ev)
	}
}

// An agent paused through the VICIdial agent API shows up on ECCP.
func TestPauseThroughVicidialReachesECCP(t *testing.T) {
	e := newEnv(t, storetest.SQLite)
	c := e.dial()
	c.login()
	loginAgent1064(t, c)
	mux := http.NewServeMux()
	mux.Handle("/agc/api.php", vicidial.NewHandler(e.eng, vicidial.Options{}))
	// VICIdial ships with its agent API off (vdc_agent_api_active=0).
	on := "1"
	if _, err := e.eng.Settings().Set(context.Background(), vicidial.Dialect, core.ScopeSystem, "", map[string]*string{"vdc_agent_api_active": &on}); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(mux)
	defer hs.Close()
	get := func(value string) string {
		resp, err := http.Get(hs.URL + "/agc/api.php?source=test&user=6666&pass=1234&agent_user=1064&function=external_pause&value=" + value)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if out := get("PAUSE"); !strings.HasPrefix(out, "SUCCESS") {
		t.Fatalf("vicidial external_pause: %s", out)
	}
	ev := c.until("<event>")
	if !strings.HasPrefix(ev, "<event><pausestart><pause_class>break</pause_class>") || !strings.HasSuffix(ev, "<agent_number>SIP/1064</agent_number></pausestart></event>") {
		t.Errorf("pausestart from VICIdial: %s", ev)
	}
	resp := c.req("<getagentstatus><agent_number>SIP/1064</agent_number></getagentstatus>")
	if !strings.Contains(resp, "<status>paused</status>") {
		t.Errorf("status after VICIdial pause: %s", resp)
	}
	if out := get("RESUME"); !strings.HasPrefix(out, "SUCCESS") {
		t.Fatalf("vicidial external_pause RESUME: %s", out)
	}
	if ev := c.until("<event>"); !strings.HasPrefix(ev, "<event><pauseend><pause_class>break</pause_class>") {
		t.Errorf("pauseend from VICIdial: %s", ev)
	}
}

// A client that stops reading is disconnected; the engine and the other
// clients carry on.
func TestSlowClientIsDisconnected(t *testing.T) {
	e := newEnv(t, storetest.SQLite, func(o *Options) { o.QueueSize = 512; o.WriteTimeout = time.Second })
	slow := e.dial()
	slow.login()
	fast := e.dial()
	fast.login()
	if n := e.srv.SessionCount(); n != 2 {
		t.Fatalf("sessions = %d", n)
	}
	bus := e.eng.Bus()
	// fast reads everything and reports each event it gets; the publisher
	// lets it catch up after every batch, so only slow, which never reads,
	// can overflow its queue, however loaded the machine is.
	got := make(chan struct{}, 1024)
	go func() {
		var buf []byte
		chunk := make([]byte, 64<<10)
		for {
			n, err := fast.conn.Read(chunk)
			buf = append(buf, chunk[:n]...)
			for {
				i := strings.Index(string(buf), "</event>")
				if i < 0 {
					break
				}
				buf = buf[i+len("</event>"):]
				got <- struct{}{}
			}
			if err != nil {
				close(got)
				return
			}
		}
	}()
	done := make(chan struct{})
	go func() {
		defer close(done)
		big := strings.Repeat("x", 2000)
		for i := 0; i < 20000; i++ {
			bus.Publish(core.AgentPauseStarted{Agent: "1064", Interface: "SIP/1064", PauseName: big, Start: testNow}, "1064")
			if i%100 == 99 {
				for j := 0; j < 100; j++ {
					if _, ok := <-got; !ok {
						return
					}
				}
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("publishing blocked on a slow client")
	}
	deadline := time.Now().Add(10 * time.Second)
	for e.srv.SessionCount() != 1 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := e.srv.SessionCount(); n != 1 {
		t.Fatalf("sessions after overflow = %d, want 1", n)
	}
}

func TestIdleTimeoutClosesConnection(t *testing.T) {
	e := newEnv(t, storetest.SQLite, func(o *Options) { o.IdleTimeout = 200 * time.Millisecond })
	c := e.dial()
	c.login()
	start := time.Now()
	c.expectClose()
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("closed after %v", d)
	}
}

func TestAllowListRefusesOtherPeers(t *testing.T) {
	e := newEnv(t, storetest.SQLite, func(o *Options) { o.AllowFrom = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")} })
	c := e.dial()
	c.conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := c.conn.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("read from refused connection: %v", err)
	}
	e2 := newEnv(t, storetest.SQLite, func(o *Options) { o.AllowFrom = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")} })
	if r := e2.dial().login(); !strings.Contains(r, "<success/>") {
		t.Fatalf("allowed peer: %s", r)
	}
}

// The client account is shared by every console: failures from one
// address delay that address only, and never for longer than its delay.
func TestLoginFailuresFromOneAddressDoNotStopOthers(t *testing.T) {
	for _, kind := range storetest.Kinds() {
		t.Run(kind, func(t *testing.T) { loginFailuresFromOneAddress(t, kind) })
	}
}

func loginFailuresFromOneAddress(t *testing.T, kind string) {
	e := newEnv(t, kind)
	const (
		bad     = "<login><username>agentconsole</username><password>nope</password></login>"
		refused = "<login_response><failure><code>401</code><message>Invalid username or password</message></failure></login_response>"
	)
	attacker := e.dialFrom("127.0.0.2")
	for i := 0; i < 10; i++ {
		if r := attacker.req(bad); !strings.Contains(r, refused) {
			t.Fatalf("bad password %d: %s", i+1, r)
		}
	}
	if r := e.dialFrom("127.0.0.1").login(); !strings.Contains(r, "<success/>") {
		t.Fatalf("right password from another address: %s", r)
	}
	// The failing address is inside its delay: the right password gets
	// the same refusal and is not even checked.
	if r := attacker.login(); !strings.Contains(r, refused) {
		t.Fatalf("right password from the failing address inside its delay: %s", r)
	}
	e.advance(core.DefaultThrottle.Max)
	// Plain text works as well as the MD5 form.
	if r := attacker.req("<login><username>agentconsole</username><password>agentconsole</password></login>"); !strings.Contains(r, "<success/>") {
		t.Fatalf("right password after the delay: %s", r)
	}
}

// Unknown user, wrong password and a delayed attempt answer alike.
func TestLoginFailuresRevealNothing(t *testing.T) {
	e := newEnv(t, storetest.SQLite)
	c := e.dialFrom("127.0.0.3")
	var answers []string
	for _, req := range []string{
		"<login><username>nosuchclient</username><password>agentconsole</password></login>",
		"<login><username>agentconsole</username><password>wrong</password></login>",
		"<login><username>agentconsole</username><password>wrong</password></login>",
		"<login><username>agentconsole</username><password>wrong</password></login>",
		"<login><username>agentconsole</username><password>agentconsole</password></login>", // delayed
	} {
		r := c.req(req)
		answers = append(answers, regexp.MustCompile(` id="\d+"`).ReplaceAllString(r, ""))
	}
	for i, a := range answers[1:] {
		if a != answers[0] {
			t.Errorf("answer %d differs:\n%s\n%s", i+2, a, answers[0])
		}
	}
	if !e.srv.checkClient(context.Background(), "agentconsole", "agentconsole") {
		t.Fatal("credential check itself broken")
	}
}

func TestShutdownClosesSessions(t *testing.T) {
	e := newEnv(t, storetest.SQLite)
	c := e.dial()
	c.login()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	c.expectClose()
	if _, err := net.DialTimeout("tcp", e.addr, time.Second); err == nil {
		t.Error("listener still accepting after Shutdown")
	}
}

// The demo data set (pkg/demo, with pkg/demo/eccp.go) serves the ECCP
// examples as written in the protocol document.
func TestDemoDataServesTheECCPExamples(t *testing.T) {
	e := newEnvSeeded(t, storetest.SQLite, func(t testing.TB, st core.Store) {
		if err := demo.Seed(context.Background(), st); err != nil {
			t.Fatal(err)
		}
	})
	c := e.dial()
	for _, tc := range []struct{ req, want string }{
		{"<login><username>agentconsole</username><password>agentconsole</password></login>", "<success/><app_cookie>"},
		{"<getpauses/>", `<pause id="2"><name>Ba&#xF1;o</name><status>A</status><type>B</type><description>Para ir al ba&#xF1;o</description></pause><pause id="3"><name>Almuerzo</name>`},
		{"<getagentstatus><agent_number>Agent/9000</agent_number></getagentstatus>", "<getagentstatus_response><status>offline</status></getagentstatus_response>"},
		{"<getqueuescript><queue>8001</queue></getqueuescript>", "<script>Texto a mostrar al agente.</script>"},
		{"<getcampaigninfo><campaign_type>incoming</campaign_type><campaign_id>2</campaign_id></getcampaigninfo>", `<form id="1" name="Prueba" description="Formulario de prueba" status="A"><field order="1" id="1"><label>CampoDeTexto</label>`},
		{"<pauseagent><agent_number>Agent/9000</agent_number><agent_hash>{hash Agent/9000}</agent_hash><pause_type>2</pause_type></pauseagent>", "<message>Agent currently not logged in</message>"},
	} {
		if got := c.req(tc.req); !strings.Contains(got, tc.want) {
			t.Errorf("%s:\n got %s\nwant …%s…", tc.req, got, tc.want)
		}
	}
}

// mixmonitormute with a timeout unmutes the recording by itself.
func TestMuteTimeoutUnmutes(t *testing.T) {
	e := newEnv(t, storetest.SQLite)
	c := e.dial()
	c.login()
	loginAgent1064(t, c)
	e.pbx.InjectInbound("5551000", "5558001")
	c.until("<event><agentlinked>")
	if _, err := e.eng.StartRecording(context.Background(), "1064"); err != nil {
		t.Fatal(err)
	}
	h := "<agent_number>SIP/1064</agent_number><agent_hash>{hash SIP/1064}</agent_hash>"
	// The mute event is published asynchronously and may come before or
	// after the reply.
	c.reqAsync("<mixmonitormute>"+h+"<timeout>1</timeout></mixmonitormute>", "<event><recordingmute>")
	if !strings.Contains(c.log.String(), "<mixmonitormute_response><success/>") {
		t.Fatalf("mute:\n%s", c.log.String())
	}
	start := time.Now()
	if !strings.Contains(c.log.String(), "<event><recordingunmute>") {
		c.until("<event><recordingunmute>")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("unmuted after %v", d)
	}
}
