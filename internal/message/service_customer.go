package message

import (
	"context"
	"errors"
	"fmt"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fault"
)

// Draft is what a customer writes to start a thread.
type Draft struct {
	Lang          string // the customer's language, for the thread and a code sent
	Subject       string // a subject key of the catalogue
	Specification string // a specification key within it
	Title         string
	Body          string
	Files         []Upload
	// Consent is the notification choice made on the form, as given; nil
	// leaves the stored choice as it is.
	Consent *Consent
}

// Send starts a customer's thread with its first message and attachments,
// in the queue of the unit the topic routes to, together with the
// notification choice made on the form: a refused choice (too many codes)
// stores neither. codeSent says the choice sent a verification code.
func (s *Service) Send(ctx context.Context, a access.Actor, d Draft) (t Thread, codeSent bool, err error) {
	p, err := customer(a)
	if err != nil {
		return t, false, err
	}
	cat := s.cfg.Catalogue
	// Every problem of the message and of the notice choice is reported
	// together, so that the form lists them all at once.
	bad := CheckNewMessage(cat, d.Subject, d.Specification, d.Title, d.Body, d.Files, s.cfg.Limits)
	var choice Consent
	if d.Consent != nil {
		var err error
		choice, err = s.checkConsent(*d.Consent)
		bad = errors.Join(bad, err)
	}
	if bad != nil {
		return t, false, bad
	}
	unit, err := cat.Route(d.Subject, d.Specification)
	if err != nil {
		return t, false, err
	}
	files, err := s.Attachments().PrepareFiles(ctx, d.Files)
	if err != nil {
		return t, false, err
	}
	err = s.repo.InTx(ctx, func(tx Tx) error {
		codeSent = false
		if err := s.checkQuota(ctx, tx, p, files); err != nil {
			return err
		}
		if d.Consent != nil {
			var err error
			if codeSent, err = s.setConsent(ctx, tx, a, d.Lang, choice); err != nil {
				return err
			}
		}
		var err error
		t, err = start(ctx, tx, a, p, unit, d, files, "")
		return err
	})
	if err != nil {
		return Thread{}, false, err
	}
	s.cache.drop(p)
	if codeSent {
		s.wake()
	}
	return t, codeSent, nil
}

// start opens a party's thread with the asker's first message and its
// files, and audits it (detail added to the entry's).
func start(ctx context.Context, tx Tx, a access.Actor, p Party, unit string, d Draft, files []File, detail string) (Thread, error) {
	t := NewCustomerThread(p, unit, d.Subject, d.Specification, d.Title, d.Lang, tx.Now())
	if err := tx.InsertThread(ctx, &t); err != nil {
		return t, err
	}
	m := Message{ThreadID: t.ID, Author: AuthorCustomer, AuthorID: a.ID, Body: d.Body, CreatedAt: tx.Now()}
	if err := tx.AddMessage(ctx, &m, files); err != nil {
		return t, err
	}
	return t, tx.Audit(ctx, entry(a, "thread.started", p, "thread:"+t.ID, "unit="+t.UnitID+detail))
}

// Reply adds a message to a thread: a customer's to one of their own
// threads, which opens it again in the unit's queue; staff's answer to a
// thread of their unit, which the customer is told of through the outbox
// in the same transaction (see AddNote for a note only staff see).
func (s *Service) Reply(ctx context.Context, a access.Actor, threadID, body string, files []Upload) (Message, error) {
	if a.Kind == access.Staff {
		return s.staffWrite(ctx, a, threadID, body, files, false)
	}
	p, err := customer(a)
	if err != nil {
		return Message{}, err
	}
	return s.partyReply(ctx, a, p, threadID, body, files)
}

// partyReply adds the asker's message to one of the party's threads, the
// attachments counted against the person's quota: a customer writing for
// themselves, or a person writing for an organisation.
func (s *Service) partyReply(ctx context.Context, a access.Actor, p Party, threadID, body string, files []Upload) (Message, error) {
	if err := CheckReply(body, files, s.cfg.Limits); err != nil {
		return Message{}, err
	}
	fs, err := s.Attachments().PrepareFiles(ctx, files)
	if err != nil {
		return Message{}, err
	}
	var m Message
	err = s.repo.InTx(ctx, func(tx Tx) error {
		if err := s.checkQuota(ctx, tx, Party{Kind: PartyCustomer, ID: a.ID}, fs); err != nil {
			return err
		}
		t, err := ownThread(ctx, tx, p, threadID)
		if err != nil {
			return err
		}
		t.CustomerWrote(tx.Now())
		if err := tx.UpdateThread(ctx, t); err != nil {
			return err
		}
		m = Message{ThreadID: t.ID, Author: AuthorCustomer, AuthorID: a.ID, Body: body, CreatedAt: tx.Now()}
		if err := tx.AddMessage(ctx, &m, fs); err != nil {
			return err
		}
		return tx.Audit(ctx, entry(a, "thread.customer_reply", p, "thread:"+t.ID, ""))
	})
	if err != nil {
		return Message{}, err
	}
	s.cache.drop(p)
	return m, nil
}

// Folder is one page of a customer's folder.
type Folder struct {
	Box Box
	// Threads are the page's threads with the fields a folder shows. They
	// may be shared with other callers: read them, never change them.
	Threads []Thread
	Total   int // the customer's threads, in any folder
	Unread  int // messages in them the customer has not opened
	Page    int // from 1
	More    bool
	// Version is the same number each time the same page of the same
	// threads is served, and another when anything in it may have changed;
	// 0 when the page is not kept. A view may keep what it made of the
	// page by it.
	Version uint64
}

// Folder lists a page (from 1) of the customer's inbox or sent folder,
// FolderPage threads a page, newest first.
func (s *Service) Folder(ctx context.Context, a access.Actor, box Box, page int) (Folder, error) {
	p, err := customer(a)
	if err != nil {
		return Folder{}, err
	}
	return s.folder(ctx, p, box, page)
}

// folder is a page of a party's folder.
func (s *Service) folder(ctx context.Context, p Party, box Box, page int) (Folder, error) {
	if box != Sent {
		box = Inbox
	}
	page = max(page, 1)
	epoch := s.cache.epochNow()
	stamp, err := s.repo.PartyStamp(ctx, p)
	if err != nil {
		return Folder{}, err
	}
	f := Folder{Box: box, Total: stamp.Threads, Unread: stamp.Unread, Page: page}
	if e, ok := s.cache.get(p, box, page, stamp); ok {
		f.Threads, f.More, f.Version = e.threads, e.more, e.version
		return f, nil
	}
	ts, err := s.repo.PartyThreads(ctx, p, box, FolderPage+1, (page-1)*FolderPage)
	if err != nil {
		return Folder{}, err
	}
	if len(ts) > FolderPage {
		ts, f.More = ts[:FolderPage], true
	}
	f.Threads = ts
	f.Version = s.cache.put(epoch, p, box, page, stamp, ts, f.More)
	return f, nil
}

// Thread opens one of the customer's threads and marks it read: the
// messages the customer may see, with their attachments.
func (s *Service) Thread(ctx context.Context, a access.Actor, threadID string) (Thread, []Message, error) {
	p, err := customer(a)
	if err != nil {
		return Thread{}, nil, err
	}
	return s.partyThread(ctx, p, threadID)
}

// partyThread opens one of the party's threads and marks it read by the
// party's side.
func (s *Service) partyThread(ctx context.Context, p Party, threadID string) (Thread, []Message, error) {
	var t Thread
	var msgs []Message
	read := false
	err := s.repo.InTx(ctx, func(tx Tx) error {
		var err error
		if t, err = ownThread(ctx, tx, p, threadID); err != nil {
			return err
		}
		if read = t.ReadBy(AuthorCustomer); read {
			if err := tx.UpdateThread(ctx, t); err != nil {
				return err
			}
		}
		msgs, err = tx.ThreadMessages(ctx, t.ID, false)
		return err
	})
	if err != nil {
		return Thread{}, nil, err
	}
	if read {
		s.cache.drop(p)
	}
	return t, msgs, nil
}

// MarkRead marks a thread read by the asker's side: a customer's own
// thread for the customer, a thread of the unit for its staff.
func (s *Service) MarkRead(ctx context.Context, a access.Actor, threadID string) error {
	var p Party
	side := AuthorCustomer
	if a.Kind == access.Staff {
		if err := s.staff(a); err != nil {
			return err
		}
		side = AuthorStaff
	} else {
		var err error
		if p, err = customer(a); err != nil {
			return err
		}
	}
	read := false
	err := s.repo.InTx(ctx, func(tx Tx) error {
		var t Thread
		var err error
		if side == AuthorStaff {
			t, err = unitThread(ctx, tx, a, threadID)
		} else {
			t, err = ownThread(ctx, tx, p, threadID)
		}
		if err != nil {
			return err
		}
		if read = t.ReadBy(side); !read {
			return nil
		}
		return tx.UpdateThread(ctx, t)
	})
	if err == nil && read && side == AuthorCustomer {
		s.cache.drop(p)
	}
	return err
}

// Attachment reads an attachment for download: for a customer, one of
// their own threads' that is not an internal note's; for staff, one of
// their unit's threads', and the read is audited. Any other is
// fault.NotFound.
func (s *Service) Attachment(ctx context.Context, a access.Actor, id string) (File, error) {
	if a.Kind == access.Staff {
		return s.staffAttachment(ctx, a, id)
	}
	p, err := customer(a)
	if err != nil {
		return File{}, err
	}
	f, err := s.repo.StoredFile(ctx, id)
	switch {
	case fault.Is(err, fault.NotFound):
		return File{}, fault.Wrap(fault.NotFound, "", err)
	case err != nil:
		return File{}, err
	case f.Party != p || f.Internal:
		return File{}, fault.Wrap(fault.NotFound, "", fmt.Errorf("attachment %s is not for %s", id, p.ID))
	}
	return f.File, nil
}
