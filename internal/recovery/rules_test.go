package recovery

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/etuus/etuus/internal/fault"
)

func TestDefaultRulesLoad(t *testing.T) {
	r := DefaultRules()
	for _, k := range Kinds() {
		if _, err := r.RemindersAt(k, d("2025-06-01")); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}
	// Every row says where its numbers come from.
	if n := strings.Count(string(defaultRules), `"source"`); n < 15 {
		t.Errorf("only %d rows carry a source", n)
	}
}

func TestRulesLookups(t *testing.T) {
	r := DefaultRules()
	p, err := r.PlanAt(d("2025-05-01"))
	if err != nil || p.MinMonthlyCents != 3000 || p.MaxMonths != 36 {
		t.Errorf("plan rule = %+v, %v; want 30 € and 36 months", p, err)
	}
	tests := []struct {
		kind  Kind
		count int
		fee   int64
	}{
		{Overpayment, 2, 0},
		{ChildSupport, 0, 0}, // enforcement without a separate payment demand
		{StudentLoan, 2, 0},  // usually two payment demands
		{HealthcareFee, 1, 500},
	}
	for _, tt := range tests {
		rr, err := r.RemindersAt(tt.kind, d("2025-03-17"))
		if err != nil || rr.Count != tt.count || rr.FeeCents != tt.fee {
			t.Errorf("%s reminders = %d, fee %d (%v); want %d, fee %d", tt.kind, rr.Count, rr.FeeCents, err, tt.count, tt.fee)
		}
	}
	o, err := r.OffsetAt(d("2025-05-01"))
	if err != nil || o.ShareNum != 1 || o.ShareDen != 3 || o.MinCents != 3000 {
		t.Errorf("offset rule = %+v, %v", o, err)
	}
}

// The protected amount (Enforcement Code 4:48) by the year's decree, at
// the years' edges; a year without a decree in the table is a gap.
func TestProtectedAmountByDay(t *testing.T) {
	r := DefaultRules()
	tests := []struct {
		day   string
		cents int64 // 0: no row
	}{
		{"2022-12-31", 0},
		{"2023-01-01", 3075},
		{"2023-12-31", 3075},
		{"2024-01-01", 3256},
		{"2024-12-31", 3256},
		{"2025-01-01", 3288},
		{"2025-12-31", 3288},
		{"2026-01-01", 0},
	}
	for _, tt := range tests {
		t.Run(tt.day, func(t *testing.T) {
			p, err := r.ProtectedAmountAt(d(tt.day))
			if tt.cents == 0 {
				if fault.KeyOf(err) != "recovery.rules.missing" || fault.KindOf(err) != fault.Internal {
					t.Errorf("%+v, %v; want recovery.rules.missing", p, err)
				}
				return
			}
			if err != nil || p.CentsPerDay != tt.cents {
				t.Errorf("%+v, %v; want %d cents a day", p, err, tt.cents)
			}
		})
	}
}

func TestHealthcareFeeAmounts(t *testing.T) {
	r := DefaultRules()
	tests := []struct {
		term  string
		cents int64
	}{
		{"2021S", 3580}, {"2022A", 3580},
		{"2023S", 3680}, {"2024A", 3680},
		{"2025S", 3560}, {"2025A", 3560},
		{"2026S", 3535}, {"2026A", 3535},
	}
	for _, tt := range tests {
		term, _ := ParseTerm(tt.term)
		got, err := r.HealthcareFeeFor(term)
		if err != nil || got != tt.cents {
			t.Errorf("%s: %d, %v; want %d", tt.term, got, err, tt.cents)
		}
	}
	if _, err := r.HealthcareFeeFor(Term{Year: 2027}); err == nil {
		t.Error("2027 fee: no error; the table does not know it")
	}
}

// TestLoadRulesRejects edits the shipped table and checks each broken
// version is refused with a message naming the problem.
func TestLoadRulesRejects(t *testing.T) {
	tests := []struct {
		name string
		edit func(m map[string]any)
		want string
	}{
		{"overlapping rates", func(m map[string]any) {
			rows := m["interest"].(map[string]any)["child_support"].([]any)
			rows[len(rows)-1].(map[string]any)["from"] = "2025-12-31"
		}, "interest.child_support row 13: overlaps"},
		{"rows out of order", func(m map[string]any) {
			rows := m["healthcare_fee"].([]any)
			rows[0], rows[1] = rows[1], rows[0]
		}, "healthcare_fee row 2"},
		{"open row followed by another", func(m map[string]any) {
			rows := m["interest"].(map[string]any)["student_loan"].([]any)
			rows = append(rows, map[string]any{"from": "2030-01-01", "rate_bp": 500})
			m["interest"].(map[string]any)["student_loan"] = rows
		}, "student_loan row 3: overlaps"},
		{"missing interest kind", func(m map[string]any) {
			delete(m["interest"].(map[string]any), "overpayment")
		}, `interest: kind "overpayment" missing`},
		{"missing reminder kind", func(m map[string]any) {
			delete(m["reminders"].(map[string]any), "healthcare_fee")
		}, `reminders: kind "healthcare_fee" missing`},
		{"unknown kind", func(m map[string]any) {
			m["reminders"].(map[string]any)["parking_fine"] = []any{}
		}, `unknown kind "parking_fine"`},
		{"unknown field", func(m map[string]any) {
			m["plan"].([]any)[0].(map[string]any)["min_monthly"] = 3000
		}, `unknown field "min_monthly"`},
		{"backwards period", func(m map[string]any) {
			m["healthcare_fee"].([]any)[0].(map[string]any)["to"] = "2020-12-31"
		}, "to 2020-12-31 before from 2021-01-01"},
		{"negative rate", func(m map[string]any) {
			m["interest"].(map[string]any)["student_loan"].([]any)[0].(map[string]any)["rate_bp"] = -1
		}, "rate -1 bp"},
		{"zero plan minimum", func(m map[string]any) {
			m["plan"].([]any)[0].(map[string]any)["min_monthly_cents"] = 0
		}, "plan row 1"},
		{"no offset rule", func(m map[string]any) { m["offset"] = []any{} }, "offset: no rows"},
		{"share over one", func(m map[string]any) {
			m["offset"].([]any)[0].(map[string]any)["share_num"] = 4
		}, "offset row 1: share"},
		{"29 February", func(m map[string]any) {
			m["healthcare_due"].([]any)[0].(map[string]any)["spring"] = "02-29"
		}, "not an MM-DD day"},
		{"late date without late_after", func(m map[string]any) {
			m["healthcare_due"].([]any)[1].(map[string]any)["spring_late_after"] = ""
		}, "healthcare_due row 2"},
		{"no protected amount", func(m map[string]any) { m["protected_amount"] = []any{} }, "protected_amount: no rows"},
		{"zero protected amount", func(m map[string]any) {
			m["protected_amount"].([]any)[0].(map[string]any)["cents_per_day"] = 0
		}, "protected_amount row 1: the amount must be positive"},
		{"the protected amount in the offset rule (the old format)", func(m map[string]any) {
			m["offset"].([]any)[0].(map[string]any)["protected_cents_per_day"] = 2576
		}, `unknown field "protected_cents_per_day"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(defaultRules, &m); err != nil {
				t.Fatal(err)
			}
			tt.edit(m)
			b, _ := json.Marshal(m)
			_, err := LoadRules(bytes.NewReader(b))
			if !errors.Is(err, ErrRules) {
				t.Fatalf("err = %v, want ErrRules", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestMonthDayText(t *testing.T) {
	var m MonthDay
	if err := m.UnmarshalText([]byte("07-31")); err != nil || m.String() != "07-31" {
		t.Errorf("07-31 → %v, %v", m, err)
	}
	for _, bad := range []string{"7-31", "13-01", "02-30", "0731", "xx-yy"} {
		if err := m.UnmarshalText([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
