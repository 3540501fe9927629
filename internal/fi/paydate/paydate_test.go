package paydate

import (
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
)

func d(s string) civil.Date { return civil.MustParseISO(s) }

func TestPaymentDate(t *testing.T) {
	tests := []struct {
		rule  Rule
		year  int
		month time.Month
		want  string
	}{
		{Pension, 2024, time.March, "2024-03-07"},
		{Pension, 2024, time.April, "2024-04-05"}, // Sun 7.4 → Fri
		{Pension, 2024, time.January, "2024-01-05"},
		{GuaranteePension, 2024, time.June, "2024-06-20"}, // Sat 22.6, Midsummer Eve 21.6
		{GuaranteePension, 2024, time.May, "2024-05-22"},
		{ChildBenefit, 2024, time.March, "2024-03-26"},
		{ChildBenefit, 2024, time.February, "2024-02-23"}, // Mon 26.2 → Fri
		{ChildBenefit, 2024, time.May, "2024-05-24"},      // Sun 26.5 → Fri
		{ChildBenefit, 2024, time.December, "2024-12-23"}, // St Stephen's Day and Christmas
		{ChildBenefit, 2025, time.May, "2025-05-23"},      // Mon 26.5 → Fri
		{HousingAllowance, 2024, time.January, "2024-01-02"},
		{HousingAllowance, 2024, time.June, "2024-06-03"},
		{HousingAllowance, 2024, time.April, "2024-04-02"}, // Easter Monday 1.4
		{HousingAllowance, 2024, time.March, "2024-03-01"},
		{ChildMaintenance, 2024, time.March, "2024-03-08"}, // Sun 10.3 → Fri
		{ChildMaintenance, 2024, time.April, "2024-04-10"},
	}
	for _, tt := range tests {
		t.Run(tt.rule.String()+"/"+tt.want, func(t *testing.T) {
			if got := PaymentDate(tt.rule, tt.year, tt.month).String(); got != tt.want {
				t.Errorf("PaymentDate(%v, %d, %v) = %s, want %s", tt.rule, tt.year, tt.month, got, tt.want)
			}
		})
	}
}

func TestPaymentDatePanicsOnUnknownRule(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	PaymentDate(Rule(0), 2024, time.March)
}

func TestRuleString(t *testing.T) {
	if ChildMaintenance.String() != "child-maintenance-allowance" || Rule(99).String() != "paydate.Rule(99)" {
		t.Errorf("String() = %q, %q", ChildMaintenance, Rule(99))
	}
}

func TestPayOnOrBefore(t *testing.T) {
	tests := map[string]string{
		"2024-03-28": "2024-03-28",
		"2024-03-29": "2024-03-28",
		"2024-04-01": "2024-03-28",
		"2024-12-26": "2024-12-23",
	}
	for in, want := range tests {
		if got := PayOnOrBefore(d(in)).String(); got != want {
			t.Errorf("PayOnOrBefore(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestBackdatedLatest(t *testing.T) {
	tests := map[string]string{
		"2024-03-25": "2024-03-27",
		"2024-03-27": "2024-04-02",
		"2024-03-29": "2024-04-03", // decided on a holiday
		"2024-12-20": "2024-12-27",
	}
	for in, want := range tests {
		if got := BackdatedLatest(d(in)).String(); got != want {
			t.Errorf("BackdatedLatest(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestReportEaster is the seed example (seed 000, DOMAIN.md §2) through
// the package-level functions; TestFilingSchedule has every vector.
func TestReportEaster(t *testing.T) {
	tests := []struct{ periodEnd, filed, paid string }{
		// Easter 2024: Good Friday 29.3, Easter Monday 1.4.
		{"2024-03-26", "2024-03-26", "2024-03-28"},
		{"2024-03-27", "2024-03-26", "2024-03-28"},
		// Easter 2025: Good Friday 18.4, Easter Monday 21.4.
		{"2025-04-15", "2025-04-15", "2025-04-17"},
		{"2025-04-16", "2025-04-15", "2025-04-17"},
		{"2025-04-17", "2025-04-16", "2025-04-22"},
		{"2025-04-18", "2025-04-17", "2025-04-23"},
		{"2025-04-20", "2025-04-17", "2025-04-23"},
		// Around them the default rule applies.
		{"2024-03-25", "2024-03-25", "2024-03-27"},
		{"2024-03-28", "2024-03-28", "2024-04-03"},
		{"2024-04-02", "2024-04-02", "2024-04-04"},
		{"2024-03-22", "2024-03-22", "2024-03-26"}, // an ordinary weekend
		{"2025-04-21", "2025-04-22", "2025-04-24"},
	}
	for _, tt := range tests {
		t.Run(tt.periodEnd, func(t *testing.T) {
			filed := ReportFilingDate(d(tt.periodEnd))
			if filed.String() != tt.filed {
				t.Errorf("ReportFilingDate(%s) = %s, want %s", tt.periodEnd, filed, tt.filed)
			}
			if got := EarliestPayment(filed).String(); got != tt.paid {
				t.Errorf("EarliestPayment(%s) = %s, want %s", filed, got, tt.paid)
			}
			if got := ReportFiling(d(tt.periodEnd)); got.Filed != filed || got.Paid.String() != tt.paid {
				t.Errorf("ReportFiling(%s) = %+v", tt.periodEnd, got)
			}
		})
	}
}

func TestReportPeriods(t *testing.T) {
	tests := []struct {
		start string
		want  []string // start/end pairs
	}{
		{"2024-01-01", []string{"2024-01-01", "2024-01-12", "2024-01-13", "2024-02-09", "2024-02-10", "2024-03-08"}},
		{"2024-03-02", []string{"2024-03-02", "2024-03-15", "2024-03-16", "2024-04-12"}}, // starts on a Saturday
		{"2024-03-27", []string{"2024-03-27", "2024-04-09", "2024-04-10", "2024-05-07"}}, // Easter counts: benefit is paid for weekday holidays
	}
	for _, tt := range tests {
		t.Run(tt.start, func(t *testing.T) {
			got := ReportPeriods(d(tt.start), len(tt.want)/2)
			if len(got) != len(tt.want)/2 {
				t.Fatalf("got %d periods, want %d", len(got), len(tt.want)/2)
			}
			for i, p := range got {
				if p.Start.String() != tt.want[2*i] || p.End.String() != tt.want[2*i+1] {
					t.Errorf("period %d = %v–%v, want %s–%s", i, p.Start, p.End, tt.want[2*i], tt.want[2*i+1])
				}
				if i > 0 && p.Days() != 28 {
					t.Errorf("period %d has %d days", i, p.Days())
				}
			}
		})
	}
	if ReportPeriods(d("2024-01-01"), 0) != nil {
		t.Error("ReportPeriods(…, 0) not nil")
	}
}

func TestReportPeriod(t *testing.T) {
	tests := []struct {
		start       string
		n           int
		start2, end string
	}{
		{"2024-01-01", 1, "2024-01-01", "2024-01-12"}, // Monday: 12 days
		{"2024-01-01", 2, "2024-01-13", "2024-02-09"},
		{"2024-01-01", 5, "2024-04-06", "2024-05-03"},
		{"2024-03-03", 1, "2024-03-03", "2024-03-15"}, // Sunday: 13 days
		{"2024-03-02", 1, "2024-03-02", "2024-03-15"}, // Saturday: 14 days
		{"2024-12-24", 1, "2024-12-24", "2025-01-06"}, // Christmas and New Year count, Epiphany is the tenth
		{"2024-12-24", 2, "2025-01-07", "2025-02-03"},
		{"2025-03-07", 2, "2025-03-21", "2025-04-17"},  // ends the day before Good Friday 2025
		{"2024-02-26", 14, "2025-02-08", "2025-03-07"}, // a year on
	}
	for _, tt := range tests {
		got := ReportPeriod(d(tt.start), tt.n)
		if got.Start.String() != tt.start2 || got.End.String() != tt.end {
			t.Errorf("ReportPeriod(%s, %d) = %v–%v, want %s–%s", tt.start, tt.n, got.Start, got.End, tt.start2, tt.end)
		}
	}
	// The n-th period is the n-th of ReportPeriods, the periods follow one
	// another without gaps and only the first is not four weeks.
	for start := d("2024-12-01"); start.Before(d("2025-02-01")); start = start.AddDays(1) {
		ps := ReportPeriods(start, 20)
		for i, p := range ps {
			if ReportPeriod(start, i+1) != p {
				t.Fatalf("ReportPeriod(%s, %d) = %v, ReportPeriods has %v", start, i+1, ReportPeriod(start, i+1), p)
			}
			switch {
			case i == 0 && (p.Start != start || p.Days() < 12 || p.Days() > 14):
				t.Errorf("first period from %s: %v–%v", start, p.Start, p.End)
			case i > 0 && (p.Days() != 28 || p.Start != ps[i-1].End.AddDays(1)):
				t.Errorf("period %d from %s: %v–%v", i+1, start, p.Start, p.End)
			}
			if w := p.End.Weekday(); w == time.Saturday || w == time.Sunday {
				t.Errorf("period %d from %s ends on a %v", i+1, start, w)
			}
		}
	}
}

func TestReportPeriodPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	ReportPeriod(d("2024-01-01"), 0)
}

// TestReportPeriodFiling follows a benefit into Easter 2025: its second
// period ends on Maundy Thursday and is filed the day before.
func TestReportPeriodFiling(t *testing.T) {
	p := ReportPeriod(d("2025-03-07"), 2)
	f := ReportFiling(p.End)
	if f.Filed != d("2025-04-16") || f.Paid != d("2025-04-22") {
		t.Errorf("period %v–%v: %+v", p.Start, p.End, f)
	}
	next := ReportFiling(ReportPeriod(d("2025-03-07"), 3).End) // ends Thu 15.5
	if next.Filed != d("2025-05-15") || next.Paid != d("2025-05-19") || next.Source != "" {
		t.Errorf("period 3: %+v", next)
	}
}

func BenchmarkPaymentDate(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		PaymentDate(Rule(1+i%5), 1995+i%30, time.Month(1+i%12))
	}
}

func BenchmarkReportFilingDate(b *testing.B) {
	start := d("1995-01-01")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		ReportFilingDate(start.AddDays(i % (30 * 365)))
	}
}
