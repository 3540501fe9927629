package message

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/org"
)

// Service is secure messaging's use cases, each one method and one
// transaction: it checks who asks and for whom, applies the rules of this
// package to what it has locked, and writes the change with its audit
// entries and outbox notices. The web front, the API and the commands
// call these methods and nothing below them.
//
// Who may do what: a customer acts on their own threads only, and any
// other thread is fault.NotFound, as one that does not exist; staff need
// access.MessagesQueue (else fault.Forbidden) and act on their own unit's
// threads only (another unit's is fault.NotFound). Refused input is a
// fault.Invalid (or TooLarge, TooMany) naming the form field.
type Service struct {
	repo  Repo
	cfg   Config
	cache *folderCache
}

// Config is secure messaging's settings.
type Config struct {
	// Catalogue is the topic catalogue; nil: the shipped one over the
	// reference units.
	Catalogue *Catalogue
	Limits    Limits // zero fields: the defaults
	// Scanner checks attachments for malware before they are accepted;
	// nil accepts them unscanned.
	Scanner Scanner
	// SMS says text messages can be sent, so customers may choose them.
	SMS bool
	// Permissions is the permission table; nil: access.Default().
	Permissions *access.Table
	// ReadLink is where a secure e-mail sender reads a unit's answer, given
	// the one-time token; without it such threads cannot be answered
	// (fault.Unavailable).
	ReadLink func(token string) string
	// ReadFor is how long a reading link works (default 14 days).
	ReadFor time.Duration
	// Mandates decides who may act for an organisation on its threads
	// (OrgFolder and the other Org methods); nil: no organisation's
	// threads are reachable (fault.NotFound).
	Mandates Authoriser
	// Wake nudges the outbox worker after a notice was committed; may be
	// nil.
	Wake func()
	// FolderCache is how long a folder page read from the database may be
	// shown again while its party's stamp is unchanged (default 5 s;
	// negative: no cache). Changes made through this Service drop a
	// party's pages at once; the bound covers a thread closed or moved by
	// another process, which leaves the stamp as it was.
	FolderCache time.Duration
}

// The defaults.
const (
	DefaultReadFor     = 14 * 24 * time.Hour
	DefaultFolderCache = 5 * time.Second
	// FolderPage is how many threads a folder page shows.
	FolderPage = 20
	// DefaultQueueLimit is how many threads a page of a unit's queue
	// lists when the filter sets no limit; the next page starts after the
	// last (Queue.Next).
	DefaultQueueLimit = 50
	// WaitingCap bounds the count of a unit's waiting threads that each
	// view of the queue reads: a count above it means "more than
	// WaitingCap".
	WaitingCap = 1000
)

// Verification codes: six digits, valid for a quarter of an hour, five
// tries, and at most five codes a person an hour.
const (
	codeLife     = 15 * time.Minute
	codeTries    = 5
	codesPerHour = 5
)

// NewService is the messaging service over repo.
func NewService(repo Repo, cfg Config) (*Service, error) {
	if repo == nil {
		return nil, errors.New("message: NewService needs a Repo")
	}
	if cfg.Catalogue == nil {
		units, _, err := org.Reference()
		if err != nil {
			return nil, err
		}
		if cfg.Catalogue, err = DefaultCatalogue(KnownUnits(units)); err != nil {
			return nil, err
		}
	}
	cfg.Limits = cfg.Limits.WithDefaults()
	if cfg.Permissions == nil {
		cfg.Permissions = access.Default()
	}
	if cfg.ReadFor <= 0 {
		cfg.ReadFor = DefaultReadFor
	}
	if cfg.FolderCache == 0 {
		cfg.FolderCache = DefaultFolderCache
	}
	return &Service{repo: repo, cfg: cfg, cache: newFolderCache(cfg.FolderCache)}, nil
}

// Catalogue is the topic catalogue the service routes by.
func (s *Service) Catalogue() *Catalogue { return s.cfg.Catalogue }

// Limits are the bounds of a message and its attachments.
func (s *Service) Limits() Limits { return s.cfg.Limits }

// SMS says customers may choose text messages.
func (s *Service) SMS() bool { return s.cfg.SMS }

// customer is the actor as a thread party: only a customer acts for
// themselves (fault.Forbidden otherwise).
func customer(a access.Actor) (Party, error) {
	if a.Kind != access.Customer || a.ID == "" {
		return Party{}, fault.New(fault.Forbidden, "auth.error.customers_only")
	}
	return Party{Kind: PartyCustomer, ID: a.ID}, nil
}

// staff checks that the actor is staff holding access.MessagesQueue.
func (s *Service) staff(a access.Actor) error {
	return s.cfg.Permissions.Check(a, access.MessagesQueue)
}

// noThread is the answer for a thread that does not exist or is not the
// caller's: the same for both.
func noThread(cause error) error {
	return fault.Wrap(fault.NotFound, "message.error.thread", cause)
}

// ownThread locks one of the customer's threads.
func ownThread(ctx context.Context, tx Tx, p Party, id string) (Thread, error) {
	t, err := tx.ThreadForUpdate(ctx, id)
	switch {
	case fault.Is(err, fault.NotFound):
		return t, noThread(err)
	case err != nil:
		return t, err
	case t.Party() != p:
		return t, noThread(fmt.Errorf("thread %s is not %s %s's", id, p.Kind, p.ID))
	}
	return t, nil
}

// unitThread locks a thread of the staff member's unit.
func unitThread(ctx context.Context, tx Tx, a access.Actor, id string) (Thread, error) {
	t, err := tx.ThreadForUpdate(ctx, id)
	switch {
	case fault.Is(err, fault.NotFound):
		return t, noThread(err)
	case err != nil:
		return t, err
	case t.UnitID != a.Unit:
		return t, noThread(fmt.Errorf("thread %s is in unit %s, not %s", id, t.UnitID, a.Unit))
	}
	return t, nil
}

func (s *Service) wake() {
	if s.cfg.Wake != nil {
		s.cfg.Wake()
	}
}

// entry is an audit entry by the actor.
func entry(a access.Actor, action string, subject Party, object, detail string) audit.Entry {
	return audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, SubjectID: subject.AuditSubject(),
		Action: action, Object: object, Detail: detail}
}

// Attachments is how this service takes attachments in: its limits and
// scanner. The secure e-mail route takes a reading link's files through
// the same value.
func (s *Service) Attachments() Attachments {
	return Attachments{Limits: s.cfg.Limits, Scanner: s.cfg.Scanner}
}

// UploadAllowance is how many bytes of attachments the actor may still
// send: for a customer, their quota less what they have sent; -1 (no
// quota) for staff. The web front stops receiving a file past it; Send
// and Reply check the quota again under the person's lock.
func (s *Service) UploadAllowance(ctx context.Context, a access.Actor) (int64, error) {
	if a.Kind == access.Staff {
		return -1, nil
	}
	p, err := customer(a)
	if err != nil {
		return 0, err
	}
	used, err := s.repo.AttachmentBytes(ctx, p.ID)
	if err != nil {
		return 0, err
	}
	return s.Attachments().Left(used), nil
}

// checkQuota locks the customer and refuses files that would take them
// past their quota.
func (s *Service) checkQuota(ctx context.Context, tx Tx, p Party, files []File) error {
	if len(files) == 0 {
		return nil
	}
	used, err := tx.AttachmentBytesForUpdate(ctx, p.ID)
	if err != nil {
		return err
	}
	return s.Attachments().CheckQuota(used, files, QuotaError)
}
