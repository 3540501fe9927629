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

// ReportPeriods returns the first n unemployment status report periods for
// benefit starting on start. The first ends on the tenth working day
// (Monday to Friday: unemployment benefit is paid for five days a week,
// weekday holidays included) counting start itself; each later period
// follows without a gap and lasts four weeks.
func ReportPeriods(start civil.Date, n int) []Period {
	if n <= 0 {
		return nil
	}
	ps := make([]Period, 0, n)
	end, work := start, 0
	for {
		if w := end.Weekday(); w != time.Saturday && w != time.Sunday {
			work++
		}
		if work == firstPeriodWorkdays {
			break
		}
		end = end.AddDays(1)
	}
	ps = append(ps, Period{start, end})
	for len(ps) < n {
		s := end.AddDays(1)
		end = s.AddDays(periodDays - 1)
		ps = append(ps, Period{s, end})
	}
	return ps
}
