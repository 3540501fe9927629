package i18n

import (
	"fmt"
	"strings"
)

// Euros is an amount of cents as a person reads it in lang: 1 234,50 €
// (fi, sv; a no-break space between thousands and before the sign),
// €1,234.50 (en); a negative amount with a minus sign.
func Euros(lang string, cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	sep, dec := "\u00a0", ","
	if lang == "en" {
		sep, dec = ",", "."
	}
	whole := fmt.Sprint(cents / 100)
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	out := fmt.Sprintf("%s%s%02d", b.String(), dec, cents%100)
	if lang == "en" {
		out = "€" + out
	} else {
		out += "\u00a0€"
	}
	if neg {
		out = "−" + out
	}
	return out
}
