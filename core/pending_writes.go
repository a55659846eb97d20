package core

import (
	"context"
	"sync"
)

// A request that runs engine commands and then logs itself (the VICIdial
// APIs write an API log row per request) would pay two commits in a row:
// the command's writes, then the log row. PendingWrites lets it pay one:
// commands run with its context decide as usual and answer their decision
// at once, leaving their store writes pending here; the request then hands
// its log rows to AwaitWrites, which submits them to the same group commit
// and waits for everything. Nothing is answered before it is durable: the
// request's answer is sent after AwaitWrites, and if a pending write failed
// AwaitWrites says so (the answer must then be an error).

// PendingWrites collects the unfinished write batches of one request.
type PendingWrites struct {
	mu      sync.Mutex
	batches []*batch
}

type pendingWritesKey struct{}

// WithPendingWrites returns a context under which engine commands leave
// their writes pending in the returned collector instead of waiting.
func WithPendingWrites(ctx context.Context) (context.Context, *PendingWrites) {
	p := &PendingWrites{}
	return context.WithValue(ctx, pendingWritesKey{}, p), p
}

func pendingFrom(ctx context.Context) *PendingWrites {
	p, _ := ctx.Value(pendingWritesKey{}).(*PendingWrites)
	return p
}

func (p *PendingWrites) add(b *batch) {
	p.mu.Lock()
	p.batches = append(p.batches, b)
	p.mu.Unlock()
}

// AwaitWrites submits rows to the API log and waits until they and every
// write left pending in p are committed. writes is the first failure of
// the commands (a failed store write as EINTERNAL, as settle reports it,
// or a reported effect's error): their answer must then be an error. logged
// is the log rows' own outcome.
func (e *Engine) AwaitWrites(ctx context.Context, p *PendingWrites, rows []APILogEntry) (writes, logged error) {
	var logDone <-chan error
	if e.commit != nil && len(rows) > 0 && len(rows) <= logBatch {
		// Submitted before waiting, so the rows can join the group the
		// commands' writes are in.
		logDone = e.commit.submitLog(rows)
	}
	p.mu.Lock()
	batches := p.batches
	p.batches = nil
	p.mu.Unlock()
	for _, b := range batches {
		err := b.wait(ctx)
		if err == nil {
			if werr := b.failedWrite(); werr != nil {
				err = &Error{Code: EINTERNAL, Message: "the change could not be saved", Err: werr}
			}
		}
		if writes == nil {
			writes = err
		}
	}
	if logDone != nil {
		select {
		case logged = <-logDone:
		case <-ctx.Done():
			logged = ctx.Err()
		}
		return writes, logged
	}
	// One INSERT stays under every database's limit of bound values.
	for len(rows) > 0 && logged == nil {
		n := min(len(rows), logBatch)
		logged = e.RecordAPICalls(ctx, rows[:n])
		rows = rows[n:]
	}
	return writes, logged
}
