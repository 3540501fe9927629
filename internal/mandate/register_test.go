package mandate

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// TestCoalesceWaitsForAReadBegunAfter: a request that arrives while a
// read is under way is answered by the next read, not by the one it found
// (which began before it arrived and may have missed a commit that
// finished just before); every request that arrived during one read
// shares the next.
func TestCoalesceWaitsForAReadBegunAfter(t *testing.T) {
	var begun, finished atomic.Int64
	entered := make(chan int64)
	gate := make(chan struct{})
	c := &coalesce{read: func(context.Context) error {
		n := begun.Add(1)
		entered <- n
		<-gate
		finished.Store(n)
		return nil
	}}
	ctx := context.Background()
	first := make(chan struct{})
	go func() { c.wait(ctx); close(first) }()
	if n := <-entered; n != 1 {
		t.Fatalf("read %d began first", n)
	}
	// Three requests arrive while read 1 is under way.
	var wg sync.WaitGroup
	answered := make([]int64, 3)
	for i := range answered {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.wait(ctx); err != nil {
				t.Error(err)
			}
			answered[i] = finished.Load()
		}()
	}
	for joined := 0; joined < 3; {
		// Until the three have joined the next round (no time involved:
		// read 1 cannot end before the gate opens).
		c.mu.Lock()
		if c.next != nil {
			joined = c.next.waiters
		}
		c.mu.Unlock()
		runtime.Gosched()
	}
	gate <- struct{}{} // read 1 ends
	<-first
	if n := <-entered; n != 2 {
		t.Fatalf("read %d began second", n)
	}
	gate <- struct{}{} // read 2 ends
	wg.Wait()
	for i, n := range answered {
		if n < 2 {
			t.Errorf("request %d arrived during read 1 and was answered by read %d", i, n)
		}
	}
	if n := begun.Load(); n != 2 {
		t.Errorf("%d reads for four requests in two rounds", n)
	}
}
