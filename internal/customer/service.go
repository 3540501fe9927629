package customer

import (
	"context"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/hetu"
)

// Repo is the storage the customer service needs; a missing row is a
// fault.NotFound error.
type Repo interface {
	// UnlinkedEIDAS lists eIDAS identities not yet linked to a customer
	// record, oldest first.
	UnlinkedEIDAS(ctx context.Context, limit int) ([]Person, error)
	InTx(ctx context.Context, fn func(Tx) error) error
}

// Tx is one transaction of the customer service.
type Tx interface {
	// UnlinkedEIDASForUpdate is an eIDAS identity not yet linked, locked.
	UnlinkedEIDASForUpdate(ctx context.Context, id string) (Person, error)
	PersonByHETU(ctx context.Context, code string) (Person, error)
	// LinkEIDAS makes the eIDAS identity's sign-ins act for the person.
	LinkEIDAS(ctx context.Context, eidasPersonID, personID string) error
	Audit(ctx context.Context, es ...audit.Entry) error
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

// UnlinkedEIDAS lists the eIDAS identities waiting to be linked, for staff
// who may link them. Reading them reads personal data: each is audited.
func (s *Service) UnlinkedEIDAS(ctx context.Context, a access.Actor, limit int) ([]Person, error) {
	if err := s.access.Check(a, access.IdentityLinkEIDAS); err != nil {
		return nil, err
	}
	ps, err := s.repo.UnlinkedEIDAS(ctx, limit)
	if err != nil || len(ps) == 0 {
		return ps, err
	}
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	e := audit.View(a.AuditKind(), a.ID, "staff.view_eidas", ids)
	return ps, s.repo.InTx(ctx, func(tx Tx) error { return tx.Audit(ctx, e) })
}

// LinkEIDAS links an eIDAS identity to the customer record with the
// identity code, so that its sign-ins act for that customer, and audits the
// link for both records. An identity linked already is NotFound; a code no
// customer has is fault.Invalid on the field "hetu".
func (s *Service) LinkEIDAS(ctx context.Context, a access.Actor, eidasPersonID string, code hetu.Code) (Person, error) {
	var target Person
	if err := s.access.Check(a, access.IdentityLinkEIDAS); err != nil {
		return target, err
	}
	err := s.repo.InTx(ctx, func(tx Tx) error {
		src, err := tx.UnlinkedEIDASForUpdate(ctx, eidasPersonID)
		if err != nil {
			return err
		}
		target, err = tx.PersonByHETU(ctx, code.String())
		if fault.Is(err, fault.NotFound) {
			return fault.InvalidField("hetu", "staff.eidas.no_customer", nil)
		}
		if err != nil {
			return err
		}
		if err := tx.LinkEIDAS(ctx, src.ID, target.ID); err != nil {
			return err
		}
		return tx.Audit(ctx,
			audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, Action: "staff.link_eidas", SubjectID: src.ID, Object: "person:" + target.ID},
			audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, Action: "staff.link_eidas", SubjectID: target.ID, Object: "person:" + src.ID})
	})
	return target, err
}
