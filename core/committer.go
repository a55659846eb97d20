package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
)

// committer is group commit on the store: writes submitted while another
// batch is being committed wait together and are then committed in one
// transaction, so under load many requests share one commit (one fsync on
// MySQL, one WAL append on SQLite) instead of paying one each. Each
// submitter still waits for its own write to be committed.
//
// Order is submission order: units run in the order they were submitted,
// batches one after another. The engine submits its store lane's writes
// here (see taskFor), so decisions reach the store in decision order
// without the lane waiting for each commit.
//
// Failures are honest: when a write of a batch fails, the batch is rolled
// back and each of its writes runs again alone, so each gets its own
// outcome (as it would have without grouping); when the commit itself
// fails, every write of the batch gets that error.
type committer struct {
	st  Store
	log *slog.Logger

	mu      sync.Mutex
	q       []*unit
	running bool

	// noGroupWriter: the store said it cannot take a group in one request
	// (GroupWriter on SQLite, where a statement is a call, not a round trip).
	noGroupWriter atomic.Bool

	// groups and writes count the transactions run and the writes they
	// carried (a group of one and a solo write are one each):
	// writes/groups is how many writes shared a commit on average.
	groups, writes atomic.Uint64
}

// unit is one submitted piece of store work.
type unit struct {
	what  string
	write func(ctx context.Context, st Store) error
	// solo: runs alone, after the writes before it are committed: it
	// reads through the engine (outside st) or publishes from inside.
	solo bool
	// post: runs once the writes before it are committed, never inside a
	// transaction (the engine's publishes).
	post bool
	// key: a write that replaces the whole of one record (a session's
	// Save); a later write of the same key in the group makes it moot.
	key string
	// barrier: the write does nothing (Engine.Sync); a group it is in is
	// still one of record writes only (writeGroup).
	barrier bool
	// logRows: an API log append; those of one group are written by one
	// INSERT (one round trip for the whole group).
	logRows []APILogEntry
	// queueRow: a queue-log row; consecutive ones of a group are written
	// by one INSERT, in their order (row ids follow decision order).
	queueRow *QueueLogEntry
	// call: the write is a call's whole row and its queue-log rows (and at
	// its end its CDR); see callWrite.
	call *callWrite
	// session: the write creates or saves this agent session (every
	// column); sessionEnd: it deletes the session of this agent. A group's
	// session writes are one upsert too, except an agent's whose session
	// ends in the group (a new one of the agent would meet the old row's
	// unique agent id): those run in order.
	session    *AgentSession
	sessionEnd uint
	done       chan error
}

// callWrite is what a call's write holds besides its function (which does
// it all in one transaction, for when it runs alone). A call is written
// five times or so from arrival to hangup, each time every column; in a
// group, which is one transaction, only its last value matters: the calls
// of a group are written first, each once with its last value, by one
// multi-row upsert, and their CDRs by one INSERT at the end. Their
// queue-log rows join the group's runs of rows in order. Nothing outside
// the transaction sees the states in between, and no write of a group
// reads the store (those that do run alone).
type callWrite struct {
	call Call
	rows []QueueLogEntry
	cdr  *CDR
}

// maxGroup bounds a batch: a transaction of this many small writes still
// commits in milliseconds and holds its locks no longer.
const maxGroup = 256

func newCommitter(st Store, log *slog.Logger) *committer { return &committer{st: st, log: log} }

// submit queues u and returns where its outcome will be sent.
func (c *committer) submit(u *unit) <-chan error {
	c.mu.Lock()
	c.queueLocked(u)
	c.unlockAndRun()
	return u.done
}

// queueLocked appends u to the queue (c.mu held).
func (c *committer) queueLocked(u *unit) {
	u.done = make(chan error, 1)
	c.q = append(c.q, u)
}

// unlockAndRun releases c.mu and starts the run loop unless it is running.
func (c *committer) unlockAndRun() {
	start := !c.running
	c.running = true
	c.mu.Unlock()
	if start {
		go c.run()
	}
}

// submitLog submits API log rows; their outcome comes on the channel.
func (c *committer) submitLog(rows []APILogEntry) <-chan error {
	return c.submit(&unit{what: "api log", logRows: rows, write: func(ctx context.Context, st Store) error { return st.Create(ctx, &rows) }})
}

// appendLog submits API log rows and waits for their commit.
func (c *committer) appendLog(ctx context.Context, rows []APILogEntry) error {
	select {
	case err := <-c.submitLog(rows):
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run takes what is queued, batch after batch, until nothing is.
func (c *committer) run() {
	for {
		// Let the goroutines that are ready to run (requests about to
		// submit) go first: when the CPUs are busy they join this batch
		// instead of each waiting for a commit of its own. It costs no
		// wait when nothing else is ready. Measured on VICIdial version
		// (one log row per request): +26% requests/s.
		runtime.Gosched()
		c.mu.Lock()
		q := c.q
		if len(q) == 0 {
			c.running = false
			c.mu.Unlock()
			return
		}
		n := min(len(q), maxGroup)
		c.q = q[n:]
		c.mu.Unlock()
		c.process(q[:n])
	}
}

// process runs units in order: consecutive writes as one group, posts
// once the writes before them are committed, solo units alone.
func (c *committer) process(units []*unit) {
	var group, posts []*unit
	flush := func() {
		c.commit(group)
		group = nil
		for _, p := range posts {
			p.done <- c.runUnit(p, c.st)
		}
		posts = nil
	}
	for _, u := range units {
		switch {
		case u.post:
			posts = append(posts, u)
		case u.solo:
			flush()
			c.count(1)
			u.done <- c.runUnit(u, c.st)
		default:
			group = append(group, u)
		}
	}
	flush()
}

func (c *committer) count(writes int) {
	if writes > 0 {
		c.groups.Add(1)
		c.writes.Add(uint64(writes))
	}
}

// commit runs group as one transaction; counted first, so that whoever
// hears the outcome sees it counted.
func (c *committer) commit(group []*unit) {
	c.count(len(group))
	switch len(group) {
	case 0:
		return
	case 1:
		group[0].done <- c.runUnit(group[0], c.st)
		return
	}
	if c.writeGroup(group) {
		return
	}
	failed := false
	tx := c.st.Tx
	if onlyLogs(group) {
		// One multi-row INSERT is atomic by itself: no BEGIN and COMMIT.
		tx = func(_ context.Context, fn func(Store) error) error { return fn(c.st) }
	}
	err := tx(context.Background(), func(tx Store) error {
		if err := c.appendLogs(tx, group); err != nil {
			failed = true
			return err
		}
		if err := c.runGroup(tx, group); err != nil {
			failed = true
			return err
		}
		return nil
	})
	switch {
	case failed:
		// Nothing of the batch was kept; each write runs alone, so one bad
		// write fails only its own submitter.
		for _, u := range group {
			u.done <- c.runUnit(u, c.st)
		}
	case err != nil:
		err = fmt.Errorf("group commit of %d writes: %w", len(group), err)
		for _, u := range group {
			u.done <- err
		}
	default:
		for _, u := range group {
			u.done <- nil
		}
	}
}

// writeGroup sends a group made only of record writes (log rows, queue
// rows, calls, sessions, CDRs) through a GroupWriter store in one request:
// the statements runGroup would run in its transaction, in the same order.
// It reports false, having done nothing, when a unit of the group runs
// code of its own or the store cannot.
func (c *committer) writeGroup(group []*unit) bool {
	gw, ok := c.st.(GroupWriter)
	if !ok || c.noGroupWriter.Load() {
		return false
	}
	ops, ok := groupWrites(group)
	if !ok {
		return false
	}
	err := gw.WriteGroup(context.Background(), ops)
	switch {
	case errors.Is(err, errors.ErrUnsupported):
		c.noGroupWriter.Store(true)
		return false
	case err == nil:
		for _, u := range group {
			u.done <- nil
		}
	case errors.Is(err, ErrOutcomeUnknown):
		err = fmt.Errorf("group commit of %d writes: %w", len(group), err)
		for _, u := range group {
			u.done <- err
		}
	default:
		// Nothing was kept; each write runs alone, as in commit.
		for _, u := range group {
			u.done <- c.runUnit(u, c.st)
		}
	}
	return true
}

// groupWrites lists a group's writes as commit makes them (API log rows
// first, then calls and sessions each once with its last value, then
// queue-log rows in order, then CDRs); false if a unit is not a record
// write.
func groupWrites(group []*unit) ([]GroupWrite, bool) {
	b := batchRecords(group)
	last := lastOfKey(group)
	var logs []APILogEntry
	var rows []QueueLogEntry
	var cdrs []CDR
	for i, u := range group {
		switch {
		case u.logRows != nil:
			logs = append(logs, u.logRows...)
		case u.barrier, u.key != "" && last[u.key] != i && !b.batched(u):
		case u.queueRow != nil:
			rows = append(rows, *u.queueRow)
		case u.call != nil:
			rows = append(rows, u.call.rows...)
			if u.call.cdr != nil {
				cdrs = append(cdrs, *u.call.cdr)
			}
		case b.batched(u):
		default:
			return nil, false
		}
	}
	var ops []GroupWrite
	add := func(rows any, n int, upsert bool) {
		if n > 0 {
			ops = append(ops, GroupWrite{Rows: rows, Upsert: upsert})
		}
	}
	add(&logs, len(logs), false)
	add(&b.calls, len(b.calls), true)
	add(&b.sessions, len(b.sessions), true)
	add(&rows, len(rows), false)
	add(&cdrs, len(cdrs), false)
	return ops, true
}

// runGroup runs the group's writes in order inside tx: a write made moot
// by a later one of its key is skipped, and each run of consecutive
// queue-log rows (moot writes between them do not break a run) is one
// multi-row INSERT.
func (c *committer) runGroup(tx Store, group []*unit) error {
	b := batchRecords(group)
	if err := b.upsert(tx); err != nil {
		return err
	}
	last := lastOfKey(group)
	var rows []QueueLogEntry
	var cdrs []CDR
	for i, u := range group {
		switch {
		case u.logRows != nil || u.key != "" && last[u.key] != i && !b.batched(u):
			continue
		case u.queueRow != nil:
			rows = append(rows, *u.queueRow)
			continue
		case u.call != nil:
			rows = append(rows, u.call.rows...)
			if u.call.cdr != nil {
				cdrs = append(cdrs, *u.call.cdr)
			}
			continue
		case b.batched(u):
			continue
		}
		if err := insertRows(tx, rows); err != nil {
			return err
		}
		rows = nil
		if err := c.runUnit(u, flatTx{tx}); err != nil {
			return err
		}
	}
	if err := insertRows(tx, rows); err != nil {
		return err
	}
	return insertRows(tx, cdrs)
}

// records are the whole-record writes of a group, each record once with
// its last value, in the order the records first appear.
type records struct {
	calls    []Call
	sessions []AgentSession
	// ended: agents whose session a unit of the group deletes.
	ended map[uint]bool
}

func batchRecords(group []*unit) *records {
	b := &records{}
	for _, u := range group {
		if u.sessionEnd != 0 {
			if b.ended == nil {
				b.ended = map[uint]bool{}
			}
			b.ended[u.sessionEnd] = true
		}
	}
	callAt, sessionAt := map[uint64]int{}, map[uint]int{}
	for _, u := range group {
		switch {
		case u.call != nil:
			b.calls = lastValue(b.calls, callAt, u.call.call.ID, u.call.call)
		case b.batched(u):
			b.sessions = lastValue(b.sessions, sessionAt, u.session.ID, *u.session)
		}
	}
	return b
}

// batched: u's session write is part of the group's upsert.
func (b *records) batched(u *unit) bool {
	return u.session != nil && !b.ended[u.session.AgentID]
}

func lastValue[K comparable, T any](list []T, at map[K]int, id K, v T) []T {
	if i, ok := at[id]; ok {
		list[i] = v
		return list
	}
	at[id] = len(list)
	return append(list, v)
}

func (b *records) upsert(tx Store) error {
	if err := upsertChunks(tx, b.calls); err != nil {
		return err
	}
	return upsertChunks(tx, b.sessions)
}

func upsertChunks[T any](tx Store, recs []T) error {
	for len(recs) > 0 {
		chunk := recs[:min(len(recs), callBatch)]
		if err := tx.Upsert(context.Background(), &chunk); err != nil {
			return err
		}
		recs = recs[len(chunk):]
	}
	return nil
}

// callBatch bounds one upsert of records (a call has some 60 columns)
// under every database's limit of bound values.
const callBatch = 100

// insertRows writes rows in multi-row INSERTs of at most logBatch rows,
// under every database's limit of bound values.
func insertRows[T any](tx Store, rows []T) error {
	for len(rows) > 0 {
		chunk := rows[:min(len(rows), logBatch)]
		if err := tx.Create(context.Background(), &chunk); err != nil {
			return err
		}
		rows = rows[len(chunk):]
	}
	return nil
}

// flatTx runs a unit's own transactions as part of the group's, without a
// savepoint (two statements fewer per call write): if the unit fails, the
// whole group is rolled back and the unit runs again alone, with its own
// transaction. Units return their transactions' errors (none swallows one
// to go on), which is what makes this equivalent.
type flatTx struct{ Store }

func (f flatTx) Tx(_ context.Context, fn func(Store) error) error { return fn(f) }

// appendLogs writes the API log rows of the group's units in one INSERT
// (a listing's rows come in chunks, see logBatch), first: they depend on
// nothing else of the group.
func (c *committer) appendLogs(tx Store, group []*unit) error {
	var rows []APILogEntry
	for _, u := range group {
		rows = append(rows, u.logRows...)
	}
	return insertRows(tx, rows)
}

// lastOfKey indexes the last unit of each key: the earlier ones are
// overwritten by it within the same transaction, so they are not run.
func lastOfKey(group []*unit) map[string]int {
	var last map[string]int
	for i, u := range group {
		if u.key == "" {
			continue
		}
		if last == nil {
			last = map[string]int{}
		}
		last[u.key] = i
	}
	return last
}

func onlyLogs(group []*unit) bool {
	n := 0
	for _, u := range group {
		if u.logRows == nil {
			return false
		}
		n += len(u.logRows)
	}
	return n <= logBatch
}

// logBatch bounds one INSERT of API log rows under every database's limit
// of bound values.
const logBatch = 256

func (c *committer) runUnit(u *unit, st Store) (err error) {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("engine: panic in store write", "what", u.what, "panic", r)
			err = errEffectPanic
		}
	}()
	return u.write(context.Background(), st)
}

// CommitTotals reports the store commits the group committer made and the
// writes they carried (callgate_store_commits_total and
// callgate_store_commit_writes_total); both zero with SerialWrites.
func (e *Engine) CommitTotals() (commits, writes uint64) {
	if e.commit == nil {
		return 0, 0
	}
	return e.commit.groups.Load(), e.commit.writes.Load()
}
