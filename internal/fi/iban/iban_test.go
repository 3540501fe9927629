package iban

import (
	"errors"
	"fmt"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want string
		err  Reason
	}{
		// DOMAIN.md and the brief.
		{"FI37 1590 3000 0007 76", "FI3715903000000776", 0},
		{"FI2112345600000785", "FI2112345600000785", 0},
		{"FI2112345600000758", "", ErrCheck}, // last two digits swapped
		{"FI1221345600000785", "", ErrCheck}, // check digits swapped
		{"FI3715903000000767", "", ErrCheck},
		// Print forms.
		{"fi37 1590 3000 0007 76", "FI3715903000000776", 0},
		{"IBAN FI37 1590 3000 0007 76", "FI3715903000000776", 0},
		{" FI3715903000000776\t", "FI3715903000000776", 0},
		// Other SEPA countries (SWIFT IBAN Registry examples).
		{"DE89 3704 0044 0532 0130 00", "DE89370400440532013000", 0},
		{"GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432", 0},
		{"SE45 5000 0000 0583 9825 7466", "SE4550000000058398257466", 0},
		{"NO93 8601 1117 947", "NO9386011117947", 0},
		{"BE68 5390 0754 7034", "BE68539007547034", 0},
		{"NL91 ABNA 0417 1643 00", "NL91ABNA0417164300", 0},
		{"FR14 2004 1010 0505 0001 3M02 606", "FR1420041010050500013M02606", 0},
		{"MT84 MALT 0110 0001 2345 MTLC AST0 01S", "MT84MALT011000012345MTLCAST001S", 0},
		// Errors.
		{"", "", ErrFormat},
		{"FI37", "", ErrFormat},
		{"1437 1590 3000 0007 76", "", ErrFormat},
		{"FIX7 1590 3000 0007 76", "", ErrFormat},
		{"FI37-1590-3000-0007-76", "", ErrFormat},
		{"FI37 1590 3000 0007 7", "", ErrLength},
		{"FI37 1590 3000 0007 766", "", ErrLength},
		{"FI37 1590 3000 0007 7666 6666 6666 6666 666", "", ErrLength},
		{"US12 3456 7890 1234", "", ErrCountry},
		{"XX37 1590 3000 0007 76", "", ErrCountry},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			a, err := Parse(tt.in)
			if tt.err != 0 {
				var e *Error
				if !errors.Is(err, tt.err) || !errors.As(err, &e) || e.Reason != tt.err {
					t.Fatalf("Parse(%q) error = %v, want %v", tt.in, err, tt.err)
				}
				return
			}
			if err != nil || a.String() != tt.want {
				t.Fatalf("Parse(%q) = %v, %v; want %s", tt.in, a, err, tt.want)
			}
		})
	}
}

func TestNonCanonicalCheckDigits(t *testing.T) {
	// 99 ≡ 02 (mod 97), so FI99… passes mod 97 when FI02… does, but no bank
	// issues check digits 00, 01 or 99.
	found := 0
	for n := 10000000000000; n < 10000000001000; n++ {
		bban := fmt.Sprint(n)
		a, err := Parse("FI02" + bban)
		if err != nil {
			continue
		}
		found++
		if _, err := Parse("FI99" + a.BBAN()); !errors.Is(err, ErrCheck) {
			t.Errorf("Parse(FI99%s) error = %v, want ErrCheck", bban, err)
		}
	}
	if found == 0 {
		t.Fatal("no FI02 account found to test with")
	}
}

func TestAccessors(t *testing.T) {
	a := MustParse("FI37 1590 3000 0007 76")
	if got := a.Grouped(); got != "FI37 1590 3000 0007 76" {
		t.Errorf("Grouped() = %q", got)
	}
	if a.Country() != "FI" || !a.IsFinnish() || a.BBAN() != "15903000000776" {
		t.Errorf("Country/IsFinnish/BBAN = %s %v %s", a.Country(), a.IsFinnish(), a.BBAN())
	}
	d := MustParse("DE89370400440532013000")
	if d.Country() != "DE" || d.IsFinnish() || d.Grouped() != "DE89 3704 0044 0532 0130 00" {
		t.Errorf("DE: %s %v %s", d.Country(), d.IsFinnish(), d.Grouped())
	}
	var zero IBAN
	if zero.String() != "" || zero.Grouped() != "" || zero.Country() != "" || zero.IsFinnish() || zero.BBAN() != "" {
		t.Error("zero IBAN should report nothing")
	}
}

func TestText(t *testing.T) {
	var a IBAN
	if err := a.UnmarshalText([]byte("FI21 1234 5600 0007 85")); err != nil || a.String() != "FI2112345600000785" {
		t.Fatalf("UnmarshalText = %v, %v", a, err)
	}
	if b, _ := a.MarshalText(); string(b) != "FI2112345600000785" {
		t.Errorf("MarshalText = %s", b)
	}
	if err := a.UnmarshalText([]byte("FI2112345600000758")); !errors.Is(err, ErrCheck) {
		t.Errorf("UnmarshalText error = %v", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"FI37 1590 3000 0007 76", "FI2112345600000785", "FI2112345600000758", "DE89370400440532013000", "GB82 WEST 1234 5698 7654 32", "IBAN MT84MALT011000012345MTLCAST001S"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Reason < ErrFormat || e.Reason > ErrCheck {
				t.Fatalf("Parse(%q) returned untyped error %v", s, err)
			}
			return
		}
		for _, form := range []string{a.String(), a.Grouped()} {
			if again, err := Parse(form); err != nil || again != a {
				t.Fatalf("round trip %q → %q → %v, %v", s, form, again, err)
			}
		}
		if a.Country()+a.String()[2:4]+a.BBAN() != a.String() {
			t.Fatalf("parts of %v do not add up", a)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("FI37 1590 3000 0007 76"); err != nil {
			b.Fatal(err)
		}
	}
}
