package payment

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/iban"
	"github.com/etuus/etuus/internal/fi/paydate"
	"github.com/etuus/etuus/internal/outbox"
	"github.com/etuus/etuus/internal/recovery"
)

// Repo is the storage the payment service needs. A missing row, or a row
// of another customer, is fault.NotFound.
type Repo interface {
	// InTx runs fn in one transaction and commits it when fn returns nil,
	// running it again on a busy or serialisation failure.
	InTx(ctx context.Context, fn func(Tx) error) error
	// PaymentsOf lists the customer's payments, newest pay day first.
	PaymentsOf(ctx context.Context, personID string) ([]Payment, error)
	// PaymentOf is one payment of the customer.
	PaymentOf(ctx context.Context, personID, id string) (Payment, error)
	// BenefitsOf lists the customer's benefits.
	BenefitsOf(ctx context.Context, personID string) ([]Benefit, error)
	// RunPayments calls fn for each payment of the run, with the holder's
	// name and language: the benefit payments, then the employers'
	// reimbursements (ApplicationID set, the holder the organisation), each
	// in end-to-end ID order — always the same order, so a file written
	// again has the same bytes.
	RunPayments(ctx context.Context, runID string, fn func(*Payment) error) error
	// Runs lists the latest runs, newest first.
	Runs(ctx context.Context, limit int) ([]Run, error)
	// BenefitOf is one benefit of the customer.
	BenefitOf(ctx context.Context, personID, benefitID string) (Benefit, error)
	// ReportsOf lists the customer's status reports for the benefit (all
	// of theirs when benefitID is ""), oldest period first.
	ReportsOf(ctx context.Context, personID, benefitID string) ([]StatusReport, error)
	// OverviewOf reads what PaymentsOf, BenefitsOf, ReportsOf(…, ""),
	// ReturnsOf and AccountChangesOf return for the customer, and with
	// claims what the recovery repository's ClaimsPendingOf returns,
	// together (on PostgreSQL in one round trip): the customer's payments
	// page.
	OverviewOf(ctx context.Context, personID string, claims bool) (OverviewRows, error)
	offsetRepo   // offset.go
	ReturnsRepo  // rejected and returned payments (returns.go)
	AccountRepo  // the payment account (account.go)
	employerRepo // employers' failed payments (employer.go)
}

// Tx is one transaction of the payment service.
type Tx interface {
	Now() time.Time
	// LockRuns serialises payment runs until the transaction ends
	// (an advisory lock on PostgreSQL; SQLite's write transaction holds
	// the whole database).
	LockRuns(ctx context.Context) error
	// UnpublishedRuns lists the runs recorded whose file is not yet
	// published, oldest first.
	UnpublishedRuns(ctx context.Context) ([]Run, error)
	// NextRunNumber is the number after the highest run's.
	NextRunNumber(ctx context.Context) (int64, error)
	// InsertRun gives the run its ID and creation time and stores it.
	InsertRun(ctx context.Context, r *Run) error
	// DeleteRun removes a run that recorded no payment.
	DeleteRun(ctx context.Context, runID string) error
	// Benefits calls fn for pages of the benefits, in ID order, with their
	// holders' names and languages.
	Benefits(ctx context.Context, fn func([]Benefit) error) error
	// InsertPayments stores the payments whose benefit and period have
	// none yet, skipping the others, and returns how many it stored.
	InsertPayments(ctx context.Context, ps []*Payment) (int, error)
	// RunTotals counts and sums the run's payments, the employers'
	// reimbursements among them.
	RunTotals(ctx context.Context, runID string) (int, int64, error)
	// SaveRunTotals writes the run's count and sum.
	SaveRunTotals(ctx context.Context, r *Run) error
	// ReportsDue lists the payments of the status reports whose payment
	// day is from..to, with their benefits' accounts and holders.
	ReportsDue(ctx context.Context, from, to civil.Date) ([]Due, error)
	// BenefitForUpdate locks one benefit of the customer.
	BenefitForUpdate(ctx context.Context, personID, benefitID string) (Benefit, error)
	ReportsOf(ctx context.Context, personID, benefitID string) ([]StatusReport, error)
	// InsertReport stores a report, giving it an ID: a second report for
	// the period is a fault.Conflict.
	InsertReport(ctx context.Context, r *StatusReport) error
	// PublishRun marks a prepared run and its payments published with the
	// file's hash; false when it was published already.
	PublishRun(ctx context.Context, runID, sha256 string) (bool, error)
	Audit(ctx context.Context, es ...audit.Entry) error
	offsetTx   // offset.go
	ReturnsTx  // rejected and returned payments (returns.go)
	AccountTx  // the payment account (account.go)
	noticeTx   // the customer's notices (notice.go)
	employerTx // employers' reimbursements (employer.go)
	// PaymentForNotice is a payment's benefit, period and pay day, as a
	// notice names it.
	PaymentForNotice(ctx context.Context, id string) (Payment, error)
}

// Run statuses.
const (
	RunPrepared  = "prepared"  // payments recorded, file not yet published
	RunPublished = "published" // file published under its final name
)

// Run is one payment run: the payments it recorded and the file carrying
// them.
type Run struct {
	ID          string
	Number      int64
	PayDate     civil.Date
	Status      string
	MessageID   string
	FileName    string
	Payments    int
	TotalCents  int64
	SHA256      string
	StartedBy   string
	CreatedAt   time.Time
	PublishedAt time.Time
}

// NewRun is the run numbered num for the pay day, with its message ID and
// file name.
func NewRun(num int64, payDate civil.Date, a access.Actor) *Run {
	day := strings.ReplaceAll(payDate.String(), "-", "")
	return &Run{Number: num, PayDate: payDate, Status: RunPrepared, StartedBy: a.AuditKind() + ":" + a.ID,
		MessageID: fmt.Sprintf("ETUUS-PAY-%s-%06d", day, num),
		FileName:  fmt.Sprintf("pain001-%s-%06d.xml", day, num)}
}

// Debtor is the account benefits are paid from.
type Debtor struct {
	Name  string // Dbtr/Nm and the initiating party
	OrgID string // the business ID the bank knows the payer by; optional
	IBAN  iban.IBAN
	BIC   string
}

// Config is the service's settings.
type Config struct {
	Schedules *Schedules    // nil: the shipped table
	Debtor    Debtor        // the account paid from
	Access    *access.Table // nil: the built-in table
	// Filing is the status reports' filing schedule; nil: the shipped one.
	Filing *paydate.FilingSchedule
	// Recovery offsets overdue recovery claims from the payments
	// (offset.go); nil offsets nothing.
	Recovery *recovery.Service
	// Text writes the notices in the customer's language (the i18n
	// catalogue); nil writes the keys.
	Text outbox.Translate
	// NoticeUnit is the unit the notice threads are routed to; "" is
	// DefaultNoticeUnit.
	NoticeUnit string
}

func (c *Config) filing() *paydate.FilingSchedule {
	if c.Filing == nil {
		return paydate.DefaultFilingSchedule()
	}
	return c.Filing
}

// Service is the payment capability's use cases.
type Service struct {
	repo Repo
	cfg  Config
	now  func() time.Time
}

// NewService returns the service over the repository.
func NewService(repo Repo, cfg Config) *Service {
	if cfg.Schedules == nil {
		cfg.Schedules = DefaultSchedules()
	}
	if cfg.Access == nil {
		cfg.Access = access.Default()
	}
	return &Service{repo: repo, cfg: cfg, now: time.Now}
}

// SetClock replaces the clock reads use (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Schedules is the table the service pays by.
func (s *Service) Schedules() *Schedules { return s.cfg.Schedules }

// runner checks that the actor may start a payment run: the system (the
// worker, the command) or staff with access.PaymentRun.
func (s *Service) runner(a access.Actor) error {
	if a.Kind == access.System && a.ID != "" {
		return nil
	}
	return s.cfg.Access.Check(a, access.PaymentRun)
}

// RunOptions are a run's settings.
type RunOptions struct {
	// Publish writes the run's file; the run records nothing without it
	// unless DryRun.
	Publish Publisher
	// DryRun computes what the run would pay and records nothing.
	DryRun bool
	// Progress, when set, is told how many payments of a file are written.
	Progress func(written, total int)
}

// RunReport is what a run did.
type RunReport struct {
	PayDate    civil.Date
	Run        *Run      // the run recorded; nil when nothing was due
	Finished   []Run     // earlier runs cut short, finished first
	Payments   int       // payments recorded (or, dry, that would be)
	TotalCents int64     // their sum
	Refused    []Refusal // instalments not paid, with the reason
	DryRun     bool
	// Offsets is how many payments an offset was withheld from, and
	// OffsetCents how much in all (TotalCents is after them).
	Offsets     int
	OffsetCents int64
}

var errDryRun = errors.New("payment: dry run")

// Run pays what is due on payDate: it first finishes any run cut short
// (publishing its file), then records one payment for each benefit and
// period due and not yet paid, and one for each employer application
// approved and not yet paid (employer.go), and publishes the file. A second run on the
// same day records only what became due since; run concurrently or after a
// kill, nothing is paid twice.
func (s *Service) Run(ctx context.Context, a access.Actor, payDate civil.Date, opt RunOptions) (RunReport, error) {
	rep := RunReport{PayDate: payDate, DryRun: opt.DryRun}
	if err := s.runner(a); err != nil {
		return rep, err
	}
	if !IsPayDay(payDate) {
		return rep, fault.InvalidField("date", "payment.error.not_banking_day", map[string]any{"Date": payDate.String()})
	}
	if !opt.DryRun && opt.Publish == nil {
		return rep, errors.New("payment: a run needs somewhere to publish its file")
	}
	if !opt.DryRun {
		var err error
		if rep.Finished, err = s.finishUnpublished(ctx, a, opt); err != nil {
			return rep, err
		}
	}
	var run *Run
	err := s.repo.InTx(ctx, func(tx Tx) error {
		run, rep.Payments, rep.TotalCents, rep.Refused, rep.Offsets, rep.OffsetCents = nil, 0, 0, nil, 0, 0
		if err := tx.LockRuns(ctx); err != nil {
			return err
		}
		num, err := tx.NextRunNumber(ctx)
		if err != nil {
			return err
		}
		r := NewRun(num, payDate, a)
		if err := tx.InsertRun(ctx, r); err != nil {
			return err
		}
		book, err := s.startOffsets(ctx, tx, a, r)
		if err != nil {
			return err
		}
		n, err := s.record(ctx, tx, r, payDate, book, &rep)
		if err != nil {
			return err
		}
		if err := book.Finish(ctx); err != nil {
			return err
		}
		if n == 0 {
			if opt.DryRun {
				return errDryRun
			}
			return tx.DeleteRun(ctx, r.ID)
		}
		if r.Payments, r.TotalCents, err = tx.RunTotals(ctx, r.ID); err != nil {
			return err
		}
		rep.Payments, rep.TotalCents = r.Payments, r.TotalCents
		if opt.DryRun {
			return errDryRun
		}
		if err := tx.SaveRunTotals(ctx, r); err != nil {
			return err
		}
		if err := tx.SaveRefusals(ctx, r.ID, rep.Refused); err != nil {
			return err
		}
		run = r
		return tx.Audit(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, Action: "payment.run_recorded",
			Object: "payment_run:" + r.ID, Detail: fmt.Sprintf("pay date %s, %d payments, %d cents", payDate, r.Payments, r.TotalCents)})
	})
	if errors.Is(err, errDryRun) {
		return rep, nil
	}
	if err != nil || run == nil {
		return rep, err
	}
	rep.Run = run
	if err := s.publish(ctx, a, run, opt); err != nil {
		return rep, err
	}
	run.Status = RunPublished
	return rep, nil
}

// record stores the run's payments: every instalment due, skipping those
// paid already (the unique key) and refusing those the bank would refuse.
func (s *Service) record(ctx context.Context, tx Tx, r *Run, payDate civil.Date, book *recovery.OffsetBook, rep *RunReport) (int, error) {
	refused := &rep.Refused
	total := 0
	batch := make([]*Payment, 0, 512)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		n, err := tx.InsertPayments(ctx, batch)
		total += n
		batch = batch[:0]
		return err
	}
	add := func(due []Due) error {
		for _, d := range due {
			if reason := Check(d.Benefit.IBAN, d.AmountCents); reason != "" {
				*refused = append(*refused, Refusal{BenefitID: d.Benefit.ID, Period: d.Period, Reason: reason})
				continue
			}
			p := &Payment{PersonID: d.Benefit.PersonID, BenefitID: d.Benefit.ID, Kind: d.Benefit.Kind,
				Period: d.Period, RunID: r.ID, DueDate: d.DueDate, PayDate: payDate, AmountCents: d.AmountCents,
				IBAN: d.Benefit.IBAN, Status: Prepared}
			if book != nil && book.Has(p.PersonID) {
				n, err := s.payWithOffset(ctx, tx, book, d.Benefit, p, rep)
				total += n
				if err != nil {
					return err
				}
				continue
			}
			batch = append(batch, p)
		}
		if len(batch) >= 500 {
			return flush()
		}
		return nil
	}
	err := tx.Benefits(ctx, func(bs []Benefit) error {
		for i := range bs {
			due, ref := s.cfg.Schedules.DueOn(bs[i], payDate)
			*refused = append(*refused, ref...)
			if err := add(due); err != nil {
				return err
			}
		}
		return flush()
	})
	if err != nil {
		return total, err
	}
	// Status reports pay on their own day (a report of nothing to pay,
	// its income taking all, is no payment).
	due, err := tx.ReportsDue(ctx, payDate.AddDays(-CatchUpDays), payDate)
	if err != nil {
		return total, err
	}
	due = slices.DeleteFunc(due, func(d Due) bool { return d.AmountCents == 0 })
	if err := add(due); err != nil {
		return total, err
	}
	if err := flush(); err != nil {
		return total, err
	}
	// Payments rejected or returned whose account staff corrected.
	n, err := s.recordRepayments(ctx, tx, r, payDate, refused)
	total += n
	if err != nil {
		return total, err
	}
	// Employers' approved reimbursements (employer.go).
	n, err = s.recordEmployers(ctx, tx, r, payDate, refused)
	return total + n, err
}

// finishUnpublished publishes the files of runs recorded but cut short.
func (s *Service) finishUnpublished(ctx context.Context, a access.Actor, opt RunOptions) ([]Run, error) {
	var runs []Run
	err := s.repo.InTx(ctx, func(tx Tx) error {
		var err error
		runs, err = tx.UnpublishedRuns(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range runs {
		if err := s.publish(ctx, a, &runs[i], opt); err != nil {
			return runs[:i], err
		}
		runs[i].Status = RunPublished
	}
	return runs, nil
}

// publish writes the run's file from its recorded payments, hands it to
// the publisher (temporary name, then the final one) and marks the run
// published.
func (s *Service) publish(ctx context.Context, a access.Actor, r *Run, opt RunOptions) error {
	sum, err := opt.Publish.Publish(ctx, r.FileName, func(w Writer) error {
		return s.writeFile(ctx, w, r, opt.Progress)
	})
	if err != nil {
		return fmt.Errorf("payment run %d: %w", r.Number, err)
	}
	r.SHA256 = sum
	return s.repo.InTx(ctx, func(tx Tx) error {
		done, err := tx.PublishRun(ctx, r.ID, sum)
		if err != nil || !done {
			return err
		}
		return tx.Audit(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, Action: "payment.run_published",
			Object: "payment_run:" + r.ID, Detail: fmt.Sprintf("file %s sha256 %s", r.FileName, sum)})
	})
}

// Runs lists the latest payment runs for staff or the system.
func (s *Service) Runs(ctx context.Context, a access.Actor, limit int) ([]Run, error) {
	if err := s.runner(a); err != nil {
		return nil, err
	}
	return s.repo.Runs(ctx, limit)
}
