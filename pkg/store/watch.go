package store

import (
	"reflect"
	"sync"

	"github.com/callgate/callgate/core"
)

// watchers are the functions told about committed writes (core.WriteWatcher):
// every Store derived from one Open shares them, so a write through any
// handle of the database — the engine's, a test's, a transaction's — reaches
// the engine's caches of stored records.
type watchers struct {
	mu  sync.RWMutex
	fns []func(reflect.Type)
}

var _ core.WriteWatcher = (*Store)(nil)

// WatchWrites registers fn, called with the record type (never a pointer or
// slice type) after each write outside a transaction and, for a
// transaction, after it ended, once per record type it wrote.
func (s *Store) WatchWrites(fn func(reflect.Type)) {
	s.watch.mu.Lock()
	s.watch.fns = append(s.watch.fns, fn)
	s.watch.mu.Unlock()
}

// wrote reports a write of v's record type: at once outside a transaction,
// when the outermost transaction ends inside one.
func (s *Store) wrote(v any) {
	t := recordType(v)
	if t == nil {
		return
	}
	if s.touched != nil {
		s.touched.add(t)
		return
	}
	s.watch.notify(t)
}

func (w *watchers) notify(t reflect.Type) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	for _, fn := range w.fns {
		fn(t)
	}
}

// touchedSet collects the record types a transaction wrote; nested
// transactions share their outermost one's.
type touchedSet struct {
	mu    sync.Mutex
	types map[reflect.Type]bool
}

func (t *touchedSet) add(rt reflect.Type) {
	t.mu.Lock()
	if t.types == nil {
		t.types = map[reflect.Type]bool{}
	}
	t.types[rt] = true
	t.mu.Unlock()
}

// flush notifies w of every type written, whether the transaction
// committed or not: a reader may have cached a value between a write and
// its rollback only if it read the uncommitted row, which it cannot, but
// invalidating is cheap and never wrong.
func (t *touchedSet) flush(w *watchers) {
	t.mu.Lock()
	types := t.types
	t.types = nil
	t.mu.Unlock()
	for rt := range types {
		w.notify(rt)
	}
}

func recordType(v any) reflect.Type {
	t := reflect.TypeOf(v)
	for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice) {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	return t
}
