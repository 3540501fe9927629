package i18n

import "testing"

func TestEuros(t *testing.T) {
	for _, c := range []struct {
		lang  string
		cents int64
		want  string
	}{
		{"fi", 123450, "1\u00a0234,50\u00a0€"},
		{"sv", 5, "0,05\u00a0€"},
		{"en", 123450, "€1,234.50"},
		{"en", -70002, "−€700.02"},
	} {
		if got := Euros(c.lang, c.cents); got != c.want {
			t.Errorf("Euros(%s, %d) = %q, want %q", c.lang, c.cents, got, c.want)
		}
	}
}
