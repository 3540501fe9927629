package viite

import (
	"errors"
	"strings"
	"testing"
)

// DOMAIN.md §1 vectors: base → national reference → RF reference.
var vectors = []struct{ base, ref, rf string }{
	{"123456", "1234561", ""},
	{"1234567", "12345672", ""},
	{"23409678", "234096783", ""},
	{"123456712345678", "1234567123456784", ""},
	{"1111", "11112", "RF9811112"},
	{"999111", "9991110", "RF419991110"},
	{"234823", "2348236", "RF332348236"},
	{"10", "101", "RF90101"}, // too short for a national reference; RF only
	{"1", "13", "RF4113"},
}

func TestNew(t *testing.T) {
	for _, v := range vectors {
		if len(v.ref) < 4 {
			continue
		}
		t.Run(v.base, func(t *testing.T) {
			r, err := New(v.base)
			if err != nil || r.String() != v.ref {
				t.Fatalf("New(%q) = %v, %v; want %s", v.base, r, err, v.ref)
			}
			p, err := Parse(v.ref)
			if err != nil || p != r {
				t.Fatalf("Parse(%q) = %v, %v", v.ref, p, err)
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		base string
		want string // the reference, or "" for an error
		err  Reason
	}{
		{"12", "", ErrLength},
		{"0012", "", ErrLength},
		{"000", "", ErrLength},
		{"", "", ErrLength},
		{"1234567890123456789", "12345678901234567894", 0},
		{"12345678901234567890", "", ErrLength},
		{"00001111", "11112", 0},
		{"12 34", "", ErrFormat},
		{"12a4", "", ErrFormat},
		{"-123", "", ErrFormat},
	}
	for _, tt := range tests {
		r, err := New(tt.base)
		if tt.err != 0 {
			if !errors.Is(err, tt.err) {
				t.Errorf("New(%q) error = %v, want %v", tt.base, err, tt.err)
			}
			continue
		}
		if err != nil || r.String() != tt.want {
			t.Errorf("New(%q) = %v, %v; want %s", tt.base, r, err, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want string
		err  Reason
	}{
		{"1234561", "1234561", 0},
		{"1 23456 71234 56784", "1234567123456784", 0},
		{"  00000 11112 ", "11112", 0},
		{"00000000000000011112", "11112", 0},
		{"1234562", "", ErrCheck},
		{"1243561", "", ErrCheck}, // transposed digits
		{"13", "", ErrLength},
		{"0013", "", ErrLength},
		{"", "", ErrLength},
		{"123456789012345678901", "", ErrLength},
		{"12345678901234567894", "12345678901234567894", 0},
		{"RF9811112", "", ErrFormat},
		{"1234-561", "", ErrFormat},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, err := Parse(tt.in)
			if tt.err != 0 {
				var e *Error
				if !errors.Is(err, tt.err) || !errors.As(err, &e) || e.RF {
					t.Fatalf("Parse(%q) error = %v, want %v", tt.in, err, tt.err)
				}
				return
			}
			if err != nil || r.String() != tt.want {
				t.Fatalf("Parse(%q) = %v, %v; want %s", tt.in, r, err, tt.want)
			}
		})
	}
}

func TestGrouped(t *testing.T) {
	tests := map[string]string{
		"1234567123456784":     "1 23456 71234 56784",
		"11112":                "11112",
		"1234561":              "12 34561",
		"1234567897":           "12345 67897",
		"12345678901234567894": "12345 67890 12345 67894",
	}
	for in, want := range tests {
		if got := MustParse(in).Grouped(); got != want {
			t.Errorf("Grouped(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestRF(t *testing.T) {
	for _, v := range vectors {
		if v.rf == "" {
			continue
		}
		t.Run(v.rf, func(t *testing.T) {
			rf, err := NewRF(v.ref)
			if err != nil || rf.String() != v.rf {
				t.Fatalf("NewRF(%q) = %v, %v; want %s", v.ref, rf, err, v.rf)
			}
			p, err := ParseRF(v.rf)
			if err != nil || p != rf {
				t.Fatalf("ParseRF(%q) = %v, %v", v.rf, p, err)
			}
			if p.Reference() != v.ref {
				t.Errorf("Reference() = %q, want %q", p.Reference(), v.ref)
			}
			if got := p.Check(); got != int(v.rf[2]-'0')*10+int(v.rf[3]-'0') {
				t.Errorf("Check() = %d", got)
			}
			if len(v.ref) >= 4 {
				if got := RFFromNational(MustParse(v.ref)); got != rf {
					t.Errorf("RFFromNational(%s) = %v, want %v", v.ref, got, rf)
				}
			}
		})
	}
}

func TestParseRF(t *testing.T) {
	tests := []struct {
		in   string
		want string
		err  Reason
	}{
		{"RF98 1111 2", "RF9811112", 0},
		{"rf98 1111 2", "RF9811112", 0},
		{"RF18 5390 0754 7034", "RF18539007547034", 0}, // ISO 11649 example
		{"RF18 0000 0000 0000 0000 0539 0075 4703 4", "", ErrLength},
		{"RF74 ABCD EFGH", "RF74ABCDEFGH", 0},
		{"RF99 1111 2", "", ErrCheck},
		{"RF97 1111 2", "", ErrCheck},
		{"RF98 1111 3", "", ErrCheck},
		{"RF9811121", "", ErrCheck},
		{"RF98", "", ErrLength},
		{"", "", ErrLength},
		{"RF", "", ErrLength},
		{"FI9811112", "", ErrFormat},
		{"RFX811112", "", ErrFormat},
		{"RF98-11112", "", ErrFormat},
		{"RF98ÄÄ", "", ErrFormat},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			rf, err := ParseRF(tt.in)
			if tt.err != 0 {
				var e *Error
				if !errors.Is(err, tt.err) || !errors.As(err, &e) || !e.RF {
					t.Fatalf("ParseRF(%q) error = %v, want %v", tt.in, err, tt.err)
				}
				return
			}
			if err != nil || rf.String() != tt.want {
				t.Fatalf("ParseRF(%q) = %v, %v; want %s", tt.in, rf, err, tt.want)
			}
		})
	}
}

func TestRFLength(t *testing.T) {
	ref21 := strings.Repeat("1", 21)
	rf, err := NewRF(ref21)
	if err != nil || len(rf.String()) != 25 {
		t.Fatalf("NewRF(21 chars) = %v, %v", rf, err)
	}
	if _, err := ParseRF(rf.String()); err != nil {
		t.Errorf("ParseRF(25 chars) = %v", err)
	}
	if _, err := NewRF(ref21 + "1"); !errors.Is(err, ErrLength) {
		t.Errorf("NewRF(22 chars) error = %v", err)
	}
	if _, err := NewRF(""); !errors.Is(err, ErrLength) {
		t.Errorf("NewRF(\"\") error = %v", err)
	}
	if _, err := NewRF("ab-c"); !errors.Is(err, ErrFormat) {
		t.Errorf("NewRF(ab-c) error = %v", err)
	}
}

func TestRFGrouped(t *testing.T) {
	tests := map[string]string{
		"RF9811112":        "RF98 1111 2",
		"RF4113":           "RF41 13",
		"RF18539007547034": "RF18 5390 0754 7034",
	}
	for in, want := range tests {
		rf, err := ParseRF(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := rf.Grouped(); got != want {
			t.Errorf("Grouped(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestParseAny(t *testing.T) {
	tests := []struct {
		in   string
		want string
		err  Reason
	}{
		{"11112", "11112", 0},
		{"1 23456 71234 56784", "1234567123456784", 0},
		{"RF98 1111 2", "11112", 0},
		{" rf9811112", "11112", 0},
		{"RF332348236", "2348236", 0},
		{"RF90101", "", ErrNotNational}, // 101 is too short
		{"RF74ABCDEFGH", "", ErrNotNational},
		{"RF18539007547034", "", ErrNotNational}, // 539007547034 has a wrong national check digit
		{"RF9911112", "", ErrCheck},
		{"11113", "", ErrCheck},
		{"INV-42", "", ErrFormat},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, err := ParseAny(tt.in)
			if tt.err != 0 {
				if !errors.Is(err, tt.err) {
					t.Fatalf("ParseAny(%q) error = %v, want %v", tt.in, err, tt.err)
				}
				return
			}
			if err != nil || r.String() != tt.want {
				t.Fatalf("ParseAny(%q) = %v, %v; want %s", tt.in, r, err, tt.want)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	_, err := ParseRF("RF9911112")
	if got := err.Error(); got != "viite: the RF check digits do not match" {
		t.Errorf("RF Error() = %q", got)
	}
	_, err = Parse("11113")
	if got := err.Error(); got != "viite: the check digit does not match" {
		t.Errorf("Error() = %q", got)
	}
}

func TestText(t *testing.T) {
	var r Ref
	if err := r.UnmarshalText([]byte("1 23456 71234 56784")); err != nil || r.String() != "1234567123456784" {
		t.Errorf("Ref.UnmarshalText = %v, %v", r, err)
	}
	if b, _ := r.MarshalText(); string(b) != "1234567123456784" {
		t.Errorf("Ref.MarshalText = %s", b)
	}
	var rf RF
	if err := rf.UnmarshalText([]byte("RF98 1111 2")); err != nil || rf.String() != "RF9811112" {
		t.Errorf("RF.UnmarshalText = %v, %v", rf, err)
	}
	if b, _ := rf.MarshalText(); string(b) != "RF9811112" {
		t.Errorf("RF.MarshalText = %s", b)
	}
	if err := rf.UnmarshalText(nil); err != nil || !rf.IsZero() || rf.String() != "" {
		t.Errorf("empty RF.UnmarshalText = %v, %v", rf, err)
	}
}

func FuzzParse(f *testing.F) {
	for _, v := range vectors {
		f.Add(v.ref)
		f.Add(v.rf)
	}
	f.Add("1 23456 71234 56784")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse(s)
		if err == nil {
			if again, err := Parse(r.String()); err != nil || again != r {
				t.Fatalf("round trip %q → %v → %v, %v", s, r, again, err)
			}
			if again, err := Parse(r.Grouped()); err != nil || again != r {
				t.Fatalf("grouped round trip %q → %q → %v, %v", s, r.Grouped(), again, err)
			}
			if again, err := New(r.String()[:len(r.String())-1]); err != nil || again != r {
				t.Fatalf("New of the base of %v = %v, %v", r, again, err)
			}
			if rf, err := ParseRF(RFFromNational(r).Grouped()); err != nil {
				t.Fatalf("RF form of %v does not parse: %v", r, err)
			} else if n, err := rf.National(); err != nil || n != r {
				t.Fatalf("RF form of %v holds %v, %v", r, n, err)
			}
		}
		rf, err := ParseRF(s)
		if err == nil {
			if again, err := ParseRF(rf.String()); err != nil || again != rf {
				t.Fatalf("RF round trip %q → %v → %v, %v", s, rf, again, err)
			}
			if again, err := ParseRF(rf.Grouped()); err != nil || again != rf {
				t.Fatalf("RF grouped round trip %q → %q → %v, %v", s, rf.Grouped(), again, err)
			}
			if again, err := NewRF(rf.Reference()); err != nil || again != rf {
				t.Fatalf("NewRF(%q) = %v, %v; want %v", rf.Reference(), again, err, rf)
			}
		}
		if _, err := ParseAny(s); err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("ParseAny(%q) returned untyped error %v", s, err)
			}
		}
	})
}

func BenchmarkNew(b *testing.B) {
	bases := []string{"1111", "123456712345678", "1234567890123456789", "23409678"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := New(bases[i%len(bases)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("1 23456 71234 56784"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseRF(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRF("RF98 1111 2"); err != nil {
			b.Fatal(err)
		}
	}
}
