package main

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
)

// scenario builds the n-th request of a run and judges its answer.
type scenario struct {
	about string
	build func(base *url.URL, n uint64, token string) (*http.Request, error)
	// ok judges a 200 answer's body (nil: any 200 is a success).
	ok func(body []byte) bool
}

const vicidialAuth = "source=load&user=6666&pass=1234"

// vicidial is an agent API function on the demo's agent 1000.
func vicidial(about, query string, alternate ...string) scenario {
	var flip atomic.Uint64
	return scenario{
		about: about,
		build: func(base *url.URL, n uint64, _ string) (*http.Request, error) {
			q := query
			if len(alternate) > 0 && flip.Add(1)%2 == 0 {
				q = alternate[0]
			}
			return http.NewRequest(http.MethodGet, base.JoinPath("/agc/api.php").String()+"?"+vicidialAuth+"&"+q, nil)
		},
		ok: func(b []byte) bool { return !bytes.HasPrefix(b, []byte("ERROR")) },
	}
}

var scenarios = map[string]scenario{
	"vicidial/version": vicidial("VICIdial agent API version (no state)", "function=version"),
	"vicidial/external_pause": vicidial("pause then resume agent 1000 (a logged-in agent is needed)",
		"agent_user=1000&function=external_pause&value=PAUSE", "agent_user=1000&function=external_pause&value=RESUME"),
	"vicidial/external_status": vicidial("set a status for agent 1000's call (errors without one)",
		"agent_user=1000&function=external_status&value=A"),
	"vicidial/nonagent_version": {
		about: "VICIdial non-agent API version",
		build: func(base *url.URL, _ uint64, _ string) (*http.Request, error) {
			return http.NewRequest(http.MethodGet, base.JoinPath("/vicidial/non_agent_api.php").String()+"?"+vicidialAuth+"&function=version", nil)
		},
		ok: func(b []byte) bool { return !bytes.HasPrefix(b, []byte("ERROR")) },
	},
	"admin/agents": {
		about: "native API: list agents (JSON read)",
		build: func(base *url.URL, _ uint64, token string) (*http.Request, error) {
			return bearer(http.NewRequest(http.MethodGet, base.JoinPath("/api/v1/agents").String(), nil))(token)
		},
	},
	"sim/inbound": {
		about: "call setups: an inbound call on the simulated PBX to queue 8000 (demo mode)",
		build: func(base *url.URL, _ uint64, token string) (*http.Request, error) {
			body := strings.NewReader(`{"caller_id":"5551234","did":"5558000"}`)
			req, err := http.NewRequest(http.MethodPost, base.JoinPath("/api/v1/sim/inbound").String(), body)
			if err == nil {
				req.Header.Set("Content-Type", "application/json")
			}
			return bearer(req, err)(token)
		},
	},
	"health": {
		about: "/healthz: the server's own cost, to compare a dialect with",
		build: func(base *url.URL, _ uint64, _ string) (*http.Request, error) {
			return http.NewRequest(http.MethodGet, base.JoinPath("/healthz").String(), nil)
		},
	},
}

func bearer(req *http.Request, err error) func(string) (*http.Request, error) {
	return func(token string) (*http.Request, error) {
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		return req, nil
	}
}

// drain reads a body up to limit, so connections are reused.
func drain(r io.Reader) []byte {
	b, _ := io.ReadAll(io.LimitReader(r, 1<<20))
	return b
}
