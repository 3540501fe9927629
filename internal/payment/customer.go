package payment

import (
	"context"
	"slices"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/recovery"
)

// UpcomingMonths is how far ahead the customer's page shows coming
// payments.
const UpcomingMonths = 3

// Overview is the customer's payments: those coming (from the schedule,
// not yet recorded) and those recorded, newest first.
type Overview struct {
	Upcoming []Due
	Past     []Payment
	// Reports are the customer's status reports; NextReports the report
	// each unemployment benefit asks for next.
	Reports     []StatusReport
	NextReports []ReportDue
	// Returns are the customer's payments the bank rejected or returned,
	// newest first (returns.go).
	Returns []Return
	// Accounts is the payment account's changes, newest first
	// (account.go).
	Accounts []AccountChange
}

// unpaidReports are the filed reports with an amount that no payment
// covers yet, as coming payments.
func unpaidReports(bs []Benefit, rs []StatusReport, paid []Payment) []Due {
	have := map[[2]string]bool{}
	for _, p := range paid {
		have[[2]string{p.BenefitID, p.Period}] = true
	}
	byID := map[string]Benefit{}
	for _, b := range bs {
		byID[b.ID] = b
	}
	var out []Due
	for _, r := range rs {
		period := ReportPeriod(r.Period.Start)
		if r.AmountCents > 0 && !have[[2]string{r.BenefitID, period}] {
			out = append(out, Due{Benefit: byID[r.BenefitID], Period: period, DueDate: r.PayDate, AmountCents: r.AmountCents})
		}
	}
	return out
}

func customerOf(a access.Actor) (string, error) {
	if a.Kind != access.Customer || a.ID == "" {
		return "", fault.New(fault.Forbidden, "auth.error.customers_only")
	}
	return a.ID, nil
}

// Payments is the customer's own payments and those coming in the next
// UpcomingMonths months.
func (s *Service) Payments(ctx context.Context, a access.Actor) (Overview, error) {
	pid, err := customerOf(a)
	if err != nil {
		return Overview{}, err
	}
	return s.overview(ctx, pid)
}

// StaffOverview is a customer's payments, coming and past, and status
// reports for staff whose role shows payments in the 360 view
// (access.DeskPayments). It writes no audit entry of its own: the desk
// calls it for a view it has audited.
func (s *Service) StaffOverview(ctx context.Context, a access.Actor, personID string) (Overview, error) {
	if err := s.cfg.Access.Check(a, access.DeskPayments); err != nil {
		return Overview{}, err
	}
	return s.overview(ctx, personID)
}

// OverviewRows is what Repo.OverviewOf reads of one customer: their
// payments (newest pay day first), benefits, status reports (oldest
// period first), failed attempts and account changes (newest first);
// when asked, their recovery claims (newest first) and which of them have
// an application waiting, for the forecast of offsets
// (recovery.Service.OffsetForecast).
type OverviewRows struct {
	Payments []Payment
	Benefits []Benefit
	Reports  []StatusReport
	Returns  []Return
	Accounts []AccountChange
	Claims   []recovery.Claim
	Pending  map[string]bool
}

func (s *Service) overview(ctx context.Context, pid string) (Overview, error) {
	o, _, err := s.read(ctx, pid, false)
	return o, err
}

// read is the customer's overview and, with claims, the rows it was made
// of with the customer's recovery claims.
func (s *Service) read(ctx context.Context, pid string, claims bool) (Overview, OverviewRows, error) {
	rows, err := s.repo.OverviewOf(ctx, pid, claims)
	if err != nil {
		return Overview{}, rows, err
	}
	o := Overview{Past: rows.Payments, Reports: rows.Reports, Returns: rows.Returns, Accounts: rows.Accounts}
	bs := rows.Benefits
	o.Upcoming = Upcoming(s.cfg.Schedules, bs, o.Past, civil.Today(s.now()), UpcomingMonths)
	o.Upcoming = append(o.Upcoming, unpaidReports(bs, o.Reports, o.Past)...)
	slices.SortStableFunc(o.Upcoming, func(a, b Due) int { return a.DueDate.Compare(b.DueDate) })
	// The unemployment benefits, each with the next report it asks for.
	for _, b := range bs {
		if sc, ok := s.cfg.Schedules.At(b.Kind, civil.Today(s.now())); ok && sc.Rule == OnReport {
			var mine []StatusReport
			for _, r := range o.Reports {
				if r.BenefitID == b.ID {
					mine = append(mine, r)
				}
			}
			o.NextReports = append(o.NextReports, NextReport(b, mine, s.cfg.filing(), civil.Today(s.now())))
		}
	}
	return o, rows, nil
}

// Payment is one of the customer's own payments; another customer's is
// fault.NotFound.
func (s *Service) Payment(ctx context.Context, a access.Actor, id string) (Payment, error) {
	pid, err := customerOf(a)
	if err != nil {
		return Payment{}, err
	}
	return s.repo.PaymentOf(ctx, pid, id)
}

// Upcoming lists the instalments of the benefits due from today to the end
// of the months-th month after it that no recorded payment covers, by date.
func Upcoming(s *Schedules, bs []Benefit, paid []Payment, today civil.Date, months int) []Due {
	have := make(map[[2]string]bool, len(paid))
	for _, p := range paid {
		have[[2]string{p.BenefitID, p.Period}] = true
	}
	y, m := today.Year, today.Month+time.Month(months)
	for m > time.December {
		y, m = y+1, m-12
	}
	end := civil.New(y, m, civil.DaysIn(y, m))
	var out []Due
	for _, b := range bs {
		due, _ := s.DueBetween(b, today, end)
		for _, d := range due {
			if !have[[2]string{b.ID, d.Period}] {
				out = append(out, d)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Due) int { return a.DueDate.Compare(b.DueDate) })
	return out
}
