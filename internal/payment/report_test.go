package payment

import (
	"testing"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/paydate"
)

func TestReportAmount(t *testing.T) {
	p := paydate.Period{Start: d("2024-03-13"), End: d("2024-04-09")} // 4 weeks: 20 weekdays
	if n := PaidDays(p); n != 20 {
		t.Fatalf("PaidDays = %d", n)
	}
	for _, tt := range []struct {
		in   ReportInput
		want int64
	}{
		{ReportInput{}, 20 * 3767},
		{ReportInput{SickDays: 5}, 15 * 3767},
		{ReportInput{Hours: 20, IncomeCents: 40001}, 20*3767 - 20000}, // half the income, rounded for the customer
		{ReportInput{IncomeCents: 1_000_000}, 0},
		{ReportInput{SickDays: 28}, 0},
	} {
		if got := ReportAmount(3767, p, tt.in); got != tt.want {
			t.Errorf("ReportAmount(%+v) = %d, want %d", tt.in, got, tt.want)
		}
	}
	for _, bad := range []ReportInput{{Hours: -1}, {Hours: 745}, {IncomeCents: -1}, {IncomeCents: maxReportCents + 1}, {SickDays: 29}, {SickDays: -1}} {
		if err := bad.Check(p); !fault.Is(err, fault.Invalid) {
			t.Errorf("Check(%+v) = %v", bad, err)
		}
	}
	if err := (ReportInput{Hours: 744, IncomeCents: maxReportCents, SickDays: 28}).Check(p); err != nil {
		t.Errorf("the bounds refused: %v", err)
	}
}

// TestNextReportEaster follows a benefit into Easter 2025 (DOMAIN.md §2):
// its second period ends Thu 17.4, filed from Wed 16.4 and paid Tue 22.4;
// filed later, it is paid two banking days after.
func TestNextReportEaster(t *testing.T) {
	b := Benefit{ID: "u", Kind: "unemployment", AmountCents: 3767, Starts: d("2025-03-07")}
	first := StatusReport{BenefitID: "u", Period: paydate.ReportPeriod(b.Starts, 1)}
	fs := paydate.DefaultFilingSchedule()
	for _, tt := range []struct {
		today, paid string
		can         bool
	}{
		{"2025-04-15", "2025-04-22", false},
		{"2025-04-16", "2025-04-22", true},
		{"2025-04-17", "2025-04-23", true}, // filed a day late: 17.4 + 2 banking days
		{"2025-04-19", "2025-04-24", true}, // on Easter Saturday: from Tue 22.4
	} {
		next := NextReport(b, []StatusReport{first}, fs, d(tt.today))
		if next.Number != 2 || next.Period.End != d("2025-04-17") || next.Filing.Filed != d("2025-04-16") ||
			next.CanFile != tt.can || next.PaidIfFiledToday != d(tt.paid) {
			t.Errorf("%s: next = %+v", tt.today, next)
		}
	}
	// Easter 2024 (seed 000): a period ending Wed 27.3 is filed Tue 26.3
	// and paid Thu 28.3.
	b2 := Benefit{ID: "v", Kind: "unemployment", Starts: d("2024-03-14")}
	next := NextReport(b2, nil, fs, d("2024-03-26"))
	if next.Period.End != d("2024-03-27") || !next.CanFile || next.PaidIfFiledToday != d("2024-03-28") {
		t.Errorf("Easter 2024: next = %+v", next)
	}
}
