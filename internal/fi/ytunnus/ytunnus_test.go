package ytunnus

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want string
		err  Reason
	}{
		// DOMAIN.md §1 vectors.
		{"2077474-0", "2077474-0", 0},
		{"1572860-0", "1572860-0", 0},
		{"2181702-8", "2181702-8", 0},
		{"0737546-2", "0737546-2", 0},
		{"0737546-1", "", ErrCheck},
		// Tolerated forms.
		{" 0737546-2 ", "0737546-2", 0},
		{"737546-2", "0737546-2", 0},
		// Errors.
		{"", "", ErrLength},
		{"07375462", "", ErrFormat},
		{"07375462-", "", ErrFormat},
		{"0737546-", "", ErrFormat},
		{"073754-62", "", ErrFormat},
		{"0737A46-2", "", ErrFormat},
		{"0737546-X", "", ErrFormat},
		{"00737546-2", "", ErrLength},
		{"0000006-0", "", ErrCheck}, // remainder 1: no check digit exists
		{"0000006-1", "", ErrCheck},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			id, err := Parse(tt.in)
			if tt.err != 0 {
				var e *Error
				if !errors.Is(err, tt.err) || !errors.As(err, &e) || e.Reason != tt.err {
					t.Fatalf("Parse(%q) error = %v, want %v", tt.in, err, tt.err)
				}
				return
			}
			if err != nil || id.String() != tt.want {
				t.Fatalf("Parse(%q) = %v, %v; want %s", tt.in, id, err, tt.want)
			}
		})
	}
}

func TestMake(t *testing.T) {
	tests := []struct {
		base int
		want string
		ok   bool
	}{
		{2077474, "2077474-0", true},
		{1572860, "1572860-0", true},
		{2181702, "2181702-8", true},
		{737546, "0737546-2", true},
		{0, "0000000-0", true},
		{-1, "", false},
		{10000000, "", false},
		{6, "", false},
	}
	for _, tt := range tests {
		id, ok := Make(tt.base)
		if ok != tt.ok || id.String() != tt.want {
			t.Errorf("Make(%d) = %v, %v; want %s, %v", tt.base, id, ok, tt.want, tt.ok)
		}
	}
	// About one base in eleven has remainder 1 and no check digit.
	none := 0
	for base := range 11000 {
		id, ok := Make(base)
		if !ok {
			none++
			continue
		}
		if _, err := Parse(id.String()); err != nil {
			t.Fatalf("Make(%d) = %v which does not parse: %v", base, id, err)
		}
	}
	if none < 900 || none > 1100 {
		t.Errorf("%d bases of 11000 without check digit, want about 1000", none)
	}
}

func TestText(t *testing.T) {
	var id ID
	if err := id.UnmarshalText([]byte("2181702-8")); err != nil || id.String() != "2181702-8" {
		t.Fatalf("UnmarshalText = %v, %v", id, err)
	}
	if b, _ := id.MarshalText(); string(b) != "2181702-8" {
		t.Errorf("MarshalText = %s", b)
	}
	if err := id.UnmarshalText([]byte("2181702-9")); !errors.Is(err, ErrCheck) {
		t.Errorf("UnmarshalText error = %v", err)
	}
	if err := id.UnmarshalText(nil); err != nil || !id.IsZero() {
		t.Errorf("empty UnmarshalText = %v, %v", id, err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"2077474-0", "1572860-0", "2181702-8", "0737546-2", "0737546-1", "737546-2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := Parse(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Reason < ErrLength || e.Reason > ErrCheck {
				t.Fatalf("Parse(%q) returned untyped error %v", s, err)
			}
			return
		}
		again, err := Parse(id.String())
		if err != nil || again != id {
			t.Fatalf("round trip %q → %v → %v, %v", s, id, again, err)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("2181702-8"); err != nil {
			b.Fatal(err)
		}
	}
}
