package infocaller

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/core/clocktest"
	"github.com/callgate/callgate/pkg/demo"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// hit is one request a receiver got: its path, query and the ApiCall
// document of its form variable.
type hit struct {
	path  string
	query url.Values
	field string // apilinfocaller or apiInfocaller
	doc   apiCallJSON
}

// apiCallJSON reads what a receiver gets (absent fields stay nil).
type apiCallJSON struct {
	ApiCall struct {
		UserID     map[string]string `json:"UserID"`
		Infocaller map[string]any    `json:"Infocaller"`
		Status     *struct {
			Events struct {
				Event []map[string]string `json:"Event"`
			} `json:"Events"`
		} `json:"Status"`
		CustVars struct {
			CustVar []struct{ VarName, VarValue string } `json:"CustVar"`
		} `json:"CustVars"`
	} `json:"ApiCall"`
}

func (d apiCallJSON) vars() map[string]string {
	m := map[string]string{}
	for _, v := range d.ApiCall.CustVars.CustVar {
		m[v.VarName] = v.VarValue
	}
	return m
}

// receiver is the line owner's web application: it records every request
// and answers with answer(path); a path in gates waits for its gate first.
type receiver struct {
	t     *testing.T
	srv   *httptest.Server
	hits  chan hit
	gates map[string]chan struct{}
}

func newReceiver(t *testing.T, answer func(path string) (int, string), gated ...string) *receiver {
	r := &receiver{t: t, hits: make(chan hit, 64), gates: map[string]chan struct{}{}}
	for _, p := range gated {
		r.gates[p] = make(chan struct{})
	}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		_ = req.ParseForm()
		h := hit{path: req.URL.Path, query: req.URL.Query(), field: "apilinfocaller"}
		raw := req.PostForm.Get(h.field)
		if raw == "" {
			h.field, raw = "apiInfocaller", req.PostForm.Get("apiInfocaller")
		}
		if err := json.Unmarshal([]byte(raw), &h.doc); err != nil {
			t.Errorf("%s: body %q: %v", req.URL.Path, raw, err)
		}
		r.hits <- h
		if g := r.gates[req.URL.Path]; g != nil {
			<-g
		}
		code, body := answer(req.URL.Path)
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(func() {
		for _, g := range r.gates {
			select {
			case <-g:
			default:
				close(g)
			}
		}
		r.srv.Close()
	})
	return r
}

// await collects hits until every path in want was seen; the map also
// holds the other paths seen meanwhile.
func (r *receiver) await(want ...string) map[string]hit {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got := map[string]hit{}
	missing := func() bool {
		for _, p := range want {
			if _, ok := got[p]; !ok {
				return true
			}
		}
		return false
	}
	for missing() {
		select {
		case h := <-r.hits:
			got[h.path] = h
		case <-ctx.Done():
			r.t.Fatalf("receiver got %v, want %v", keys(got), want)
		}
	}
	return got
}

func keys(m map[string]hit) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// setLineURLs points the demo line's webhooks at base.
func setLineURLs(t *testing.T, e *env, base string, edit func(*core.Line)) {
	t.Helper()
	var line core.Line
	if err := e.st.First(e.ctx, &line, core.Eq("number", demo.InfocallerLine)); err != nil {
		t.Fatal(err)
	}
	line.StartURL = base + "/inicio?caller=[_NumLlamante]&num=[_NUMINFOCALLER]&id=[_IdLlamada]&called=[_numllamado]"
	line.EndURL = base + "/fin?id=[_idllamada]&uuid=[_UUID]"
	line.TransferFailedURL = base + "/desvio?to=[_NumDesvio]"
	line.InteractiveURL = base + "/query"
	if edit != nil {
		edit(&line)
	}
	if err := e.st.Save(e.ctx, &line); err != nil {
		t.Fatal(err)
	}
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

const clienteAnswer = `{"ApiCall":{"Status":{"Result":"0","ResultText":"OK"},"CustVars":{"CustVar":[` +
	`{"VarName":"NOMBRE","VarValue":"José"},{"VarName":"deuda","VarValue":"120"}]}}}`

// emitEMISION places the demo's EMISION call and walks it to queue 8000
// with the key 1, returning the job and the query step's result.
func emitEMISION(t *testing.T, e *env, sub core.Subscription) (core.OriginationJob, core.ScriptStep) {
	t.Helper()
	doc := callJSON(demo.InfocallerLine, firma(demo.InfocallerLine, demo.InfocallerPassword), "600111222", "EMISION",
		`"CustVars":{"CustVar":[{"VarName":"PEDIDO","VarValue":"77"}]}`)
	_, _, body := e.post("apiCALLjson", doc)
	m := idcall.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("answer %q", body)
	}
	job := answeredJob(t, e, sub, m[1])
	c, err := e.eng.Call(e.ctx, job.CallID)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.pbx.InjectDTMF(c.ChannelID, "1"); err != nil {
		t.Fatal(err)
	}
	q := nextStep(t, sub, "cliente")
	if s := nextStep(t, sub, "agente"); s.Result != "8000" {
		t.Fatalf("transfer step %+v", s)
	}
	if w := e.eng.Waiting("8000"); len(w) != 1 || w[0].ID != job.CallID {
		t.Fatalf("queue 8000 holds %+v", w)
	}
	return job, q
}

// The check of issue 12: an emitted call walks EMISION with DTMF; the
// receiver gets INICIO (signed, no end fields, no events), answers the
// CLIENTE query (its variables join the call's), and at the end gets
// DESVIO_FALLIDO (nobody took the call from queue 8000) and FIN with every
// step of the script and the variables.
func TestEmittedCallReportsStartQueryTransferAndEndToTheLinesURLs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st)
		core.NewScriptRunner(e.eng)
		rcv := newReceiver(t, func(p string) (int, string) {
			if p == "/query" {
				return 200, clienteAnswer
			}
			return 200, "OK"
		})
		setLineURLs(t, e, rcv.srv.URL, nil)
		sub, err := e.eng.Bus().Subscribe(0, 256)
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		job, q := emitEMISION(t, e, sub)
		if q.Result != "0" {
			t.Fatalf("query step %+v", q)
		}
		seq := strconv.FormatUint(job.CallID, 10)
		sig := md5hex(demo.InfocallerLine + seq + demo.InfocallerPassword)
		got := rcv.await("/inicio", "/query")
		start, query := got["/inicio"], got["/query"]
		wantQuery := url.Values{"caller": {demo.InfocallerLine}, "num": {demo.InfocallerLine}, "id": {seq}, "called": {"600111222"}}
		if start.query.Encode() != wantQuery.Encode() || start.field != "apilinfocaller" {
			t.Fatalf("INICIO at %v (%s)", start.query, start.field)
		}
		for _, h := range []hit{start, query} {
			u := h.doc.ApiCall.UserID
			if u["LineNumber"] != demo.InfocallerLine || u["LineNumberInt"] != "34"+demo.InfocallerLine || u["CallSequence"] != seq || u["Signature"] != sig {
				t.Fatalf("%s UserID %v, want signature %s", h.path, u, sig)
			}
			in := h.doc.ApiCall.Infocaller
			if in["CallType"] != "E" || in["OutboundNumber"] != "600111222" || in["OutboundNumberInt"] != "34600111222" || in["idcall"] != job.JobID {
				t.Fatalf("%s Infocaller %v", h.path, in)
			}
			if _, ok := in["CallSeconds"]; ok || h.doc.ApiCall.Status != nil {
				t.Fatalf("%s carries FIN's fields: %v", h.path, in)
			}
			if h.doc.vars()["PEDIDO"] != "77" {
				t.Fatalf("%s CustVars %v", h.path, h.doc.vars())
			}
		}
		if query.field != "apiInfocaller" || query.doc.ApiCall.Infocaller["QueryName"] != "CLIENTE" {
			t.Fatalf("query %s %v", query.field, query.doc.ApiCall.Infocaller)
		}
		if err := e.eng.HangupCall(e.ctx, job.CallID, core.CauseNormal); err != nil {
			t.Fatal(err)
		}
		got = rcv.await("/desvio", "/fin")
		if to := got["/desvio"].query.Get("to"); to != "8000" {
			t.Fatalf("DESVIO_FALLIDO to %q", to)
		}
		fin := got["/fin"]
		call, err := e.eng.Call(e.ctx, job.CallID)
		if err != nil {
			t.Fatal(err)
		}
		if fin.query.Get("id") != seq || fin.query.Get("uuid") != call.GUID || fin.doc.ApiCall.UserID["Signature"] != sig {
			t.Fatalf("FIN at %v, UserID %v", fin.query, fin.doc.ApiCall.UserID)
		}
		in := fin.doc.ApiCall.Infocaller
		if in["CallSeconds"] != "0" || in["StartDate"] != "2026-03-10T11:00:00" || in["EndDate"] != "2026-03-10T11:00:00" ||
			in["CostRX"] != 0.0 || in["CostTX"] != 0.0 {
			t.Fatalf("FIN Infocaller %v", in)
		}
		checkFINEvents(t, fin.doc)
		vars := fin.doc.vars()
		if vars["NOMBRE"] != "José" || vars["DEUDA"] != "120" || vars["PEDIDO"] != "77" || len(vars) != 3 {
			t.Fatalf("FIN CustVars %v", vars)
		}
	})
}

// checkFINEvents: start, message, menu (1), query (answered), queue.
func checkFINEvents(t *testing.T, d apiCallJSON) {
	t.Helper()
	if d.ApiCall.Status == nil {
		t.Fatal("FIN without Status")
	}
	want := []struct{ typ, name, info1 string }{
		{"14", "EMISION", ""}, {"1", "hello-world", ""}, {"6", "menu", "1"}, {"17", "CLIENTE", "0"}, {"16", "8000", ""},
	}
	evs := d.ApiCall.Status.Events.Event
	if len(evs) != len(want) {
		t.Fatalf("FIN events %v", evs)
	}
	for i, w := range want {
		ev := evs[i]
		if ev["EventType"] != w.typ || ev["EventName"] != w.name || ev["EventAddInfo1"] != w.info1 || ev["EventDate"] != "2026-03-10T11:00:00" {
			t.Fatalf("event %d: %v, want %+v", i, ev, w)
		}
		if _, ok := ev["EventAddInfo5"]; !ok {
			t.Fatalf("event %d lacks EventAddInfo5: %v", i, ev)
		}
	}
}

// A receiver that holds INICIO, answers the query with garbage and is
// down for the transfer report never stalls the call: the script takes the
// query's error branch and reaches the queue, and the call ends, while
// INICIO is still held. Released, INICIO is delivered; the report to the
// down receiver is retried on the engine's clock until it gives up, and
// FIN, kept behind it in the call's order, then reaches the receiver.
func TestSlowDownOrGarbageReceiversNeverStallTheCall(t *testing.T) {
	clk := clocktest.New(testNow)
	e := newEnvClock(t, storetest.Open(t, storetest.SQLite), clk)
	core.NewScriptRunner(e.eng)
	rcv := newReceiver(t, func(p string) (int, string) {
		if p == "/query" {
			return 200, "<html>not an ApiCall</html>"
		}
		return 200, "OK"
	}, "/inicio")
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close()
	setLineURLs(t, e, rcv.srv.URL, func(l *core.Line) { l.TransferFailedURL = downURL + "/desvio" })
	sub, err := e.eng.Bus().Subscribe(0, 1024)
	must(t, err)
	defer sub.Close()
	job, q := emitEMISION(t, e, sub)
	if !strings.HasPrefix(q.Result, "error") {
		t.Fatalf("query step %+v", q)
	}
	rcv.await("/inicio", "/query")
	must(t, e.eng.HangupCall(e.ctx, job.CallID, core.CauseNormal))
	awaitBus(t, sub, func(p core.Payload) bool { x, ok := p.(core.ScriptCallEnded); return ok && x.Call.ID == job.CallID })
	close(rcv.gates["/inicio"]) // the call ended with INICIO still held
	gaveUp := func(p core.Payload) bool {
		x, ok := p.(core.WebhookDelivered)
		return ok && x.Message.Topic == "infocaller.desvio_fallido" && x.Message.Status == core.OutboxFailed
	}
	advanceUntil(t, clk, sub, gaveUp)
	fin := rcv.await("/fin")["/fin"]
	evs := fin.doc.ApiCall.Status.Events.Event
	if len(evs) != 5 || evs[3]["EventType"] != "17" || evs[3]["EventAddInfo1"] != "1" || len(fin.doc.vars()) != 1 {
		t.Fatalf("FIN events %v vars %v", evs, fin.doc.vars())
	}
}

// advanceUntil moves the clock timer by timer (waiting for the next one to
// be armed when none is) until an event match accepts is seen.
func advanceUntil(t *testing.T, clk *clocktest.Clock, sub core.Subscription, match func(core.Payload) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		select {
		case ev := <-sub.C():
			if match(ev.Data) {
				return
			}
			continue
		default:
		}
		if d, ok := clk.NextIn(); ok {
			clk.Advance(d)
			continue
		}
		clk.BlockUntil(1)
	}
	t.Fatal("event not seen")
}

// awaitBus waits for the first event match accepts.
func awaitBus(t *testing.T, sub core.Subscription, match func(core.Payload) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		select {
		case ev := <-sub.C():
			if match(ev.Data) {
				return
			}
		case <-ctx.Done():
			t.Fatal("event not seen")
		}
	}
}

// A new leader's notifier takes over where the dead one stopped: the
// events published after the last webhook it queued (the transfer report
// and the end) are turned into webhooks by the next notifier, from the
// bus, and INICIO, which the first one queued, is not sent again.
func TestNextLeadersNotifierSendsWhatTheDeadOneDidNotAndNothingTwice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st core.Store) {
		e := newEnv(t, st)
		core.NewScriptRunner(e.eng)
		rcv := newReceiver(t, func(p string) (int, string) {
			if p == "/query" {
				return 200, clienteAnswer
			}
			return 200, "OK"
		})
		setLineURLs(t, e, rcv.srv.URL, nil)
		sub, err := e.eng.Bus().Subscribe(0, 256)
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		job, _ := emitEMISION(t, e, sub)
		rcv.await("/inicio", "/query")
		e.stopNotifier() // the leader dies: nobody turns the next events into webhooks
		if err := e.eng.HangupCall(e.ctx, job.CallID, core.CauseNormal); err != nil {
			t.Fatal(err)
		}
		for ev := range sub.C() { // the call's end is on the bus
			if _, ok := ev.Data.(core.ScriptCallEnded); ok {
				break
			}
		}
		ctx, stop := context.WithCancel(e.ctx)
		done := make(chan struct{})
		go func() { defer close(done); _ = NewNotifier(e.eng, e.icOpt).Run(ctx) }()
		defer func() { stop(); <-done }()
		rcv.await("/desvio", "/fin")
		var msgs []core.OutboxMessage
		if err := st.Find(e.ctx, &msgs, core.Eq("topic", "infocaller.inicio").Take(1)); err != nil || len(msgs) != 1 || msgs[0].Source == nil {
			t.Fatalf("INICIO's message %+v %v", msgs, err)
		}
		if err := st.Find(e.ctx, &msgs, core.Eq("source", *msgs[0].Source).Asc("source_seq")); err != nil {
			t.Fatal(err)
		}
		var topics []string
		for _, m := range msgs {
			topics = append(topics, m.Topic)
		}
		if strings.Join(topics, " ") != "infocaller.inicio infocaller.desvio_fallido infocaller.fin" {
			t.Fatalf("outbox holds %v, want each report once", topics)
		}
	})
}
