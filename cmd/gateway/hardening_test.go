package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httputil"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callgate/callgate/pkg/config"
)

// filler yields an endless run of 'a' without holding it in memory.
type filler struct{}

func (filler) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

// rawRequest sends head (request line and headers, without the blank line)
// and then body on a fresh loopback connection and returns the answer. The
// body is written from a goroutine whose errors are ignored: a server that
// refuses a body closes the connection while the client still writes.
// length < 0 sends the body chunked; body nil sends none.
func rawRequest(t *testing.T, addr, head string, body io.Reader, length int64) (*http.Response, string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second)) // bounds a hang only
	head += "\r\nHost: " + addr + "\r\n"
	switch {
	case body == nil:
	case length < 0:
		head += "Transfer-Encoding: chunked\r\n"
	default:
		head += "Content-Length: " + strconv.FormatInt(length, 10) + "\r\n"
	}
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		if _, err := io.WriteString(conn, head+"\r\n"); err != nil || body == nil {
			return
		}
		if length < 0 {
			cw := httputil.NewChunkedWriter(conn)
			if _, err := io.Copy(cw, body); err == nil {
				_ = cw.Close()
				_, _ = io.WriteString(conn, "\r\n")
			}
			return
		}
		_, _ = io.Copy(conn, body)
	}()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	conn.Close()
	<-sent
	return res, string(b)
}

const boundary = "callgateboundary42"

// multipartBody holds the VICIdial version request as value parts and a
// file part of fileSize bytes.
func multipartBody(fileSize int64) (io.Reader, int64) {
	head := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"source\"\r\n\r\ntest\r\n" +
		"--" + boundary + "\r\nContent-Disposition: form-data; name=\"function\"\r\n\r\nversion\r\n" +
		"--" + boundary + "\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"big.bin\"\r\n" +
		"Content-Type: application/octet-stream\r\n\r\n"
	tail := "\r\n--" + boundary + "--\r\n"
	return io.MultiReader(strings.NewReader(head), io.LimitReader(filler{}, fileSize), strings.NewReader(tail)),
		int64(len(head)) + fileSize + int64(len(tail))
}

func urlencodedBody(size int64) (io.Reader, int64) {
	prefix := "source=test&function=version&pad="
	return io.MultiReader(strings.NewReader(prefix), io.LimitReader(filler{}, size-int64(len(prefix)))), size
}

func jsonBody(size int64) (io.Reader, int64) {
	return io.MultiReader(strings.NewReader(`{"username":"`), io.LimitReader(filler{}, size), strings.NewReader(`"}`)), size + 15
}

func addrOf(g *running) string { return strings.TrimPrefix(g.httpBase, "http://") }

// Bodies of 50 MB get 413 in each dialect's format on every route, declared
// or chunked, and leave no multipart-* file in the temp directory; a normal
// multipart request is answered as usual.
func TestHTTPBodiesOverTheLimitAre413AndLeaveNoTempFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // os.TempDir, where multipart parsing spills files
	g := startGateway(t, filepath.Join(t.TempDir(), "b.db"))
	const big = 50 << 20
	const vicidial = "ERROR: request too large - 1048576\n"

	type bodyFn func() (io.Reader, int64)
	multipartCT := "Content-Type: multipart/form-data; boundary=" + boundary
	urlencodedCT := "Content-Type: application/x-www-form-urlencoded"
	cases := []struct {
		name     string
		head     string
		body     bodyFn
		chunked  bool
		wantCode int
		wantCT   string
		wantBody func(string) bool
	}{
		{name: "VICIdial normal multipart", head: "POST /agc/api.php HTTP/1.1\r\n" + multipartCT,
			body: func() (io.Reader, int64) { return multipartBody(10 << 10) }, wantCode: 200, wantCT: "text/html",
			wantBody: func(b string) bool { return strings.HasPrefix(b, "VERSION: ") }},
		{name: "VICIdial 50 MB multipart", head: "POST /agc/api.php HTTP/1.1\r\n" + multipartCT,
			body: func() (io.Reader, int64) { return multipartBody(big) }, wantCode: 413, wantCT: "text/html",
			wantBody: func(b string) bool { return b == vicidial }},
		{name: "VICIdial 50 MB multipart chunked", head: "POST /agc/api.php HTTP/1.1\r\n" + multipartCT, chunked: true,
			body: func() (io.Reader, int64) { return multipartBody(big) }, wantCode: 413, wantCT: "text/html",
			wantBody: func(b string) bool { return b == vicidial }},
		{name: "VICIdial 50 MB urlencoded", head: "POST /agc/api.php HTTP/1.1\r\n" + urlencodedCT,
			body: func() (io.Reader, int64) { return urlencodedBody(big) }, wantCode: 413, wantCT: "text/html",
			wantBody: func(b string) bool { return b == vicidial }},
		{name: "VICIdial 50 MB urlencoded chunked", head: "POST /agc/api.php HTTP/1.1\r\n" + urlencodedCT, chunked: true,
			body: func() (io.Reader, int64) { return urlencodedBody(big) }, wantCode: 413, wantCT: "text/html",
			wantBody: func(b string) bool { return b == vicidial }},
		{name: "admin 50 MB JSON without a token", head: "POST /api/v1/agents HTTP/1.1\r\nContent-Type: application/json",
			body: func() (io.Reader, int64) { return jsonBody(big) }, wantCode: 413, wantCT: "application/json",
			wantBody: func(b string) bool {
				var e struct{ Error string }
				return json.Unmarshal([]byte(b), &e) == nil && e.Error != ""
			}},
		{name: "admin 50 MB JSON chunked", head: "POST /api/v1/agents HTTP/1.1\r\nContent-Type: application/json\r\nAuthorization: Bearer demo-admin-token",
			body: func() (io.Reader, int64) { return jsonBody(big) }, chunked: true, wantCode: 413, wantCT: "application/json",
			wantBody: func(b string) bool { return strings.Contains(b, `"error"`) }},
		{name: "health route", head: "POST /healthz HTTP/1.1\r\n" + multipartCT,
			body: func() (io.Reader, int64) { return multipartBody(big) }, wantCode: 413, wantCT: "text/plain",
			wantBody: func(b string) bool { return strings.Contains(b, "too large") }},
		{name: "unknown route", head: "PUT /nosuch HTTP/1.1\r\n" + urlencodedCT,
			body: func() (io.Reader, int64) { return urlencodedBody(big) }, wantCode: 413, wantCT: "text/plain",
			wantBody: func(b string) bool { return strings.Contains(b, "too large") }},
		{name: "invented method", head: "BREW /metrics HTTP/1.1\r\n" + urlencodedCT,
			body: func() (io.Reader, int64) { return urlencodedBody(big) }, wantCode: 413, wantCT: "text/plain",
			wantBody: func(b string) bool { return strings.Contains(b, "too large") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body, n := tc.body()
			if tc.chunked {
				n = -1
			}
			res, got := rawRequest(t, addrOf(g), tc.head, body, n)
			if res.StatusCode != tc.wantCode || !strings.HasPrefix(res.Header.Get("Content-Type"), tc.wantCT) || !tc.wantBody(got) {
				t.Fatalf("%d %s %q", res.StatusCode, res.Header.Get("Content-Type"), got)
			}
		})
	}
	assertNoTempFiles(t, tmp)
}

func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	left, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range left {
		t.Errorf("left in the temp directory: %s", f.Name())
	}
}

// A bounded flood of oversized uploads in parallel: every one is refused,
// nothing reaches the disk, and the gateway answers normally afterwards.
func TestFloodOfOversizedUploadsIsRefused(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	g := startGateway(t, filepath.Join(t.TempDir(), "f.db"))
	const uploads, workers = 64, 8
	codes := make(chan int, uploads)
	var wg sync.WaitGroup
	jobs := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				body, n := multipartBody(8 << 20)
				if i%2 == 0 {
					n = -1 // half of them chunked
				}
				res, _ := rawRequest(t, addrOf(g), "POST /agc/api.php HTTP/1.1\r\nContent-Type: multipart/form-data; boundary="+boundary, body, n)
				codes <- res.StatusCode
			}
		}()
	}
	for i := 0; i < uploads; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != http.StatusRequestEntityTooLarge {
			t.Fatalf("upload answered %d", c)
		}
	}
	if code, b := g.get(t, "/agc/api.php?function=version", false); code != 200 || !bytes.HasPrefix(b, []byte("VERSION: ")) {
		t.Fatalf("after the flood: %d %s", code, b)
	}
	assertNoTempFiles(t, tmp)
}

// Request lines and headers over http.max_header_bytes (64 KiB) get 431
// before any handler runs, a VICIdial GET with a huge query string included;
// a flood of them leaves the gateway answering.
func TestOversizedHeadersAre431(t *testing.T) {
	g := startGateway(t, filepath.Join(t.TempDir(), "h.db"))
	huge := strings.Repeat("a", 128<<10)
	cases := []struct {
		name string
		head string
		want int
	}{
		{name: "VICIdial query string under the limit", head: "GET /agc/api.php?function=version&pad=" + strings.Repeat("a", 32<<10) + " HTTP/1.1", want: 200},
		{name: "VICIdial query string over the limit", head: "GET /agc/api.php?function=version&pad=" + huge + " HTTP/1.1", want: 431},
		{name: "one huge header", head: "GET /healthz HTTP/1.1\r\nX-Pad: " + huge, want: 431},
		{name: "many headers", head: "GET /healthz HTTP/1.1" + strings.Repeat("\r\nX-Pad: "+strings.Repeat("b", 1000), 130), want: 431},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, body := rawRequest(t, addrOf(g), tc.head, nil, 0)
			if res.StatusCode != tc.want {
				t.Fatalf("status %d, want %d: %.80q", res.StatusCode, tc.want, body)
			}
		})
	}
	t.Run("flood", func(t *testing.T) {
		const n, workers = 200, 8
		var wg sync.WaitGroup
		bad := make(chan int, n)
		jobs := make(chan struct{})
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range jobs {
					if res, _ := rawRequest(t, addrOf(g), "GET /agc/api.php?pad="+huge+" HTTP/1.1", nil, 0); res.StatusCode != 431 {
						bad <- res.StatusCode
					}
				}
			}()
		}
		for i := 0; i < n; i++ {
			jobs <- struct{}{}
		}
		close(jobs)
		wg.Wait()
		close(bad)
		for c := range bad {
			t.Fatalf("oversized request answered %d", c)
		}
		if code, _ := g.get(t, "/healthz", false); code != 200 {
			t.Fatalf("healthz after the flood: %d", code)
		}
	})
}

// 5,000 requests with invented methods and random paths leave /metrics
// with a bounded number of series: method and route collapse to "other".
func TestMetricsLabelsStayInAClosedSet(t *testing.T) {
	g := startGateway(t, filepath.Join(t.TempDir(), "m.db"))
	const n, workers = 5000, 8
	paths := []string{"/agc/api.php", "/healthz", "/api/v1/agents", "/metrics"}
	var wg sync.WaitGroup
	jobs := make(chan int)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				method := fmt.Sprintf("M%dX%d", i, rand.IntN(1<<30))
				path := fmt.Sprintf("/r%d/%x", i, rand.Uint64())
				switch i % 4 {
				case 1:
					path = paths[i%len(paths)] // invented method, known route
				case 2:
					method = "GET" // known method, unknown route
				}
				req, err := http.NewRequest(method, g.httpBase+path, nil)
				if err != nil {
					t.Error(err)
					return
				}
				res, err := client.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	code, b := g.get(t, "/metrics", false)
	if code != 200 {
		t.Fatalf("metrics: %d", code)
	}
	series := 0
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "callgate_http_requests_total{") {
			continue
		}
		series++
		if strings.Contains(line, `method="M`) || strings.Contains(line, `route="/r`) {
			t.Errorf("label from the request: %s", line)
		}
	}
	// Routes × methods × codes actually seen: a handful, not thousands.
	if series == 0 || series > 20 {
		t.Fatalf("%d request series:\n%s", series, b)
	}
	for _, want := range []string{`method="other",route="other"`, `code="404",method="GET",route="other"`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if len(b) > 256<<10 {
		t.Fatalf("/metrics is %d bytes", len(b))
	}
}

func (s *syncBuffer) lines() []string {
	return strings.Split(strings.TrimSpace(s.String()), "\n")
}

func loadConfig(t *testing.T, env map[string]string) config.Config {
	t.Helper()
	cfg, err := config.Load("", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// On shutdown /readyz answers 503 for shutdown_drain while the listener
// still accepts and serves; only then do the listeners close. The 503s are
// not errors in the log: one line notes the change of readiness.
func TestShutdownDrainKeepsListenersOpenWithReadyz503(t *testing.T) {
	cfg := loadConfig(t, map[string]string{
		"CALLGATE_DEMO":           "1",
		"CALLGATE_HTTP_ADDR":      "127.0.0.1:0",
		"CALLGATE_ECCP_ADDR":      "off",
		"CALLGATE_DB_DSN":         "sqlite://" + filepath.Join(t.TempDir(), "d.db"),
		"CALLGATE_LOG_LEVEL":      "debug",
		"CALLGATE_NODE_ID":        "drain-node",
		"CALLGATE_SHUTDOWN_DRAIN": "1h",
	})
	logs := &syncBuffer{}
	ctx := context.Background()
	g, err := newGateway(ctx, cfg, newLogger(cfg, logs))
	if err != nil {
		t.Fatal(err)
	}
	entered := make(chan time.Duration, 1)
	release := make(chan time.Time)
	g.drainTimer = func(d time.Duration) <-chan time.Time {
		entered <- d
		return release
	}
	if err := g.start(ctx, io.Discard); err != nil {
		t.Fatal(err)
	}
	stopped := make(chan struct{})
	defer func() {
		select {
		case <-stopped:
		default:
			close(release)
			<-stopped
		}
	}()
	addr := g.httpLn.Addr().String()
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	get := func(path string) (int, string) {
		t.Helper()
		res, err := fresh.Get("http://" + addr + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, _ := get("/readyz"); code != 200 {
		t.Fatalf("readyz before shutdown: %d", code)
	}

	go func() { defer close(stopped); g.stop(10 * time.Second) }()
	select {
	case d := <-entered:
		if d != time.Hour {
			t.Fatalf("drain of %v, want the configured 1h", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("shutdown did not start draining")
	}
	for i := 0; i < 3; i++ { // each on a new connection: the listener accepts
		if code, body := get("/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "shutting down") {
			t.Fatalf("readyz while draining: %d %s", code, body)
		}
	}
	if code, body := get("/agc/api.php?function=version"); code != 200 || !strings.HasPrefix(body, "VERSION: ") {
		t.Fatalf("requests must still be served while draining: %d %s", code, body)
	}

	close(release)
	select {
	case <-stopped:
	case <-time.After(20 * time.Second):
		t.Fatal("shutdown did not finish after the drain")
	}
	if c, err := net.DialTimeout("tcp", addr, 2*time.Second); err == nil {
		c.Close()
		t.Fatal("listener still open after shutdown")
	}

	changes := 0
	for _, line := range logs.lines() {
		if strings.Contains(line, "level=ERROR") {
			t.Errorf("error logged: %s", line)
		}
		if strings.Count(line, "node=") != 1 {
			t.Errorf("node= not exactly once: %s", line)
		}
		if strings.Contains(line, `msg="readiness changed"`) && strings.Contains(line, `status="shutting down"`) {
			changes++
			if !strings.Contains(line, "level=INFO") {
				t.Errorf("drain readiness change not at INFO: %s", line)
			}
		}
	}
	if changes != 1 {
		t.Errorf("%d readiness-change lines for the drain, want 1", changes)
	}
}

// A lost PBX is one WARN when /readyz first sees it, not an ERROR per probe.
func TestReadyz503IsNotAnError(t *testing.T) {
	cfg := loadConfig(t, map[string]string{
		"CALLGATE_DEMO":      "1",
		"CALLGATE_HTTP_ADDR": "127.0.0.1:0",
		"CALLGATE_ECCP_ADDR": "off",
		"CALLGATE_DB_DSN":    "sqlite://" + filepath.Join(t.TempDir(), "w.db"),
		"CALLGATE_SEED":      "false",
		"CALLGATE_LOG_LEVEL": "debug",
	})
	logs := &syncBuffer{}
	ctx := context.Background()
	g, err := newGateway(ctx, cfg, newLogger(cfg, logs))
	if err != nil {
		t.Fatal(err)
	}
	if err := g.start(ctx, io.Discard); err != nil {
		t.Fatal(err)
	}
	defer g.shutdown(ctx)
	r := &running{httpBase: "http://" + g.httpLn.Addr().String()}
	r.get(t, "/readyz", false)
	g.sim.SetReady(false)
	for i := 0; i < 5; i++ {
		if code, _ := r.get(t, "/readyz", false); code != http.StatusServiceUnavailable {
			t.Fatalf("readyz %d", code)
		}
	}
	g.sim.SetReady(true)
	r.get(t, "/readyz", false)
	var warns, infos int
	for _, line := range logs.lines() {
		if strings.Contains(line, "level=ERROR") {
			t.Errorf("error logged: %s", line)
		}
		if strings.Contains(line, `msg="readiness changed"`) {
			switch {
			case strings.Contains(line, "level=WARN") && strings.Contains(line, `status="pbx not connected"`):
				warns++
			case strings.Contains(line, "level=INFO") && strings.Contains(line, "status=ready"):
				infos++
			default:
				t.Errorf("unexpected readiness line: %s", line)
			}
		}
	}
	if warns != 1 || infos != 2 {
		t.Fatalf("%d WARN and %d INFO readiness lines, want 1 and 2 (ready, lost, ready again)", warns, infos)
	}
}

// In ari mode the driver's lines carry node= once (the gateway's logger
// has it; the driver no longer adds it again).
func TestLogLinesCarryNodeOnce(t *testing.T) {
	cfg := loadConfig(t, map[string]string{
		"CALLGATE_DEMO":         "1",
		"CALLGATE_HTTP_ADDR":    "127.0.0.1:0",
		"CALLGATE_ECCP_ADDR":    "off",
		"CALLGATE_DB_DSN":       "sqlite://" + filepath.Join(t.TempDir(), "n.db"),
		"CALLGATE_SEED":         "false",
		"CALLGATE_TELEPHONY":    "ari",
		"CALLGATE_ARI_URL":      "http://127.0.0.1:1/ari", // nothing listens: the driver logs its failure
		"CALLGATE_ARI_PASSWORD": "x",
		"CALLGATE_NODE_ID":      "n1",
	})
	logs := &syncBuffer{}
	ctx := context.Background()
	g, err := newGateway(ctx, cfg, newLogger(cfg, logs))
	if err != nil {
		t.Fatal(err)
	}
	if err := g.start(ctx, io.Discard); err != nil {
		t.Fatal(err)
	}
	g.shutdown(ctx)
	ariLines := 0
	for _, line := range logs.lines() {
		if strings.Contains(line, "component=ari") {
			ariLines++
		}
		if n := strings.Count(line, "node=n1"); n != 1 {
			t.Errorf("node= %d times: %s", n, line)
		}
	}
	if ariLines == 0 {
		t.Fatalf("no ari line to check:\n%s", strings.Join(logs.lines(), "\n"))
	}
}
