package hetu

import (
	"errors"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in         string
		err        Reason // 0 when valid
		birth      string
		individual int
		female     bool
		temporary  bool
	}{
		// DOMAIN.md §1 vectors.
		{in: "131052-308T", birth: "1952-10-13", individual: 308, female: true},
		{in: "131052+308T", birth: "1852-10-13", individual: 308, female: true},
		{in: "131052A308T", birth: "2052-10-13", individual: 308, female: true},
		{in: "131052-308U", err: ErrCheck},
		{in: "310252-308Y", err: ErrDate},
		{in: "010403A998U", birth: "2003-04-01", individual: 998, female: true, temporary: true},
		{in: "100871-998D", birth: "1971-08-10", individual: 998, female: true, temporary: true},
		{in: "091099-998L", birth: "1999-10-09", individual: 998, female: true, temporary: true},
		{in: "241198-998U", birth: "1998-11-24", individual: 998, female: true, temporary: true},
		// The new century signs keep the date and check character.
		{in: "131052Y308T", birth: "1952-10-13", individual: 308, female: true},
		{in: "131052U308T", birth: "1952-10-13", individual: 308, female: true},
		{in: "131052F308T", birth: "2052-10-13", individual: 308, female: true},
		// Lower case and surrounding space are tolerated.
		{in: " 131052a308t\n", birth: "2052-10-13", individual: 308, female: true},
		// Leap days.
		{in: "290200A999J", birth: "2000-02-29", individual: 999, temporary: true},
		{in: "290201A999T", err: ErrDate},
		{in: "290200-999T", err: ErrDate}, // 1900 was not a leap year
		{in: "290296-999A", birth: "1996-02-29", individual: 999, temporary: true},
		{in: "000152-308T", err: ErrDate},
		{in: "011352-308T", err: ErrDate},
		{in: "010152-001T", err: ErrIndividual},
		{in: "010152-000T", err: ErrIndividual},
		{in: "131052-308", err: ErrLength},
		{in: "131052-308TT", err: ErrLength},
		{in: "", err: ErrLength},
		{in: "13105Z-308T", err: ErrFormat},
		{in: "131052-3O8T", err: ErrFormat},
		{in: "131052G308T", err: ErrCentury},
		{in: "131052/308T", err: ErrCentury},
		{in: "131052-308G", err: ErrCheck},
		{in: "131052-3080", err: ErrCheck},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := Parse(tt.in)
			if tt.err != 0 {
				if !errors.Is(err, tt.err) {
					t.Fatalf("Parse(%q) error = %v, want %v", tt.in, err, tt.err)
				}
				var e *Error
				if !errors.As(err, &e) || e.Reason != tt.err {
					t.Fatalf("errors.As failed for %v", err)
				}
				if !c.IsZero() {
					t.Errorf("Parse returned %v with an error", c)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q) = %v", tt.in, err)
			}
			if got := c.BirthDate().String(); got != tt.birth {
				t.Errorf("BirthDate() = %s, want %s", got, tt.birth)
			}
			if got := c.Individual(); got != tt.individual {
				t.Errorf("Individual() = %d, want %d", got, tt.individual)
			}
			if got := c.Female(); got != tt.female {
				t.Errorf("Female() = %v, want %v", got, tt.female)
			}
			if got := c.Temporary(); got != tt.temporary {
				t.Errorf("Temporary() = %v, want %v", got, tt.temporary)
			}
		})
	}
}

func TestSignIsIdentity(t *testing.T) {
	a, b := MustParse("010594Y9032"), MustParse("010594-9032")
	if a == b {
		t.Error("codes differing only in century sign compare equal")
	}
	if a.String() != "010594Y9032" {
		t.Errorf("String() = %s: the sign was normalised", a)
	}
	if a.BirthDate() != b.BirthDate() {
		t.Error("the same sign century should give the same birth date")
	}
}

func TestStringMasked(t *testing.T) {
	c := MustParse("131052-308t")
	if got := c.String(); got != "131052-308T" {
		t.Errorf("String() = %q", got)
	}
	if got := c.Masked(); got != "131052-****" {
		t.Errorf("Masked() = %q", got)
	}
	if got := c.LogValue().String(); got != "131052-****" {
		t.Errorf("LogValue() = %q", got)
	}
	var zero Code
	if zero.String() != "" || zero.Masked() != "" || zero.Individual() != 0 || zero.Female() || zero.Temporary() || !zero.BirthDate().IsZero() {
		t.Error("zero Code should report nothing")
	}
}

func TestMake(t *testing.T) {
	tests := []struct {
		birth      string
		individual int
		sign       byte
		want       string
		err        Reason
	}{
		{"1952-10-13", 308, '-', "131052-308T", 0},
		{"1952-10-13", 308, 0, "131052-308T", 0},
		{"1852-10-13", 308, 0, "131052+308T", 0},
		{"2052-10-13", 308, 'A', "131052A308T", 0},
		{"2003-04-01", 998, 'A', "010403A998U", 0},
		{"1971-08-10", 998, '-', "100871-998D", 0},
		{"1999-10-09", 998, 'Y', "091099Y998L", 0},
		{"1998-11-24", 998, 0, "241198-998U", 0},
		{"2003-04-01", 902, 'B', "010403B902R", 0},
		{"1952-10-13", 308, 'A', "", ErrCentury},
		{"1752-10-13", 308, 0, "", ErrCentury},
		{"1952-10-13", 1, '-', "", ErrIndividual},
		{"1952-10-13", 1000, '-', "", ErrIndividual},
	}
	for _, tt := range tests {
		c, err := Make(civil.MustParseISO(tt.birth), tt.individual, tt.sign)
		if tt.err != 0 {
			if !errors.Is(err, tt.err) {
				t.Errorf("Make(%s, %d, %q) error = %v, want %v", tt.birth, tt.individual, tt.sign, err, tt.err)
			}
			continue
		}
		if err != nil || c.String() != tt.want {
			t.Errorf("Make(%s, %d, %q) = %v, %v; want %s", tt.birth, tt.individual, tt.sign, c, err, tt.want)
		}
		if _, err := Parse(c.String()); err != nil {
			t.Errorf("Make produced an unparsable code %v: %v", c, err)
		}
	}
	if _, err := Make(civil.Date{Year: 2023, Month: time.February, Day: 29}, 999, 'A'); !errors.Is(err, ErrDate) {
		t.Errorf("Make(2023-02-29) error = %v", err)
	}
}

func TestErrorText(t *testing.T) {
	_, err := Parse("131052-308U")
	if got := err.Error(); got != "hetu: the check character does not match" {
		t.Errorf("Error() = %q", got)
	}
	for r := ErrLength; r <= ErrCheck; r++ {
		if r.Error() == Reason(0).Error() {
			t.Errorf("reason %d has no message", r)
		}
	}
}

func TestText(t *testing.T) {
	var c Code
	if err := c.UnmarshalText([]byte("010403A998U")); err != nil {
		t.Fatal(err)
	}
	b, _ := c.MarshalText()
	if string(b) != "010403A998U" {
		t.Errorf("MarshalText = %s", b)
	}
	if err := c.UnmarshalText([]byte("010403A998V")); !errors.Is(err, ErrCheck) {
		t.Errorf("UnmarshalText error = %v", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"131052-308T", "131052+308T", "131052A308T", "131052-308U", "310252-308Y", "010403A998U", "100871-998D", "091099-998L", "241198-998U", "290200A999J"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Reason < ErrLength || e.Reason > ErrCheck {
				t.Fatalf("Parse(%q) returned untyped error %v", s, err)
			}
			return
		}
		again, err := Parse(c.String())
		if err != nil || again != c {
			t.Fatalf("round trip %q → %q → %v, %v", s, c, again, err)
		}
		made, err := Make(c.BirthDate(), c.Individual(), c.b[6])
		if err != nil || made != c {
			t.Fatalf("Make(%v, %d, %q) = %v, %v; want %v", c.BirthDate(), c.Individual(), c.b[6], made, err, c)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	codes := []string{"131052-308T", "010403A998U", "100871-998D", "091099-998L", "241198-998U"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := Parse(codes[i%len(codes)]); err != nil {
			b.Fatal(err)
		}
	}
}
