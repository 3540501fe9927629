package paydate_test

import (
	"fmt"
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

func ExampleReportPeriods() {
	for _, p := range paydate.ReportPeriods(civil.MustParseISO("2024-01-01"), 3) {
		fmt.Println(p.Start, p.End)
	}
	// Output:
	// 2024-01-01 2024-01-12
	// 2024-01-13 2024-02-09
	// 2024-02-10 2024-03-08
}
