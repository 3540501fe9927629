// Package groupcommit writes what many callers hand it in shared
// transactions (a group commit) and tells each caller when its own item has
// committed.
//
// It exists for records that must be durable before an answer leaves but
// whose writes all queue for one lock: every staff read of personal data
// appends to the audit chain, which takes one advisory lock, and on a
// durable database each commit waits for the disk. One transaction a read
// holds throughput to one disk flush per page; one transaction for whatever
// is waiting turns a hundred flushes into one, and still no caller
// returns before its item has committed.
package groupcommit

import (
	"context"
	"sync"
	"time"
)

// Writer collects items from many goroutines and writes them with its write
// function in batches of at most MaxBatch, one batch at a time.
type Writer[T any] struct {
	write    func(ctx context.Context, batch []T) error
	maxBatch int
	failed   func(int, error)
	// mu guards closing ch against sends: Write holds it to read while it
	// sends, Close to write while it closes.
	mu     sync.RWMutex
	closed bool
	ch     chan item[T]
	flush  chan chan struct{}
	done   chan struct{}
}

type item[T any] struct {
	v T
	// written receives the outcome of the batch that held the item
	// (buffered: the writer never waits for the caller).
	written chan error
}

// Options sizes a Writer; zero values take the defaults.
type Options struct {
	Queue    int // items waiting before a caller writes its own (default 8192)
	MaxBatch int // items a transaction holds at most (default 1000)
	// Failed, if set, hears of a batch that could not be written after
	// its retries (to log it by count; its callers get the error too).
	Failed func(items int, err error)
}

// New starts a writer whose batches are written by write, which should
// write them all in one transaction: on its error, every item of the batch
// failed. Close stops it.
func New[T any](opt Options, write func(ctx context.Context, batch []T) error) *Writer[T] {
	if opt.Queue <= 0 {
		opt.Queue = 8192
	}
	if opt.MaxBatch <= 0 {
		opt.MaxBatch = 1000
	}
	w := &Writer[T]{write: write, maxBatch: opt.MaxBatch, failed: opt.Failed, ch: make(chan item[T], opt.Queue),
		flush: make(chan chan struct{}), done: make(chan struct{})}
	go w.run()
	return w
}

// Write has v written and waits until the batch holding it has committed,
// or ctx ends (v may then still be written). When the queue is full, or the
// writer was closed, it writes v in a transaction of its own.
func (w *Writer[T]) Write(ctx context.Context, v T) error {
	it := item[T]{v: v, written: make(chan error, 1)}
	w.mu.RLock()
	queued := false
	if !w.closed {
		select {
		case w.ch <- it:
			queued = true
		default:
		}
	}
	w.mu.RUnlock()
	if !queued {
		return w.write(ctx, []T{v})
	}
	select {
	case err := <-it.written:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *Writer[T]) run() {
	defer close(w.done)
	var batch []item[T]
	for {
		select {
		case it, open := <-w.ch:
			if open {
				batch, open = w.drain(append(batch, it))
			}
			w.writeOut(batch)
			if !open {
				return
			}
		case done := <-w.flush:
			for {
				var open bool
				batch, open = w.drain(batch[:0])
				w.writeOut(batch)
				if !open {
					close(done)
					return
				}
				if len(batch) < w.maxBatch {
					break
				}
			}
			close(done)
		}
		batch = batch[:0]
	}
}

// drain adds to the batch whatever else is waiting, up to maxBatch; false
// when the queue was closed.
func (w *Writer[T]) drain(batch []item[T]) ([]item[T], bool) {
	for len(batch) < w.maxBatch {
		select {
		case it, open := <-w.ch:
			if !open {
				return batch, false
			}
			batch = append(batch, it)
		default:
			return batch, true
		}
	}
	return batch, true
}

// writeOut writes a batch and tells each item's caller the outcome. A
// batch that fails twice is written an item at a time, so that one item
// the database refuses fails its own caller only (a database that is away
// fails them all, each after one more try). A commit whose outcome was
// lost and is tried again may write its items twice: an audit log then
// records a read twice, never not at all.
func (w *Writer[T]) writeOut(batch []item[T]) {
	if len(batch) == 0 {
		return
	}
	vs := make([]T, len(batch))
	for i, it := range batch {
		vs[i] = it.v
	}
	err := w.try(vs)
	if err != nil {
		time.Sleep(200 * time.Millisecond)
		err = w.try(vs)
	}
	if err == nil || len(batch) == 1 {
		if err != nil && w.failed != nil {
			w.failed(len(batch), err)
		}
		for _, it := range batch {
			it.written <- err
		}
		return
	}
	failed := 0
	var last error
	for _, it := range batch {
		err := w.try([]T{it.v})
		if err != nil {
			failed, last = failed+1, err
		}
		it.written <- err
	}
	if failed > 0 && w.failed != nil {
		w.failed(failed, last)
	}
}

// try writes vs once, within a deadline of its own.
func (w *Writer[T]) try(vs []T) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return w.write(ctx, vs)
}

// Flush waits until everything handed over so far has been written.
func (w *Writer[T]) Flush(ctx context.Context) error {
	done := make(chan struct{})
	select {
	case w.flush <- done:
	case <-w.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close writes what is waiting and stops the writer. Writes after Close
// write their own transactions.
func (w *Writer[T]) Close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.ch)
	}
	w.mu.Unlock()
	<-w.done
}
