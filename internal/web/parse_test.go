package web

import (
	"testing"
)

func TestParseEuros(t *testing.T) {
	good := map[string]int64{"30": 3000, "30,5": 3050, "30.50": 3050, "1 234,56": 123456, "1\u00a0234,56 €": 123456, "0,01": 1, "100": 10000}
	for in, want := range good {
		if got, ok := parseEuros(in); !ok || got != want {
			t.Errorf("parseEuros(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "-5", "+5", "1,234", "1.2.3", "abc", "12e3", "9999999999", ",5"} {
		if got, ok := parseEuros(in); ok {
			t.Errorf("parseEuros(%q) = %d; want a refusal", in, got)
		}
	}
}

func FuzzParseEuros(f *testing.F) {
	for _, s := range []string{"30", "30,50", "1 234,56 €", "-1", "1e9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := parseEuros(s)
		if ok && (c < 0 || c > 999_999_999_99) {
			t.Fatalf("parseEuros(%q) = %d", s, c)
		}
		if ok {
			// What it accepts prints back to the same cents.
			again, ok2 := parseEuros(formatPlain(c))
			if !ok2 || again != c {
				t.Fatalf("round trip of %q: %d → %q → %d", s, c, formatPlain(c), again)
			}
		}
	})
}

func formatPlain(c int64) string {
	return itoa(int(c/100)) + "," + string(rune('0'+c%100/10)) + string(rune('0'+c%10))
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-03-02", "2.3.2026", "31.2.2026", "0.0.0", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseDate(s)
		if err == nil && !d.IsValid() {
			t.Fatalf("parseDate(%q) = %v, not a real date", s, d)
		}
	})
}
