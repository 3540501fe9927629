package paydate

import (
	"time"

	"github.com/etuus/etuus/internal/fi/bankday"
	"github.com/etuus/etuus/internal/fi/civil"
)

// ReportFiling is DefaultFilingSchedule().Filing: when the unemployment
// status report for the period ending on periodEnd can be filed and is paid
// at the earliest, under the shipped schedule.
func ReportFiling(periodEnd civil.Date) Filing { return defaultSchedule().Filing(periodEnd) }

// ReportFilingDate returns the first day the unemployment status report for
// the period ending on periodEnd can be filed, under the shipped schedule
// (see FilingSchedule). Use ReportFiling for the payment day as well: an
// exception row may set it.
func ReportFilingDate(periodEnd civil.Date) civil.Date { return ReportFiling(periodEnd).Filed }

// EarliestPayment returns the earliest payment of a report filed on filed
// under the default rule: ReportPaymentLag banking days later. It does not
// know the report's period, so it cannot apply an exception row's own
// payment day; ReportFiling and FilingSchedule.Filing do.
func EarliestPayment(filed civil.Date) civil.Date {
	return bankday.AddBankingDays(filed, ReportPaymentLag)
}

// Period is a reporting period, both ends included.
type Period struct {
	Start, End civil.Date
}

// Days returns the number of days in the period.
func (p Period) Days() int { return p.End.DaysSince(p.Start) + 1 }

// firstPeriodWorkdays and periodDays shape the unemployment status report
// periods: the first covers ten working days, then every four weeks.
const (
	firstPeriodWorkdays = 10
	periodDays          = 28
)

// ReportPeriod returns the n-th unemployment status report period (n = 1
// for the first) for benefit starting on start. The first report is for 2
// weeks (Kela's English page), that is the first 10 working days (Kela's
// Finnish page): Monday to Friday, as unemployment benefit is paid for
// five days a week, weekday holidays included, counting start itself; it
// lasts 12 to 14 days and ends on a weekday. Each later period follows
// without a gap and lasts four weeks. A report is always for a past
// period; FilingSchedule gives the day it can be filed, which a holiday
// exception may put a few days before the period ends. ReportPeriod panics
// when n is less than 1, a programming error.
func ReportPeriod(start civil.Date, n int) Period {
	if n < 1 {
		panic("paydate: report periods are numbered from 1")
	}
	first := Period{start, firstPeriodEnd(start)}
	if n == 1 {
		return first
	}
	s := first.End.AddDays(1 + (n-2)*periodDays)
	return Period{s, s.AddDays(periodDays - 1)}
}

// firstPeriodEnd returns the tenth working day counting from start.
func firstPeriodEnd(start civil.Date) civil.Date {
	end, work := start, 0
	for {
		if w := end.Weekday(); w != time.Saturday && w != time.Sunday {
			work++
		}
		if work == firstPeriodWorkdays {
			return end
		}
		end = end.AddDays(1)
	}
}

// ReportPeriods returns the first n unemployment status report periods for
// benefit starting on start (see ReportPeriod), or nil when n < 1.
func ReportPeriods(start civil.Date, n int) []Period {
	if n <= 0 {
		return nil
	}
	ps := make([]Period, 0, n)
	p := ReportPeriod(start, 1)
	for {
		ps = append(ps, p)
		if len(ps) == n {
			return ps
		}
		s := p.End.AddDays(1)
		p = Period{s, s.AddDays(periodDays - 1)}
	}
}
