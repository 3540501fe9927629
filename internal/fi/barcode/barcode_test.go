package barcode

import (
	"errors"
	"strings"
	"testing"

	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/iban"
	"github.com/etuus/etuus/internal/fi/viite"
)

var account = iban.MustParse("FI37 1590 3000 0007 76")

func rf(s string) viite.RF {
	r, err := viite.ParseRF(s)
	if err != nil {
		panic(err)
	}
	return r
}

// DOMAIN.md §1 vectors.
var vectors = []struct {
	name string
	b    Barcode
	want string
}{
	{"national", Barcode{IBAN: account, Cents: 1225, Ref: viite.MustParse("11112"), Due: civil.MustParseISO("2016-12-21")},
		"437159030000007760000122500000000000000000011112161221"},
	{"rf", Barcode{IBAN: account, Cents: 110, RF: rf("RF9811112"), Due: civil.MustParseISO("2017-01-01")},
		"537159030000007760000011098000000000000000011112170101"},
	{"open", Barcode{IBAN: account, Ref: viite.MustParse("11112")},
		"437159030000007760000000000000000000000000011112000000"},
}

func TestEncode(t *testing.T) {
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			var got string
			var err error
			if v.b.Version() == 4 {
				got, err = EncodeNational(v.b.IBAN, v.b.Cents, v.b.Ref, v.b.Due)
			} else {
				got, err = EncodeRF(v.b.IBAN, v.b.Cents, v.b.RF, v.b.Due)
			}
			if err != nil || got != v.want {
				t.Fatalf("encode = %s, %v; want %s", got, err, v.want)
			}
			if len(got) != Length {
				t.Errorf("len = %d", len(got))
			}
		})
	}
}

func TestDecode(t *testing.T) {
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			got, err := Decode(v.want)
			if err != nil || got != v.b {
				t.Fatalf("Decode = %+v, %v; want %+v", got, err, v.b)
			}
		})
	}
}

func TestEncodeErrors(t *testing.T) {
	ref := viite.MustParse("11112")
	alpha, err := viite.NewRF("ABC123")
	if err != nil {
		t.Fatal(err)
	}
	long, err := viite.NewRF(strings.Repeat("9", 21))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		b    Barcode
		err  Reason
	}{
		{"german account", Barcode{IBAN: iban.MustParse("DE89370400440532013000"), Ref: ref}, ErrAccount},
		{"no account", Barcode{Ref: ref}, ErrAccount},
		{"negative", Barcode{IBAN: account, Cents: -1, Ref: ref}, ErrAmount},
		{"too much", Barcode{IBAN: account, Cents: MaxCents + 1, Ref: ref}, ErrAmount},
		{"no reference", Barcode{IBAN: account}, ErrReference},
		{"both references", Barcode{IBAN: account, Ref: ref, RF: rf("RF9811112")}, ErrReference},
		{"letters in RF", Barcode{IBAN: account, RF: alpha}, ErrReference},
		{"due 1999", Barcode{IBAN: account, Ref: ref, Due: civil.MustParseISO("1999-12-31")}, ErrDue},
		{"due 2100", Barcode{IBAN: account, Ref: ref, Due: civil.MustParseISO("2100-01-01")}, ErrDue},
		{"invalid due", Barcode{IBAN: account, Ref: ref, Due: civil.Date{Year: 2025, Month: 2, Day: 29}}, ErrDue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.b.Encode()
			var e *Error
			if !errors.Is(err, tt.err) || !errors.As(err, &e) || e.Reason != tt.err {
				t.Fatalf("Encode error = %v, want %v", err, tt.err)
			}
		})
	}
	// The largest amount and the longest numeric RF reference fit.
	got, err := Barcode{IBAN: account, Cents: MaxCents, RF: long}.Encode()
	if err != nil || got[17:25] != "99999999" || got[27:48] != strings.Repeat("9", 21) {
		t.Errorf("limits: %s, %v", got, err)
	}
	if back, err := Decode(got); err != nil || back.RF != long || back.Cents != MaxCents {
		t.Errorf("Decode(limits) = %+v, %v", back, err)
	}
}

func TestDecodeErrors(t *testing.T) {
	good := vectors[0].want
	tests := []struct {
		name string
		in   string
		err  Reason
	}{
		{"short", good[:53], ErrFormat},
		{"letter", good[:10] + "X" + good[11:], ErrFormat},
		{"version 2", "2" + good[1:], ErrVersion},
		{"bad account", good[:6] + "1" + good[7:], ErrAccount},
		{"not 000", good[:25] + "001" + good[28:], ErrFormat},
		{"bad reference", good[:47] + "3" + good[48:], ErrReference},
		{"no reference", good[:28] + strings.Repeat("0", 20) + good[48:], ErrReference},
		{"bad RF check", "5" + vectors[1].want[1:25] + "97" + vectors[1].want[27:], ErrReference},
		{"bad due", good[:48] + "250229", ErrDue},
		{"due month 13", good[:48] + "251301", ErrDue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.in)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Decode error = %v, want %v", err, tt.err)
			}
		})
	}
	// The underlying error stays reachable.
	_, err := Decode(good[:47] + "3" + good[48:])
	if !errors.Is(err, viite.ErrCheck) {
		t.Errorf("Decode error %v does not wrap viite.ErrCheck", err)
	}
}

func FuzzDecode(f *testing.F) {
	for _, v := range vectors {
		f.Add(v.want)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := Decode(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Decode(%q) returned untyped error %v", s, err)
			}
			return
		}
		again, err := b.Encode()
		if err != nil || again != s {
			t.Fatalf("round trip %q → %+v → %q, %v", s, b, again, err)
		}
	})
}

func BenchmarkEncode(b *testing.B) {
	v := vectors[0].b
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Encode(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(vectors[1].want); err != nil {
			b.Fatal(err)
		}
	}
}
