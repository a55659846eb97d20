package backend_test

import (
	"context"
	"encoding/xml"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/api/expand/backend"
	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/core/clocktest"
	"github.com/callgate/callgate/pkg/telephony/sim"
	"github.com/callgate/callgate/pkg/webhook"
)

var update = flag.Bool("update", false, "rewrite the golden request bodies")

var epoch = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// env is an engine on the simulated PBX and a fake clock with queue q_ven
// (DID 5550100) and agent pperez (SIP/107), eXpand's backend port
// installed and pointed at a customer backend served by httptest.
type env struct {
	t   *testing.T
	ctx context.Context
	st  core.Store
	pbx *sim.PBX
	clk *clocktest.Clock
	eng *core.Engine
	bk  *backend.Backend
	crm *crm
}

func newEnv(t *testing.T, st core.Store, soap bool) *env {
	t.Helper()
	ctx := context.Background()
	q := core.Queue{Name: "q_ven", Active: true, DID: "5550100", RingTimeout: 15}
	must(t, st.Create(ctx, &q))
	a := core.Agent{Username: "pperez", Number: "107", Type: "SIP", Extension: "SIP/107", Active: true}
	must(t, st.Create(ctx, &a))
	must(t, st.Create(ctx, &core.QueueMember{QueueID: q.ID, AgentID: a.ID, Queue: "q_ven", Agent: "pperez"}))
	e := &env{t: t, ctx: ctx, st: st, clk: clocktest.New(epoch), crm: newCRM(t, soap)}
	e.pbx = sim.New("sim-1")
	e.pbx.UseClock(e.clk)
	e.start()
	e.configure(map[string]string{
		backend.SetURL: e.crm.url(), backend.SetProtocol: map[bool]string{true: "soap", false: "rest"}[soap],
		backend.SetUser: "callgate", backend.SetPassword: "crm-pass", backend.SetNamespace: "urn:crm",
	})
	return e
}

// start starts an engine (again, after a restart) on the env's store and PBX.
func (e *env) start() {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e.eng = core.New(core.Options{Store: e.st, Tel: e.pbx, Logger: log, Clock: e.clk, DialerInterval: time.Hour,
		Seed: 1, Webhooks: webhook.NewHTTPSender()})
	must(e.t, e.eng.Start(e.ctx))
	e.bk = backend.New(e.eng, log)
	e.bk.Start()
	eng, bk := e.eng, e.bk
	e.t.Cleanup(func() { stopEngine(eng, bk) })
}

func stopEngine(eng *core.Engine, bk *backend.Backend) {
	_ = bk.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = eng.Stop(ctx)
}

func (e *env) configure(kv map[string]string) {
	e.t.Helper()
	ch := map[string]*string{}
	for k, v := range kv {
		ch[k] = &v
	}
	_, err := e.eng.Settings().Set(e.ctx, backend.Dialect, core.ScopeSystem, "", ch)
	must(e.t, err)
}

func (e *env) settle() {
	for {
		before := e.pbx.Flush()
		e.eng.Settle()
		if e.pbx.Flush() == before {
			return
		}
	}
}

func (e *env) advance(d time.Duration) {
	e.settle()
	for d > 0 {
		step, ok := e.clk.NextIn()
		if !ok || step > d {
			step = d
		}
		e.clk.Advance(step)
		e.settle()
		d -= step
	}
}

func (e *env) login() {
	e.t.Helper()
	must(e.t, e.eng.Login(e.ctx, "pperez", core.LoginOptions{}))
	e.settle()
}

// queued places an inbound call and waits for it to enter a queue.
func (e *env) queued(caller string) core.Call {
	e.t.Helper()
	sub, err := e.eng.Bus().Subscribe(0, 1024)
	must(e.t, err)
	defer sub.Close()
	e.pbx.InjectInbound(caller, "5550100")
	for {
		ev := receive(e.t, sub.C(), "call from "+caller+" queued")
		if p, ok := ev.Data.(core.CallProgress); ok && p.Status == "OnQueue" && p.Call.CallerID == caller {
			e.settle()
			return p.Call
		}
	}
}

// crmRequest is what the customer's backend received.
type crmRequest struct {
	Method string // webservice: from the REST path or the SOAP body
	Path   string
	Header http.Header
	Body   string
	Params map[string]string
}

// crm is the customer's backend: REST (form posts to <base>/<method>) or
// SOAP (rpc/encoded envelopes, parsed for real). Its answers and its
// availability are the test's.
type crm struct {
	t      *testing.T
	soap   bool
	srv    *httptest.Server
	got    chan crmRequest
	names  map[string]string
	status chan int      // when not empty, the status of the next answer
	hold   chan struct{} // when set, answers wait for it (or the caller's cancel)
}

func newCRM(t *testing.T, soap bool) *crm {
	c := &crm{t: t, soap: soap, got: make(chan crmRequest, 64), names: map[string]string{"5551234": "Juan Perez"}, status: make(chan int, 16)}
	c.srv = httptest.NewServer(http.HandlerFunc(c.serve))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *crm) url() string {
	if c.soap {
		return c.srv.URL + "/crm/ws.php"
	}
	return c.srv.URL + "/crm/api"
}

func (c *crm) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req := crmRequest{Path: r.URL.Path, Header: r.Header, Body: string(body), Params: map[string]string{}}
	if c.soap {
		req.Method, req.Params = parseEnvelope(c.t, body)
	} else {
		req.Method = r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		form, err := url.ParseQuery(string(body))
		if err != nil {
			c.t.Errorf("backend got a bad form: %v", err)
		}
		for k := range form {
			req.Params[k] = form.Get(k)
		}
	}
	c.got <- req
	if c.hold != nil {
		select {
		case <-c.hold:
		case <-r.Context().Done():
			return
		}
	}
	select {
	case st := <-c.status:
		w.WriteHeader(st)
		return
	default:
	}
	c.answer(w, req)
}

func (c *crm) answer(w http.ResponseWriter, req crmRequest) {
	ret := "1"
	switch req.Method {
	case "getCallerIDName":
		ret = c.names[req.Params["callerIdNum"]]
	case "IVRCode":
		ret = req.Params["IVRCode"] + "=ok;"
	}
	if !c.soap {
		_, _ = io.WriteString(w, ret)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=ISO-8859-1")
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(ret))
	_, _ = io.WriteString(w, `<?xml version="1.0" encoding="ISO-8859-1"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><ns1:`+
		req.Method+`Response xmlns:ns1="urn:crm"><return xsi:type="xsd:string">`+b.String()+`</return></ns1:`+req.Method+`Response></SOAP-ENV:Body></SOAP-ENV:Envelope>`)
}

// parseEnvelope decodes an rpc/encoded request as a SOAP server would:
// the Body's operation element and its typed parts.
func parseEnvelope(t *testing.T, body []byte) (string, map[string]string) {
	var env struct {
		XMLName xml.Name `xml:"http://schemas.xmlsoap.org/soap/envelope/ Envelope"`
		Body    struct {
			Op struct {
				XMLName xml.Name
				Parts   []struct {
					XMLName xml.Name
					Type    string `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr"`
					Value   string `xml:",chardata"`
				} `xml:",any"`
			} `xml:",any"`
		} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
	}
	if err := xml.Unmarshal(body, &env); err != nil {
		t.Errorf("backend got a bad envelope: %v\n%s", err, body)
		return "", nil
	}
	if env.Body.Op.XMLName.Space != "urn:crm" {
		t.Errorf("operation in namespace %q", env.Body.Op.XMLName.Space)
	}
	params := map[string]string{}
	for _, p := range env.Body.Op.Parts {
		if p.Type != "xsd:string" {
			t.Errorf("part %s typed %q", p.XMLName.Local, p.Type)
		}
		params[p.XMLName.Local] = p.Value
	}
	return env.Body.Op.XMLName.Local, params
}

// next is the next request the backend received.
func (c *crm) next(what string) crmRequest {
	c.t.Helper()
	return receive(c.t, c.got, what)
}

// golden compares a request body with testdata/name (rewritten by -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		must(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	must(t, err)
	if got != string(want) {
		t.Errorf("%s differs:\n got %s\nwant %s", name, got, want)
	}
}

// receive waits for what a background step sends; the deadline only turns
// a hang into a failure.
func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("never happened: %s", what)
		var zero T
		return zero
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
