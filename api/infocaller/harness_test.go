package infocaller

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/core/clocktest"
	"github.com/callgate/callgate/pkg/demo"
	"github.com/callgate/callgate/pkg/telephony/sim"
	"github.com/callgate/callgate/pkg/webhook"
)

// testNow is the engine's frozen clock (Madrid-like local time is not
// needed: fechahora is read in the handler's Location, UTC here).
var testNow = time.Date(2026, 3, 10, 11, 0, 0, 0, time.UTC)

type env struct {
	t   testing.TB
	ctx context.Context
	st  core.Store
	pbx *sim.PBX
	eng *core.Engine
	srv *httptest.Server
	// stopNotifier stops the notifier newEnv started (a leader dying).
	stopNotifier func()
	icOpt        Options
}

// newEnv runs an engine over the demo data (line 123456789, password
// 3956, rule groups EMISION and NORMAL) behind the emission handler.
func newEnv(t testing.TB, st core.Store) *env { return newEnvClock(t, st, nil) }

// newEnvClock runs the engine on a fake clock (nil: the frozen time).
func newEnvClock(t testing.TB, st core.Store, clk *clocktest.Clock) *env {
	t.Helper()
	ctx := context.Background()
	if err := demo.Seed(ctx, st); err != nil {
		t.Fatalf("seed: %v", err)
	}
	e := &env{t: t, ctx: ctx, st: st, pbx: sim.New("node1")}
	opt := core.Options{Store: st, Tel: e.pbx, Bus: core.NewMemoryBus(0),
		Now: func() time.Time { return testNow }, DialerInterval: time.Hour, Webhooks: webhook.NewHTTPSender()}
	if clk != nil {
		opt.Now, opt.Clock = nil, clk
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
	icOpt := Options{MaxBody: 1 << 16, Location: time.UTC, Logger: slog.New(slog.DiscardHandler)}
	e.srv = httptest.NewServer(New(e.eng, icOpt))
	t.Cleanup(e.srv.Close)
	e.eng.SetScriptQueryCodec(NewQueryCodec(e.eng, icOpt))
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = NewNotifier(e.eng, icOpt).Run(runCtx) }()
	var once sync.Once
	e.stopNotifier = func() { once.Do(func() { stop(); <-done }) }
	e.icOpt = icOpt
	t.Cleanup(e.stopNotifier)
	return e
}

// post sends one form variable to /apicall/.
func (e *env) post(name, value string) (int, string, string) {
	e.t.Helper()
	return e.postRaw(url.Values{name: {value}}.Encode())
}

func (e *env) postRaw(body string) (int, string, string) {
	e.t.Helper()
	return postTo(e.t, e.srv.URL, body)
}

// postTo posts a form body; t is the running test (a fuzz target's own).
func postTo(t testing.TB, base, body string) (int, string, string) {
	t.Helper()
	resp, err := http.Post(base+"/apicall/", "application/x-www-form-urlencoded", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

func firma(line, password string) string {
	sum := md5.Sum([]byte(line + password))
	return hex.EncodeToString(sum[:])
}

// callJSON builds an apiCALLjson document; extra fields of callData are
// given raw ("\"EsperaMax\":\"6\"").
func callJSON(line, sig, phone, group string, extra ...string) string {
	data := `"numtelefono":"` + phone + `","gruporeglas":"` + group + `"`
	for _, x := range extra {
		data += "," + x
	}
	return `{"callRequest":{"UserID":{"idinfocaller":"` + line + `","firma":"` + sig + `"},"callData":{` + data + `}}}`
}

// callXML builds an apiCALLxml document like the document's example.
func callXML(line, sig, phone, group string, extra ...string) string {
	return `<CallRequest xmlns='http://tempuri.org/' encoding=' ISO-8559-1'><UserID><idinfocaller>` + line +
		`</idinfocaller><firma>` + sig + `</firma></UserID><callData><numtelefono>` + phone + `</numtelefono><gruporeglas>` +
		group + `</gruporeglas>` + strings.Join(extra, "") + `</callData></CallRequest>`
}
