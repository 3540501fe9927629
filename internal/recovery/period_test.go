package recovery

import (
	"testing"

	"github.com/etuus/etuus/internal/fi/civil"
)

// TestCheckPeriod: a claim names no period, or a whole one whose last day
// is not before its first; anything else is refused with the message that
// says what is wrong.
func TestCheckPeriod(t *testing.T) {
	tests := []struct {
		name     string
		from, to civil.Date
		key      string // "" when accepted
	}{
		{"none", civil.Date{}, civil.Date{}, ""},
		{"half a year", d("2026-03-01"), d("2026-08-31"), ""},
		{"one day", d("2026-03-01"), d("2026-03-01"), ""},
		{"over a new year", d("2025-12-01"), d("2026-01-31"), ""},
		{"last before first", d("2026-08-31"), d("2026-03-01"), "recovery.error.period_order"},
		{"a day before", d("2026-03-02"), d("2026-03-01"), "recovery.error.period_order"},
		{"first only", d("2026-03-01"), civil.Date{}, "recovery.error.period_half"},
		{"last only", civil.Date{}, d("2026-08-31"), "recovery.error.period_half"},
		{"no such day", civil.Date{Year: 2026, Month: 2, Day: 30}, d("2026-08-31"), "recovery.error.period_date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Claim{Kind: Overpayment, PeriodFrom: tt.from, PeriodTo: tt.to}.CheckPeriod()
			if tt.key == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			wantFault(t, err, tt.key, "")
		})
	}
}
