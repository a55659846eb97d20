package ari

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

// Two waves of eight commands in flight at once (as the engine's parallel
// PBX commands): through the tuned transport the second wave reuses the
// first's connections; the default one keeps two and opens six more.
func TestTunedTransportKeepsTheConnectionsOfParallelCommands(t *testing.T) {
	const parallel = 8
	for _, tc := range []struct {
		name     string
		rt       *http.Transport
		wantConn int64
	}{
		{"default", http.DefaultTransport.(*http.Transport).Clone(), parallel + parallel - 2},
		{"tuned", tuned(http.DefaultTransport.(*http.Transport)), parallel},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var conns atomic.Int64
			var arrived sync.WaitGroup
			gate := make(chan struct{})
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				// Every command of the wave is in flight before any answer.
				arrived.Done()
				<-gate
				w.WriteHeader(http.StatusNoContent)
			}))
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					conns.Add(1)
				}
			}
			srv.Start()
			defer srv.Close()
			client := &http.Client{Transport: tc.rt}
			defer tc.rt.CloseIdleConnections()
			for range 2 {
				arrived.Add(parallel)
				gate = make(chan struct{})
				var done sync.WaitGroup
				for range parallel {
					done.Add(1)
					go func() {
						defer done.Done()
						req, _ := http.NewRequest(http.MethodDelete, srv.URL+"/ari/channels/x", nil)
						res, err := client.Do(req)
						if err != nil {
							t.Error(err)
							return
						}
						res.Body.Close()
					}()
				}
				arrived.Wait()
				close(gate)
				done.Wait()
			}
			if got := conns.Load(); got != tc.wantConn {
				t.Fatalf("%d connections for two waves of %d, want %d", got, parallel, tc.wantConn)
			}
		})
	}
}
