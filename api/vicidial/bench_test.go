package vicidial

import (
	"io"
	"net/http"
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// benchRequests measures requests per second through real HTTP, with the
// API log written for every request, on each available database.
func benchRequests(b *testing.B, query string) {
	for _, kind := range storetest.Kinds() {
		b.Run(kind, func(b *testing.B) {
			st := storetest.Open(b, kind)
			e := newBenchEnv(b, st)
			url := e.srv.URL + "/agc/api.php?" + query
			client := e.srv.Client()
			client.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					res, err := client.Get(url)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

func newBenchEnv(b *testing.B, st core.Store) *env {
	e := newEnv(b, st, Options{})
	e.login("1000")
	return e
}

func BenchmarkVersion(b *testing.B) { benchRequests(b, "function=version") }

func BenchmarkExternalPause(b *testing.B) {
	benchRequests(b, q("function=external_pause&value=PAUSE&agent_user=1000"))
}

func BenchmarkExternalStatus(b *testing.B) {
	benchRequests(b, q("function=external_status&value=A&agent_user=1000"))
}
