package payment

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/bankday"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/paydate"
)

// StatusReport is an unemployment status report: what the customer
// reports for one past period, and what it pays.
type StatusReport struct {
	ID          string
	PersonID    string
	BenefitID   string
	Period      paydate.Period
	Hours       int   // hours worked in the period
	IncomeCents int64 // earned income for the period
	SickDays    int   // days of illness (paid as sickness allowance instead)
	FiledOn     civil.Date
	PayDate     civil.Date // the earliest payment day
	AmountCents int64
	CreatedAt   time.Time
}

// ReportInput is what the customer fills in.
type ReportInput struct {
	Hours       int
	IncomeCents int64
	SickDays    int
}

// Bounds of a report's fields, to refuse typing errors.
const (
	maxReportHours = 24 * 31
	maxReportCents = 10_000_000 // 100,000 € in one period
)

// PaidDays is the number of days a period pays: unemployment benefit is
// paid for five days a week, Monday to Friday (weekday holidays included).
func PaidDays(p paydate.Period) int {
	n := 0
	for d := p.Start; !d.After(p.End); d = d.AddDays(1) {
		if w := d.Weekday(); w != time.Saturday && w != time.Sunday {
			n++
		}
	}
	return n
}

// ReportAmount is what a report pays, simplified from the adjusted
// unemployment benefit: the daily amount for the period's paid days less
// the sick days, reduced by half the income of the period, never below
// zero. It is etuus's rule, not Kela's full calculation (which also weighs
// hours of full-time work and the benefit's kind).
func ReportAmount(daily int64, p paydate.Period, in ReportInput) int64 {
	days := max(PaidDays(p)-in.SickDays, 0)
	return max(int64(days)*daily-in.IncomeCents/2, 0)
}

// Check refuses a report the rules do not take, with the field and key.
func (in ReportInput) Check(p paydate.Period) error {
	var errs []error
	if in.Hours < 0 || in.Hours > maxReportHours {
		errs = append(errs, fault.InvalidField("hours", "payment.report.error.hours", map[string]any{"Max": maxReportHours}))
	}
	if in.IncomeCents < 0 || in.IncomeCents > maxReportCents {
		errs = append(errs, fault.InvalidField("income", "payment.report.error.income", nil))
	}
	if in.SickDays < 0 || in.SickDays > p.Days() {
		errs = append(errs, fault.InvalidField("sick_days", "payment.report.error.sick_days", map[string]any{"Max": p.Days()}))
	}
	return errors.Join(errs...)
}

// ReportDue is the next report a benefit asks for: its period, when it can
// be filed and the earliest payment day when filed then.
type ReportDue struct {
	Benefit Benefit
	Number  int // 1 for the first period
	Period  paydate.Period
	Filing  paydate.Filing
	// CanFile is whether the report can be filed today.
	CanFile bool
	// PaidIfFiledToday is the earliest payment of a report filed today.
	PaidIfFiledToday civil.Date
}

// NextReport is the first period of the benefit without a report, with
// its filing and payment days as of today.
func NextReport(b Benefit, filed []StatusReport, fs *paydate.FilingSchedule, today civil.Date) ReportDue {
	have := map[civil.Date]bool{}
	for _, r := range filed {
		have[r.Period.Start] = true
	}
	n := 1
	p := paydate.ReportPeriod(b.Starts, 1)
	for have[p.Start] {
		n++
		p = paydate.ReportPeriod(b.Starts, n)
	}
	f := fs.Filing(p.End)
	rd := ReportDue{Benefit: b, Number: n, Period: p, Filing: f, CanFile: !today.Before(f.Filed)}
	rd.PaidIfFiledToday = EarliestReportPayment(f, today)
	return rd
}

// EarliestReportPayment is the earliest payment of a report filed on
// filed: the schedule's day when filed on or before its filing day,
// otherwise the default lag after the day it is filed (a report sent on a
// weekend counts from the next banking day).
func EarliestReportPayment(f paydate.Filing, filed civil.Date) civil.Date {
	if !filed.After(f.Filed) {
		return f.Paid
	}
	return paydate.EarliestPayment(bankday.NextOrSame(filed))
}

// NextReport is the next status report the customer's unemployment
// benefit asks for; another customer's benefit is NotFound.
func (s *Service) NextReport(ctx context.Context, a access.Actor, benefitID string) (ReportDue, error) {
	pid, err := customerOf(a)
	if err != nil {
		return ReportDue{}, err
	}
	b, err := s.repo.BenefitOf(ctx, pid, benefitID)
	if err != nil {
		return ReportDue{}, err
	}
	if sc, ok := s.cfg.Schedules.At(b.Kind, civil.Today(s.now())); !ok || sc.Rule != OnReport {
		return ReportDue{}, fault.New(fault.NotFound, "")
	}
	rs, err := s.repo.ReportsOf(ctx, pid, b.ID)
	if err != nil {
		return ReportDue{}, err
	}
	return NextReport(b, rs, s.cfg.filing(), civil.Today(s.now())), nil
}

// FileReport files the customer's status report for the benefit's next
// period: refused before the period's filing day, with a field out of
// bounds, or for another customer's benefit (NotFound). Filing the same
// period twice is a fault.Conflict.
func (s *Service) FileReport(ctx context.Context, a access.Actor, benefitID string, in ReportInput) (StatusReport, error) {
	var r StatusReport
	pid, err := customerOf(a)
	if err != nil {
		return r, err
	}
	err = s.repo.InTx(ctx, func(tx Tx) error {
		b, err := tx.BenefitForUpdate(ctx, pid, benefitID)
		if err != nil {
			return err
		}
		today := civil.Today(tx.Now())
		if sc, ok := s.cfg.Schedules.At(b.Kind, today); !ok || sc.Rule != OnReport {
			return fault.New(fault.NotFound, "")
		}
		rs, err := tx.ReportsOf(ctx, pid, b.ID)
		if err != nil {
			return err
		}
		next := NextReport(b, rs, s.cfg.filing(), today)
		if !next.CanFile {
			return fault.InvalidField("period", "payment.report.error.too_early", map[string]any{"Date": next.Filing.Filed})
		}
		if err := in.Check(next.Period); err != nil {
			return err
		}
		r = StatusReport{PersonID: pid, BenefitID: b.ID, Period: next.Period, Hours: in.Hours, IncomeCents: in.IncomeCents,
			SickDays: in.SickDays, FiledOn: today, PayDate: next.PaidIfFiledToday, AmountCents: ReportAmount(b.AmountCents, next.Period, in)}
		if err := tx.InsertReport(ctx, &r); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, Action: "payment.report_filed", SubjectID: pid,
			Object: "status_report:" + r.ID, Detail: fmt.Sprintf("period %s–%s, pay date %s", r.Period.Start, r.Period.End, r.PayDate)})
	})
	return r, err
}
