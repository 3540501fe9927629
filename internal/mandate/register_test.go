package mandate

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/etuus/etuus/internal/fi/civil"
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

// TestRegisterReindexesFirmClients: a client mandate moved from one firm
// to another leaves the first firm's index (the chooser's) and joins the
// second's; the last one gone removes the firm.
func TestRegisterReindexesFirmClients(t *testing.T) {
	r := NewRegister(nil, nil)
	day := civil.New(2026, 1, 1)
	m := Mandate{ID: "C-1", Principal: Org("0112038-9"), Agent: Org("1572860-0"), Type: Transaction,
		Issues: []string{"employer_benefits"}, Start: day, End: day.AddDays(30)}
	r.put(m)
	r.put(Mandate{ID: "C-2", Principal: Org("2077474-0"), Agent: Org("1572860-0"), Type: Transaction, Start: day, End: day})
	if got := len(r.byFirm["1572860-0"]); got != 2 {
		t.Fatalf("first firm holds %d clients' mandates, want 2", got)
	}
	m.Agent = Org("0737546-2")
	r.put(m)
	if got := len(r.byFirm["1572860-0"]); got != 1 {
		t.Errorf("first firm holds %d clients' mandates after the move, want 1", got)
	}
	if l := r.byFirm["0737546-2"]; len(l) != 1 || r.mandate(l[0]).ID != "C-1" {
		t.Errorf("second firm holds %v", l)
	}
	m.Agent = Pers("010403A998U")
	r.put(m)
	if _, ok := r.byFirm["0737546-2"]; ok || len(r.byAgent["010403A998U"]) != 1 {
		t.Errorf("a mandate moved to a person stays in the firm index: %v %v", r.byFirm, r.byAgent)
	}
}
