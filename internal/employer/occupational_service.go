package employer

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/ytunnus"
	"github.com/etuus/etuus/internal/mandate"
)

// WorkplaceError is the refusal of an occupational-healthcare action at a
// workplace the person's mandate is restricted away from (a restriction
// specifier naming other workplaces). It is an ErrNoMandate, so the pages
// link it to the access diagnosis, and names the workplace asked for.
type WorkplaceError struct{ Workplace string }

func (e *WorkplaceError) Error() string {
	return "employer: the mandate does not cover workplace " + e.Workplace
}

// Unwrap makes the refusal an ErrNoMandate.
func (e *WorkplaceError) Unwrap() error { return ErrNoMandate }

// Workplaces is who may act for which workplaces of an organisation on
// OccupationalIssue.
type Workplaces struct {
	Org string // the business ID as the register writes it
	// Only, when the person's mandates are restricted by workplace, are
	// the workplaces they may act for; nil: every workplace.
	Only []string
}

// Covers reports whether the person may act for the workplace.
func (w Workplaces) Covers(workplace string) bool {
	return w.Only == nil || slices.Contains(w.Only, workplace)
}

// AuthoriseWorkplace is the mandate decision on OccupationalIssue for the
// signed-in person acting for the organisation at one workplace (Query.
// Workplace; "" asks about the organisation as a whole, and the answer
// lists the workplaces a restricted person is limited to), audited by the
// mandate service with its reasons. A malformed business ID is
// fault.NotFound; a refusal is ErrNoMandate, a *WorkplaceError when the
// person's mandate is restricted to other workplaces.
func (s *Service) AuthoriseWorkplace(ctx context.Context, a access.Actor, org, workplace string) (Workplaces, error) {
	if a.Kind != access.Customer {
		return Workplaces{}, fault.New(fault.Forbidden, "mandate.error.customer_only")
	}
	id, err := ytunnus.Parse(strings.TrimSpace(org))
	if err != nil {
		return Workplaces{}, fault.New(fault.NotFound, "")
	}
	d, err := s.mandates.Check(ctx, a, mandate.Query{Org: id.String(), Issue: OccupationalIssue, Workplace: workplace})
	if err != nil {
		return Workplaces{}, err
	}
	if !d.Allowed() {
		for _, r := range d.Reasons {
			if r.Code == mandate.Restricted && r.Workplace != "" {
				return Workplaces{}, &WorkplaceError{Workplace: r.Workplace}
			}
		}
		return Workplaces{}, ErrNoMandate
	}
	return Workplaces{Org: id.String(), Only: d.Workplaces}, nil
}

// ApplyOccupational stores an occupational-healthcare reimbursement
// application of the organisation for one workplace and accounting
// period, by a person the mandate decision allows for that workplace. The
// workplace is read first (a malformed one is refused before the
// decision, which could not be asked about it); the rest after the
// decision, so that a person without a mandate learns nothing from the
// rules. The organisation's row is locked, so that two applications for
// the same workplace over overlapping accounting periods are refused
// (fault.Conflict) while one is pending or approved, however they race.
func (s *Service) ApplyOccupational(ctx context.Context, a access.Actor, org string, in OccupationalInput) (Application, error) {
	if a.Kind != access.Customer {
		return Application{}, fault.New(fault.Forbidden, "mandate.error.customer_only")
	}
	if _, err := ytunnus.Parse(strings.TrimSpace(org)); err != nil {
		return Application{}, fault.New(fault.NotFound, "")
	}
	place, err := CheckWorkplace(in.Workplace)
	if err != nil {
		return Application{}, err
	}
	w, err := s.AuthoriseWorkplace(ctx, a, org, place)
	if err != nil {
		return Application{}, err
	}
	app, err := CheckOccupational(in, civil.Today(s.repo.Now()))
	if err != nil {
		return app, err
	}
	app.Org, app.SubmittedBy = w.Org, a.ID
	err = s.insert(ctx, a, &app, "employer.ohc.error.overlap", "employer.ohc_apply",
		fmt.Sprintf("org=%s workplace=%s period=%s..%s claimed_cents=%d", app.Org, app.Workplace, app.Start, app.End, app.Claimed()))
	return app, err
}

// OccupationalPage is one page of an organisation's occupational-healthcare
// applications and the workplaces the person may see.
type OccupationalPage struct {
	Page
	Workplaces Workplaces
}

// ListOccupational is one page of the organisation's occupational-healthcare
// applications, newest first: of every workplace, or, for a person whose
// mandate is restricted by workplace, of those workplaces only.
func (s *Service) ListOccupational(ctx context.Context, a access.Actor, org string, page int) (OccupationalPage, error) {
	w, err := s.AuthoriseWorkplace(ctx, a, org, "")
	if err != nil {
		return OccupationalPage{}, err
	}
	f := Filter{Org: w.Org, Kind: OccupationalHealthcare, Workplaces: w.Only}
	_, total, err := s.repo.ByOrg(ctx, f, 0, 0)
	if err != nil {
		return OccupationalPage{}, err
	}
	off, p := paged(page, total)
	p.Items, _, err = s.repo.ByOrg(ctx, f, off, PageSize)
	return OccupationalPage{Page: p, Workplaces: w}, err
}

// GetOccupational is one occupational-healthcare application of the
// organisation, asked with the decision for its workplace: an application
// of another organisation, of the other kind or an unknown ID is
// fault.NotFound, and so is one of a workplace the person's mandate does
// not cover.
func (s *Service) GetOccupational(ctx context.Context, a access.Actor, org, id string) (Application, error) {
	w, err := s.AuthoriseWorkplace(ctx, a, org, "")
	if err != nil {
		return Application{}, err
	}
	app, err := s.repo.Application(ctx, id)
	if err != nil {
		return Application{}, err
	}
	// An application of a workplace the person's mandate leaves out is
	// not theirs to see: 404, as another organisation's, so that an ID
	// tried does not tell that it exists or name its workplace.
	if app.Org != w.Org || app.Kind != OccupationalHealthcare || !w.Covers(app.Workplace) {
		return Application{}, fault.New(fault.NotFound, "")
	}
	if _, err := s.AuthoriseWorkplace(ctx, a, org, app.Workplace); err != nil {
		return Application{}, err
	}
	return app, nil
}
