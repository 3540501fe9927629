package employer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/iban"
	"github.com/etuus/etuus/internal/mandate"
)

// Repo is where applications are kept; internal/store implements it.
// A missing row is a fault.NotFound.
type Repo interface {
	// InTx runs fn in one transaction, again on a busy or serialisation
	// failure.
	InTx(ctx context.Context, fn func(Tx) error) error
	// Now is the database's clock.
	Now() time.Time
	// ByOrg is one page of an organisation's applications the filter
	// selects, newest first, and how many it selects.
	ByOrg(ctx context.Context, f Filter, offset, limit int) ([]Application, int, error)
	// Application is one application by ID.
	Application(ctx context.Context, id string) (Application, error)
	// Pending is one page of the applications of the kind ("" every
	// kind) waiting for a decision, oldest first, and how many there are.
	Pending(ctx context.Context, kind Kind, offset, limit int) ([]Application, int, error)
	// ForEmployee lists the applications naming the customer (by their
	// identity code), newest first; none for a person without one.
	ForEmployee(ctx context.Context, personID string) ([]Application, error)
}

// Tx is one transaction of a use case, with a fixed instant.
type Tx interface {
	Now() time.Time
	// LockOrganisation locks the organisation's row (applications of one
	// employer are written one at a time) and returns its name.
	LockOrganisation(ctx context.Context, businessID string) (string, error)
	// Overlapping counts the organisation's pending or approved
	// applications of the application's kind whose period meets
	// start..end: for the same employee and benefit (daily allowance),
	// for the same workplace (occupational healthcare).
	Overlapping(ctx context.Context, a Application) (int, error)
	// Insert stores a new application, giving it its ID.
	Insert(ctx context.Context, a *Application) error
	// ApplicationForUpdate reads an application and locks it.
	ApplicationForUpdate(ctx context.Context, id string) (Application, error)
	// Decide writes a pending application's decision; fault.Conflict when
	// it was decided meanwhile.
	Decide(ctx context.Context, a Application) error
	// PersonByCode is the customer ID of the identity code, "" when none.
	PersonByCode(ctx context.Context, code string) (string, error)
	// LastPaymentForUpdate locks the application's latest payment;
	// fault.NotFound when it has none.
	LastPaymentForUpdate(ctx context.Context, applicationID string) (Payment, error)
	// GiveAccount records the new account on the failed payment that has
	// none yet (fault.Conflict otherwise) and on the application.
	GiveAccount(ctx context.Context, applicationID, paymentID, iban, by string) error
	Audit(ctx context.Context, es ...audit.Entry) error
	noticeTx
}

// Decider is the mandate service's decision for a customer acting for
// an organisation on an issue, audited with its reasons
// (mandate.Service.Authorise): a refusal is mandate.ErrNoMandate.
type Decider interface {
	Authorise(ctx context.Context, a access.Actor, org, issue string) (string, error)
	// Check is the decision itself with its reasons (mandate.Service.
	// Check), for a query naming a workplace.
	Check(ctx context.Context, a access.Actor, q mandate.Query) (mandate.Decision, error)
}

// Filter selects an organisation's applications.
type Filter struct {
	Org  string // business ID
	Kind Kind
	// Workplaces, when not nil, keeps only the applications of these
	// workplaces (a person whose mandate is restricted by workplace).
	Workplaces []string
}

// Service is the employer e-services' use cases.
type Service struct {
	repo     Repo
	mandates Decider
	access   *access.Table
	notices  Notices
}

// NewService is the service over the repository, deciding with the
// mandate service and the permission table (nil: the built-in one).
func NewService(repo Repo, mandates Decider, table *access.Table) (*Service, error) {
	if repo == nil || mandates == nil {
		return nil, errors.New("employer: NewService needs a Repo and a Decider")
	}
	if table == nil {
		table = access.Default()
	}
	return &Service{repo: repo, mandates: mandates, access: table}, nil
}

// PageSize is how many applications a list page shows.
const PageSize = 20

// Page is one page of a list of applications.
type Page struct {
	Items       []Application
	Total       int
	Page, Pages int
}

func paged(page, total int) (offset int, p Page) {
	p.Total = total
	p.Pages = max(1, (total+PageSize-1)/PageSize)
	p.Page = min(max(page, 1), p.Pages)
	return (p.Page - 1) * PageSize, p
}

// ErrNoMandate is the refusal of an employer request the mandate decision
// did not allow; the pages link it to the access diagnosis.
var ErrNoMandate = mandate.ErrNoMandate

// Authorise is the mandate decision for the signed-in person acting for
// the organisation on Issue, audited by the mandate service. A malformed
// business ID is fault.NotFound (there is nothing at such an address); a
// refusal is ErrNoMandate. It returns the business ID as the register
// writes it.
func (s *Service) Authorise(ctx context.Context, a access.Actor, org string) (string, error) {
	return s.mandates.Authorise(ctx, a, org, Issue)
}

// Apply stores an application of the organisation, by a person the
// mandate decision allows. The organisation's row is locked, so that two
// applications for the same employee, benefit and overlapping period are
// refused (fault.Conflict) however they race.
func (s *Service) Apply(ctx context.Context, a access.Actor, org string, in Input) (Application, error) {
	org, err := s.Authorise(ctx, a, org)
	if err != nil {
		return Application{}, err
	}
	app, err := Check(in, civil.Today(s.repo.Now()))
	if err != nil {
		return app, err
	}
	app.Org, app.SubmittedBy = org, a.ID
	err = s.insert(ctx, a, &app, "employer.error.overlap", "employer.apply",
		fmt.Sprintf("org=%s benefit=%s days=%d salary_cents=%d", org, app.Benefit, app.Days(), app.SalaryCents))
	return app, err
}

// insert stores a checked application of either kind in one transaction
// with the organisation's row locked, so that of two overlapping
// applications racing (Tx.Overlapping: the same employee and benefit, or
// the same workplace) the second is fault.Conflict with overlapKey; the
// audit entry names the action with detail.
func (s *Service) insert(ctx context.Context, a access.Actor, app *Application, overlapKey, action, detail string) error {
	return s.repo.InTx(ctx, func(tx Tx) error {
		name, err := tx.LockOrganisation(ctx, app.Org)
		if err != nil {
			return err
		}
		n, err := tx.Overlapping(ctx, *app)
		if err != nil {
			return err
		}
		if n > 0 {
			return fault.New(fault.Conflict, overlapKey)
		}
		app.OrgName, app.CreatedAt = name, tx.Now()
		if err := tx.Insert(ctx, app); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, SubjectID: a.ID,
			Action: action, Object: "employer_application:" + app.ID, Detail: detail})
	})
}

// List is one page of the organisation's applications, newest first.
func (s *Service) List(ctx context.Context, a access.Actor, org string, page int) (Page, error) {
	org, err := s.Authorise(ctx, a, org)
	if err != nil {
		return Page{}, err
	}
	f := Filter{Org: org, Kind: DailyAllowance}
	_, total, err := s.repo.ByOrg(ctx, f, 0, 0)
	if err != nil {
		return Page{}, err
	}
	off, p := paged(page, total)
	p.Items, _, err = s.repo.ByOrg(ctx, f, off, PageSize)
	return p, err
}

// Get is one application of the organisation: one of another
// organisation is fault.NotFound, as is an unknown ID.
func (s *Service) Get(ctx context.Context, a access.Actor, org, id string) (Application, error) {
	org, err := s.Authorise(ctx, a, org)
	if err != nil {
		return Application{}, err
	}
	app, err := s.repo.Application(ctx, id)
	if err != nil {
		return Application{}, err
	}
	if app.Org != org || app.Kind != DailyAllowance {
		return Application{}, fault.New(fault.NotFound, "")
	}
	return app, nil
}

// MayDecide says whether the actor may work the queue (fault.Forbidden
// when not).
func (s *Service) MayDecide(a access.Actor) error { return s.access.Check(a, access.EmployerDecide) }

// Queue is one page of the applications of the kind ("" both kinds)
// waiting for a decision, oldest first, for staff with
// access.EmployerDecide; the read is audited.
func (s *Service) Queue(ctx context.Context, a access.Actor, kind Kind, page int) (Page, error) {
	if err := s.MayDecide(a); err != nil {
		return Page{}, err
	}
	if kind != "" && kind != DailyAllowance && kind != OccupationalHealthcare {
		kind = ""
	}
	_, total, err := s.repo.Pending(ctx, kind, 0, 0)
	if err != nil {
		return Page{}, err
	}
	off, p := paged(page, total)
	if p.Items, _, err = s.repo.Pending(ctx, kind, off, PageSize); err != nil {
		return p, err
	}
	err = s.repo.InTx(ctx, func(tx Tx) error {
		return tx.Audit(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, Action: "staff.employer_queue",
			Object: "employer_queue", Detail: fmt.Sprintf("kind=%s page=%d shown=%d", kind, p.Page, len(p.Items))})
	})
	return p, err
}

// Read is one application for staff with access.EmployerDecide, audited
// as a read of the employee's personal data.
func (s *Service) Read(ctx context.Context, a access.Actor, id string) (Application, error) {
	if err := s.MayDecide(a); err != nil {
		return Application{}, err
	}
	app, err := s.repo.Application(ctx, id)
	if err != nil {
		return app, err
	}
	err = s.repo.InTx(ctx, func(tx Tx) error {
		subject, err := employeeOf(ctx, tx, app)
		if err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, SubjectID: subject,
			Action: "staff.employer_application_read", Object: "employer_application:" + app.ID})
	})
	return app, err
}

// Decide approves or refuses a pending application (staff with
// access.EmployerDecide), locking it first: of two decisions racing, the
// second is a fault.Conflict. The organisation is told in the same
// transaction, so once a decision: a message in its threads and a notice
// to the person who applied (see tell); so is the employee, when the
// identity code is a customer's (see tellEmployee).
func (s *Service) Decide(ctx context.Context, a access.Actor, id string, d Decision) (Application, error) {
	if err := s.MayDecide(a); err != nil {
		return Application{}, err
	}
	var app Application
	noticed := false
	err := s.repo.InTx(ctx, func(tx Tx) error {
		var err error
		noticed = false
		if app, err = tx.ApplicationForUpdate(ctx, id); err != nil {
			return err
		}
		if err := app.Apply(d, a.ID, tx.Now()); err != nil {
			return err
		}
		if err := tx.Decide(ctx, app); err != nil {
			return err
		}
		subject, err := employeeOf(ctx, tx, app)
		if err != nil {
			return err
		}
		if noticed, err = s.tell(ctx, tx, app); err != nil {
			return err
		}
		if subject != "" {
			told, err := s.tellEmployee(ctx, tx, app, subject)
			if err != nil {
				return err
			}
			noticed = noticed || told
		}
		return tx.Audit(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, SubjectID: subject,
			Action: "employer.decide", Object: "employer_application:" + app.ID,
			Detail: fmt.Sprintf("org=%s status=%s amount_cents=%d", app.Org, app.Status, app.AmountCents)})
	})
	if err == nil && noticed && s.notices.Wake != nil {
		s.notices.Wake()
	}
	return app, err
}

// GiveAccount records the organisation's corrected account for an
// approved daily-allowance application whose last payment the bank
// rejected or returned, by a person the mandate decision on Issue allows:
// the next payment run pays the application again, to this account, once.
// The account is an IBAN (fault.Invalid, field "iban", otherwise). The
// application and then its latest payment are locked; an application of
// another organisation or of the other kind is fault.NotFound (an
// occupational-healthcare application's account is given with
// GiveOccupationalAccount, under its workplace's decision), and one whose
// last payment did not fail, or that has a new account already, is
// fault.Conflict — so the account cannot change under a run that is
// paying it.
func (s *Service) GiveAccount(ctx context.Context, a access.Actor, org, id, account string) (Application, error) {
	org, err := s.Authorise(ctx, a, org)
	if err != nil {
		return Application{}, err
	}
	return s.giveAccount(ctx, a, org, id, account, DailyAllowance, "")
}

// GiveOccupationalAccount is GiveAccount for an occupational-healthcare
// application, authorised as every occupational-healthcare action is
// (GetOccupational): the decision on OccupationalIssue for the
// organisation, then for the application's workplace, so that a person
// whose mandate is restricted to other workplaces cannot redirect its
// money (*WorkplaceError). An application of another organisation, of the
// other kind or an unknown ID is fault.NotFound.
func (s *Service) GiveOccupationalAccount(ctx context.Context, a access.Actor, org, id, account string) (Application, error) {
	app, err := s.GetOccupational(ctx, a, org, id)
	if err != nil {
		return Application{}, err
	}
	// The workplace the decision allowed is the application's: it is
	// written once, when the application is made, and giveAccount checks
	// it again under the lock.
	return s.giveAccount(ctx, a, app.Org, id, account, OccupationalHealthcare, app.Workplace)
}

// giveAccount records the account once the mandate decision for the
// organisation (and, for occupational healthcare, the workplace; "" for a
// daily-allowance application) allowed it.
func (s *Service) giveAccount(ctx context.Context, a access.Actor, org, id, account string, kind Kind, workplace string) (Application, error) {
	acc, perr := iban.Parse(account)
	var app Application
	err := s.repo.InTx(ctx, func(tx Tx) error {
		var err error
		if app, err = tx.ApplicationForUpdate(ctx, id); err != nil {
			return err
		}
		if app.Org != org || app.Kind != kind || app.Workplace != workplace {
			return fault.New(fault.NotFound, "")
		}
		if perr != nil {
			return fault.InvalidField("iban", "employer.error.iban", nil)
		}
		p, err := tx.LastPaymentForUpdate(ctx, app.ID)
		if fault.Is(err, fault.NotFound) || err == nil && !p.WaitingAccount() {
			return fault.New(fault.Conflict, "employer.error.account_not_waiting")
		}
		if err != nil {
			return err
		}
		if err := tx.GiveAccount(ctx, app.ID, p.ID, acc.String(), a.ID); err != nil {
			return err
		}
		app.IBAN = acc.String()
		app.Payment = p
		app.Payment.AccountGivenAt = tx.Now()
		detail := fmt.Sprintf("org=%s payment=%s iban=%s", org, p.ID, masked(app.IBAN))
		if kind == OccupationalHealthcare {
			detail += " kind=" + string(kind) + " workplace=" + app.Workplace
		}
		return tx.Audit(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, SubjectID: a.ID,
			Action: "employer.account", Object: "employer_application:" + app.ID, Detail: detail})
	})
	return app, err
}

// masked is an account with all but its country and last four
// characters hidden, for the audit log.
func masked(acc string) string {
	if len(acc) <= 6 {
		return acc
	}
	return acc[:2] + "…" + acc[len(acc)-4:]
}

// ForEmployee lists the applications employers made naming the signed-in
// customer. It says which organisation applied, and nothing of any other.
func (s *Service) ForEmployee(ctx context.Context, a access.Actor) ([]Application, error) {
	if a.Kind != access.Customer || a.ID == "" {
		return nil, fault.New(fault.Forbidden, "mandate.error.customer_only")
	}
	return s.repo.ForEmployee(ctx, a.ID)
}

// employeeOf is the customer ID of the employee an application names, the
// subject of staff's audited reads; "" for an occupational-healthcare
// application, which names none.
func employeeOf(ctx context.Context, tx Tx, app Application) (string, error) {
	if app.Employee == "" {
		return "", nil
	}
	return tx.PersonByCode(ctx, app.Employee)
}
