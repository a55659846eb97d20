package core_test

import (
	"sync"
	"testing"

	"github.com/callgate/callgate/core"
)

// Concurrent producers never block and the consumer sees every item, each
// producer's items in order.
func TestFIFOKeepsEveryItemInOrder(t *testing.T) {
	q := core.NewFIFO[[2]int]()
	const producers, each = 4, 10000
	var wg sync.WaitGroup
	for p := 0; p < producers; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				q.Push([2]int{p, i})
			}
		}()
	}
	next := make([]int, producers)
	got := 0
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	drain := func() {
		batch := q.Take()
		for _, v := range batch {
			if v[1] != next[v[0]] {
				t.Fatalf("producer %d: got %d, want %d", v[0], v[1], next[v[0]])
			}
			next[v[0]]++
			got++
		}
		q.Recycle(batch)
	}
	for got < producers*each {
		select {
		case <-q.Signal():
			drain()
		case <-done:
			drain()
		}
	}
	if q.Len() != 0 {
		t.Fatalf("%d left", q.Len())
	}
}
