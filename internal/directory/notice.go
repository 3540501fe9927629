package directory

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fault"
)

// Services are what a disruption notice can be about; the keys are stored
// and shown translated ("directory.service." + key): never rename one.
var Services = []string{"eservice", "signin", "payment_plans", "payments", "messages", "pharmacy", "phone", "service_points"}

// Langs are the languages every notice is written in.
var Langs = []string{"fi", "sv", "en"}

// MaxNoticeText bounds a notice's text in one language.
const MaxNoticeText = 500

// Notice is a disruption notice: which services, when, and what to say in
// each language.
type Notice struct {
	ID        string            `json:"id"`
	Services  []string          `json:"services"`
	Starts    time.Time         `json:"starts"`
	Ends      time.Time         `json:"ends"`
	Texts     map[string]string `json:"texts"`
	CreatedAt time.Time         `json:"published"`
	Withdrawn time.Time         `json:"withdrawn,omitzero"`
	CreatedBy string            `json:"-"`
}

// Text is the notice in a language, Finnish when that is missing.
func (n Notice) Text(lang string) string {
	if t := n.Texts[lang]; t != "" {
		return t
	}
	return n.Texts["fi"]
}

// ActiveAt reports whether the notice runs at t: published, not withdrawn,
// within its window.
func (n Notice) ActiveAt(t time.Time) bool {
	return n.Withdrawn.IsZero() && !t.Before(n.Starts) && t.Before(n.Ends)
}

// CheckNotice refuses a notice without a known service, whose window ends
// before it starts or has already ended, or without a text in each
// language (fault.Invalid on the field).
func CheckNotice(n Notice, now time.Time) (Notice, error) {
	var errs []error
	bad := func(field, key string) { errs = append(errs, fault.InvalidField(field, key, nil)) }
	if len(n.Services) == 0 || !all(n.Services, known) {
		bad("services", "directory.error.services")
	}
	switch {
	case n.Starts.IsZero() && n.Ends.IsZero():
		bad("starts", "directory.error.starts")
		bad("ends", "directory.error.ends")
	case n.Starts.IsZero():
		bad("starts", "directory.error.starts")
	case n.Ends.IsZero():
		bad("ends", "directory.error.ends")
	case !n.Ends.After(n.Starts):
		bad("ends", "directory.error.window")
	case !n.Ends.After(now):
		bad("ends", "directory.error.past")
	}
	texts := map[string]string{}
	for _, l := range Langs {
		t := strings.TrimSpace(n.Texts[l])
		switch {
		case t == "":
			bad("text_"+l, textMissing[l])
		case len([]rune(t)) > MaxNoticeText:
			bad("text_"+l, "directory.error.text_long")
		}
		texts[l] = t
	}
	if len(errs) > 0 {
		return n, errors.Join(errs...)
	}
	n.Texts = texts
	return n, nil
}

// textMissing is the message for a notice without its text in a language.
var textMissing = map[string]string{"fi": "directory.error.text_fi", "sv": "directory.error.text_sv", "en": "directory.error.text_en"}

// all reports whether every element of xs passes ok.
func all(xs []string, ok func(string) bool) bool {
	for _, x := range xs {
		if !ok(x) {
			return false
		}
	}
	return true
}

func known(s string) bool {
	for _, k := range Services {
		if k == s {
			return true
		}
	}
	return false
}

// Repo is the notices' storage.
type Repo interface {
	// Notices lists the notices that end after since, newest start first.
	Notices(ctx context.Context, since time.Time, limit int) ([]Notice, error)
	InTx(ctx context.Context, fn func(Tx) error) error
}

// Tx is one transaction of the notices.
type Tx interface {
	Now() time.Time
	InsertNotice(ctx context.Context, n *Notice) error
	// WithdrawNotice ends a notice not withdrawn yet; fault.NotFound otherwise.
	WithdrawNotice(ctx context.Context, id string, at time.Time) error
	Audit(ctx context.Context, es ...audit.Entry) error
}

// Service is the notices' use cases.
type Service struct {
	repo   Repo
	access *access.Table
}

// NewService returns the service; a nil table is the built-in one.
func NewService(repo Repo, t *access.Table) *Service {
	if t == nil {
		t = access.Default()
	}
	return &Service{repo: repo, access: t}
}

// BoardDays is how long an ended notice stays on the status page.
const BoardDays = 90

// Board lists current, coming and past notices (ended within BoardDays),
// for every page's banner and the public status page.
func (s *Service) Board(ctx context.Context, now time.Time) ([]Notice, error) {
	return s.repo.Notices(ctx, now.AddDate(0, 0, -BoardDays), 100)
}

// Publish checks and stores a notice, with its audit entry.
func (s *Service) Publish(ctx context.Context, a access.Actor, n Notice) (Notice, error) {
	if err := s.access.Check(a, access.DirectoryNotices); err != nil {
		return n, err
	}
	err := s.repo.InTx(ctx, func(tx Tx) error {
		var err error
		if n, err = CheckNotice(n, tx.Now()); err != nil {
			return err
		}
		n.CreatedBy = a.ID
		if err := tx.InsertNotice(ctx, &n); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, Action: "directory.notice_published", Object: "notice:" + n.ID})
	})
	return n, err
}

// Withdraw ends a notice now, with its audit entry.
func (s *Service) Withdraw(ctx context.Context, a access.Actor, id string) error {
	if err := s.access.Check(a, access.DirectoryNotices); err != nil {
		return err
	}
	return s.repo.InTx(ctx, func(tx Tx) error {
		if err := tx.WithdrawNotice(ctx, id, tx.Now()); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, Action: "directory.notice_withdrawn", Object: "notice:" + id})
	})
}
