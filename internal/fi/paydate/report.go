package paydate

import (
	"time"

	"github.com/etuus/etuus/internal/fi/bankday"
	"github.com/etuus/etuus/internal/fi/civil"
)

// ReportRule holds the timing of unemployment status reports. The numbers
// are Kela practice rather than law, so they are parameters.
//
// A report covers a past period and can be filed at the earliest on the
// period's last day. The earliest payment is PaymentLag banking days after
// filing. When a bank holiday on a weekday (Good Friday, Christmas Eve, …)
// falls between the period's end and that payment, Kela lets the report be
// filed up to MaxEarly banking days before the period ends, so that the
// money is paid on the last banking day before the holiday instead of
// after it. The seed example (Easter 2024) follows: a period ending Wed
// 27.3 would be paid Tue 2.4; the last banking day before Good Friday is
// Thu 28.3, two banking days after Tue 26.3, one banking day early, so the
// report can be filed on 26.3 and is paid on 28.3.
type ReportRule struct {
	// PaymentLag is the number of banking days from filing to the earliest
	// payment; Kela's "usually 2–3 banking days" starts from 2.
	PaymentLag int
	// MaxEarly is how many banking days before the end of its period a
	// report may be filed to get paid before a holiday.
	MaxEarly int
}

// DefaultReportRule returns the rule that reproduces Kela's Easter 2024 and
// Easter 2025 announcements.
func DefaultReportRule() ReportRule { return ReportRule{PaymentLag: 2, MaxEarly: 1} }

// FilingDate returns the earliest day a report for the period ending on
// periodEnd can be filed.
func (r ReportRule) FilingDate(periodEnd civil.Date) civil.Date {
	usual := r.EarliestPayment(periodEnd)
	// The first weekday holiday between the period end and the usual payment,
	// if any, is what the early filing exists to get ahead of.
	for d := periodEnd.AddDays(1); d.Before(usual); d = d.AddDays(1) {
		if w := d.Weekday(); w == time.Saturday || w == time.Sunday || bankday.IsBankingDay(d) {
			continue
		}
		payBefore := bankday.Previous(d)
		filed := bankday.AddBankingDays(payBefore, -r.PaymentLag)
		if !filed.Before(periodEnd) || bankday.BankingDaysBetween(filed, periodEnd) > r.MaxEarly {
			break
		}
		return filed
	}
	return periodEnd
}

// EarliestPayment returns the earliest day a report filed on filed is paid.
func (r ReportRule) EarliestPayment(filed civil.Date) civil.Date {
	return bankday.AddBankingDays(filed, r.PaymentLag)
}

// ReportFilingDate is DefaultReportRule().FilingDate.
func ReportFilingDate(periodEnd civil.Date) civil.Date {
	return DefaultReportRule().FilingDate(periodEnd)
}

// EarliestPayment is DefaultReportRule().EarliestPayment.
func EarliestPayment(filed civil.Date) civil.Date {
	return DefaultReportRule().EarliestPayment(filed)
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
