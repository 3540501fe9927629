package recovery

import (
	"testing"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
)

func TestCheckExemption(t *testing.T) {
	today := civil.New(2026, 11, 22)
	ok := ExemptionRequest{Kind: ExemptStateShare, MonthlyIncomeCents: 120000, Children: 1, From: civil.New(2026, 6, 1), Reason: "Unemployed since May."}
	tests := []struct {
		name    string
		kind    Kind
		change  func(*ExemptionRequest)
		wantKey string
	}{
		{"child support", ChildSupport, func(*ExemptionRequest) {}, ""},
		{"student loan interest", StudentLoan, func(r *ExemptionRequest) { r.Kind = ExemptInterest }, ""},
		{"a year back exactly", ChildSupport, func(r *ExemptionRequest) { r.From = civil.New(2025, 11, 22) }, ""},
		{"overpayment has none", Overpayment, func(*ExemptionRequest) {}, "exemption.error.kind"},
		{"healthcare fee has none", HealthcareFee, func(*ExemptionRequest) {}, "exemption.error.kind"},
		{"wrong exemption for the kind", StudentLoan, func(*ExemptionRequest) {}, "exemption.error.choose"},
		{"negative income", ChildSupport, func(r *ExemptionRequest) { r.MonthlyIncomeCents = -1 }, "exemption.error.income"},
		{"25 children", ChildSupport, func(r *ExemptionRequest) { r.Children = 25 }, "exemption.error.children"},
		{"no start", ChildSupport, func(r *ExemptionRequest) { r.From = civil.Date{} }, "exemption.error.from"},
		{"future start", ChildSupport, func(r *ExemptionRequest) { r.From = civil.New(2026, 12, 1) }, "exemption.error.from_future"},
		{"two years back", ChildSupport, func(r *ExemptionRequest) { r.From = civil.New(2024, 11, 22) }, "exemption.error.from_past"},
		{"empty reason", ChildSupport, func(r *ExemptionRequest) { r.Reason = "  " }, "exemption.error.reason"},
		{"long reason", ChildSupport, func(r *ExemptionRequest) { r.Reason = string(make([]rune, 4001)) + "x" }, "exemption.error.reason_long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ok
			tt.change(&r)
			err := CheckExemption(tt.kind, r, today)
			if got := fault.KeyOf(err); (tt.wantKey == "" && err != nil) || (tt.wantKey != "" && got != tt.wantKey) {
				t.Errorf("err = %v; want %q", err, tt.wantKey)
			}
		})
	}
}

func TestIncomeLimit(t *testing.T) {
	for children, want := range map[int]int64{0: 140400, 1: 162100, 2: 168000, 3: 178000, 5: 178000} {
		if got, ok := IncomeLimit(children, civil.New(2026, 1, 1)); !ok || got != want {
			t.Errorf("IncomeLimit(%d) = %d, %v; want %d", children, got, ok, want)
		}
	}
	if _, ok := IncomeLimit(0, civil.New(2019, 1, 1)); ok {
		t.Error("a limit before the table starts")
	}
}
