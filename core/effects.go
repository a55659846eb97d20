package core

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Decide under the lock, act outside it.
//
// The engine lock guards memory only. A command (or a PBX event, or a timer)
// takes the lock with lock(), reads and changes memory, and appends the I/O
// its decision calls for to e.fx: PBX commands, store writes, bus
// publishes. unlock() hands the list to the lanes (see lanes.go) before it
// releases the lock, so effects sharing a key run in decision order: every
// store write and every publish share the key "store" (one ordered lane: the
// queue log, the CDR and the event stream follow the order of decisions, and
// an event is only published once the writes decided before it are done);
// PBX commands are keyed by the channels and bridges they touch, so an
// originate stalled on one call delays nothing else.
//
// A command that must answer with the outcome of its effects waits for them
// after the lock is released (unlockWait). An effect whose failure changes
// state takes the lock again in the effect's goroutine (failLocked) and the
// new state is decided there, under the lock, like any other decision.

var errEffectPanic = errors.New("effect panicked")

// storeKey is the lane of every store write and bus publish.
const storeKey = "store"

// effect is one piece of I/O decided under the lock.
type effect struct {
	keys []string
	what string
	run  func(ctx context.Context) error
	// then runs under the engine lock after run succeeded, failLocked after
	// it failed; either may decide more effects.
	then       func()
	failLocked func(err error)
	// report: unlockWait returns this effect's error.
	report bool
	// warn logs a failure at warning level (default: debug, for the
	// best-effort PBX commands whose failure the engine tolerates).
	warn bool
	// write is a store write's function (e.write); the engine's committer
	// runs it, grouped with the writes around it unless solo. post: a
	// publish, run once the writes decided before it are committed.
	write      func(ctx context.Context, st Store) error
	solo, post bool
	// key: the write replaces the whole of one record (see unit.key).
	key string
	// barrier: the write does nothing; it only waits for those before it
	// (Sync).
	barrier bool
	// queueRow: the write appends this queue-log row (see unit.queueRow).
	queueRow *QueueLogEntry
	// call: the write is a call's row and its rows (see callWrite);
	// session, sessionEnd: see unit.
	call       *callWrite
	session    *AgentSession
	sessionEnd uint
	// written, when set, is closed once the write's outcome is known
	// (trackCallWrite).
	written chan struct{}
	// hold is an originated channel whose PBX events wait until the
	// originate's outcome is decided (then/failLocked ran), so no event of
	// the channel is applied to a state the outcome would still change.
	hold *chanRef
}

// markWritten tells those waiting for the write (written) that its
// outcome is known.
func (f *effect) markWritten() {
	if f.written != nil {
		close(f.written)
	}
}

// onFail sets failLocked and returns the effect, for chaining.
func (f *effect) onFail(fn func(err error)) *effect { f.failLocked = fn; return f }

// onOK sets then and returns the effect.
func (f *effect) onOK(fn func()) *effect { f.then = fn; return f }

// reported makes unlockWait return the effect's error.
func (f *effect) reported() *effect { f.report = true; return f }

// warned logs a failure at warning level.
func (f *effect) warned() *effect { f.warn = true; return f }

// batch is the set of effects one decision made; a command waits for it
// (outside the lock) so it answers once what it decided is done.
type batch struct {
	mu  sync.Mutex
	n   int
	err error
	// storeErr is the first failed store write of the decision: a command
	// that answers once its outcome is durable (settle) must not answer
	// success when it is not.
	storeErr error
	done     chan struct{}
}

// end finishes one effect: its error counts for unlockWait if reported,
// and for settle if it was a store write.
func (b *batch) end(f *effect, err error) {
	if err != nil && f.write != nil {
		b.mu.Lock()
		if b.storeErr == nil {
			b.storeErr = err
		}
		b.mu.Unlock()
	}
	b.finish(reportErr(f, err))
}

// failedWrite is the decision's first failed store write (nil batch: none).
func (b *batch) failedWrite() error {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.storeErr
}

func (b *batch) finish(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err != nil && b.err == nil {
		b.err = err
	}
	b.n--
	if b.n == 0 {
		close(b.done)
	}
}

// adopt makes b wait for next too (nil: nothing to wait for).
func (b *batch) adopt(next *batch) {
	if next == nil {
		return
	}
	b.mu.Lock()
	b.n++
	b.mu.Unlock()
	go func() {
		<-next.done
		b.finish(nil)
	}()
}

// wait blocks until the batch is done; nil batch: nothing to wait for.
func (b *batch) wait(ctx context.Context) error {
	if b == nil {
		return nil
	}
	select {
	case <-b.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

// lock takes the engine's state lock.
func (e *Engine) lock() {
	e.mu.Lock()
	if e.opt.LockCheck {
		e.holder.Store(goid())
	}
}

// unlock submits the effects decided under the lock, in order, then
// releases it. The returned batch (nil when there is nothing to wait for)
// completes when the decision's store writes, publishes and reported effects
// are done.
func (e *Engine) unlock() *batch {
	fx := e.fx
	e.fx = nil
	var b *batch
	if len(fx) > 0 {
		tasks := make([]*task, len(fx))
		for i, f := range fx {
			// A command waits for all it decided (without the lock):
			// it answers once its store writes, events and PBX commands
			// are done, as it did when it held the lock throughout.
			counted := true
			if counted {
				if b == nil {
					b = &batch{done: make(chan struct{})}
				}
				b.n++
			}
			tasks[i] = e.taskFor(f, b, counted)
		}
		e.lanes.submit(tasks)
	}
	if e.opt.LockCheck {
		e.holder.Store(0)
	}
	e.mu.Unlock()
	return b
}

// unlockWait unlocks and waits (outside the lock) for the decision's
// effects; the error is the first reported effect's.
func (e *Engine) unlockWait(ctx context.Context) error {
	return e.unlock().wait(ctx)
}

// settleErr is settle for a command that answers right after it.
func (e *Engine) settleErr(ctx context.Context) error {
	var err error
	e.settle(ctx, &err)
	return err
}

// settle unlocks and waits for the decision's store writes and events,
// for commands that answer once their outcome is durable (deferred after a
// decision whose effects report nothing). When the command decided no
// error itself but one of its store writes failed, *errp becomes an
// EINTERNAL error (the store's text stays in the log): the change is in
// memory only, and the caller must not be told it is saved.
func (e *Engine) settle(ctx context.Context, errp *error) {
	b := e.unlock()
	if p := pendingFrom(ctx); p != nil {
		// The request waits for it later, with its log rows (see
		// PendingWrites).
		if b != nil {
			p.add(b)
		}
		return
	}
	err := b.wait(ctx)
	if *errp != nil {
		return
	}
	if err != nil {
		*errp = err
		return
	}
	if werr := b.failedWrite(); werr != nil {
		*errp = &Error{Code: EINTERNAL, Message: "the change could not be saved", Err: werr}
	}
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func (e *Engine) taskFor(f *effect, b *batch, counted bool) *task {
	t := &task{keys: f.keys}
	if f.write != nil && e.commit != nil {
		// The lane hands the write to the committer (in lane order) and
		// moves on; the effect ends when its group is committed, so the
		// writes of concurrent commands share commits.
		t.fn = func() func() {
			done := e.commit.submit(&unit{what: f.what, write: f.write, solo: f.solo, post: f.post, key: f.key, barrier: f.barrier, queueRow: f.queueRow, call: f.call, session: f.session, sessionEnd: f.sessionEnd})
			return func() {
				err := <-done
				f.markWritten()
				if err != nil {
					e.log.Error("engine: effect failed", "what", f.what, "err", err)
				}
				e.finishEffect(f, b, counted, err)
			}
		}
		return t
	}
	t.fn = func() func() {
		err := e.runEffect(f)
		f.markWritten()
		if f.then == nil && f.failLocked == nil && f.hold == nil {
			if counted {
				b.end(f, err)
			}
			return nil
		}
		// The outcome is decided after the task left its lanes: the
		// decision may add effects on the same keys, and waiting for them
		// from inside the lane would wait for ourselves.
		return func() { e.finishEffect(f, b, counted, err) }
	}
	return t
}

// finishEffect applies an effect's outcome: then or failLocked under the
// lock, the originate's held events, and the command's batch.
func (e *Engine) finishEffect(f *effect, b *batch, counted bool, err error) {
	if f.then == nil && f.failLocked == nil && f.hold == nil {
		if counted {
			b.end(f, err)
		}
		return
	}
	e.lock()
	if !e.stopped {
		if err == nil && f.then != nil {
			f.then()
		}
		if err != nil && f.failLocked != nil {
			f.failLocked(err)
		}
	}
	if r := f.hold; r != nil {
		r.pending = false
		evs := r.deferred
		r.deferred = nil
		for _, ev := range evs {
			if !e.stopped {
				e.safeHandle(ev)
			}
		}
	}
	next := e.unlock()
	if counted {
		// A command waiting for this effect answers once what its
		// outcome decided is done too; the lane does not wait.
		b.adopt(next)
		b.end(f, err)
	}
}

func reportErr(f *effect, err error) error {
	if f.report {
		return err
	}
	return nil
}

func (e *Engine) runEffect(f *effect) (err error) {
	defer func() {
		if r := recover(); r != nil {
			e.log.Error("engine: panic in effect", "what", f.what, "panic", r)
			err = errEffectPanic
		}
	}()
	err = f.run(context.Background())
	if err != nil {
		lvl := slog.LevelDebug
		if f.warn {
			lvl = slog.LevelWarn
		}
		if slicesContains(f.keys, storeKey) {
			lvl = slog.LevelError
		}
		e.log.Log(context.Background(), lvl, "engine: effect failed", "what", f.what, "err", err)
	}
	return err
}

// do appends an effect to the decision being made (lock held).
func (e *Engine) do(what string, keys []string, run func(ctx context.Context) error) *effect {
	f := &effect{keys: keys, what: what, run: run}
	e.fx = append(e.fx, f)
	return f
}

// write appends a store write (lock held). fn must only use values copied
// at decision time: memory changes after the lock is released.
func (e *Engine) write(what string, fn func(ctx context.Context, st Store) error) *effect {
	f := e.do(what, []string{storeKey}, func(ctx context.Context) error { return fn(ctx, e.store) })
	f.write = fn
	return f
}

// writeAlone is write for a function that reads through the engine rather
// than st, or publishes: it is never grouped with other writes.
func (e *Engine) writeAlone(what string, fn func(ctx context.Context, st Store) error) *effect {
	f := e.write(what, fn)
	f.solo = true
	return f
}

// Sync waits until every store write and event decided so far is applied:
// what a caller saw in the engine's memory is then in the store and on the
// bus too.
func (e *Engine) Sync(ctx context.Context) error {
	e.lock()
	e.write("sync", func(context.Context, Store) error { return nil }).barrier = true
	return e.unlockWait(ctx)
}

// HoldsLock reports whether the calling goroutine holds the engine lock;
// always false unless Options.LockCheck is set. Test doubles of the PBX
// and the store call it to prove no I/O happens under the lock.
func (e *Engine) HoldsLock() bool {
	return e.opt.LockCheck && e.holder.Load() == goid()
}

// goid is the calling goroutine's id, parsed from its stack header
// ("goroutine 42 [running]:"). Only used with Options.LockCheck.
func goid() int64 {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	s := strings.TrimPrefix(string(buf[:n]), "goroutine ")
	if i := strings.IndexByte(s, ' '); i > 0 {
		id, _ := strconv.ParseInt(s[:i], 10, 64)
		return id
	}
	return -1
}

// PBX effects, keyed by the channels and bridges they touch.

func chKey(id string) string { return "ch:" + id }
func brKey(id string) string { return "br:" + id }

func mediaKey(t MediaTarget) string {
	if t.Kind == TargetBridge {
		return brKey(t.ID)
	}
	return chKey(t.ID)
}

func (e *Engine) pxOriginate(req OriginateRequest) *effect {
	keys := []string{chKey(req.ChannelID)}
	if req.OtherChannelID != "" {
		keys = append(keys, chKey(req.OtherChannelID))
	}
	f := e.do("originate "+req.ChannelID, keys, func(ctx context.Context) error {
		_, err := e.tel.Originate(ctx, req)
		return err
	})
	f.warn = true
	if r := e.chans[req.ChannelID]; r != nil {
		r.pending = true
		f.hold = r
	}
	return f
}

func (e *Engine) pxAnswer(ch string) *effect {
	return e.do("answer "+ch, []string{chKey(ch)}, func(ctx context.Context) error { return e.tel.Answer(ctx, ch) })
}

func (e *Engine) pxHangup(ch string, cause HangupCause) *effect {
	return e.do("hangup "+ch, []string{chKey(ch)}, func(ctx context.Context) error { return e.tel.Hangup(ctx, ch, cause) })
}

func (e *Engine) pxCreateBridge(b string, kind BridgeKind) *effect {
	return e.do("create bridge "+b, []string{brKey(b)}, func(ctx context.Context) error { return e.tel.CreateBridge(ctx, b, kind) })
}

func (e *Engine) pxDestroyBridge(b string) *effect {
	return e.do("destroy bridge "+b, []string{brKey(b)}, func(ctx context.Context) error { return e.tel.DestroyBridge(ctx, b) })
}

func (e *Engine) pxAdd(b, ch string) *effect {
	return e.do("add "+ch+" to "+b, []string{brKey(b), chKey(ch)}, func(ctx context.Context) error { return e.tel.AddToBridge(ctx, b, ch) })
}

func (e *Engine) pxRemove(b, ch string) *effect {
	return e.do("remove "+ch+" from "+b, []string{brKey(b), chKey(ch)}, func(ctx context.Context) error { return e.tel.RemoveFromBridge(ctx, b, ch) })
}

func (e *Engine) pxBridgeMOH(b, class string) *effect {
	return e.do("moh "+b, []string{brKey(b)}, func(ctx context.Context) error { return e.tel.BridgeMOH(ctx, b, class) })
}

func (e *Engine) pxHold(ch string) *effect {
	return e.do("hold "+ch, []string{chKey(ch)}, func(ctx context.Context) error { return e.tel.Hold(ctx, ch) })
}

func (e *Engine) pxUnhold(ch string) *effect {
	return e.do("unhold "+ch, []string{chKey(ch)}, func(ctx context.Context) error { return e.tel.Unhold(ctx, ch) })
}

func (e *Engine) pxStartMOH(ch, class string) *effect {
	return e.do("moh "+ch, []string{chKey(ch)}, func(ctx context.Context) error { return e.tel.StartMOH(ctx, ch, class) })
}

func (e *Engine) pxStopMOH(ch string) *effect {
	return e.do("stop moh "+ch, []string{chKey(ch)}, func(ctx context.Context) error { return e.tel.StopMOH(ctx, ch) })
}

func recKey(name string) string { return "rec:" + name }

func (e *Engine) pxRecord(target MediaTarget, name, format string) *effect {
	return e.do("record "+name, []string{mediaKey(target), recKey(name)}, func(ctx context.Context) error {
		return e.tel.Record(ctx, target, name, format)
	})
}

func (e *Engine) pxStopRecording(name string) *effect {
	return e.do("stop recording "+name, []string{recKey(name)}, func(ctx context.Context) error { return e.tel.StopRecording(ctx, name) })
}

func (e *Engine) pxMuteRecording(name string, mute bool) *effect {
	return e.do("mute recording "+name, []string{recKey(name)}, func(ctx context.Context) error { return e.tel.MuteRecording(ctx, name, mute) })
}

func pbKey(id string) string { return "pb:" + id }

func (e *Engine) pxPlay(id string, target MediaTarget, media string) *effect {
	return e.do("play "+id, []string{mediaKey(target), pbKey(id)}, func(ctx context.Context) error { return e.tel.Play(ctx, id, target, media) })
}

func (e *Engine) pxControlPlayback(id string, op PlaybackOp) *effect {
	return e.do("playback "+id, []string{pbKey(id)}, func(ctx context.Context) error { return e.tel.ControlPlayback(ctx, id, op) })
}

func (e *Engine) pxSnoop(ch, snoopID string, spy, whisper SnoopDirection) *effect {
	return e.do("snoop "+ch, []string{chKey(ch), chKey(snoopID)}, func(ctx context.Context) error {
		return e.tel.Snoop(ctx, ch, snoopID, spy, whisper)
	})
}

func (e *Engine) pxSendDTMF(ch, digits string, between time.Duration) *effect {
	return e.do("dtmf "+ch, []string{chKey(ch)}, func(ctx context.Context) error { return e.tel.SendDTMF(ctx, ch, digits, between) })
}

func (e *Engine) pxSetVar(ch, name, value string) *effect {
	return e.do("setvar "+ch, []string{chKey(ch)}, func(ctx context.Context) error { return e.tel.SetVar(ctx, ch, name, value) })
}
