package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// commitTotals are the target's group-commit counters (callgate_store_
// commits_total, callgate_store_commit_writes_total) at one moment: read
// before and after a run, they say how many commits the load cost and how
// many writes shared each. On MySQL, where a commit waits for the log's
// fsync, commits/s is what the disk allows, and req/s follows from how
// many requests share a commit.
type commitTotals struct {
	commits, writes float64
	ok              bool
}

// maxMetricsBody bounds what is read of /metrics.
const maxMetricsBody = 4 << 20

func readCommitTotals(ctx context.Context, base *url.URL) commitTotals {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base.JoinPath("/metrics").String(), nil)
	if err != nil {
		return commitTotals{}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return commitTotals{}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return commitTotals{}
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(io.LimitReader(resp.Body, maxMetricsBody))
	if err != nil {
		return commitTotals{}
	}
	value := func(name string) (float64, bool) {
		f := fams[name]
		if f == nil || len(f.GetMetric()) != 1 || f.GetMetric()[0].GetCounter() == nil {
			return 0, false
		}
		return f.GetMetric()[0].GetCounter().GetValue(), true
	}
	c, ok1 := value("callgate_store_commits_total")
	w, ok2 := value("callgate_store_commit_writes_total")
	return commitTotals{commits: c, writes: w, ok: ok1 && ok2}
}

// printCommits prints the commits between two readings, if both were read.
func printCommits(w io.Writer, before, after commitTotals, elapsed time.Duration) {
	commits := after.commits - before.commits
	if !before.ok || !after.ok || commits <= 0 || elapsed <= 0 {
		return
	}
	fmt.Fprintf(w, "  store: %.0f commits/s, %.1f writes per commit\n",
		commits/elapsed.Seconds(), (after.writes-before.writes)/commits)
}
