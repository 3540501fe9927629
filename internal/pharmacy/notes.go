package pharmacy

import (
	"context"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/groupcommit"
)

// A check reads and changes nothing; its call history row and audit entry
// are written by a groupcommit.Writer in transactions of up to a thousand
// checks (a group commit), so that a thousand checks a second do not queue
// one by one for the audit log's lock. A check answers only once the
// transaction holding its entry has committed: no answer leaves without its
// audit entry, and a crash loses none that was answered. Reading the call
// history, Flush and Close write what is waiting first; a check that finds
// the queue full writes its own. A batch is one Repo.WriteCalls, which on
// PostgreSQL is two round trips (store.insertAudited); the writer starts
// the next batch as soon as one has committed, with whatever queued
// meanwhile, so a check waits for at most the batch being written and its
// own, and no timer.

type note struct {
	call  Call
	entry audit.Entry
}

func (s *Service) startNotes() {
	s.notes = groupcommit.New(groupcommit.Options{
		Failed: func(n int, err error) {
			// By count, never by content.
			s.cfg.Log.Error("pharmacy: check notes not written", "checks", n, "err", err)
		},
	}, s.writeBatch)
}

// note has a check's call row and audit entry written and waits until
// they are committed, or ctx ends.
func (s *Service) note(ctx context.Context, n note) error { return s.notes.Write(ctx, n) }

func (s *Service) writeBatch(ctx context.Context, batch []note) error {
	cs := make([]*Call, len(batch))
	es := make([]audit.Entry, len(batch))
	for i := range batch {
		cs[i], es[i] = &batch[i].call, batch[i].entry
	}
	return s.repo.WriteCalls(ctx, cs, es)
}

// Flush writes the checks' notes waiting so far.
func (s *Service) Flush(ctx context.Context) error { return s.notes.Flush(ctx) }

// Close writes what is waiting and stops the writer; no check may follow.
func (s *Service) Close() { s.notes.Close() }
