package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/callgate/callgate/core"
	"github.com/callgate/callgate/pkg/demo"
	"github.com/callgate/callgate/pkg/store/storetest"
)

// A closed-loop run sends exactly -n requests, counts the dialect's
// refusals apart from successes, and orders the latencies it reports.
func TestClosedLoopSendsExactlyNAndCountsRefusals(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/agc/api.php" || r.URL.Query().Get("user") != "6666" {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		if hits.Add(1)%4 == 0 {
			_, _ = w.Write([]byte("ERROR: agent_user is not logged in - 1000\n"))
			return
		}
		_, _ = w.Write([]byte("SUCCESS: external_pause function set - PAUSE|1|1000\n"))
	}))
	defer srv.Close()
	base, _ := url.Parse(srv.URL)
	res := runLoad(context.Background(), config{base: base, sc: scenarios["vicidial/external_pause"], conc: 8, total: 200})
	if hits.Load() != 200 || len(res.latencies) != 200 {
		t.Fatalf("sent %d, answered %d; want 200", hits.Load(), len(res.latencies))
	}
	if res.ok != 150 || res.refused != 50 || res.failed != 0 || res.status[200] != 200 {
		t.Fatalf("ok %d refused %d failed %d status %v", res.ok, res.refused, res.failed, res.status)
	}
	if res.percentile(0.5) > res.percentile(0.99) || res.percentile(0.99) > res.percentile(1) {
		t.Fatal("percentiles out of order")
	}
	var out bytes.Buffer
	res.print(&out, "x")
	if !strings.Contains(out.String(), "200 answered") || !strings.Contains(out.String(), "refused 50") {
		t.Fatalf("report: %s", out.String())
	}
}

func TestOnlyLoopbackTargets(t *testing.T) {
	for raw, ok := range map[string]bool{
		"http://127.0.0.1:8080": true, "http://localhost:8080": true, "http://[::1]:8080": true,
		"http://10.0.0.5:8080": false, "http://example.com": false, "ftp://127.0.0.1": false, "127.0.0.1:8080": false,
	} {
		if _, err := loopbackURL(raw); (err == nil) != ok {
			t.Errorf("%s: err %v", raw, err)
		}
	}
}

func TestRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-scenario", "nope"}, {"-target", "http://10.1.1.1"}, {"-d", "10m"}, {"-c", "0"}, {"-baseline", "nope"},
		{"-scenario", "ari/manual_call", "-ari", "http://10.1.1.1:8088/ari"},
		{"-scenario", "ari/manual_call", "-ari", "http://127.0.0.1:8088/ari", "-raw-endpoints", "PJSIP/1000"},
	} {
		if err := run(args, &bytes.Buffer{}); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	var out bytes.Buffer
	if err := run([]string{"-list"}, &out); err != nil || !strings.Contains(out.String(), "vicidial/external_pause") {
		t.Fatalf("-list: %v %s", err, out.String())
	}
}

// -baseline runs the other scenario first and prints the ratio.
func TestBaselineRatio(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("VERSION: 2.14-917a\n"))
	}))
	defer srv.Close()
	var out bytes.Buffer
	err := run([]string{"-target", srv.URL, "-scenario", "vicidial/nonagent_version", "-baseline", "health", "-c", "2", "-d", "200ms"}, &out)
	if err != nil || !strings.Contains(out.String(), "health: ") || !strings.Contains(out.String(), "ratio vicidial/nonagent_version / health: ") {
		t.Fatalf("%v %s", err, out.String())
	}
}

// The lead_search scenario searches a number the demo seeds (a search
// that finds nothing measured only the error path).
func TestLeadSearchScenarioFindsADemoLead(t *testing.T) {
	base, _ := url.Parse("http://127.0.0.1:8080")
	req, err := scenarios["vicidial/nonagent_lead_search"].build(base, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	phone := req.URL.Query().Get("phone_number")
	st := storetest.Open(t, "sqlite")
	if err := demo.Seed(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	var leads []core.Lead
	if err := st.Find(context.Background(), &leads, core.Eq("phone_number", phone)); err != nil || len(leads) == 0 {
		t.Fatalf("no demo lead has phone %q (%v)", phone, err)
	}
}

// A target exposing the group-commit counters gets a line with the
// commits the run cost and the writes per commit; one without them none.
func TestPrintsTheCommitsOfTheRunWhenTheTargetCountsThem(t *testing.T) {
	for _, tc := range []struct {
		name    string
		metrics bool
		want    string
	}{
		{"counted", true, "writes per commit"},
		{"not counted", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var reads atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/metrics" {
					_, _ = w.Write([]byte("VERSION: 2.14-917a\n"))
					return
				}
				if !tc.metrics {
					http.NotFound(w, r)
					return
				}
				n := reads.Add(1) // 1 before the run, 2 after: 200 commits of 1,200 writes
				fmt.Fprintf(w, "# TYPE callgate_store_commits_total counter\ncallgate_store_commits_total %d\n", 100*(2*n-1))
				fmt.Fprintf(w, "# TYPE callgate_store_commit_writes_total counter\ncallgate_store_commit_writes_total %d\n", 600*(2*n-1))
			}))
			defer srv.Close()
			var out bytes.Buffer
			err := run([]string{"-target", srv.URL, "-scenario", "vicidial/nonagent_version", "-c", "2", "-n", "20", "-d", "5s"}, &out)
			if err != nil {
				t.Fatal(err)
			}
			line := regexp.MustCompile(`(?m)^  store: [0-9]+ commits/s, 6\.0 writes per commit$`).FindString(out.String())
			if (line != "") != (tc.want != "") {
				t.Fatalf("store line %q in:\n%s", line, out.String())
			}
		})
	}
}
