package web

import (
	"mime"
	"strings"
	"testing"
	"unicode/utf8"
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

func TestContentDisposition(t *testing.T) {
	for name, want := range map[string]string{
		"plan.pdf":      `attachment; filename="plan.pdf"; filename*=UTF-8''plan.pdf`,
		"tiliote ä.pdf": `attachment; filename="tiliote _.pdf"; filename*=UTF-8''tiliote%20%C3%A4.pdf`,
		`a"b;c.png`:     `attachment; filename="a_b_c.png"; filename*=UTF-8''a%22b%3Bc.png`,
	} {
		if got := contentDisposition(name); got != want {
			t.Errorf("contentDisposition(%q) = %s; want %s", name, got, want)
		}
	}
}

// FuzzContentDisposition checks that no file name can break out of the
// header: the result is one line of printable ASCII that mime reads back.
func FuzzContentDisposition(f *testing.F) {
	for _, s := range []string{"plan.pdf", "ä.png", "a\"b", "x\r\nSet-Cookie: a=b", "%00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		h := contentDisposition(name)
		for i := 0; i < len(h); i++ {
			if h[i] < 0x20 || h[i] > 0x7e {
				t.Fatalf("byte %#x in %q", h[i], h)
			}
		}
		disp, params, err := mime.ParseMediaType(h)
		if err != nil || disp != "attachment" {
			t.Fatalf("ParseMediaType(%q) = %q, %v", h, disp, err)
		}
		if utf8.ValidString(name) && params["filename"] != name && !strings.ContainsAny(name, "\"\\;") && isPrintableASCII(name) {
			t.Fatalf("plain ASCII name %q read back as %q", name, params["filename"])
		}
	})
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
