package pharmacy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/hetu"
	"github.com/etuus/etuus/internal/groupcommit"
)

// Person is what the counter needs of a customer: the internal ID and the
// birth date (for the deductible's age).
type Person struct {
	ID        string
	BirthDate civil.Date
}

// Purchase statuses.
const (
	Recorded  = "recorded"
	Cancelled = "cancelled"
)

// Purchase is a recorded purchase: a pharmacy's purchase ID (unique per
// pharmacy), the customer, the day and its computed lines. Deductible and
// Ceiling are what it counted for the year; a cancellation takes exactly
// these back.
type Purchase struct {
	ID            string // internal
	PharmacyID    string
	PurchaseID    string
	PersonID      string
	PurchasedOn   civil.Date
	Fallback      bool // made on the Kela card fallback and posted later
	Status        string
	Lines         []Line
	Price         int64
	CustomerShare int64
	Reimbursement int64
	Deductible    int64
	Ceiling       int64
	RecordedAt    time.Time
	CancelledAt   time.Time
}

// Call is one call of a pharmacy's system, for its call history: no
// person, only what was asked and how it ended.
type Call struct {
	ID         string
	PharmacyID string
	ClientID   string
	At         time.Time
	Op         string // check, purchase, cancel
	Outcome    string // ok, or the error's message key
	PurchaseID string
}

// The operations of a call.
const (
	OpCheck    = "check"
	OpPurchase = "purchase"
	OpCancel   = "cancel"
)

// Caller is who calls the counter API: an API client speaking for a
// pharmacy.
type Caller struct {
	PharmacyID string
	ClientID   string
}

// Repo keeps rights, years, purchases and calls; internal/store implements
// it in SQL and decides nothing.
//
// Errors: fault.NotFound for a row that does not exist, fault.Conflict
// for a duplicate key, fault.Unavailable when the database stayed busy;
// anything else unclassified.
type Repo interface {
	InTx(ctx context.Context, fn func(tx Tx) error) error
	// Now is the database's clock, the one transactions read theirs from.
	Now() time.Time
	// Counter reads what a check needs outside a transaction: the person
	// with the identity code, their rights and their status of a year.
	Counter(ctx context.Context, code string, year int) (Person, []Right, YearStatus, error)
	// Purchase finds a pharmacy's purchase by its purchase ID.
	Purchase(ctx context.Context, pharmacyID, purchaseID string) (Purchase, error)
	// WriteCalls adds rows to the call history, setting their IDs, and
	// appends audit entries, in one transaction of its own.
	WriteCalls(ctx context.Context, cs []*Call, es []audit.Entry) error
	// Calls lists a pharmacy's calls, newest first.
	Calls(ctx context.Context, pharmacyID string, limit int) ([]Call, error)
	// Rights lists a person's rights, by kind and start.
	Rights(ctx context.Context, personID string) ([]Right, error)
	// Year is a person's status of a year; zero counts when none is kept.
	Year(ctx context.Context, personID string, year int) (YearStatus, error)
	// Purchases lists a person's purchases of a year, newest first.
	Purchases(ctx context.Context, personID string, year int, limit int) ([]Purchase, error)
}

// Tx is one transaction of a use case.
type Tx interface {
	Now() time.Time
	// PersonByHETU finds a customer by the full identity code.
	PersonByHETU(ctx context.Context, code string) (Person, error)
	Rights(ctx context.Context, personID string) ([]Right, error)
	// YearForUpdate reads a year's status and locks it until the
	// transaction ends, creating its row at zero when there is none, so
	// that two purchases of one person and year are counted one after the
	// other.
	YearForUpdate(ctx context.Context, personID string, year int) (YearStatus, error)
	UpdateYear(ctx context.Context, personID string, st YearStatus) error
	// Purchase finds a pharmacy's purchase by its purchase ID.
	Purchase(ctx context.Context, pharmacyID, purchaseID string) (Purchase, error)
	// InsertPurchase stores a purchase with its lines, setting its ID; a
	// purchase ID the pharmacy used before is fault.Conflict.
	InsertPurchase(ctx context.Context, p *Purchase) error
	// CancelPurchase marks a recorded purchase cancelled at an instant.
	CancelPurchase(ctx context.Context, id string, at time.Time) error
	// InsertCalls adds rows to the call history, setting their IDs.
	InsertCalls(ctx context.Context, cs ...*Call) error
	Audit(ctx context.Context, es ...audit.Entry) error
}

// Config is the counter's settings.
type Config struct {
	Figures   *Figures   // nil: DefaultFigures
	Catalogue *Catalogue // nil: DefaultCatalogue
	Access    *access.Table
	// Timeout bounds each counter call, so that a database that hangs is
	// answered as unavailable in time for the card fallback; zero: 300 ms,
	// which with the API's 500 ms for checking credentials keeps every
	// answer within a second. A check takes milliseconds when the database
	// answers.
	Timeout time.Duration
	// Reads bounds the checks that read the database at once; zero: 4.
	// A read takes a fraction of a millisecond, so four serve thousands
	// of checks a second; more at once only crowd the database's CPUs
	// with backends woken together, which lengthens the batch commit every
	// answer waits for. A check that waits past its deadline is answered
	// unavailable.
	Reads int
	Log   *slog.Logger
}

// Service is the pharmacy counter's use cases (Check, RecordPurchase,
// Cancel), the customer's status and the staff's call history.
//
// A counter call answers within the configured timeout whatever the
// database does: any failure that is not the caller's is fault.Unavailable
// with the key pharmacy.error.unavailable, meaning "use the Kela card
// fallback".
type Service struct {
	repo  Repo
	cfg   Config
	notes *groupcommit.Writer[note]
	// reads holds a token for each check reading the database
	// (Config.Reads).
	reads chan struct{}
}

// NewService is the counter over repo.
func NewService(repo Repo, cfg Config) (*Service, error) {
	if repo == nil || cfg.Access == nil {
		return nil, errors.New("pharmacy: NewService needs a Repo and an access table")
	}
	if cfg.Figures == nil {
		cfg.Figures = DefaultFigures()
	}
	if cfg.Catalogue == nil {
		cfg.Catalogue = DefaultCatalogue()
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 300 * time.Millisecond
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Reads <= 0 {
		cfg.Reads = 4
	}
	s := &Service{repo: repo, cfg: cfg, reads: make(chan struct{}, cfg.Reads)}
	s.startNotes()
	return s, nil
}

// Figures and Catalogue are the service's tables.
func (s *Service) Figures() *Figures     { return s.cfg.Figures }
func (s *Service) Catalogue() *Catalogue { return s.cfg.Catalogue }

// CheckRequest is a counter check: the customer and the medicines.
type CheckRequest struct {
	IdentityCode string
	Lines        []LineIn
}

// Checked is a check's answer: the computation and a purchase ID the
// pharmacy may record the purchase under.
type Checked struct {
	PersonID   string
	PurchaseID string
	Rights     []Right
	Result
}

// PurchaseRequest records a completed purchase.
type PurchaseRequest struct {
	PurchaseID   string
	IdentityCode string
	PurchasedOn  civil.Date // zero: today
	Fallback     bool
	Lines        []LineIn
}

// errUnavailable is the fallback answer.
func errUnavailable(cause error) error {
	return fault.Wrap(fault.Unavailable, "pharmacy.error.unavailable", cause)
}

// settle turns any failure that is not the caller's into the fallback
// answer: input, not found, conflict and permission errors pass.
func settle(err error) error {
	switch fault.KindOf(err) {
	case fault.Invalid, fault.NotFound, fault.Conflict, fault.Forbidden, fault.Unauthorized, fault.TooLarge:
		return err
	}
	if err == nil {
		return nil
	}
	if fault.Is(err, fault.Unavailable) && fault.KeyOf(err) == "pharmacy.error.unavailable" {
		return err
	}
	return errUnavailable(err)
}

func parseCode(s string) (hetu.Code, error) {
	code, err := hetu.Parse(s)
	if err != nil {
		return code, &fault.Error{Kind: fault.Invalid, Key: "pharmacy.error.identity_code", Field: "identity_code", Err: err}
	}
	return code, nil
}

func unknownPerson(err error) error {
	if fault.Is(err, fault.NotFound) {
		return &fault.Error{Kind: fault.NotFound, Key: "pharmacy.error.unknown_customer", Field: "identity_code", Err: err}
	}
	return err
}

func (c Caller) check() error {
	if c.PharmacyID == "" || c.ClientID == "" {
		return fault.New(fault.Unauthorized, "error.unauthorized")
	}
	return nil
}

func (c Caller) entry(action, subject, detail string) audit.Entry {
	return audit.Entry{ActorKind: audit.ActorSystem, ActorID: "api-client:" + c.ClientID, Action: action,
		SubjectID: subject, Object: "pharmacy:" + c.PharmacyID, Detail: detail}
}

// call runs a counter use case under the timeout, and notes a refused call
// (its history row and audit entry) in a transaction of its own, as far as
// the database lets it.
func (s *Service) call(ctx context.Context, c Caller, op, purchaseID string, fn func(ctx context.Context) error) error {
	if err := c.check(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	err := settle(fn(ctx))
	if err == nil || fault.Is(err, fault.Unavailable) {
		if err != nil {
			s.cfg.Log.Warn("pharmacy counter unavailable", "op", op, "pharmacy", c.PharmacyID, "err", err)
		}
		return err
	}
	key := fault.KeyOf(err)
	note := s.repo.WriteCalls(ctx, []*Call{{PharmacyID: c.PharmacyID, ClientID: c.ClientID, At: s.repo.Now(), Op: op, Outcome: key, PurchaseID: purchaseID}},
		[]audit.Entry{c.entry("pharmacy."+op+"_refused", "", "reason="+key)})
	if note != nil {
		s.cfg.Log.Warn("pharmacy: refused call not noted", "op", op, "err", note)
	}
	return err
}

// ok notes a call that succeeded, in its transaction.
func ok(ctx context.Context, tx Tx, c Caller, op, purchaseID, personID, detail string) error {
	if err := tx.InsertCalls(ctx, &Call{PharmacyID: c.PharmacyID, ClientID: c.ClientID, At: tx.Now(), Op: op, Outcome: "ok", PurchaseID: purchaseID}); err != nil {
		return err
	}
	return tx.Audit(ctx, c.entry("pharmacy."+op, personID, detail))
}

// today is the Finnish calendar day of an instant.
func today(t time.Time) civil.Date { return civil.Today(t) }

// Check answers the counter's question for a customer and medicines on
// today's date: the class and shares of each line, the effect on the
// deductible and ceiling, and a new purchase ID. It reads without a
// transaction (a purchase is computed again when recorded) and changes
// nothing but
// the call history and the audit log, which the notes writer commits in
// batches before the answer leaves (notes.go).
func (s *Service) Check(ctx context.Context, c Caller, req CheckRequest) (Checked, error) {
	var out Checked
	var checkedAt time.Time
	err := s.call(ctx, c, OpCheck, "", func(ctx context.Context) error {
		code, err := parseCode(req.IdentityCode)
		if err != nil {
			return err
		}
		if err := CheckLines(s.cfg.Catalogue, req.Lines); err != nil {
			return err
		}
		now := s.repo.Now()
		on := today(now)
		select {
		case s.reads <- struct{}{}:
		case <-ctx.Done():
			return errUnavailable(ctx.Err())
		}
		p, rights, st, err := s.repo.Counter(ctx, code.String(), on.Year)
		<-s.reads
		if err != nil {
			return unknownPerson(err)
		}
		res, err := Compute(s.cfg.Figures, s.cfg.Catalogue, p.BirthDate, rights, st, on, req.Lines)
		if err != nil {
			return err
		}
		out = Checked{PersonID: p.ID, PurchaseID: uuid.Must(uuid.NewV7()).String(), Rights: rights, Result: res}
		checkedAt = now
		return nil
	})
	if err == nil {
		// The answer waits for its audit entry's commit, within the
		// counter's deadline.
		wctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
		defer cancel()
		err = settle(s.note(wctx, note{
			call:  Call{PharmacyID: c.PharmacyID, ClientID: c.ClientID, At: checkedAt, Op: OpCheck, Outcome: "ok", PurchaseID: out.PurchaseID},
			entry: c.entry("pharmacy."+OpCheck, out.PersonID, "lines="+strconv.Itoa(len(req.Lines))+" purchase_id="+out.PurchaseID),
		}))
	}
	if err != nil {
		return Checked{}, err
	}
	return out, nil
}

// RecordPurchase records a completed purchase so that the year's
// deductible and ceiling advance, once: the purchase ID is the pharmacy's,
// and a purchase ID recorded before is fault.Conflict
// (pharmacy.error.duplicate) with the purchase as first recorded, nothing
// changed. A purchase made on the card fallback is posted the same way
// later, with its own day; it is computed against the year's status when
// posted.
func (s *Service) RecordPurchase(ctx context.Context, c Caller, req PurchaseRequest) (Purchase, error) {
	var out Purchase
	err := s.call(ctx, c, OpPurchase, req.PurchaseID, func(ctx context.Context) error {
		if err := CheckPurchaseID(req.PurchaseID); err != nil {
			return err
		}
		code, err := parseCode(req.IdentityCode)
		if err != nil {
			return err
		}
		if err := CheckLines(s.cfg.Catalogue, req.Lines); err != nil {
			return err
		}
		err = s.repo.InTx(ctx, func(tx Tx) error {
			on := req.PurchasedOn
			if on.IsZero() {
				on = today(tx.Now())
			}
			if on.After(today(tx.Now())) || !on.IsValid() {
				return fault.InvalidField("purchased_on", "pharmacy.error.date", nil)
			}
			if _, ok := s.cfg.Figures.Year(on.Year); !ok {
				return fault.InvalidField("purchased_on", "pharmacy.error.year", map[string]any{"Year": on.Year})
			}
			p, err := tx.PersonByHETU(ctx, code.String())
			if err != nil {
				return unknownPerson(err)
			}
			st, err := tx.YearForUpdate(ctx, p.ID, on.Year)
			if err != nil {
				return err
			}
			if prev, err := tx.Purchase(ctx, c.PharmacyID, req.PurchaseID); err == nil {
				out = prev
				return duplicate(nil)
			} else if !fault.Is(err, fault.NotFound) {
				return err
			}
			rights, err := tx.Rights(ctx, p.ID)
			if err != nil {
				return err
			}
			res, err := Compute(s.cfg.Figures, s.cfg.Catalogue, p.BirthDate, rights, st, on, req.Lines)
			if err != nil {
				return err
			}
			out = Purchase{PharmacyID: c.PharmacyID, PurchaseID: req.PurchaseID, PersonID: p.ID, PurchasedOn: on,
				Fallback: req.Fallback, Status: Recorded, Lines: res.Lines, Price: res.Price, CustomerShare: res.CustomerShare,
				Reimbursement: res.Reimbursement, Deductible: res.Deductible, Ceiling: res.Ceiling, RecordedAt: tx.Now()}
			if err := tx.InsertPurchase(ctx, &out); err != nil {
				return err
			}
			if err := tx.UpdateYear(ctx, p.ID, res.After); err != nil {
				return err
			}
			detail := fmt.Sprintf("purchase=%s year=%d fallback=%t", out.ID, on.Year, req.Fallback)
			return ok(ctx, tx, c, OpPurchase, req.PurchaseID, p.ID, detail)
		})
		if fault.Is(err, fault.Conflict) && fault.KeyOf(err) != "pharmacy.error.duplicate" {
			// Another transaction recorded the purchase ID first (for
			// another person, or before this one locked the year).
			prev, perr := s.repo.Purchase(ctx, c.PharmacyID, req.PurchaseID)
			if perr == nil {
				out = prev
			}
			return duplicate(err)
		}
		return err
	})
	if err != nil && !fault.Is(err, fault.Conflict) {
		return Purchase{}, err
	}
	return out, err
}

func duplicate(cause error) error {
	return &fault.Error{Kind: fault.Conflict, Key: "pharmacy.error.duplicate", Field: "purchase_id", Err: cause}
}

// Cancel reverses a recorded purchase of the pharmacy: the year's
// deductible and ceiling lose exactly what it counted. An unknown purchase
// ID (or another pharmacy's) is fault.NotFound; a purchase cancelled
// before is fault.Conflict, nothing changed. Later purchases of the year
// keep the shares they were computed with.
func (s *Service) Cancel(ctx context.Context, c Caller, purchaseID string) (Purchase, error) {
	var out Purchase
	err := s.call(ctx, c, OpCancel, purchaseID, func(ctx context.Context) error {
		if err := CheckPurchaseID(purchaseID); err != nil {
			return err
		}
		return s.repo.InTx(ctx, func(tx Tx) error {
			p, err := tx.Purchase(ctx, c.PharmacyID, purchaseID)
			if fault.Is(err, fault.NotFound) {
				return &fault.Error{Kind: fault.NotFound, Key: "pharmacy.error.unknown_purchase", Field: "purchase_id", Err: err}
			} else if err != nil {
				return err
			}
			// Locks in the order RecordPurchase takes them: the year, then
			// the purchase (read again under the year's lock).
			st, err := tx.YearForUpdate(ctx, p.PersonID, p.PurchasedOn.Year)
			if err != nil {
				return err
			}
			if p, err = tx.Purchase(ctx, c.PharmacyID, purchaseID); err != nil {
				return err
			}
			if p.Status != Recorded {
				return fault.New(fault.Conflict, "pharmacy.error.cancelled")
			}
			st.DeductiblePaid -= p.Deductible
			st.CeilingCounted -= p.Ceiling
			if err := tx.CancelPurchase(ctx, p.ID, tx.Now()); err != nil {
				return err
			}
			if err := tx.UpdateYear(ctx, p.PersonID, st); err != nil {
				return err
			}
			p.Status, p.CancelledAt = Cancelled, tx.Now()
			out = p
			return ok(ctx, tx, c, OpCancel, purchaseID, p.PersonID, "purchase="+p.ID)
		})
	})
	if err != nil {
		return Purchase{}, err
	}
	return out, nil
}

// Overview is a customer's own status of a year: the figures, what has
// been counted, the rights and the year's purchases.
type Overview struct {
	Year              YearFigures
	Known             bool // the table has the year's figures
	DeductibleApplies bool
	Status            YearStatus
	Rights            []Right
	Purchases         []Purchase
}

// DeductibleLeft and CeilingLeft are what remains of the year's deductible
// and ceiling.
func (o Overview) DeductibleLeft() int64 {
	if !o.DeductibleApplies {
		return 0
	}
	return max(o.Year.DeductibleCents-o.Status.DeductiblePaid, 0)
}
func (o Overview) CeilingLeft() int64 { return max(o.Year.CeilingCents-o.Status.CeilingCounted, 0) }

// Status is the customer's own overview of the year of a day; anyone else
// asking is fault.NotFound.
func (s *Service) Status(ctx context.Context, a access.Actor, personID string, born civil.Date, on civil.Date) (Overview, error) {
	if !a.IsCustomer(personID) {
		return Overview{}, fault.Wrap(fault.NotFound, "", fmt.Errorf("%s %s asked for another person's pharmacy status", a.Kind, a.ID))
	}
	var o Overview
	o.Year, o.Known = s.cfg.Figures.Year(on.Year)
	o.DeductibleApplies = born.IsZero() || born.Year+s.cfg.Figures.DeductibleFromAge <= on.Year
	var err error
	if o.Status, err = s.repo.Year(ctx, personID, on.Year); err != nil {
		return o, err
	}
	if o.Rights, err = s.repo.Rights(ctx, personID); err != nil {
		return o, err
	}
	o.Purchases, err = s.repo.Purchases(ctx, personID, on.Year, 20)
	return o, err
}

// Calls is a pharmacy's call history for staff with access.PharmacyCalls;
// the read is audited.
func (s *Service) Calls(ctx context.Context, a access.Actor, pharmacyID string, limit int) ([]Call, error) {
	if err := s.cfg.Access.Check(a, access.PharmacyCalls); err != nil {
		return nil, err
	}
	if err := s.Flush(ctx); err != nil {
		return nil, err
	}
	calls, err := s.repo.Calls(ctx, pharmacyID, limit)
	if err != nil {
		return nil, err
	}
	err = s.repo.InTx(ctx, func(tx Tx) error {
		return tx.Audit(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, Action: "staff.pharmacy_calls",
			Object: "pharmacy:" + pharmacyID, Detail: "rows=" + strconv.Itoa(len(calls))})
	})
	return calls, err
}
