package payment

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fi/bankday"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/paydate"
)

func d(s string) civil.Date { return civil.MustParseISO(s) }

// TestScheduleVectors checks the shipped table against DOMAIN.md §2's
// examples.
func TestScheduleVectors(t *testing.T) {
	s := DefaultSchedules()
	tests := []struct {
		benefit string
		year    int
		month   time.Month
		want    string
	}{
		{"child-benefit", 2024, time.February, "2024-02-23"},  // Mon 26.2 moves back to Fri
		{"child-benefit", 2025, time.May, "2025-05-23"},       // Mon 26.5 → Fri
		{"child-benefit", 2024, time.March, "2024-03-26"},     // Tue: paid on the day
		{"child-benefit", 2025, time.January, "2025-01-24"},   // Sun 26.1 → Fri
		{"housing-allowance", 2024, time.April, "2024-04-02"}, // Easter Monday 1.4
		{"housing-allowance", 2025, time.January, "2025-01-02"},
		{"pension", 2024, time.April, "2024-04-05"},                        // Sun 7.4 → Fri
		{"pension", 2024, time.January, "2024-01-05"},                      // Sun 7.1, Sat 6.1 Epiphany → Fri 5.1
		{"guarantee-pension", 2024, time.June, "2024-06-20"},               // Sat 22.6, Fri 21.6 Midsummer Eve → Thu
		{"child-maintenance-allowance", 2024, time.February, "2024-02-09"}, // Sat 10.2 → Fri
	}
	for _, tt := range tests {
		sc, ok := s.At(tt.benefit, civil.New(tt.year, tt.month, 1))
		if !ok {
			t.Fatalf("no schedule for %s", tt.benefit)
		}
		got, err := sc.PayDate(tt.year, tt.month)
		if err != nil || got.String() != tt.want {
			t.Errorf("%s %d-%02d = %s, %v; want %s", tt.benefit, tt.year, tt.month, got, err, tt.want)
		}
	}
}

// TestScheduleMatchesPaydate: the table pays every month of 2020–2035 on
// the day paydate.PaymentDate gives, and always on a banking day in the
// month.
func TestScheduleMatchesPaydate(t *testing.T) {
	s := DefaultSchedules()
	rules := map[string]paydate.Rule{
		"pension": paydate.Pension, "guarantee-pension": paydate.GuaranteePension, "child-benefit": paydate.ChildBenefit,
		"housing-allowance": paydate.HousingAllowance, "child-maintenance-allowance": paydate.ChildMaintenance,
	}
	for benefit, rule := range rules {
		for y := 2020; y <= 2035; y++ {
			for m := time.January; m <= time.December; m++ {
				sc, _ := s.At(benefit, civil.New(y, m, 1))
				got, err := sc.PayDate(y, m)
				if err != nil {
					t.Fatalf("%s %d-%02d: %v", benefit, y, m, err)
				}
				if want := paydate.PaymentDate(rule, y, m); got != want {
					t.Errorf("%s %d-%02d = %s, paydate says %s", benefit, y, m, got, want)
				}
				if !bankday.IsBankingDay(got) || got.Month != m {
					t.Errorf("%s %d-%02d = %s: not a banking day of the month", benefit, y, m, got)
				}
			}
		}
	}
}

func TestScheduleNoBankingDay(t *testing.T) {
	// The 1st of January is New Year's Day: "the preceding banking day" is
	// in December, and the payment is refused rather than moved there.
	sc := Schedule{Benefit: "x", Rule: Monthly, Day: 1}
	if _, err := sc.PayDate(2025, time.January); !errors.Is(err, ErrNoBankingDay) {
		t.Errorf("day 1 of January 2025 = %v, want ErrNoBankingDay", err)
	}
	s, err := LoadSchedules(strings.NewReader(`{"schedules": [{"benefit": "x", "from": "2020-01-01", "rule": "monthly", "day": 1}]}`))
	if err != nil {
		t.Fatal(err)
	}
	b := Benefit{ID: "b", Kind: "x", AmountCents: 100, Starts: d("2020-01-01")}
	due, refused := s.DueOn(b, d("2025-01-02"))
	// Sun 1.12.2024 cannot be paid in December either.
	if len(refused) != 2 || refused[1].Reason != ReasonNoBankDay || refused[1].Period != "2025-01" || refused[0].Period != "2024-12" {
		t.Errorf("refused = %+v", refused)
	}
	if len(due) != 0 {
		t.Errorf("due = %+v", due)
	}
}

func TestLoadSchedulesRefuses(t *testing.T) {
	for name, text := range map[string]string{
		"day 31":          `{"schedules": [{"benefit": "x", "from": "2020-01-01", "rule": "monthly", "day": 31}]}`,
		"day 0":           `{"schedules": [{"benefit": "x", "from": "2020-01-01", "rule": "monthly"}]}`,
		"unknown rule":    `{"schedules": [{"benefit": "x", "from": "2020-01-01", "rule": "weekly"}]}`,
		"no date":         `{"schedules": [{"benefit": "x", "rule": "first-banking-day"}]}`,
		"out of order":    `{"schedules": [{"benefit": "x", "from": "2021-01-01", "rule": "first-banking-day"}, {"benefit": "x", "from": "2020-01-01", "rule": "first-banking-day"}]}`,
		"unknown field":   `{"schedules": [{"benefit": "x", "from": "2020-01-01", "rule": "first-banking-day", "dy": 3}]}`,
		"empty":           `{"schedules": []}`,
		"trailing":        `{"schedules": [{"benefit": "x", "from": "2020-01-01", "rule": "first-banking-day"}]} {}`,
		"too many days":   `{"schedules": [{"benefit": "x", "from": "2020-01-01", "rule": "decision", "banking_days": 11}]}`,
		"day on first-bd": `{"schedules": [{"benefit": "x", "from": "2020-01-01", "rule": "first-banking-day", "day": 3}]}`,
	} {
		if _, err := LoadSchedules(strings.NewReader(text)); !errors.Is(err, ErrSchedules) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

// TestScheduleDated: a later row changes the day from its month on.
func TestScheduleDated(t *testing.T) {
	s, err := LoadSchedules(strings.NewReader(`{"schedules": [
		{"benefit": "x", "from": "2020-01-01", "rule": "monthly", "day": 7},
		{"benefit": "x", "from": "2025-03-01", "rule": "monthly", "day": 20}]}`))
	if err != nil {
		t.Fatal(err)
	}
	b := Benefit{ID: "b", Kind: "x", AmountCents: 100, Starts: d("2020-01-01")}
	due, _ := s.DueBetween(b, d("2025-02-01"), d("2025-03-31"))
	if len(due) != 2 || due[0].DueDate != d("2025-02-07") || due[1].DueDate != d("2025-03-20") {
		t.Errorf("due = %+v", due)
	}
}

func TestDueOn(t *testing.T) {
	s := DefaultSchedules()
	pension := Benefit{ID: "p", Kind: "pension", AmountCents: 70000, Starts: d("2024-01-01")}
	// A run on Fri 5.4.2024 pays April's pension (Sun 7.4 moves back)
	// and, catching up, March's (7.3) if no run paid it.
	due, refused := s.DueOn(pension, d("2024-04-05"))
	if len(refused) != 0 || len(due) != 2 || due[0].Period != "2024-03" || due[1].Period != "2024-04" || due[1].DueDate != d("2024-04-05") {
		t.Errorf("due = %+v refused %+v", due, refused)
	}
	// The day before, April's is not due yet.
	if due, _ := s.DueOn(pension, d("2024-04-04")); len(due) != 1 || due[0].Period != "2024-03" {
		t.Errorf("4.4: due = %+v", due)
	}
	// A benefit ended in March pays nothing for April; one starting in May
	// nothing before.
	ended := pension
	ended.Ends = d("2024-03-31")
	if due, _ := s.DueOn(ended, d("2024-04-05")); len(due) != 1 || due[0].Period != "2024-03" {
		t.Errorf("ended: due = %+v", due)
	}
	later := pension
	later.Starts = d("2024-05-01")
	if due, _ := s.DueOn(later, d("2024-04-05")); len(due) != 0 {
		t.Errorf("later: due = %+v", due)
	}
	// Unemployment benefit pays on reports only.
	if due, _ := s.DueOn(Benefit{ID: "u", Kind: "unemployment", AmountCents: 3700, Starts: d("2024-01-01")}, d("2024-04-05")); len(due) != 0 {
		t.Errorf("unemployment: due = %+v", due)
	}
	// An unknown benefit is refused.
	if _, refused := s.DueOn(Benefit{ID: "z", Kind: "lottery", Starts: d("2024-01-01")}, d("2024-04-05")); len(refused) != 1 || refused[0].Reason != ReasonNoSchedule {
		t.Errorf("unknown: refused = %+v", refused)
	}
}

// TestDecisionWithinTwoBankingDays: a backdated benefit decided on any day
// is paid on a banking day at most two banking days after the decision
// (DOMAIN.md §2).
func TestDecisionWithinTwoBankingDays(t *testing.T) {
	s := DefaultSchedules()
	for day := d("2024-01-01"); day.Before(d("2026-01-01")); day = day.AddDays(1) {
		b := Benefit{ID: "b", Kind: "backdated", AmountCents: 12345, Starts: d("2023-01-01"), Decided: day}
		due, _ := s.DueBetween(b, day, day.AddDays(14))
		if len(due) != 1 {
			t.Fatalf("decided %s: due = %+v", day, due)
		}
		pd := due[0].DueDate
		if !bankday.IsBankingDay(pd) || !pd.After(day) || pd.After(paydate.BackdatedLatest(day)) {
			t.Errorf("decided %s: paid %s, latest %s", day, pd, paydate.BackdatedLatest(day))
		}
	}
	// Easter 2024: decided on Maundy Thursday 28.3, paid Tue 2.4.
	b := Benefit{ID: "b", Kind: "backdated", AmountCents: 1, Decided: d("2024-03-28")}
	if due, _ := s.DueOn(b, d("2024-04-02")); len(due) != 1 || due[0].DueDate != d("2024-04-02") || due[0].Period != DecisionPeriod {
		t.Errorf("Easter: due = %+v", due)
	}
}

func TestCheck(t *testing.T) {
	for _, tt := range []struct {
		iban  string
		cents int64
		want  string
	}{
		{"FI2112345600000785", 100, ""},
		{"FI2112345600000786", 100, ReasonIBAN},
		{"", 100, ReasonIBAN},
		{"FI2112345600000785", 0, ReasonAmount},
		{"FI2112345600000785", -5, ReasonAmount},
		{"FI2112345600000785", MaxCents, ""},
		{"FI2112345600000785", MaxCents + 1, ReasonAmount},
	} {
		if got := Check(tt.iban, tt.cents); got != tt.want {
			t.Errorf("Check(%q, %d) = %q, want %q", tt.iban, tt.cents, got, tt.want)
		}
	}
}

func TestUpcoming(t *testing.T) {
	s := DefaultSchedules()
	bs := []Benefit{
		{ID: "c", Kind: "child-benefit", AmountCents: 9491, Starts: d("2024-01-01")},
		{ID: "h", Kind: "housing-allowance", AmountCents: 30000, Starts: d("2024-01-01"), Ends: d("2024-04-30")},
	}
	paid := []Payment{{BenefitID: "c", Period: "2024-02"}}
	got := Upcoming(s, bs, paid, d("2024-02-20"), 2)
	var keys []string
	for _, u := range got {
		keys = append(keys, u.Benefit.ID+" "+u.Period+" "+u.DueDate.String())
	}
	want := "h 2024-03 2024-03-01,c 2024-03 2024-03-26,h 2024-04 2024-04-02,c 2024-04 2024-04-26"
	if strings.Join(keys, ",") != want {
		t.Errorf("Upcoming = %s\nwant       %s", strings.Join(keys, ","), want)
	}
}

func TestRemittance(t *testing.T) {
	if got := remittance("child-benefit", "2024-03", "sv"); got != "Kela barnbidrag 2024-03" {
		t.Errorf("remittance = %q", got)
	}
	if got := remittance("unemployment", "report:2024-03-01", "fi"); got != "Kela työttömyysetuus 2024-03-01" {
		t.Errorf("remittance = %q", got)
	}
	if got := truncate("ääkkönen", 3); got != "ääk" {
		t.Errorf("truncate = %q", got)
	}
}

func TestNewRun(t *testing.T) {
	r := NewRun(42, d("2024-03-28"), accessSystem)
	if r.MessageID != "ETUUS-PAY-20240328-000042" || r.FileName != "pain001-20240328-000042.xml" || len(r.MessageID) > 35 {
		t.Errorf("run = %+v", r)
	}
}

var accessSystem = access.AsSystem("test")
