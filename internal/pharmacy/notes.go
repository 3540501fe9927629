package pharmacy

import (
	"context"
	"sync"
	"time"

	"github.com/etuus/etuus/internal/audit"
)

// A check reads and changes nothing; its call history row and audit entry
// are written by one goroutine in transactions of up to maxBatch checks
// (a group commit), so that a thousand checks a second do not queue one by
// one for the audit log's lock. A check answers only once the transaction
// holding its entry has committed: no answer leaves without its audit
// entry, and a crash loses none that was answered. Reading the call
// history, Flush and Close write what is waiting first; a check that finds
// the queue full writes its own.

const (
	noteQueue = 8192
	maxBatch  = 1000
)

type note struct {
	call  Call
	entry audit.Entry
	// written receives the outcome of the transaction that held the
	// note (buffered: the writer never waits for the check).
	written chan error
}

type notes struct {
	once  sync.Once
	ch    chan note
	flush chan chan struct{}
	done  chan struct{}
}

func (s *Service) startNotes() {
	s.notes = &notes{ch: make(chan note, noteQueue), flush: make(chan chan struct{}), done: make(chan struct{})}
	go s.writeNotes()
}

// note has a check's call row and audit entry written and waits until
// they are committed, or ctx ends.
func (s *Service) note(ctx context.Context, n note) error {
	n.written = make(chan error, 1)
	select {
	case s.notes.ch <- n:
	default:
		return s.writeBatch(ctx, []note{n})
	}
	select {
	case err := <-n.written:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Service) writeNotes() {
	defer close(s.notes.done)
	var batch []note
	for {
		select {
		case n, open := <-s.notes.ch:
			if open {
				batch, open = s.drain(append(batch, n))
			}
			s.writeOut(batch)
			if !open {
				return
			}
		case done := <-s.notes.flush:
			for open := true; ; {
				batch, open = s.drain(batch[:0])
				s.writeOut(batch)
				if !open {
					close(done)
					return
				}
				if len(batch) < maxBatch {
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
func (s *Service) drain(batch []note) ([]note, bool) {
	for len(batch) < maxBatch {
		select {
		case n, open := <-s.notes.ch:
			if !open {
				return batch, false
			}
			batch = append(batch, n)
		default:
			return batch, true
		}
	}
	return batch, true
}

// writeOut writes a batch, trying a few times while the database is away;
// what cannot be written is logged by count (never by content).
func (s *Service) writeOut(batch []note) {
	if len(batch) == 0 {
		return
	}
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = s.writeBatch(ctx, batch)
		cancel()
		if err == nil {
			break
		}
		time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond)
	}
	if err != nil {
		s.cfg.Log.Error("pharmacy: check notes not written", "checks", len(batch), "err", err)
	}
	for _, n := range batch {
		if n.written != nil {
			n.written <- err
		}
	}
}

func (s *Service) writeBatch(ctx context.Context, batch []note) error {
	return s.repo.InTx(ctx, func(tx Tx) error {
		es := make([]audit.Entry, len(batch))
		for i := range batch {
			if err := tx.InsertCall(ctx, &batch[i].call); err != nil {
				return err
			}
			es[i] = batch[i].entry
		}
		return tx.Audit(ctx, es...)
	})
}

// Flush writes the checks' notes waiting so far.
func (s *Service) Flush(ctx context.Context) error {
	done := make(chan struct{})
	select {
	case s.notes.flush <- done:
	case <-s.notes.done:
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

// Close writes what is waiting and stops the writer; no check may follow.
func (s *Service) Close() {
	s.notes.once.Do(func() { close(s.notes.ch) })
	<-s.notes.done
}
