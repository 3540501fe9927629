package employer

import (
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
)

// goodOHC is workplace 1001's accounting period 1.1.–30.6.2026; the
// tests set the day it is applied on.
func goodOHC() OccupationalInput {
	return OccupationalInput{Workplace: "1001", Start: "2026-01-01", End: "2026-06-30", Employees: "12",
		Class1Cents: 1_000_000, Class2Cents: 2_000_001, RevenueCents: 5_000, IBAN: "FI21 1234 5600 0007 85"}
}

func TestAddMonths(t *testing.T) {
	for _, c := range []struct {
		d    civil.Date
		n    int
		want civil.Date
	}{
		{civil.New(2025, 12, 31), 6, civil.New(2026, 6, 30)}, // no 31 June: the last day of June
		{civil.New(2026, 6, 30), 6, civil.New(2026, 12, 30)}, // the same-numbered day
		{civil.New(2026, 8, 31), 6, civil.New(2027, 2, 28)},  // February
		{civil.New(2027, 8, 31), 6, civil.New(2028, 2, 29)},  // a leap year
		{civil.New(2025, 1, 1), 18, civil.New(2026, 7, 1)},   // across a year
		{civil.New(2026, 3, 15), -2, civil.New(2026, 1, 15)}, // backwards
	} {
		if got := AddMonths(c.d, c.n); got != c.want {
			t.Errorf("AddMonths(%s, %d) = %s, want %s", c.d, c.n, got, c.want)
		}
	}
}

// TestClaimed: 60 % of class I and 50 % of class II (Health Insurance
// Act), in whole cents rounded down, less revenue, never below zero.
func TestClaimed(t *testing.T) {
	for _, c := range []struct{ c1, c2, rev, want int64 }{
		{1_000_000, 2_000_000, 0, 600_000 + 1_000_000},
		{1_000_000, 2_000_001, 5_000, 1_600_000 - 5_000}, // half a cent rounded down
		{1, 1, 0, 1}, // 0.6 + 0.5 = 1.1 cents
		{1, 0, 0, 0}, // 0.6 cents
		{0, 0, 0, 0},
		{100, 100, 200, 0}, // revenue above the compensation
		{MaxCostCents, MaxCostCents, 0, MaxCostCents * 11 / 10},
	} {
		if got := Claimed(c.c1, c.c2, c.rev); got != c.want {
			t.Errorf("Claimed(%d, %d, %d) = %d, want %d", c.c1, c.c2, c.rev, got, c.want)
		}
	}
}

func TestCheckOccupationalAccepts(t *testing.T) {
	a, err := CheckOccupational(goodOHC(), civil.New(2026, 7, 1))
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind != OccupationalHealthcare || a.Workplace != "1001" || a.Employees != 12 || a.Claimed() != 1_595_000 ||
		a.IBAN != "FI2112345600000785" || a.Status != Pending || a.Employee != "" || a.SalaryCents != 0 {
		t.Errorf("%+v claimed %d", a, a.Claimed())
	}
	if a.Ceiling() != a.Claimed() {
		t.Errorf("ceiling %d", a.Ceiling())
	}
	in := goodOHC()
	in.Workplace = "00000000000000000001" // twenty digits, kept as written
	in.Start, in.End = "1.1.2025", "30.6.2026"
	if a, err := CheckOccupational(in, civil.New(2026, 12, 30)); err != nil || a.Workplace != in.Workplace {
		t.Errorf("18 months, applied on the last day: %+v %v", a, err)
	}
}

// TestCheckOccupationalBoundaries: the period has ended (yesterday at the
// latest), lasts at most 18 months, and is applied for within six months
// of its end (the deadline day itself still in time).
func TestCheckOccupationalBoundaries(t *testing.T) {
	cases := []struct {
		name       string
		start, end string
		today      civil.Date
		key        string
	}{
		{"ended yesterday", "2026-01-01", "2026-06-30", civil.New(2026, 7, 1), ""},
		{"ends today", "2026-01-01", "2026-07-01", civil.New(2026, 7, 1), "employer.ohc.error.not_ended"},
		{"ends in the future", "2026-01-01", "2026-12-31", civil.New(2026, 7, 1), "employer.ohc.error.not_ended"},
		{"deadline day", "2025-01-01", "2025-12-31", civil.New(2026, 6, 30), ""},
		{"a day late", "2025-01-01", "2025-12-31", civil.New(2026, 7, 1), "employer.ohc.error.late"},
		{"deadline of a 30th", "2026-01-01", "2026-06-30", civil.New(2026, 12, 30), ""},
		{"a day after it", "2026-01-01", "2026-06-30", civil.New(2026, 12, 31), "employer.ohc.error.late"},
		{"18 months", "2025-01-01", "2026-06-30", civil.New(2026, 7, 1), ""},
		{"18 months and a day", "2025-01-01", "2026-07-01", civil.New(2026, 7, 2), "employer.ohc.error.too_long"},
		{"18 months from mid-month", "2025-01-15", "2026-07-14", civil.New(2026, 7, 15), ""},
		{"and a day", "2025-01-15", "2026-07-15", civil.New(2026, 7, 16), "employer.ohc.error.too_long"},
		{"one day", "2026-06-30", "2026-06-30", civil.New(2026, 7, 1), ""},
		{"end before start", "2026-06-30", "2026-06-29", civil.New(2026, 7, 1), "employer.error.end_before_start"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := goodOHC()
			in.Start, in.End = c.start, c.end
			_, err := CheckOccupational(in, c.today)
			if c.key == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !fault.Is(err, fault.Invalid) || fault.KeyOf(err) != c.key || fault.FieldOf(err) != "end" {
				t.Fatalf("got %v, want %s on end", err, c.key)
			}
		})
	}
}

func TestCheckOccupationalRefuses(t *testing.T) {
	day := civil.New(2026, 7, 1)
	cases := []struct {
		name  string
		edit  func(*OccupationalInput)
		field string
	}{
		{"no workplace", func(i *OccupationalInput) { i.Workplace = " " }, "workplace"},
		{"letters", func(i *OccupationalInput) { i.Workplace = "10a1" }, "workplace"},
		{"sign", func(i *OccupationalInput) { i.Workplace = "-1001" }, "workplace"},
		{"21 digits", func(i *OccupationalInput) { i.Workplace = "123456789012345678901" }, "workplace"},
		{"start", func(i *OccupationalInput) { i.Start = "31.2.2026" }, "start"},
		{"end", func(i *OccupationalInput) { i.End = "" }, "end"},
		{"no employees", func(i *OccupationalInput) { i.Employees = "0" }, "employees"},
		{"employees not a number", func(i *OccupationalInput) { i.Employees = "12.5" }, "employees"},
		{"too many employees", func(i *OccupationalInput) { i.Employees = "1000001" }, "employees"},
		{"negative class I", func(i *OccupationalInput) { i.Class1Cents = -1 }, "class1"},
		{"class II too large", func(i *OccupationalInput) { i.Class2Cents = MaxCostCents + 1 }, "class2"},
		{"negative revenue", func(i *OccupationalInput) { i.RevenueCents = -1 }, "revenue"},
		{"nothing claimed", func(i *OccupationalInput) { i.RevenueCents = 1_600_000 }, "class1"},
		{"no costs", func(i *OccupationalInput) { i.Class1Cents, i.Class2Cents, i.RevenueCents = 0, 0, 0 }, "class1"},
		{"account", func(i *OccupationalInput) { i.IBAN = "FI21 1234 5600 0007 86" }, "iban"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := goodOHC()
			c.edit(&in)
			if _, err := CheckOccupational(in, day); !fault.Is(err, fault.Invalid) || fault.FieldOf(err) != c.field {
				t.Fatalf("got %v, want a refusal of %s", err, c.field)
			}
		})
	}
}

// TestApplyOccupational: staff approve at most the claimed compensation,
// and say why when they approve less.
func TestApplyOccupational(t *testing.T) {
	now := time.Date(2026, 7, 2, 9, 0, 0, 0, time.UTC)
	a, err := CheckOccupational(goodOHC(), civil.New(2026, 7, 1))
	if err != nil {
		t.Fatal(err)
	}
	claimed := a.Claimed()
	for _, c := range []struct {
		name  string
		d     Decision
		field string
	}{
		{"more than claimed", Decision{Approve: true, AmountCents: claimed + 1, Reason: "x"}, "amount"},
		{"nothing", Decision{Approve: true, AmountCents: 0}, "amount"},
		{"less without a reason", Decision{Approve: true, AmountCents: claimed - 1}, "reason"},
		{"refused without a reason", Decision{Reason: "  "}, "reason"},
	} {
		b := a
		if err := b.Apply(c.d, "staff", now); fault.FieldOf(err) != c.field || b.Status != Pending {
			t.Errorf("%s: %v %+v", c.name, err, b)
		}
	}
	b := a
	if err := b.Apply(Decision{Approve: true, AmountCents: claimed, Reason: "nothing reduced"}, "staff", now); err != nil ||
		b.AmountCents != claimed || b.Reason != "" {
		t.Errorf("the claimed amount: %v %+v", err, b)
	}
	b = a
	if err := b.Apply(Decision{Approve: true, AmountCents: claimed - 100, Reason: " over the yearly maximum "}, "staff", now); err != nil ||
		b.Status != Approved || b.Reason != "over the yearly maximum" {
		t.Errorf("less with a reason: %v %+v", err, b)
	}
	if err := b.Apply(Decision{Approve: true, AmountCents: 1}, "staff", now); !fault.Is(err, fault.Conflict) {
		t.Errorf("decided twice: %v", err)
	}
}

// FuzzCheckWorkplace: a workplace number read is 1–20 digits, the input
// trimmed; anything else is refused on the workplace field.
func FuzzCheckWorkplace(f *testing.F) {
	for _, s := range []string{"1001", " 00042 ", "", "12345678901234567890", "123456789012345678901", "1e3", "١٢٣", "+1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := CheckWorkplace(s)
		if err != nil {
			if fault.FieldOf(err) != "workplace" || !fault.Is(err, fault.Invalid) {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if len(w) < 1 || len(w) > MaxWorkplaceDigits {
			t.Fatalf("%q read as %q", s, w)
		}
		for _, r := range w {
			if r < '0' || r > '9' {
				t.Fatalf("%q read as %q", s, w)
			}
		}
		if again, err := CheckWorkplace(w); err != nil || again != w {
			t.Fatalf("%q: read again %q %v", w, again, err)
		}
	})
}

// FuzzCheckOccupational: whatever the form gives, an application read
// keeps the rules (an ended period of at most 18 months, in time, a
// positive claim within the limits), and a refusal names a field.
func FuzzCheckOccupational(f *testing.F) {
	f.Add("1001", "2026-01-01", "2026-06-30", "12", int64(1_000_000), int64(2_000_000), int64(0), "FI21 1234 5600 0007 85")
	f.Add("1", "1.1.2025", "30.6.2026", "1", int64(1), int64(1), int64(0), "FI2112345600000785")
	f.Fuzz(func(t *testing.T, w, start, end, emp string, c1, c2, rev int64, acc string) {
		day := civil.New(2026, 7, 1)
		a, err := CheckOccupational(OccupationalInput{Workplace: w, Start: start, End: end, Employees: emp,
			Class1Cents: c1, Class2Cents: c2, RevenueCents: rev, IBAN: acc}, day)
		if err != nil {
			if fault.FieldOf(err) == "" || !fault.Is(err, fault.Invalid) {
				t.Fatalf("refusal without a field: %v", err)
			}
			return
		}
		if !a.End.Before(day) || a.End.Before(a.Start) || !a.End.Before(AddMonths(a.Start, MaxPeriodMonths)) ||
			day.After(Deadline(a.End)) || a.Claimed() <= 0 || a.Employees < 1 || a.Class1Cents > MaxCostCents {
			t.Fatalf("accepted %+v", a)
		}
	})
}
