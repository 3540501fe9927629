package groupcommit

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// book is a write function that records the batches it is given; while
// gate is open it waits on it, so that items pile up behind a batch.
type book struct {
	mu      sync.Mutex
	batches [][]int
	fail    error
	gate    chan struct{}
	entered chan struct{}
}

func (b *book) write(ctx context.Context, vs []int) error {
	if b.entered != nil {
		select {
		case b.entered <- struct{}{}:
		default:
		}
	}
	if b.gate != nil {
		<-b.gate
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail != nil {
		return b.fail
	}
	b.batches = append(b.batches, append([]int(nil), vs...))
	return nil
}

func (b *book) written() map[int]int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := map[int]int{}
	for _, bt := range b.batches {
		for _, v := range bt {
			n[v]++
		}
	}
	return n
}

// Every item is written exactly once, and each caller returns only after
// its own item's batch was written.
func TestEveryItemOnceAndBeforeItsCallerReturns(t *testing.T) {
	b := &book{}
	w := New(Options{MaxBatch: 50}, b.write)
	defer w.Close()
	const n = 2000
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.Write(context.Background(), i); err != nil {
				errs <- err
				return
			}
			if b.written()[i] != 1 {
				errs <- errors.New("returned before its item was written")
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	got := b.written()
	for i := range n {
		if got[i] != 1 {
			t.Fatalf("item %d written %d times", i, got[i])
		}
	}
	for _, bt := range b.batches {
		if len(bt) > 50 {
			t.Fatalf("a batch of %d items, more than MaxBatch", len(bt))
		}
	}
}

// Items that arrive while a batch is being written share the next one.
func TestWaitingItemsShareATransaction(t *testing.T) {
	b := &book{gate: make(chan struct{}), entered: make(chan struct{}, 1)}
	w := New(Options{}, b.write)
	defer w.Close()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = w.Write(context.Background(), 0) }()
	// The first item's batch is held at the gate; these queue behind it.
	<-b.entered
	for i := 1; i <= 10; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); _ = w.Write(context.Background(), i) }()
	}
	for len(w.ch) < 10 {
		time.Sleep(time.Millisecond)
	}
	close(b.gate)
	wg.Wait()
	if len(b.batches) != 2 || len(b.batches[1]) != 10 {
		t.Fatalf("batches %v, want the first item alone and the ten waiting in one", b.batches)
	}
}

// A batch that cannot be written fails every caller in it, after retries,
// and Failed hears of it once.
func TestFailedBatchFailsItsCallers(t *testing.T) {
	boom := errors.New("database away")
	b := &book{fail: boom}
	var failed int
	w := New(Options{Failed: func(n int, err error) { failed += n }}, b.write)
	if err := w.Write(context.Background(), 1); !errors.Is(err, boom) {
		t.Fatalf("Write = %v, want %v", err, boom)
	}
	w.Close()
	if failed != 1 {
		t.Fatalf("Failed heard of %d items, want 1", failed)
	}
}

// Flush returns once everything handed over is written; after Close a
// Write writes its own transaction.
func TestFlushAndClose(t *testing.T) {
	b := &book{}
	w := New(Options{}, b.write)
	for i := range 5 {
		if err := w.Write(context.Background(), i); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if err := w.Write(context.Background(), 99); err != nil {
		t.Fatalf("Write after Close = %v", err)
	}
	if b.written()[99] != 1 {
		t.Fatal("a write after Close was not written")
	}
	if err := w.Flush(context.Background()); err != nil {
		t.Fatalf("Flush after Close = %v", err)
	}
}

// An item the database refuses fails its own caller, not the others that
// shared its batch.
func TestARefusedItemFailsOnlyItsCaller(t *testing.T) {
	var mu sync.Mutex
	written := map[int]int{}
	entered := make(chan struct{}, 1)
	gate := make(chan struct{})
	w := New(Options{}, func(ctx context.Context, vs []int) error {
		select {
		case entered <- struct{}{}:
			<-gate
		default:
		}
		for _, v := range vs {
			if v == 13 {
				return errors.New("refused")
			}
		}
		mu.Lock()
		defer mu.Unlock()
		for _, v := range vs {
			written[v]++
		}
		return nil
	})
	defer w.Close()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = w.Write(context.Background(), 0) }()
	<-entered
	errs := make([]error, 20)
	for i := 1; i < 20; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = w.Write(context.Background(), i) }()
	}
	for len(w.ch) < 19 {
		time.Sleep(time.Millisecond)
	}
	close(gate)
	wg.Wait()
	for i := 1; i < 20; i++ {
		if (errs[i] != nil) != (i == 13) {
			t.Errorf("item %d: %v", i, errs[i])
		}
		if i != 13 && written[i] != 1 {
			t.Errorf("item %d written %d times", i, written[i])
		}
	}
}

// Writes racing Close are each written once, queued or on their own
// (run with -race: closing the queue never races a send).
func TestWritesRacingClose(t *testing.T) {
	b := &book{}
	w := New(Options{}, b.write)
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.Write(context.Background(), i); err != nil {
				t.Error(err)
			}
		}()
	}
	w.Close()
	wg.Wait()
	for i := range 64 {
		if n := b.written()[i]; n != 1 {
			t.Errorf("item %d written %d times", i, n)
		}
	}
}
