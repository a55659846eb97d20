package core

// ReplayWindow is implemented by buses that can tell the oldest event they
// still replay, so a consumer whose resume point fell out of the window is
// told exactly what it missed (the event stream's "gap" event).
type ReplayWindow interface {
	FirstSeq() (uint64, error)
}

// FirstSeq is the oldest sequence Subscribe can still replay (LastSeq+1
// when the log is empty).
func (b *MemoryBus) FirstSeq() (uint64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.seq - uint64(b.size) + 1, nil
}
