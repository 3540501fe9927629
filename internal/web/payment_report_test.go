package web

import (
	"testing"

	"github.com/etuus/etuus/internal/fault"
)

// FuzzParseReport: any form either parses to numbers the service then
// bounds, or is refused as invalid, each problem with its field; it never
// panics.
func FuzzParseReport(f *testing.F) {
	for _, s := range [][3]string{{"12", "250,00", "1"}, {"", "", ""}, {"x", "1.5", "-1"}, {"99999999999999999999", "1e9", "3"}} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, hours, income, sick string) {
		in, errs := parseReport(reportData{Hours: hours, Income: income, SickDay: sick})
		for _, err := range errs {
			if !fault.Is(err, fault.Invalid) || fault.FieldOf(err) == "" {
				t.Fatalf("parseReport(%q, %q, %q) = %v", hours, income, sick, err)
			}
		}
		if len(errs) > 0 {
			return
		}
		if hours == "" && in.Hours != 0 || sick == "" && in.SickDays != 0 || income == "" && in.IncomeCents != 0 {
			t.Fatalf("empty fields = %+v", in)
		}
	})
}
