package rest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/demo"
	"github.com/callgate/callgate/pkg/telephony/sim"
)

// testNow is the engine's frozen clock.
var testNow = time.Date(2017, 11, 10, 18, 50, 13, 0, time.Local)

type env struct {
	t   testing.TB
	ctx context.Context
	st  core.Store
	eng *core.Engine
	srv *httptest.Server
}

// newEnv runs an engine over the demo data (campaign 313, contact 1698, the
// REST user external_user) behind the handler on a loopback server, mounted
// where the gateway mounts it.
func newEnv(t testing.TB, st core.Store) *env {
	t.Helper()
	ctx := context.Background()
	if err := demo.Seed(ctx, st); err != nil {
		t.Fatalf("seed: %v", err)
	}
	pbx := sim.New("node1")
	e := &env{t: t, ctx: ctx, st: st}
	e.eng = core.New(core.Options{Store: st, Tel: pbx, Bus: core.NewMemoryBus(0), Now: func() time.Time { return testNow }, DialerInterval: time.Hour})
	if err := e.eng.Start(ctx); err != nil {
		t.Fatalf("engine start: %v", err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = e.eng.Stop(sctx)
		_ = pbx.Close()
	})
	mux := http.NewServeMux()
	mux.Handle("/expandweb3/api/", http.StripPrefix("/expandweb3/api", New(e.eng, Options{MaxBody: 1 << 16, Logger: slog.New(slog.DiscardHandler)})))
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

type reply struct {
	status int
	body   string
	hdr    http.Header
}

// call sends a request as the document's REST user.
func (e *env) call(method, path, body string) reply {
	return e.callAs(method, path, body, demo.ExpandRESTUser, demo.ExpandRESTPass)
}

func (e *env) callAs(method, path, body, user, pass string) reply {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+"/expandweb3/api/"+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, body: string(b), hdr: resp.Header}
}

func (e *env) expect(r reply, status int, body string) {
	e.t.Helper()
	if r.status != status || r.body != body {
		e.t.Fatalf("got %d %s\nwant %d %s", r.status, r.body, status, body)
	}
}

func (e *env) lead(id uint64) core.Lead {
	e.t.Helper()
	l, err := e.eng.Lead(e.ctx, id)
	if err != nil {
		e.t.Fatalf("lead %d: %v", id, err)
	}
	return l
}

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }
