package recovery

import (
	"errors"
	"testing"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/barcode"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/iban"
	"github.com/etuus/etuus/internal/fi/viite"
)

func TestClaimReference(t *testing.T) {
	tests := []struct {
		kind   Kind
		number int64
		want   string
	}{
		{Overpayment, 42, "1000000423"}, // 7,3,1 from the right: 2·7 + 4·3 + 1·1 = 27 → 3
		{ChildSupport, 1, "2000000011"},
		{StudentLoan, 12345678, "3123456787"},
		{HealthcareFee, 123456789, "41234567899"},
		{Overpayment, MaxClaimNumber, viite.MustNew("1999999999999999999").String()},
	}
	for _, tt := range tests {
		got, err := ClaimReference(tt.kind, tt.number)
		if err != nil || got.String() != tt.want {
			t.Errorf("ClaimReference(%s, %d) = %s, %v; want %s", tt.kind, tt.number, got, err, tt.want)
			continue
		}
		k, n, err := ParseClaimReference(got)
		if err != nil || k != tt.kind || n != tt.number {
			t.Errorf("ParseClaimReference(%s) = %s, %d, %v", got, k, n, err)
		}
	}
	for _, bad := range []struct {
		kind   Kind
		number int64
	}{{Overpayment, 0}, {Overpayment, -1}, {Overpayment, MaxClaimNumber + 1}, {"parking", 1}} {
		if _, err := ClaimReference(bad.kind, bad.number); err == nil {
			t.Errorf("ClaimReference(%q, %d): no error", bad.kind, bad.number)
		}
	}
	// Too short; an unknown kind digit; a number zero-padded past eight digits.
	for _, base := range []string{"1111", "500000001", "1000000042"} {
		if _, _, err := ParseClaimReference(viite.MustNew(base)); !errors.Is(err, ErrNotClaimReference) {
			t.Errorf("ParseClaimReference(%s…): %v, want ErrNotClaimReference", base, err)
		}
	}
}

func TestPaymentDetails(t *testing.T) {
	account := iban.MustParse("FI37 1590 3000 0007 76")
	// The DOMAIN.md §1 barcode vector as a claim.
	claim := Claim{Kind: Overpayment, Reference: viite.MustParse("11112"), Principal: 1225, DueDate: d("2016-12-21"), Status: Open}
	tests := []struct {
		name    string
		claim   Claim
		today   string
		barcode string
		amount  int64
		due     string
	}{
		{"before the due date", claim, "2016-12-01", "437159030000007760000122500000000000000000011112161221", 1225, "2016-12-21"},
		{"on the due date", claim, "2016-12-21", "437159030000007760000122500000000000000000011112161221", 1225, "2016-12-21"},
		{"overdue: no due date in the barcode", claim, "2016-12-22", "437159030000007760000122500000000000000000011112000000", 1225, "2016-12-21"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PaymentDetails(tt.claim, account, d(tt.today))
			if err != nil {
				t.Fatal(err)
			}
			if got.Barcode != tt.barcode || got.AmountCents != tt.amount || got.DueDate != d(tt.due) {
				t.Errorf("details %+v", got)
			}
			if got.RF.String() != "RF9811112" || got.Reference.String() != "11112" || got.IBAN != account {
				t.Errorf("references %s / %s, account %s", got.Reference, got.RF, got.IBAN)
			}
		})
	}

	t.Run("a plan pays the next instalment, arrears included", func(t *testing.T) {
		ref, _ := ClaimReference(Overpayment, 7)
		c := Claim{Kind: Overpayment, Reference: ref, Principal: euro(300), DueDate: d("2025-02-14"), Status: Open}
		plan, err := ProposePlan(euro(300), PlanRequest{MonthlyCents: euro(100), FirstDue: d("2025-03-15")}, d("2025-03-01"), DefaultRules())
		if err != nil {
			t.Fatal(err)
		}
		c.ApprovePlan(d("2025-03-01"), plan)
		c.ApplyPayment(d("2025-03-17"), euro(60))
		got, err := PaymentDetails(c, account, d("2025-04-01"))
		if err != nil {
			t.Fatal(err)
		}
		if got.AmountCents != euro(40) || got.DueDate != d("2025-03-17") {
			t.Errorf("instalment 1 short by 40 €: details %+v", got)
		}
		b, err := barcode.Decode(got.Barcode)
		if err != nil || b.Cents != euro(40) || b.Ref != ref || !b.Due.IsZero() {
			t.Errorf("barcode %+v, %v", b, err)
		}
		c.ApplyPayment(d("2025-04-02"), euro(40))
		got, _ = PaymentDetails(c, account, d("2025-04-02"))
		if got.AmountCents != euro(100) || got.DueDate != d("2025-04-15") {
			t.Errorf("instalment 2: details %+v", got)
		}
	})

	t.Run("refused", func(t *testing.T) {
		paid := claim
		paid.Paid.Principal = paid.Principal
		if _, err := PaymentDetails(paid, account, d("2016-12-01")); fault.KeyOf(err) != "recovery.details.nothing_to_pay" {
			t.Errorf("paid claim: %v", err)
		}
		noRef := claim
		noRef.Reference = viite.Ref{}
		if _, err := PaymentDetails(noRef, account, d("2016-12-01")); fault.KeyOf(err) != "recovery.details.no_reference" {
			t.Errorf("no reference: %v", err)
		}
		if _, err := PaymentDetails(claim, iban.MustParse("DE89370400440532013000"), d("2016-12-01")); !errors.Is(err, barcode.ErrAccount) {
			t.Errorf("German account: %v, want barcode.ErrAccount", err)
		}
	})

	t.Run("over a barcode's amount", func(t *testing.T) {
		big := claim
		big.Principal = barcode.MaxCents + 1
		got, err := PaymentDetails(big, account, d("2016-12-01"))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := barcode.Decode(got.Barcode)
		if got.AmountCents != barcode.MaxCents+1 || b.Cents != 0 || b.Due != (civil.Date{Year: 2016, Month: 12, Day: 21}) {
			t.Errorf("details %+v, barcode %+v", got, b)
		}
	})
}
