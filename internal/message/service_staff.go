package message

import (
	"context"
	"fmt"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/outbox"
	"github.com/etuus/etuus/internal/token"
)

// Queue is a page of a unit's message queue as one filter shows it.
type Queue struct {
	Threads []StaffThread
	Next    QueueCursor // where the next page starts; zero on the last page
	Waiting int         // the unit's threads waiting for an answer, whatever the filter; above WaitingCap means more than that
	Oldest  time.Time   // when the longest of those waits began
}

// Queue lists the staff member's unit's queue by the filter (its UnitID
// and StaffID are the actor's) and the service-level figures. The list
// shows customers' names, so the read is audited for each customer listed:
// the page's one entry commits (with other reads', Repo.RecordViews)
// before the queue is returned.
func (s *Service) Queue(ctx context.Context, a access.Actor, f QueueFilter) (Queue, error) {
	if err := s.staff(a); err != nil {
		return Queue{}, err
	}
	f.UnitID, f.StaffID = a.Unit, a.ID
	if f.Limit <= 0 {
		f.Limit = DefaultQueueLimit
	}
	// Two reads outside a transaction (no BEGIN and COMMIT around them):
	// the waiting count may be a moment newer than the list, which a
	// queue that others work on at the same time is anyway.
	var before time.Time
	if f.Waiting && f.OlderThan > 0 {
		before = s.repo.Now().Add(-f.OlderThan)
	}
	// One more than the page, to know whether another follows.
	g := f
	g.Limit++
	var q Queue
	var err error
	if q.Threads, err = s.repo.UnitThreads(ctx, g, before); err != nil {
		return Queue{}, err
	}
	if len(q.Threads) > f.Limit {
		q.Threads = q.Threads[:f.Limit]
		last := q.Threads[f.Limit-1]
		q.Next = QueueCursor{At: last.LastMessageAt, ID: last.ID}
		if f.Waiting {
			q.Next.At = last.WaitingSince
		}
	}
	if q.Waiting, q.Oldest, err = s.repo.UnitWaiting(ctx, a.Unit); err != nil {
		return Queue{}, err
	}
	// One entry for the page, listing the customers it showed.
	var ids []string
	for _, t := range q.Threads {
		if t.PartyKind == PartyCustomer {
			ids = append(ids, t.PartyID)
		}
	}
	if len(ids) == 0 {
		return q, nil
	}
	if err := s.repo.RecordViews(ctx, audit.View(a.AuditKind(), a.ID, "thread.queue_read", ids)); err != nil {
		return Queue{}, err
	}
	return q, nil
}

// StaffThread opens a thread of the staff member's unit: every message,
// internal notes too, and the notices sent about it. It marks the thread
// read by staff and audits the read of the customer's data.
func (s *Service) StaffThread(ctx context.Context, a access.Actor, threadID string) (StaffView, error) {
	if err := s.staff(a); err != nil {
		return StaffView{}, err
	}
	var v StaffView
	err := s.repo.InTx(ctx, func(tx Tx) error {
		t, err := unitThread(ctx, tx, a, threadID)
		if err != nil {
			return err
		}
		if t.ReadBy(AuthorStaff) {
			if err := tx.UpdateThread(ctx, t); err != nil {
				return err
			}
		}
		if v.StaffThread, err = tx.Names(ctx, t); err != nil {
			return err
		}
		if v.Messages, err = tx.ThreadMessages(ctx, t.ID, true); err != nil {
			return err
		}
		if v.Notices, err = tx.ThreadNotices(ctx, t.ID); err != nil {
			return err
		}
		var c Consent
		if t.PartyKind == PartyCustomer {
			if c, err = tx.Consent(ctx, t.PartyID); err != nil {
				return err
			}
		}
		v.Reach = AnswerReach(t, c)
		return tx.Audit(ctx, entry(a, "thread.read", t.Party(), "thread:"+t.ID, ""))
	})
	return v, err
}

// AddNote adds a staff member's internal note to a thread of their unit:
// part of the thread for staff, never shown to the customer, counted or
// noticed, and it changes nothing the queue shows.
func (s *Service) AddNote(ctx context.Context, a access.Actor, threadID, body string, files []Upload) (Message, error) {
	return s.staffWrite(ctx, a, threadID, body, files, true)
}

// staffWrite stores a staff member's answer or note. An answer tells the
// customer in the same transaction: by the channel they chose and
// verified, or for a secure e-mail sender with a link to read it (valid until the next answer or for ReadFor).
// The notice never carries the answer.
func (s *Service) staffWrite(ctx context.Context, a access.Actor, threadID, body string, ups []Upload, internal bool) (Message, error) {
	if err := s.staff(a); err != nil {
		return Message{}, err
	}
	if err := CheckReply(body, ups, s.cfg.Limits); err != nil {
		return Message{}, err
	}
	files, err := s.Attachments().PrepareFiles(ctx, ups)
	if err != nil {
		return Message{}, err
	}
	var m Message
	var p Party
	noticed := false
	err = s.repo.InTx(ctx, func(tx Tx) error {
		noticed = false
		t, err := unitThread(ctx, tx, a, threadID)
		if err != nil {
			return err
		}
		p = t.Party()
		if !internal {
			t.StaffAnswered(a.ID, tx.Now())
			if err := tx.UpdateThread(ctx, t); err != nil {
				return err
			}
		}
		m = Message{ThreadID: t.ID, Author: AuthorStaff, AuthorID: a.ID, Body: body, Internal: internal, CreatedAt: tx.Now()}
		if err := tx.AddMessage(ctx, &m, files); err != nil {
			return err
		}
		action := "thread.staff_reply"
		if internal {
			action = "thread.internal_note"
		}
		if err := tx.Audit(ctx, entry(a, action, p, "thread:"+t.ID, "")); err != nil {
			return err
		}
		if internal {
			return nil
		}
		noticed, err = s.notice(ctx, tx, t)
		return err
	})
	if err != nil {
		return Message{}, err
	}
	if !internal {
		s.cache.drop(p)
	}
	if noticed {
		s.wake()
	}
	return m, nil
}

// notice queues the notice of an answer, if the party gets one.
func (s *Service) notice(ctx context.Context, tx Tx, t Thread) (bool, error) {
	switch t.PartyKind {
	case PartyCustomer:
		c, err := tx.Consent(ctx, t.PartyID)
		if r := AnswerReach(t, c); err != nil || (r != ReachEmail && r != ReachSMS) {
			return false, err
		}
		lang, err := tx.PersonLang(ctx, t.PartyID)
		if err != nil {
			return false, err
		}
		return true, tx.Enqueue(ctx, c.Notice(NoticeNewMessage, lang, t.PartyID, t.ID))
	case PartyEmail:
		if s.cfg.ReadLink == nil {
			return false, fault.New(fault.Unavailable, "message.error.no_read_link")
		}
		// A new answer makes a new link; the one sent before stops working.
		secret := token.Random()
		if err := tx.SetReadToken(ctx, t.ID, token.Hash(secret), tx.Now().Add(s.cfg.ReadFor)); err != nil {
			return false, err
		}
		return true, tx.Enqueue(ctx, &outbox.Item{Channel: outbox.Email, Recipient: t.Email, Lang: t.Lang, Kind: NoticeSecureReply,
			Payload: s.cfg.ReadLink(secret), ThreadID: t.ID})
	}
	return false, nil
}

// Assign takes a thread of the staff member's unit for themselves.
func (s *Service) Assign(ctx context.Context, a access.Actor, threadID string) error {
	return s.change(ctx, a, threadID, "thread.assigned", func(tx Tx, t *Thread) (string, error) {
		t.Assign(a.ID)
		return "", nil
	})
}

// Close closes a thread of the staff member's unit; the customer's next
// message opens it again.
func (s *Service) Close(ctx context.Context, a access.Actor, threadID string) error {
	return s.change(ctx, a, threadID, "thread.closed", func(tx Tx, t *Thread) (string, error) {
		t.Close()
		return "", nil
	})
}

// Move sends a misrouted thread of the staff member's unit to another
// unit's queue, unassigned, with an internal note of the move, and audits
// it. The unit must exist and be another (fault.Invalid on "unit").
func (s *Service) Move(ctx context.Context, a access.Actor, threadID, toUnit string) error {
	return s.change(ctx, a, threadID, "thread.moved", func(tx Tx, t *Thread) (string, error) {
		from := t.UnitID
		if toUnit != from {
			ok, err := tx.UnitExists(ctx, toUnit)
			if err != nil {
				return "", err
			}
			if !ok {
				return "", fault.InvalidField("unit", "message.error.move_unit", nil)
			}
		}
		if err := t.MoveTo(toUnit); err != nil {
			return "", err
		}
		note := Message{ThreadID: t.ID, Author: AuthorSystem, Body: "moved:" + from + ":" + toUnit, Internal: true, CreatedAt: tx.Now()}
		return "from=" + from + " to=" + toUnit, tx.AddMessage(ctx, &note, nil)
	})
}

func errMoveSame() error { return fault.InvalidField("unit", "message.error.move_same", nil) }

// change locks a thread of the staff member's unit, applies fn's change,
// writes the thread and audits the action with fn's detail.
func (s *Service) change(ctx context.Context, a access.Actor, threadID, action string, fn func(tx Tx, t *Thread) (detail string, err error)) error {
	if err := s.staff(a); err != nil {
		return err
	}
	var p Party
	err := s.repo.InTx(ctx, func(tx Tx) error {
		t, err := unitThread(ctx, tx, a, threadID)
		if err != nil {
			return err
		}
		p = t.Party()
		detail, err := fn(tx, &t)
		if err != nil {
			return err
		}
		if err := tx.UpdateThread(ctx, t); err != nil {
			return err
		}
		return tx.Audit(ctx, entry(a, action, p, "thread:"+t.ID, detail))
	})
	if err == nil {
		// A closed or moved thread shows so in the customer's folders.
		s.cache.drop(p)
	}
	return err
}

// staffAttachment reads an attachment of a thread in the staff member's
// unit and audits the read in the same transaction.
func (s *Service) staffAttachment(ctx context.Context, a access.Actor, id string) (File, error) {
	if err := s.staff(a); err != nil {
		return File{}, err
	}
	var f StoredFile
	err := s.repo.InTx(ctx, func(tx Tx) error {
		var err error
		f, err = tx.StoredFile(ctx, id)
		switch {
		case err != nil:
			return err
		case f.UnitID != a.Unit:
			return fault.Wrap(fault.NotFound, "", fmt.Errorf("attachment %s is in unit %s, not %s", id, f.UnitID, a.Unit))
		}
		return tx.Audit(ctx, entry(a, "thread.attachment_read", f.Party, "attachment:"+id, "thread="+f.ThreadID))
	})
	return f.File, err
}
