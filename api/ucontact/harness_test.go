package ucontact

import (
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/core/clocktest"
	"github.com/callgate/callgate/pkg/demo"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

// testNow is the engine's frozen clock.
var testNow = time.Date(2026, 3, 10, 11, 0, 0, 0, time.Local)

type env struct {
	t   testing.TB
	ctx context.Context
	st  core.Store
	pbx *sim.PBX
	eng *core.Engine
	srv *httptest.Server
}

// newEnv runs an engine over the demo data (the document's campaigns,
// agents, dispositions and the API user integra / integra-demo) behind
// the Integra handler on a loopback server.
func newEnv(t testing.TB, st core.Store) *env { return newEnvClock(t, st, nil) }

// newEnvClock runs the engine on a fake clock with a one-second dialer
// tick, for flows the dialer drives (nil: the frozen clock, no ticks).
func newEnvClock(t testing.TB, st core.Store, clk *clocktest.Clock) *env {
	t.Helper()
	ctx := context.Background()
	if err := demo.Seed(ctx, st); err != nil {
		t.Fatalf("seed: %v", err)
	}
	e := &env{t: t, ctx: ctx, st: st, pbx: sim.New("node1")}
	opt := core.Options{Store: st, Tel: e.pbx, Bus: core.NewMemoryBus(0), Now: func() time.Time { return testNow },
		DialerInterval: time.Hour, Media: fakeMedia{}}
	if clk != nil {
		opt.Now, opt.Clock, opt.DialerInterval = nil, clk, time.Second
	}
	e.eng = core.New(opt)
	if err := e.eng.Start(ctx); err != nil {
		t.Fatalf("engine start: %v", err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = e.eng.Stop(sctx)
		_ = e.pbx.Close()
	})
	hopt := Options{Token: "tok-123", MaxBody: 1 << 20, Logger: slog.New(slog.DiscardHandler)}
	mux := http.NewServeMux()
	mux.Handle("/Integra/resources/", http.StripPrefix("/Integra/resources", New(e.eng, hopt)))
	mux.Handle("/records/", http.StripPrefix("/records", NewRecords(e.eng, hopt)))
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

type reply struct {
	status int
	body   string
	hdr    http.Header
}

// post sends the document's form request as integra / integra-demo.
func (e *env) post(path string, form url.Values) reply {
	e.t.Helper()
	return e.do(path, "application/x-www-form-urlencoded; charset=UTF-8", form.Encode(), func(r *http.Request) {
		r.SetBasicAuth(demo.UContactAPIUser, demo.UContactAPIPass)
	})
}

func (e *env) do(path, ctype, body string, auth func(*http.Request)) reply {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/Integra/resources/"+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	if auth != nil {
		auth(req)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return reply{status: res.StatusCode, body: string(b), hdr: res.Header}
}

func (e *env) expect(r reply, status int, body string) {
	e.t.Helper()
	if r.status != status || r.body != body {
		e.t.Fatalf("got %d %q (%s), want %d %q", r.status, r.body, r.hdr.Get("Integra-Error"), status, body)
	}
}

func (e *env) leads(campaign, phone string) []core.Lead {
	e.t.Helper()
	var out []core.Lead
	if err := e.st.Find(e.ctx, &out, core.Eq("campaign", campaign).Eq("phone_number", phone).Asc("id")); err != nil {
		e.t.Fatal(err)
	}
	return out
}

func (e *env) count(model any, f core.Filter) int64 {
	e.t.Helper()
	n, err := e.st.Count(e.ctx, model, f)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// waitFor polls a condition the engine reaches asynchronously (PBX
// events), bounded so a broken flow fails instead of hanging.
func (e *env) waitFor(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting for %s", what)
		}
		e.eng.Settle()
		time.Sleep(2 * time.Millisecond)
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// fakeMedia stands for the recording store: the audio of a recording is
// its format and file name, so a test sees which file was served how.
type fakeMedia struct{}

func (fakeMedia) Open(_ context.Context, rec core.Recording, format string) (io.ReadCloser, error) {
	if rec.MediaStatus != "stored" {
		return nil, core.ErrNotFound
	}
	return io.NopCloser(strings.NewReader(format + ":" + rec.MediaFile)), nil
}

// get fetches a recording URL.
func (e *env) get(path string, auth bool) reply {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	if auth {
		req.SetBasicAuth(demo.UContactAPIUser, demo.UContactAPIPass)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return reply{status: res.StatusCode, body: string(b), hdr: res.Header}
}

// in is the env reporting to t (a fuzz target's own T).
func (e *env) in(t testing.TB) *env {
	c := *e
	c.t = t
	return &c
}
