package payment

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/paydate"
	"github.com/etuus/etuus/internal/recovery"
)

// Recovery offsetting (DOMAIN.md §5): a payment run withholds part of an
// instalment for the overdue recovery claims of the person paid, in the
// transaction that records the payment. The payment's amount is then what
// it pays out (net of the offset) and OffsetCents what it withheld; the
// offset is booked to the claims by the recovery capability
// (recovery.OffsetBook: the claim, its history, a booked bank entry of the
// run), so a run killed at any point offsets nothing or everything it
// recorded, and a payment recorded once is offset once.
//
// etuus models no tax withholding: an instalment's net amount is its
// amount, and the protected amount of a protected benefit (unemployment)
// is compared with it.

// offsetRepo is the reads of offsets (Repo embeds it).
type offsetRepo interface {
	// OffsetsOf lists the offsets of the customer's payments.
	OffsetsOf(ctx context.Context, personID string) ([]PaymentOffset, error)
	// RunReports reads the runs' reports: offsets and refusals with the
	// run's count and sum.
	RunReports(ctx context.Context, limit int) ([]RunSummary, error)
	// RunReport is one run's report, with its refusals and offsets.
	RunReport(ctx context.Context, runID string) (RunSummary, error)
}

// offsetTx is what a run's transaction does for offsets (Tx embeds it).
type offsetTx interface {
	// Offsets is the run's transaction as the recovery capability books in it.
	Offsets() recovery.OffsetTx
	// SaveOffsets records what the payment withheld: its amount becomes
	// what it pays out, and each claim's offset is kept with it.
	SaveOffsets(ctx context.Context, p *Payment, offs []recovery.Offset) error
	// SaveRefusals keeps the run's refusals for its report.
	SaveRefusals(ctx context.Context, runID string, rs []Refusal) error
}

// PaymentOffset is what one payment withheld for one claim.
type PaymentOffset struct {
	PaymentID string
	ClaimID   string
	RunID     string
	Cents     int64
}

// RunSummary is a run with its report: the payments' count and sum (what
// was paid out), the offsets withheld from them and the refusals.
type RunSummary struct {
	Run
	Offsets     int   // payments offset
	OffsetCents int64 // withheld in all
	Refusals    []Refusal
	// RefusalCount is len(Refusals) in lists, which do not read them.
	RefusalCount int
}

// GrossCents is what the run's payments were before offsets.
func (r RunSummary) GrossCents() int64 { return r.TotalCents + r.OffsetCents }

// recoveryBenefit is the recovery rules' name of a benefit of the schedule
// table (rules.json names benefits with underscores, and unemployment
// benefit as the allowance it is protected as).
func recoveryBenefit(kind string) string {
	if kind == "unemployment" {
		return "unemployment_allowance"
	}
	return strings.ReplaceAll(kind, "-", "_")
}

// periodDays is how many days an instalment is for, for the protected
// amount: the month's days, a status report period's days, one for a
// decision.
func periodDays(b Benefit, period string) int {
	switch PeriodKind(period) {
	case "decision":
		return 1
	case "report":
		start, err := civil.ParseISO(strings.TrimPrefix(period, "report:"))
		if err != nil {
			return 0
		}
		if start == b.Starts {
			return paydate.ReportPeriod(start, 1).Days()
		}
		return paydate.ReportPeriod(start, 2).Days()
	}
	var y, m int
	if _, err := fmt.Sscanf(period, "%d-%d", &y, &m); err != nil || m < 1 || m > 12 {
		return 0
	}
	return civil.DaysIn(y, time.Month(m))
}

// OffsetInput is the instalment as the offset rules see it.
func OffsetInput(b Benefit, period string, cents int64, payDate civil.Date) recovery.BenefitPayment {
	return recovery.BenefitPayment{BenefitKey: recoveryBenefit(b.Kind), GrossCents: cents, NetCents: cents,
		Days: periodDays(b, period), PaymentDate: payDate}
}

// startOffsets locks the claims the run may offset from; nil when the
// service offsets nothing (no recovery service configured).
func (s *Service) startOffsets(ctx context.Context, tx Tx, a access.Actor, r *Run) (*recovery.OffsetBook, error) {
	if s.cfg.Recovery == nil {
		return nil, nil
	}
	return s.cfg.Recovery.StartOffsets(ctx, tx.Offsets(), a, recovery.OffsetRun{RunID: r.ID, MessageID: r.MessageID,
		FileName: r.FileName, Account: s.cfg.Debtor.IBAN.String(), PayDate: r.PayDate})
}

// payWithOffset records one payment of a person with claims to offset
// from: alone, so that only a payment recorded now (not one paid before)
// is offset, then offset in the same transaction. It returns 1 when the
// payment was recorded.
func (s *Service) payWithOffset(ctx context.Context, tx Tx, book *recovery.OffsetBook, b Benefit, p *Payment, rep *RunReport) (int, error) {
	n, err := tx.InsertPayments(ctx, []*Payment{p})
	if err != nil || n == 0 {
		return n, err
	}
	offs, _, err := book.Offset(ctx, p.ID, p.PersonID, OffsetInput(b, p.Period, p.AmountCents, p.PayDate))
	if err != nil || len(offs) == 0 {
		return n, err
	}
	if err := tx.SaveOffsets(ctx, p, offs); err != nil {
		return n, err
	}
	rep.Offsets++
	rep.OffsetCents += p.OffsetCents
	return n, s.tellOffset(ctx, tx, p, offs)
}

// ComingPayment is a coming instalment as the customer's page shows it:
// the amount, what would be offset from it and what is left to pay.
type ComingPayment struct {
	Due
	Offsets []recovery.Offset
}

// OffsetCents is what the instalment would withhold.
func (c ComingPayment) OffsetCents() int64 {
	var n int64
	for _, o := range c.Offsets {
		n += o.Cents
	}
	return n
}

// NetCents is what the instalment would pay out.
func (c ComingPayment) NetCents() int64 { return c.AmountCents - c.OffsetCents() }

func dueKey(d Due) string { return d.Benefit.ID + "|" + d.Period }

// planned is the coming instalments as the recovery forecast takes them.
func planned(due []Due) []recovery.PlannedPayment {
	out := make([]recovery.PlannedPayment, len(due))
	for i, d := range due {
		out[i] = recovery.PlannedPayment{Key: dueKey(d), Payment: OffsetInput(d.Benefit, d.Period, d.AmountCents, d.DueDate)}
	}
	return out
}

// Coming is the customer's coming instalments with the offsets planned
// from them: the advance notice of an offset (DOMAIN.md §5). The forecast
// takes the claims as they stand; the run decides on the pay day.
func (s *Service) Coming(ctx context.Context, a access.Actor, o Overview) ([]ComingPayment, error) {
	if s.cfg.Recovery == nil || len(o.Upcoming) == 0 {
		return withOffsets(o.Upcoming, nil), nil
	}
	offs, err := s.cfg.Recovery.PlannedOffsets(ctx, a, planned(o.Upcoming))
	if err != nil {
		return nil, err
	}
	return withOffsets(o.Upcoming, offs), nil
}

// withOffsets is the coming instalments with the offsets planned from
// them (by dueKey).
func withOffsets(due []Due, offs map[string][]recovery.Offset) []ComingPayment {
	out := make([]ComingPayment, len(due))
	for i, d := range due {
		out[i] = ComingPayment{Due: d, Offsets: offs[dueKey(d)]}
	}
	return out
}

// ComingFor lists a person's coming instalments for the recovery
// capability's forecast on a claim's page (recovery.Service.SetComingPayments).
func (s *Service) ComingFor(ctx context.Context, personID string) ([]recovery.PlannedPayment, error) {
	o, err := s.Payments(ctx, access.Actor{Kind: access.Customer, ID: personID})
	if err != nil {
		return nil, err
	}
	return planned(o.Upcoming), nil
}

// PaidOffsets is the offsets of the customer's own recorded payments, by
// payment ID.
func (s *Service) PaidOffsets(ctx context.Context, a access.Actor) (map[string][]PaymentOffset, error) {
	pid, err := customerOf(a)
	if err != nil {
		return nil, err
	}
	offs, err := s.repo.OffsetsOf(ctx, pid)
	if err != nil {
		return nil, err
	}
	out := map[string][]PaymentOffset{}
	for _, o := range offs {
		out[o.PaymentID] = append(out[o.PaymentID], o)
	}
	return out, nil
}

// RunReports lists the latest runs with their reports, for operations
// staff (access.PaymentRun) or the system. Reading them reads no personal
// data: counts, sums and benefit IDs only.
func (s *Service) RunReports(ctx context.Context, a access.Actor, limit int) ([]RunSummary, error) {
	if err := s.runner(a); err != nil {
		return nil, err
	}
	return s.repo.RunReports(ctx, limit)
}

// RunReport is one run's report with its refusals.
func (s *Service) RunReport(ctx context.Context, a access.Actor, runID string) (RunSummary, error) {
	if err := s.runner(a); err != nil {
		return RunSummary{}, err
	}
	if runID == "" {
		return RunSummary{}, fault.New(fault.NotFound, "payment.error.no_run")
	}
	return s.repo.RunReport(ctx, runID)
}

// MyPayments is the customer's payments page: the overview, the coming
// instalments with the offsets planned from them, and whether any coming
// or past payment is offset (the page then shows gross, offset and net).
type MyPayments struct {
	Overview
	Coming     []ComingPayment
	AnyOffset  bool
	PastOffset bool
}

// MyPayments reads the customer's own payments page: the overview and
// the claims the forecast of offsets needs in one read of the repository
// (Coming's forecast, without a second round trip).
func (s *Service) MyPayments(ctx context.Context, a access.Actor) (MyPayments, error) {
	var m MyPayments
	pid, err := customerOf(a)
	if err != nil {
		return m, err
	}
	var rows OverviewRows
	if m.Overview, rows, err = s.read(ctx, pid, s.cfg.Recovery != nil); err != nil {
		return m, err
	}
	var offs map[string][]recovery.Offset
	if s.cfg.Recovery != nil && len(m.Upcoming) > 0 {
		offs = s.cfg.Recovery.OffsetForecast(rows.Claims, rows.Pending, planned(m.Upcoming))
	}
	m.Coming = withOffsets(m.Upcoming, offs)
	for _, c := range m.Coming {
		m.AnyOffset = m.AnyOffset || len(c.Offsets) > 0
	}
	for _, p := range m.Past {
		m.PastOffset = m.PastOffset || p.OffsetCents > 0
	}
	return m, nil
}

// GrossCents is what the payment was before any offset.
func (p Payment) GrossCents() int64 { return p.AmountCents + p.OffsetCents }

// RunReportJSON is a run's report as JSON: the same figures `etuus pay
// --json` and the staff page show.
type RunReportJSON struct {
	ID          string        `json:"id"`
	Number      int64         `json:"number"`
	PayDate     string        `json:"pay_date"`
	Status      string        `json:"status"`
	FileName    string        `json:"file_name"`
	MessageID   string        `json:"message_id"`
	Payments    int           `json:"payments"`
	TotalCents  int64         `json:"total_cents"`
	GrossCents  int64         `json:"gross_cents"`
	Offsets     int           `json:"offsets"`
	OffsetCents int64         `json:"offset_cents"`
	Refused     int           `json:"refused"`
	Refusals    []RefusalJSON `json:"refusals"`
}

// RefusalJSON is one refused instalment in a report.
type RefusalJSON struct {
	BenefitID string `json:"benefit_id"`
	Period    string `json:"period"`
	Reason    string `json:"reason"`
}

// ReportJSON is the run's report as JSON.
func ReportJSON(r RunSummary) RunReportJSON {
	out := RunReportJSON{ID: r.ID, Number: r.Number, PayDate: r.PayDate.String(), Status: r.Status, FileName: r.FileName,
		MessageID: r.MessageID, Payments: r.Payments, TotalCents: r.TotalCents, GrossCents: r.GrossCents(),
		Offsets: r.Offsets, OffsetCents: r.OffsetCents, Refused: max(r.RefusalCount, len(r.Refusals)),
		Refusals: make([]RefusalJSON, len(r.Refusals))}
	for i, x := range r.Refusals {
		out.Refusals[i] = RefusalJSON(x)
	}
	return out
}
