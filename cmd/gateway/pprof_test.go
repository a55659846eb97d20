package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// With debug.pprof_addr set, profiles are served there and only there.
func TestPprofListenerIsOptInAndApart(t *testing.T) {
	env := map[string]string{
		"CALLGATE_DEMO": "1", "CALLGATE_HTTP_ADDR": "127.0.0.1:0", "CALLGATE_ECCP_ADDR": "off",
		"CALLGATE_DB_DSN": "sqlite://" + filepath.Join(t.TempDir(), "p.db"), "CALLGATE_LOG_LEVEL": "warn",
		"CALLGATE_PPROF_ADDR": "127.0.0.1:0",
	}
	ctx, cancel := context.WithCancel(context.Background())
	out := &lineWriter{lines: make(chan string, 64)}
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, out, io.Discard) }()
	defer func() { cancel(); <-done }()
	var pprofAddr, httpAddr string
	for deadline := time.After(30 * time.Second); pprofAddr == "" || httpAddr == ""; {
		select {
		case line := <-out.lines:
			if a, ok := strings.CutPrefix(line, "callgate: pprof listening on "); ok {
				pprofAddr = strings.TrimSpace(a)
			}
			if m := listenRE.FindStringSubmatch(line); m != nil && m[1] == "HTTP" {
				httpAddr = m[2]
			}
		case err := <-done:
			t.Fatalf("gateway exited: %v", err)
		case <-deadline:
			t.Fatal("no pprof listen line")
		}
	}
	res, err := http.Get("http://" + pprofAddr + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(b), "goroutine profile") {
		t.Fatalf("pprof answered %d: %.100s", res.StatusCode, b)
	}
	res, err = http.Get("http://" + httpAddr + "/debug/pprof/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode == 200 {
		t.Fatal("the public listener serves profiles")
	}
}
