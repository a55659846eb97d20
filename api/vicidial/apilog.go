package vicidial

import (
	"context"
	"log/slog"
	"sync"

	"github.com/callgate/callgate/core"
)

// logWriter writes API log rows off the request path. Rows queued while a
// write is in flight go out together in one INSERT, so under load the log
// costs one database round trip per batch instead of one per request. A
// full queue makes requests write their row themselves: rows are never
// dropped.
type logWriter struct {
	record func(context.Context, []core.APILogEntry) error
	log    *slog.Logger
	ch     chan core.APILogEntry
	flush  chan chan struct{}
	done   chan struct{}
	once   sync.Once
	mu     sync.RWMutex // closed is read under RLock by senders
	shut   bool
}

const logBatch = 256

func newLogWriter(record func(context.Context, []core.APILogEntry) error, log *slog.Logger) *logWriter {
	w := &logWriter{record: record, log: log, ch: make(chan core.APILogEntry, 4096), flush: make(chan chan struct{}), done: make(chan struct{})}
	go w.run()
	return w
}

func (w *logWriter) add(e core.APILogEntry) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if !w.shut {
		select {
		case w.ch <- e:
			return
		default:
		}
	}
	w.write([]core.APILogEntry{e})
}

func (w *logWriter) run() {
	defer close(w.done)
	batch := make([]core.APILogEntry, 0, logBatch)
	drain := func() {
		for len(batch) < logBatch {
			select {
			case e, ok := <-w.ch:
				if !ok {
					return
				}
				batch = append(batch, e)
			default:
				return
			}
		}
	}
	for {
		select {
		case e, ok := <-w.ch:
			if !ok {
				return
			}
			batch = append(batch[:0], e)
			drain()
			w.write(batch)
		case ack := <-w.flush:
			for {
				batch = batch[:0]
				drain()
				if len(batch) == 0 {
					break
				}
				w.write(batch)
			}
			close(ack)
		}
	}
}

func (w *logWriter) write(rows []core.APILogEntry) {
	if len(rows) == 0 {
		return
	}
	cp := append([]core.APILogEntry(nil), rows...)
	if err := w.record(context.Background(), cp); err != nil {
		w.log.Warn("vicidial: api log write failed", "rows", len(rows), "err", err)
	}
}

// Flush waits until every row queued so far is written.
func (w *logWriter) Flush() {
	ack := make(chan struct{})
	select {
	case w.flush <- ack:
		<-ack
	case <-w.done:
	}
}

// Close writes what is queued and stops the writer.
func (w *logWriter) Close() {
	w.once.Do(func() {
		w.mu.Lock()
		w.shut = true
		close(w.ch)
		w.mu.Unlock()
		<-w.done
	})
}
