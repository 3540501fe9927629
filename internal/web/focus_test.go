package web

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// luminance is a #rrggbb colour's relative luminance (WCAG 2).
func luminance(t *testing.T, hex string) float64 {
	t.Helper()
	if len(hex) != 7 || hex[0] != '#' {
		t.Fatalf("colour %q is not #rrggbb", hex)
	}
	var c [3]float64
	for i := range c {
		v, err := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		if err != nil {
			t.Fatal(err)
		}
		x := float64(v) / 255
		if x <= 0.03928 {
			c[i] = x / 12.92
		} else {
			c[i] = math.Pow((x+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
}

func contrast(t *testing.T, a, b string) float64 {
	la, lb := luminance(t, a), luminance(t, b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// TestFocusContrast reads the stylesheet: the focus indicator is the
// yellow --focus with the dark --focus-ring beside it, and against every
// background a focused control can sit on (the page, the cards, the
// header, the error alert) one of the two has at least 3:1 (WCAG 2.4.11,
// 1.4.11); a focused link's text on the yellow has at least 4.5:1.
func TestFocusContrast(t *testing.T) {
	b, err := staticFS.ReadFile("static/etuus.css")
	if err != nil {
		t.Fatal(err)
	}
	css := string(b)
	vars := map[string]string{}
	for _, m := range regexp.MustCompile(`--([a-z-]+):\s*#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b`).FindAllStringSubmatch(css, -1) {
		h := strings.ToLower(m[2])
		if len(h) == 3 {
			h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
		}
		vars[m[1]] = "#" + h
	}
	focus, ring := vars["focus"], vars["focus-ring"]
	if focus == "" || ring == "" {
		t.Fatalf("the stylesheet lacks --focus or --focus-ring: %v", vars)
	}
	for _, rule := range []string{
		":focus-visible { outline: 3px solid var(--focus); outline-offset: 0; box-shadow: 0 0 0 6px var(--focus-ring); }",
		"a:focus-visible { outline: 3px solid transparent; color: var(--focus-ring) !important; background: var(--focus);",
	} {
		if !strings.Contains(css, rule) {
			t.Errorf("the stylesheet lacks the focus rule %q", rule)
		}
	}
	alertBg := regexp.MustCompile(`\.alert\.error \{[^}]*background: (#[0-9a-f]{6})`).FindStringSubmatch(css)
	if alertBg == nil {
		t.Fatal("no background for .alert.error")
	}
	backgrounds := map[string]string{"page": vars["bg"], "cards": vars["soft"], "header": vars["brand"], "error alert": alertBg[1]}
	for name, bg := range backgrounds {
		cf, cr := contrast(t, focus, bg), contrast(t, ring, bg)
		if math.Max(cf, cr) < 3 {
			t.Errorf("focus on the %s (%s): yellow %.2f:1, ring %.2f:1; one must be at least 3:1", name, bg, cf, cr)
		}
	}
	if c := contrast(t, ring, focus); c < 4.5 {
		t.Errorf("a focused link's text on the yellow: %.2f:1, want at least 4.5:1", c)
	}
}
