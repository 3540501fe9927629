package employer

import (
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
)

var today = civil.New(2026, 12, 2)

func good() Input {
	return Input{Benefit: "sickness", Employee: "131052-308T", Start: "2026-11-02", End: "2026-11-20",
		SalaryCents: 250000, IBAN: "FI21 1234 5600 0007 85"}
}

func TestCheckAccepts(t *testing.T) {
	a, err := Check(good(), today)
	if err != nil {
		t.Fatal(err)
	}
	if a.Employee != "131052-308T" || a.Days() != 19 || a.IBAN != "FI2112345600000785" || a.Status != Pending {
		t.Errorf("%+v", a)
	}
	in := good()
	in.Start, in.End, in.Benefit = "2.12.2026", "2.12.2026", "parental" // today, Finnish dates
	if a, err := Check(in, today); err != nil || a.Days() != 1 {
		t.Errorf("one day ending today: %+v %v", a, err)
	}
}

func TestCheckRefuses(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*Input)
		field string
		key   string
	}{
		{"benefit", func(i *Input) { i.Benefit = "pension" }, "benefit", "employer.error.benefit"},
		{"hetu checksum", func(i *Input) { i.Employee = "131052-308U" }, "employee", "employer.error.employee"},
		{"hetu empty", func(i *Input) { i.Employee = "" }, "employee", "employer.error.employee"},
		{"start", func(i *Input) { i.Start = "31.2.2026" }, "start", "employer.error.date"},
		{"end", func(i *Input) { i.End = "" }, "end", "employer.error.date"},
		{"end before start", func(i *Input) { i.Start, i.End = "2026-11-20", "2026-11-19" }, "end", "employer.error.end_before_start"},
		{"end tomorrow", func(i *Input) { i.End = "2026-12-03" }, "end", "employer.error.end_future"},
		{"367 days", func(i *Input) { i.Start, i.End = "2025-11-01", "2026-11-02" }, "end", "employer.error.too_long"},
		{"too old", func(i *Input) { i.Start, i.End = "2024-12-01", "2024-12-31" }, "start", "employer.error.too_old"},
		{"salary zero", func(i *Input) { i.SalaryCents = 0 }, "salary", "employer.error.salary"},
		{"salary huge", func(i *Input) { i.SalaryCents = MaxSalaryCents + 1 }, "salary", "employer.error.salary"},
		{"iban", func(i *Input) { i.IBAN = "FI21 1234 5600 0007 86" }, "iban", "employer.error.iban"},
	}
	for _, c := range cases {
		in := good()
		c.edit(&in)
		_, err := Check(in, today)
		if !fault.Is(err, fault.Invalid) || fault.FieldOf(err) != c.field || fault.KeyOf(err) != c.key {
			t.Errorf("%s: %v (field %q key %q)", c.name, err, fault.FieldOf(err), fault.KeyOf(err))
		}
	}
	// The boundaries: 366 days and two years back are accepted.
	in := good()
	in.Start, in.End = "2025-11-02", "2026-11-02"
	if _, err := Check(in, today); err != nil {
		t.Errorf("366 days: %v", err)
	}
	in.Start, in.End = today.AddDays(-MaxAgeDays).String(), today.AddDays(-MaxAgeDays).String()
	if _, err := Check(in, today); err != nil {
		t.Errorf("two years back: %v", err)
	}
}

func TestApplyDecision(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	a, _ := Check(good(), today)
	for _, d := range []Decision{{Approve: true}, {Approve: true, AmountCents: 250001}, {Approve: true, AmountCents: -1}, {}, {Reason: "   "}} {
		b := a
		if err := b.Apply(d, "s", now); !fault.Is(err, fault.Invalid) || b.Status != Pending {
			t.Errorf("%+v: %v %s", d, err, b.Status)
		}
	}
	b := a
	if err := b.Apply(Decision{Approve: true, AmountCents: 250000}, "s", now); err != nil || b.Status != Approved || b.AmountCents != 250000 || b.DecidedBy != "s" {
		t.Fatalf("%+v %v", b, err)
	}
	if err := b.Apply(Decision{Reason: "no"}, "s", now); !fault.Is(err, fault.Conflict) {
		t.Errorf("decided twice: %v", err)
	}
	c := a
	if err := c.Apply(Decision{Reason: " not insured "}, "s", now); err != nil || c.Status != Refused || c.Reason != "not insured" || c.AmountCents != 0 {
		t.Errorf("%+v %v", c, err)
	}
}

// FuzzCheck: whatever a form sends, Check answers an application that
// holds its invariants or a fault.Invalid naming a field.
func FuzzCheck(f *testing.F) {
	f.Add("sickness", "131052-308T", "2026-11-02", "2026-11-20", int64(1), "FI2112345600000785")
	f.Add("parental", "131052A308T", "1.11.2026", "x", int64(-5), "")
	f.Fuzz(func(t *testing.T, benefit, employee, start, end string, cents int64, acc string) {
		a, err := Check(Input{Benefit: benefit, Employee: employee, Start: start, End: end, SalaryCents: cents, IBAN: acc}, today)
		if err != nil {
			if !fault.Is(err, fault.Invalid) || fault.FieldOf(err) == "" {
				t.Fatalf("refusal %v", err)
			}
			return
		}
		if a.Start.After(a.End) || a.End.After(today) || a.Days() > MaxDays || a.SalaryCents <= 0 || a.SalaryCents > MaxSalaryCents || a.IBAN == "" || a.MaskedEmployee() == "" {
			t.Fatalf("accepted %+v", a)
		}
	})
}

// TestPaymentWaitingAccount: only a failed payment without a new account
// waits for one.
func TestPaymentWaitingAccount(t *testing.T) {
	given := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		p    Payment
		want bool
	}{
		{Payment{}, false},
		{Payment{Status: PaymentPrepared}, false},
		{Payment{Status: PaymentSent}, false},
		{Payment{Status: PaymentRejected}, true},
		{Payment{Status: PaymentReturned}, true},
		{Payment{Status: PaymentReturned, AccountGivenAt: given}, false},
	} {
		if got := tt.p.WaitingAccount(); got != tt.want {
			t.Errorf("%+v: WaitingAccount = %v", tt.p, got)
		}
	}
}
