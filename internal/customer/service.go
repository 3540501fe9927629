package customer

import (
	"context"
	"slices"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/hetu"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/outbox"
)

// Repo is the storage the customer service needs; a missing row is a
// fault.NotFound error.
type Repo interface {
	// UnlinkedEIDAS lists eIDAS identities not yet linked to a customer
	// record, oldest first.
	UnlinkedEIDAS(ctx context.Context, limit int) ([]Person, error)
	// Links lists the links with the status, oldest first for a waiting
	// proposal and newest first otherwise, each with its two people.
	Links(ctx context.Context, status LinkStatus, limit int) ([]Link, error)
	// LinksTo lists the links in force to the person, newest first, each
	// with its eIDAS identity.
	LinksTo(ctx context.Context, personID string) ([]Link, error)
	InTx(ctx context.Context, fn func(Tx) error) error
}

// Tx is one transaction of the customer service.
type Tx interface {
	// UnlinkedEIDASForUpdate is an eIDAS identity not yet linked, locked.
	UnlinkedEIDASForUpdate(ctx context.Context, id string) (Person, error)
	// LinkedEIDASForUpdate is an eIDAS identity linked to the person, locked.
	LinkedEIDASForUpdate(ctx context.Context, id, personID string) (Person, error)
	PersonByHETU(ctx context.Context, code string) (Person, error)
	// WaitingLink is the eIDAS identity's waiting proposal, if any.
	WaitingLink(ctx context.Context, eidasPersonID string) (Link, error)
	// LinkForUpdate is a link, locked: of two approvers at once, the
	// second waits here and then sees the first one's decision.
	LinkForUpdate(ctx context.Context, id string) (Link, error)
	InsertLink(ctx context.Context, l *Link) error
	// UpdateLink writes a link's status, decision and undoing.
	UpdateLink(ctx context.Context, l Link) error
	// LinkEIDAS makes the eIDAS identity's sign-ins act for the person;
	// an empty personID undoes it.
	LinkEIDAS(ctx context.Context, eidasPersonID, personID string) error
	// EndEIDASSessions ends the eIDAS sessions that act for the person.
	EndEIDASSessions(ctx context.Context, personID string) error
	// NoticeChoice is the customer's notification choice and language.
	NoticeChoice(ctx context.Context, personID string) (message.Consent, string, error)
	Enqueue(ctx context.Context, it *outbox.Item) error
	Audit(ctx context.Context, es ...audit.Entry) error
	Now() time.Time
}

// Service is the use cases on customer records that staff perform.
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

// LinkQueue is what a staff member who may link sees: the identities not
// linked yet, the proposals waiting for a second person, and the links in
// force, newest first.
type LinkQueue struct {
	Unlinked []Person
	Waiting  []Link
	Approved []Link
}

// QueueLimit bounds each list of the queue.
const QueueLimit = 100

// LinkQueue lists the eIDAS identities and links for staff who may link
// them. Reading them reads personal data: one audited view names everyone
// listed.
func (s *Service) LinkQueue(ctx context.Context, a access.Actor) (LinkQueue, error) {
	var q LinkQueue
	if err := s.access.Check(a, access.IdentityLinkEIDAS); err != nil {
		return q, err
	}
	var err error
	if q.Unlinked, err = s.repo.UnlinkedEIDAS(ctx, QueueLimit); err != nil {
		return q, err
	}
	if q.Waiting, err = s.repo.Links(ctx, LinkProposed, QueueLimit); err != nil {
		return q, err
	}
	if q.Approved, err = s.repo.Links(ctx, LinkApproved, QueueLimit); err != nil {
		return q, err
	}
	// An identity whose proposal waits is listed with the proposal only.
	q.Unlinked = slices.DeleteFunc(q.Unlinked, func(p Person) bool {
		return slices.ContainsFunc(q.Waiting, func(l Link) bool { return l.EIDASPersonID == p.ID })
	})
	var ids []string
	for _, p := range q.Unlinked {
		ids = append(ids, p.ID)
	}
	for _, l := range append(append([]Link(nil), q.Waiting...), q.Approved...) {
		ids = append(ids, l.EIDASPersonID, l.PersonID)
	}
	if len(ids) == 0 {
		return q, nil
	}
	e := audit.View(a.AuditKind(), a.ID, "staff.view_eidas", ids)
	return q, s.repo.InTx(ctx, func(tx Tx) error { return tx.Audit(ctx, e) })
}

func linkEntries(a access.Actor, action Action, l Link) []audit.Entry {
	return []audit.Entry{
		{ActorKind: a.AuditKind(), ActorID: a.ID, Action: string(action), SubjectID: l.EIDASPersonID, Object: "eidas_link:" + l.ID},
		{ActorKind: a.AuditKind(), ActorID: a.ID, Action: string(action), SubjectID: l.PersonID, Object: "eidas_link:" + l.ID},
	}
}

// LinksTo is the customer's own view of the eIDAS identities that act for
// them (links in force); nobody else's.
func (s *Service) LinksTo(ctx context.Context, a access.Actor, personID string) ([]Link, error) {
	if !a.IsCustomer(personID) {
		return nil, fault.New(fault.NotFound, "")
	}
	return s.repo.LinksTo(ctx, personID)
}

// ProposeLink proposes that the eIDAS identity is the customer with the
// identity code, for the reason given. Nothing changes for the identity
// until a second staff member approves (ApproveLink). An identity linked
// already is NotFound; one with a waiting proposal is a Conflict; a code no
// customer has is fault.Invalid on the field "hetu", an empty reason on
// "reason".
func (s *Service) ProposeLink(ctx context.Context, a access.Actor, eidasPersonID string, code hetu.Code, reason string) (Link, error) {
	var l Link
	if err := s.access.Check(a, access.IdentityLinkEIDAS); err != nil {
		return l, err
	}
	reason, err := Reason(reason)
	if err != nil {
		return l, err
	}
	err = s.repo.InTx(ctx, func(tx Tx) error {
		src, err := tx.UnlinkedEIDASForUpdate(ctx, eidasPersonID)
		if err != nil {
			return err
		}
		target, err := tx.PersonByHETU(ctx, code.String())
		if fault.Is(err, fault.NotFound) {
			return fault.InvalidField("hetu", "staff.eidas.no_customer", nil)
		}
		if err != nil {
			return err
		}
		switch _, err := tx.WaitingLink(ctx, src.ID); {
		case err == nil:
			return fault.New(fault.Conflict, "eidas.error.waiting")
		case !fault.Is(err, fault.NotFound):
			return err
		}
		l = Link{EIDASPersonID: src.ID, PersonID: target.ID, Status: LinkProposed, Reason: reason, ProposedBy: a.ID,
			EIDAS: src, Target: target}
		if err := tx.InsertLink(ctx, &l); err != nil {
			return err
		}
		return tx.Audit(ctx, linkEntries(a, ActionPropose, l)...)
	})
	return l, err
}

// ApproveLink is the second pair of eyes: another staff member than the
// proposer, who holds the permission when approving, approves the waiting
// proposal; the link then takes effect, the customer is told by their
// notice channel and sees it in their access log. The proposal is locked:
// of two approvers at once exactly one links.
func (s *Service) ApproveLink(ctx context.Context, a access.Actor, linkID string) (Link, error) {
	return s.change(ctx, a, linkID, ActionApprove, func(tx Tx, l *Link) error {
		if err := CanApprove(*l, a); err != nil {
			return err
		}
		var err error
		if l.EIDAS, err = tx.UnlinkedEIDASForUpdate(ctx, l.EIDASPersonID); err != nil {
			return err
		}
		if err := tx.LinkEIDAS(ctx, l.EIDASPersonID, l.PersonID); err != nil {
			return err
		}
		l.Status, l.DecidedBy, l.DecidedAt = LinkApproved, a.ID, tx.Now()
		return tell(ctx, tx, l.PersonID, NoticeLinked)
	})
}

// WithdrawLink gives up a waiting proposal; staff who may link may
// withdraw it, the proposer as anyone else. Nothing was linked.
func (s *Service) WithdrawLink(ctx context.Context, a access.Actor, linkID string) error {
	_, err := s.change(ctx, a, linkID, ActionWithdraw, func(tx Tx, l *Link) error {
		if l.Status != LinkProposed {
			return fault.New(fault.Conflict, "eidas.error.not_waiting")
		}
		l.Status, l.DecidedBy, l.DecidedAt = LinkWithdrawn, a.ID, tx.Now()
		return nil
	})
	return err
}

// UndoLink undoes a link in force, for the reason given: the identity's
// sign-ins no longer act for the customer (its sessions that do end now),
// the identity waits to be linked again, and the customer is told.
func (s *Service) UndoLink(ctx context.Context, a access.Actor, linkID, reason string) (Link, error) {
	if err := s.access.Check(a, access.IdentityLinkEIDAS); err != nil {
		return Link{}, err
	}
	reason, err := Reason(reason)
	if err != nil {
		return Link{}, err
	}
	return s.change(ctx, a, linkID, ActionUndo, func(tx Tx, l *Link) error {
		if l.Status != LinkApproved {
			return fault.New(fault.Conflict, "eidas.error.not_linked")
		}
		if _, err := tx.LinkedEIDASForUpdate(ctx, l.EIDASPersonID, l.PersonID); err != nil {
			return err
		}
		if err := tx.LinkEIDAS(ctx, l.EIDASPersonID, ""); err != nil {
			return err
		}
		if err := tx.EndEIDASSessions(ctx, l.PersonID); err != nil {
			return err
		}
		l.Status, l.UndoReason, l.UndoneBy, l.UndoneAt = LinkUndone, reason, a.ID, tx.Now()
		return tell(ctx, tx, l.PersonID, NoticeUnlinked)
	})
}

// change is one decision on a link by staff who hold the permission (when
// deciding): in one transaction it locks the link, lets fn check and change
// it, writes it and audits the action for both records.
func (s *Service) change(ctx context.Context, a access.Actor, linkID string, action Action, fn func(Tx, *Link) error) (Link, error) {
	var l Link
	if err := s.access.Check(a, access.IdentityLinkEIDAS); err != nil {
		return l, err
	}
	err := s.repo.InTx(ctx, func(tx Tx) error {
		var err error
		if l, err = tx.LinkForUpdate(ctx, linkID); err != nil {
			return err
		}
		if err := fn(tx, &l); err != nil {
			return err
		}
		if err := tx.UpdateLink(ctx, l); err != nil {
			return err
		}
		return tx.Audit(ctx, linkEntries(a, action, l)...)
	})
	return l, err
}

// tell queues the notice to the customer when they chose notices to a
// proved address; without one they see the change in their access log.
func tell(ctx context.Context, tx Tx, personID string, kind outbox.Kind) error {
	consent, lang, err := tx.NoticeChoice(ctx, personID)
	if err != nil || !consent.Notifies() {
		return err
	}
	return tx.Enqueue(ctx, consent.Notice(kind, lang, personID, ""))
}
