package customer_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/fault"
)

// FuzzReason: a reason is kept trimmed and within the bound, or refused as
// Invalid on the field "reason"; never anything else.
func FuzzReason(f *testing.F) {
	for _, s := range []string{"", " ", "Passport seen", "\xff\xfe", strings.Repeat("ä", customer.MaxReasonRunes), strings.Repeat("a", customer.MaxReasonRunes+1)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := customer.Reason(in)
		if err != nil {
			if fault.KindOf(err) != fault.Invalid || fault.FieldOf(err) != "reason" || got != "" {
				t.Fatalf("Reason(%q) = %q, %v", in, got, err)
			}
			return
		}
		if got == "" || got != strings.TrimSpace(got) || !utf8.ValidString(got) || utf8.RuneCountInString(got) > customer.MaxReasonRunes {
			t.Fatalf("Reason(%q) kept %q", in, got)
		}
	})
}
