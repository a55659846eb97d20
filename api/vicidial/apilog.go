package vicidial

import (
	"context"
	"log/slog"
	"sync"

	"github.com/callgate/callgate/core"
)

// logWriter writes a request's API log rows before its answer is sent.
// The core commits them together with the other writes of the moment
// (group commit), so under load a request pays a share of one commit, not
// one of its own, and an answered request is always in the log.
type logWriter struct {
	record func(context.Context, []core.APILogEntry) error
	log    *slog.Logger
	wg     sync.WaitGroup // writes in flight
}

func newLogWriter(record func(context.Context, []core.APILogEntry) error, log *slog.Logger) *logWriter {
	return &logWriter{record: record, log: log}
}

// write stores rows and returns once they are committed. A failure is
// logged: the function already ran, so its answer stays what it did.
func (w *logWriter) write(ctx context.Context, rows []core.APILogEntry) {
	if len(rows) == 0 {
		return
	}
	w.wg.Add(1)
	defer w.wg.Done()
	// A listing may log many lines; one INSERT stays under every
	// database's limit of bound values.
	for len(rows) > 0 {
		n := min(len(rows), logBatch)
		if err := w.record(ctx, rows[:n]); err != nil {
			w.log.Error("vicidial: api log write failed", "rows", n, "err", err)
		}
		rows = rows[n:]
	}
}

const logBatch = 256

// Flush waits for the writes in flight.
func (w *logWriter) Flush() { w.wg.Wait() }

// Close waits for the writes in flight.
func (w *logWriter) Close() { w.wg.Wait() }
