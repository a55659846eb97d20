package ari

import (
	"net/http"
	"time"
)

// ariIdleConnsPerHost is how many idle connections to Asterisk ari/v5 may
// keep: more than the engine's PBX commands in flight at once (a call's
// end hangs up both legs and destroys the bridge in parallel, and many
// calls end at once).
const ariIdleConnsPerHost = 64

// TuneDefaultTransport lets http.DefaultTransport keep ariIdleConnsPerHost
// idle connections per host. ari/v5 (v5.3.1) sends every REST command
// through a zero http.Client, that is through http.DefaultTransport, and
// offers no way to give it another (its MaxIdleConnections variable is
// read by nothing). The default keeps two idle connections per host, so
// past two commands in parallel each one opened a TCP connection (and an
// Asterisk HTTP thread) and closed it afterwards. The gateway calls this
// once in main, before any goroutine uses net/http: the variable is not
// safe to change under them. It stays an *http.Transport, which other code
// clones.
func TuneDefaultTransport() {
	if base, ok := http.DefaultTransport.(*http.Transport); ok {
		http.DefaultTransport = tuned(base)
	}
}

func tuned(base *http.Transport) *http.Transport {
	tr := base.Clone()
	tr.MaxIdleConnsPerHost = max(tr.MaxIdleConnsPerHost, ariIdleConnsPerHost)
	tr.MaxIdleConns = max(tr.MaxIdleConns, 4*ariIdleConnsPerHost)
	tr.IdleConnTimeout = max(tr.IdleConnTimeout, 90*time.Second)
	return tr
}
