package securemail

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/org"
	"github.com/etuus/etuus/internal/outbox"
	tok "github.com/etuus/etuus/internal/token"
)

// Repo is where links, the messages written through them and the threads
// they open are kept; internal/store implements it in SQL and decides
// nothing (whether a link still works is the Service's to say).
//
// Errors, for every method: a *fault.Error of kind fault.NotFound when the
// row asked for does not exist, fault.Unavailable when the database stayed
// busy through InTx's retries, and unclassified errors for faults.
type Repo interface {
	// InTx runs fn in one read-write transaction, as message.Repo's does.
	InTx(ctx context.Context, fn func(tx Tx) error) error
	// Now is the database's clock, the one transactions read theirs from.
	Now() time.Time
	// RecentLinks counts the links asked for by an address and by a
	// client since an instant.
	RecentLinks(ctx context.Context, emailHash, clientHash string, since time.Time) (byEmail, byClient int, err error)
	// LinkByToken finds a link by its token's hash, used or not.
	LinkByToken(ctx context.Context, tokenHash string) (Link, error)
	// ThreadByReadToken finds the thread whose reading link has the hash.
	ThreadByReadToken(ctx context.Context, tokenHash string) (message.Thread, error)
	// StoredFile reads an attachment with its bytes and where it belongs.
	StoredFile(ctx context.Context, id string) (message.StoredFile, error)
	// ThreadAttachmentBytes is the size of the attachments the sender
	// (not staff) has sent in a thread, all together.
	ThreadAttachmentBytes(ctx context.Context, threadID string) (int64, error)
}

// Tx is one transaction of a use case, with a fixed instant.
type Tx interface {
	Now() time.Time
	// InsertLink stores a new link, setting its ID; only the token's hash
	// and the hashes of the address and the client are kept beside it.
	InsertLink(ctx context.Context, l *Link, tokenHash, emailHash, clientHash string) error
	// LinkForUpdate finds a link by its token's hash and locks it until
	// the transaction ends, so that of two sends on one link one waits for
	// the other.
	LinkForUpdate(ctx context.Context, tokenHash string) (Link, error)
	// SpendLink marks a link used at the instant.
	SpendLink(ctx context.Context, id string, at time.Time) error
	// InsertMessage stores what was written through a link, setting its ID.
	InsertMessage(ctx context.Context, m *Message) error
	// InsertThread and AddMessage are message.Tx's.
	InsertThread(ctx context.Context, t *message.Thread) error
	AddMessage(ctx context.Context, m *message.Message, files []message.File) error
	// ThreadForUpdate, UpdateThread and ThreadMessages are message.Tx's.
	ThreadForUpdate(ctx context.Context, id string) (message.Thread, error)
	UpdateThread(ctx context.Context, t message.Thread) error
	ThreadMessages(ctx context.Context, threadID string, internal bool) ([]message.Message, error)
	// ThreadAttachmentBytes is Repo's, read in the transaction; call it
	// with the thread locked (ThreadForUpdate), which puts the sender's
	// replies one after the other.
	ThreadAttachmentBytes(ctx context.Context, threadID string) (int64, error)
	Enqueue(ctx context.Context, it *outbox.Item) error
	Audit(ctx context.Context, es ...audit.Entry) error
}

// Config is the secure e-mail route's settings.
type Config struct {
	Units  []Unit     // the units reachable; nil: DefaultUnits
	Limits RateLimits // zero: DefaultRateLimits
	// On says e-mail can be sent (the links go out through the outbox);
	// when false every link request is refused as unavailable.
	On bool
	// LinkURL is the address of the writing page a token opens; Texts
	// gives the e-mail's texts. Both are needed when On.
	LinkURL func(token string) string
	Texts   outbox.Translate
	// UnitName names a unit in a language; nil: the reference units' names.
	UnitName func(unitID, lang string) string
	// Wake nudges the outbox worker after a link was queued; may be nil.
	Wake func()
	// Log notes requests refused silently (rate limited by address); nil
	// logs nothing.
	Log *slog.Logger
	// Attachments is how a reply from a reading link takes files: secure
	// messaging's own (message.Service.Attachments), so that they are
	// checked, scanned and stored as a signed-in customer's are. Its
	// QuotaBytes bounds the sender's attachments in one thread. Zero: the
	// default limits, unscanned.
	Attachments message.Attachments
}

// Service is the secure e-mail route's use cases: asking for a link,
// writing through it, and reading a unit's answer through the
// reading link. None has a signed-in actor: the link is the credential,
// and a link that is unknown, used or expired is fault.NotFound alike.
type Service struct {
	repo Repo
	cfg  Config
}

// NewService is the secure e-mail service over repo.
func NewService(repo Repo, cfg Config) (*Service, error) {
	if repo == nil {
		return nil, errors.New("securemail: NewService needs a Repo")
	}
	if cfg.Units == nil {
		cfg.Units = DefaultUnits()
	}
	if cfg.Limits == (RateLimits{}) {
		cfg.Limits = DefaultRateLimits()
	}
	if cfg.On && (cfg.LinkURL == nil || cfg.Texts == nil) {
		return nil, errors.New("securemail: a Service that is on needs LinkURL and Texts")
	}
	if cfg.UnitName == nil {
		units, _, err := org.Reference()
		if err != nil {
			return nil, err
		}
		cfg.UnitName = func(id, lang string) string {
			for _, u := range units {
				if u.ID == id {
					return u.Name(lang)
				}
			}
			return id
		}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Service{repo: repo, cfg: cfg}, nil
}

// Limits are the bounds of a reply's attachments.
func (s *Service) Limits() message.Limits { return s.cfg.Attachments.Limits.WithDefaults() }

// Units are the units reachable by secure e-mail.
func (s *Service) Units() []Unit { return s.cfg.Units }

// On says links can be sent.
func (s *Service) On() bool { return s.cfg.On }

// LinkRequest is a request for a link.
type LinkRequest struct {
	Email  string // as typed
	UnitID string
	Lang   string // the language of the page, which the e-mail is written in
	Client string // the requester's network address, kept only as a hash
}

// RequestLink sends a one-time link to write to a unit, by e-mail through
// the outbox, queued in the transaction that stores the link. It returns
// how many days the link works. When the address has asked for too many
// links it sends nothing and answers the same, so that the answer tells
// nothing about anyone's address; too many requests from one client are
// fault.TooMany.
func (s *Service) RequestLink(ctx context.Context, req LinkRequest) (days int, err error) {
	if !s.cfg.On {
		return 0, fault.New(fault.Unavailable, "securemail.error.off")
	}
	email, err := NormalizeEmail(req.Email)
	var unit Unit
	for _, u := range s.cfg.Units {
		if u.ID == req.UnitID {
			unit = u
		}
	}
	if unit.ID == "" {
		err = errors.Join(err, fault.InvalidField("unit", "securemail.error.unit", nil))
	}
	if err != nil {
		return 0, err // the address and the unit, both when both are wrong
	}
	days = int(unit.Validity.Hours() / 24)
	emailHash, clientHash := hashOf("email:"+email), hashOf("client:"+req.Client)
	lim := s.cfg.Limits
	byEmail, byClient, err := s.repo.RecentLinks(ctx, emailHash, clientHash, s.repo.Now().Add(-lim.Window))
	switch {
	case err != nil:
		return 0, err
	case byClient >= lim.PerClient:
		return 0, fault.New(fault.TooMany, "error.too_many")
	case byEmail >= lim.PerAddress:
		s.cfg.Log.Info("secure e-mail link rate limited by address")
		return days, nil
	}
	token := tok.Random()
	text := s.cfg.Texts(req.Lang, "securemail.mail.body", "Unit", s.cfg.UnitName(unit.ID, req.Lang),
		"Link", s.cfg.LinkURL(token), "Days", days)
	err = s.repo.InTx(ctx, func(tx Tx) error {
		l := Link{Email: email, UnitID: unit.ID, Lang: req.Lang, CreatedAt: tx.Now(), ExpiresAt: tx.Now().Add(unit.Validity)}
		if err := tx.InsertLink(ctx, &l, tok.Hash(token), emailHash, clientHash); err != nil {
			return err
		}
		if err := tx.Enqueue(ctx, &outbox.Item{Channel: outbox.Email, Recipient: email, Lang: req.Lang,
			Kind: NoticeLink, Payload: text}); err != nil {
			return err
		}
		return tx.Audit(ctx, anonymous("secure_email.link_sent", "secure_link:"+l.ID, "unit="+l.UnitID))
	})
	if err != nil {
		return 0, err
	}
	if s.cfg.Wake != nil {
		s.cfg.Wake()
	}
	return days, nil
}

// anonymous is an audit entry of someone known by no name.
func anonymous(action, object, detail string) audit.Entry {
	return audit.Entry{ActorKind: audit.ActorAnon, ActorID: "-", Action: action, Object: object, Detail: detail}
}

// usable reports whether a link can still be written through.
func usable(l Link, now time.Time) bool { return l.UsedAt.IsZero() && now.Before(l.ExpiresAt) }

func linkGone(cause error) error { return fault.Wrap(fault.NotFound, "securemail.error.link", cause) }

// Link finds the unused, unexpired link a token opens.
func (s *Service) Link(ctx context.Context, token string) (Link, error) {
	l, err := s.repo.LinkByToken(ctx, tok.Hash(token))
	switch {
	case err != nil:
		return Link{}, err
	case !usable(l, s.repo.Now()):
		return Link{}, linkGone(fmt.Errorf("link %s used or expired", l.ID))
	}
	return l, nil
}

// Send stores what was written through a link as a thread in the unit's
// queue and spends the link, in one transaction: of two sends racing on
// one link, one finds it spent (fault.NotFound).
func (s *Service) Send(ctx context.Context, token, subject, body string) (Message, error) {
	if err := CheckMessage(subject, body); err != nil {
		return Message{}, err
	}
	m := Message{Subject: strings.TrimSpace(subject), Body: strings.TrimSpace(body)}
	err := s.repo.InTx(ctx, func(tx Tx) error {
		l, err := tx.LinkForUpdate(ctx, tok.Hash(token))
		switch {
		case err != nil:
			return err
		case !usable(l, tx.Now()):
			return linkGone(fmt.Errorf("link %s used or expired", l.ID))
		}
		if err := tx.SpendLink(ctx, l.ID, tx.Now()); err != nil {
			return err
		}
		m.ID, m.LinkID, m.UnitID, m.Email, m.CreatedAt = "", l.ID, l.UnitID, l.Email, tx.Now()
		if err := tx.InsertMessage(ctx, &m); err != nil {
			return err
		}
		// The unit answers it as any thread in its queue.
		t := message.NewEmailThread(m.ID, m.Email, m.UnitID, l.Lang, m.Subject, tx.Now())
		if err := tx.InsertThread(ctx, &t); err != nil {
			return err
		}
		first := message.Message{ID: m.ID, ThreadID: t.ID, Author: message.AuthorCustomer, Body: m.Body, CreatedAt: tx.Now()}
		if err := tx.AddMessage(ctx, &first, nil); err != nil {
			return err
		}
		return tx.Audit(ctx, anonymous("secure_email.message", "secure_message:"+m.ID, "unit="+m.UnitID))
	})
	if err != nil {
		return Message{}, err
	}
	return m, nil
}

// answerThread finds the thread a reading link opens, while it works.
func (s *Service) answerThread(ctx context.Context, token string) (message.Thread, error) {
	t, err := s.repo.ThreadByReadToken(ctx, tok.Hash(token))
	switch {
	case err != nil:
		return t, err
	case t.PartyKind != message.PartyEmail || !s.repo.Now().Before(t.ReadUntil):
		return t, fault.Wrap(fault.NotFound, "message.error.read_link", fmt.Errorf("reading link of %s expired", t.ID))
	}
	return t, nil
}

// Answer opens the thread a reading link points to and marks it read by
// its sender: the messages the sender may see. The link works until it
// expires or the unit answers again.
func (s *Service) Answer(ctx context.Context, token string) (message.Thread, []message.Message, error) {
	t, err := s.answerThread(ctx, token)
	if err != nil {
		return t, nil, err
	}
	var msgs []message.Message
	err = s.repo.InTx(ctx, func(tx Tx) error {
		locked, err := tx.ThreadForUpdate(ctx, t.ID)
		if err != nil {
			return err
		}
		t = locked
		if t.ReadBy(message.AuthorCustomer) {
			if err := tx.UpdateThread(ctx, t); err != nil {
				return err
			}
		}
		msgs, err = tx.ThreadMessages(ctx, t.ID, false)
		return err
	})
	return t, msgs, err
}

// MaxRepliesPerDay bounds the replies through one reading link in 24
// hours, the first message of the thread included.
const MaxRepliesPerDay = 5

// UploadAllowance is, for the thread a reading link opens while it works,
// the thread's ID and how many bytes of attachments its sender may still
// send there (the thread's quota less what they sent). The web front stops
// receiving a file past it; Reply checks the quota again under the
// thread's lock.
func (s *Service) UploadAllowance(ctx context.Context, token string) (threadID string, left int64, err error) {
	t, err := s.answerThread(ctx, token)
	if err != nil {
		return "", 0, err
	}
	used, err := s.repo.ThreadAttachmentBytes(ctx, t.ID)
	if err != nil {
		return "", 0, err
	}
	return t.ID, s.cfg.Attachments.Left(used), nil
}

// Reply adds what the sender writes from their reading link, with its
// attachments, to the same thread, back in the unit's queue, while the
// link works. The files are checked and scanned as a signed-in customer's
// (message.Attachments.PrepareFiles) and stored with the message in its
// transaction, counted against the thread's quota under the thread's lock
// (message.ThreadQuotaError past it): a refused reply stores nothing. The
// link keeps working, so the sender sees their reply; a new answer
// replaces it.
func (s *Service) Reply(ctx context.Context, token, body string, files []message.Upload) (message.Message, error) {
	var m message.Message
	lim := s.Limits()
	lim.MaxBody = MaxBody
	// The text's and the files' problems together, before the link is
	// read, as the signed-in customer's form does.
	if err := message.CheckReply(body, files, lim); err != nil {
		return m, err
	}
	t, err := s.answerThread(ctx, token)
	if err != nil {
		return m, err
	}
	fs, err := s.cfg.Attachments.PrepareFiles(ctx, files)
	if err != nil {
		return m, err
	}
	err = s.repo.InTx(ctx, func(tx Tx) error {
		locked, err := tx.ThreadForUpdate(ctx, t.ID)
		if err != nil {
			return err
		}
		// A link anyone holding it can write through is bounded: at most
		// MaxRepliesPerDay replies in 24 hours (counted under the thread's
		// lock, so racing replies cannot pass it together).
		msgs, err := tx.ThreadMessages(ctx, locked.ID, false)
		if err != nil {
			return err
		}
		recent := 0
		for _, x := range msgs {
			if x.Author == message.AuthorCustomer && x.CreatedAt.After(tx.Now().Add(-24*time.Hour)) {
				recent++
			}
		}
		if recent >= MaxRepliesPerDay {
			return &fault.Error{Kind: fault.TooMany, Key: "securemail.error.too_many_replies", Data: map[string]any{"Count": MaxRepliesPerDay}}
		}
		if len(fs) > 0 {
			used, err := tx.ThreadAttachmentBytes(ctx, locked.ID)
			if err != nil {
				return err
			}
			if err := s.cfg.Attachments.CheckQuota(used, fs, message.ThreadQuotaError); err != nil {
				return err
			}
		}
		locked.CustomerWrote(tx.Now())
		if err := tx.UpdateThread(ctx, locked); err != nil {
			return err
		}
		m = message.Message{ThreadID: locked.ID, Author: message.AuthorCustomer, Body: strings.TrimSpace(body), CreatedAt: tx.Now()}
		if err := tx.AddMessage(ctx, &m, fs); err != nil {
			return err
		}
		return tx.Audit(ctx, anonymous("secure_email.reply", "thread:"+locked.ID, fmt.Sprintf("unit=%s files=%d", locked.UnitID, len(fs))))
	})
	return m, err
}

// AnswerAttachment reads an attachment of the thread a reading link
// points to, while the link works, and not of an internal note.
func (s *Service) AnswerAttachment(ctx context.Context, token, id string) (message.File, error) {
	t, err := s.answerThread(ctx, token)
	if err != nil {
		return message.File{}, err
	}
	f, err := s.repo.StoredFile(ctx, id)
	switch {
	case err != nil:
		return message.File{}, err
	case f.ThreadID != t.ID || f.Internal:
		return message.File{}, fault.Wrap(fault.NotFound, "", fmt.Errorf("attachment %s is not for reading link of %s", id, t.ID))
	}
	return f.File, nil
}

// hashOf keeps an address or a client apart from its owner: a truncated
// SHA-256, enough to count requests.
func hashOf(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:16])
}
