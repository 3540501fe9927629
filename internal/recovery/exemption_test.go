package recovery

import (
	"strings"
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
		{"4000 characters", ChildSupport, func(r *ExemptionRequest) { r.Reason = strings.Repeat("ä", 4000) }, ""},
		{"long reason", ChildSupport, func(r *ExemptionRequest) { r.Reason = strings.Repeat("ä", 4001) }, "exemption.error.reason_long"},
		{"lines and tabs", ChildSupport, func(r *ExemptionRequest) { r.Reason = "Out of work.\r\n\tSick since May." }, ""},
		{"a NUL in the reason", ChildSupport, func(r *ExemptionRequest) { r.Reason = "Out\x00of work" }, "exemption.error.reason_text"},
		{"not UTF-8", ChildSupport, func(r *ExemptionRequest) { r.Reason = "Out \xff of work" }, "exemption.error.reason_text"},
		{"student loan in full", StudentLoan, func(r *ExemptionRequest) { r.Kind = ExemptFull }, ""},
		{"state share of a student loan", StudentLoan, func(r *ExemptionRequest) { r.Kind = ExemptStateShare }, "exemption.error.choose"},
		{"interest on child support", ChildSupport, func(r *ExemptionRequest) { r.Kind = ExemptInterest }, "exemption.error.choose"},
		{"20 children", ChildSupport, func(r *ExemptionRequest) { r.Children = 20 }, ""},
		{"negative children", ChildSupport, func(r *ExemptionRequest) { r.Children = -1 }, "exemption.error.children"},
		{"today", ChildSupport, func(r *ExemptionRequest) { r.From = today }, ""},
		{"a day over a year back", ChildSupport, func(r *ExemptionRequest) { r.From = civil.New(2025, 11, 21) }, "exemption.error.from_past"},
		{"invalid date", ChildSupport, func(r *ExemptionRequest) { r.From = civil.Date{Year: 2026, Month: 2, Day: 30} }, "exemption.error.from"},
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
	if _, ok := IncomeLimit(0, civil.New(2020, 2, 29)); ok {
		t.Error("a limit before the table starts")
	}
	if got, ok := IncomeLimit(1, civil.New(2020, 3, 1)); !ok || got != 162100 {
		t.Errorf("on the first day of the table: %d, %v", got, ok)
	}
}

// A year back from 29 February is 28 February: the look-back never grows.
func TestExemptionYearBackLeapDay(t *testing.T) {
	today := civil.New(2028, 2, 29)
	req := ExemptionRequest{Kind: ExemptInterest, Children: 0, Reason: "Low income."}
	for from, want := range map[civil.Date]string{
		civil.New(2027, 2, 28): "",
		civil.New(2027, 2, 27): "exemption.error.from_past",
	} {
		req.From = from
		err := CheckExemption(StudentLoan, req, today)
		if (want == "" && err != nil) || (want != "" && fault.KeyOf(err) != want) {
			t.Errorf("from %s: %v; want %q", from, err, want)
		}
	}
}
