package paydate_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/paydate"
)

func ExamplePaymentDate() {
	// 26 February 2024 is a Monday: child benefit is paid the Friday before.
	fmt.Println(paydate.PaymentDate(paydate.ChildBenefit, 2024, time.February))
	// Output: 2024-02-23
}

func ExampleReportFilingDate() {
	// Easter 2024: a period ending Wednesday 27 March can be reported on
	// Tuesday and is paid on Maundy Thursday.
	filed := paydate.ReportFilingDate(civil.MustParseISO("2024-03-27"))
	fmt.Println(filed, paydate.EarliestPayment(filed))
	// Output: 2024-03-26 2024-03-28
}

func ExampleReportFiling() {
	// Easter 2025 (Good Friday 18.4, Easter Monday 21.4): Kela's notice moves
	// the filing days before the holiday; after it the default rule applies.
	for _, end := range []string{"2025-04-14", "2025-04-16", "2025-04-17", "2025-04-20", "2025-04-21"} {
		f := paydate.ReportFiling(civil.MustParseISO(end))
		fmt.Println(f.PeriodEnd, "filed", f.Filed, "paid", f.Paid, "exception:", f.Source != "")
	}
	// Output:
	// 2025-04-14 filed 2025-04-14 paid 2025-04-16 exception: false
	// 2025-04-16 filed 2025-04-15 paid 2025-04-17 exception: true
	// 2025-04-17 filed 2025-04-16 paid 2025-04-22 exception: true
	// 2025-04-20 filed 2025-04-17 paid 2025-04-23 exception: true
	// 2025-04-21 filed 2025-04-22 paid 2025-04-24 exception: false
}

func ExampleLoadFilingSchedule() {
	// A replacement table with next Christmas's published row (made up here).
	s, err := paydate.LoadFilingSchedule(strings.NewReader(`{"exceptions": [
		{"period_end_from": "2030-12-20", "period_end_to": "2030-12-22",
		 "filed": "2030-12-19", "source": "Kela's Christmas 2030 notice"}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	f := s.Filing(civil.MustParseISO("2030-12-21"))
	fmt.Println(f.Filed, f.Paid, f.Source)
	// Output: 2030-12-19 2030-12-23 Kela's Christmas 2030 notice
}

func ExampleReportPeriods() {
	for _, p := range paydate.ReportPeriods(civil.MustParseISO("2024-01-01"), 3) {
		fmt.Println(p.Start, p.End)
	}
	// Output:
	// 2024-01-01 2024-01-12
	// 2024-01-13 2024-02-09
	// 2024-02-10 2024-03-08
}
