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
		{"overpayment has none", Overpayment, func(*ExemptionRequest) {}, "exemption.error.kind"},
		{"healthcare fee has none", HealthcareFee, func(*ExemptionRequest) {}, "exemption.error.kind"},
		{"wrong exemption for the kind", StudentLoan, func(*ExemptionRequest) {}, "exemption.error.choose"},
		{"negative income", ChildSupport, func(r *ExemptionRequest) { r.MonthlyIncomeCents = -1 }, "exemption.error.income"},
		{"25 children", ChildSupport, func(r *ExemptionRequest) { r.Children = 25 }, "exemption.error.children"},
		{"no start", ChildSupport, func(r *ExemptionRequest) { r.From = civil.Date{} }, "exemption.error.from"},
		{"future start", ChildSupport, func(r *ExemptionRequest) { r.From = civil.New(2026, 12, 1) }, "exemption.error.from_future"},
		{"two years back", ChildSupport, func(r *ExemptionRequest) { r.From = civil.New(2024, 11, 22) }, "exemption.error.from_past"},
		{"child support for the application month", ChildSupport, func(r *ExemptionRequest) { r.From = civil.New(2026, 11, 1) }, "exemption.error.from_whole_month"},
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
		{"child support from today", ChildSupport, func(r *ExemptionRequest) { r.From = today }, "exemption.error.from_whole_month"},
		{"student loan interest from today", StudentLoan, func(r *ExemptionRequest) { r.Kind, r.From = ExemptInterest, today }, ""},
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

// TestCheckExemptionListsEveryField: an application wrong in several
// fields is refused with one problem per field, not only the first.
func TestCheckExemptionListsEveryField(t *testing.T) {
	today := civil.New(2026, 11, 22)
	err := CheckExemption(StudentLoan, ExemptionRequest{Kind: ExemptInterest, MonthlyIncomeCents: -1, Children: 21, Reason: " "}, today)
	var got []string
	for _, e := range fault.All(err) {
		got = append(got, e.Field+" "+e.Key)
	}
	want := []string{"income exemption.error.income", "children exemption.error.children", "from exemption.error.from", "reason exemption.error.reason"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") || !fault.Is(err, fault.Invalid) {
		t.Errorf("problems = %v; want %v", got, want)
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

// The look-back is the application month and the 12 full calendar months
// before it; a child support exemption covers whole past months only, so
// it can start no later than in the month before the application.
func TestExemptionLookBack(t *testing.T) {
	tests := []struct {
		name    string
		kind    Kind
		today   civil.Date
		from    civil.Date
		wantKey string
	}{
		{"loan: first day of the month a year back", StudentLoan, civil.New(2026, 11, 22), civil.New(2025, 11, 1), ""},
		{"loan: the day before", StudentLoan, civil.New(2026, 11, 22), civil.New(2025, 10, 31), "exemption.error.from_past"},
		{"loan: applying on the 1st", StudentLoan, civil.New(2026, 11, 1), civil.New(2025, 11, 1), ""},
		{"loan: applying on the 1st, a day more", StudentLoan, civil.New(2026, 11, 1), civil.New(2025, 10, 31), "exemption.error.from_past"},
		{"loan: applying on the last day of the month", StudentLoan, civil.New(2026, 11, 30), civil.New(2025, 11, 1), ""},
		{"loan: the application month", StudentLoan, civil.New(2026, 11, 22), civil.New(2026, 11, 1), ""},
		{"loan: over the new year", StudentLoan, civil.New(2027, 1, 15), civil.New(2026, 1, 1), ""},
		{"loan: over the new year, a day more", StudentLoan, civil.New(2027, 1, 15), civil.New(2025, 12, 31), "exemption.error.from_past"},
		{"loan: on 29 February", StudentLoan, civil.New(2028, 2, 29), civil.New(2027, 2, 1), ""},
		{"loan: on 29 February, a day more", StudentLoan, civil.New(2028, 2, 29), civil.New(2027, 1, 31), "exemption.error.from_past"},
		{"support: twelve months back", ChildSupport, civil.New(2026, 11, 22), civil.New(2025, 11, 1), ""},
		{"support: thirteen months back", ChildSupport, civil.New(2026, 11, 22), civil.New(2025, 10, 31), "exemption.error.from_past"},
		{"support: the previous month's last day", ChildSupport, civil.New(2026, 11, 22), civil.New(2026, 10, 31), ""},
		{"support: the application month's first day", ChildSupport, civil.New(2026, 11, 22), civil.New(2026, 11, 1), "exemption.error.from_whole_month"},
		{"support: applying on the 1st, the previous month", ChildSupport, civil.New(2026, 11, 1), civil.New(2026, 10, 1), ""},
		{"support: applying on the 1st, that day", ChildSupport, civil.New(2026, 11, 1), civil.New(2026, 11, 1), "exemption.error.from_whole_month"},
		{"support: January, December before", ChildSupport, civil.New(2027, 1, 10), civil.New(2026, 12, 31), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := ExemptionRequest{Kind: ExemptionKindsFor(tt.kind)[0], Children: 0, From: tt.from, Reason: "Low income."}
			err := CheckExemption(tt.kind, req, tt.today)
			if (tt.wantKey == "" && err != nil) || (tt.wantKey != "" && fault.KeyOf(err) != tt.wantKey) {
				t.Errorf("from %s applying %s: %v; want %q", tt.from, tt.today, err, tt.wantKey)
			}
		})
	}
	// The messages name the limits.
	err := CheckExemption(ChildSupport, ExemptionRequest{Kind: ExemptStateShare, From: civil.New(2026, 11, 5), Reason: "x"}, civil.New(2026, 11, 22))
	if got := fault.DataOf(err)["Latest"]; got != civil.New(2026, 10, 31) {
		t.Errorf("Latest = %v, want 2026-10-31", got)
	}
	err = CheckExemption(StudentLoan, ExemptionRequest{Kind: ExemptInterest, From: civil.New(2025, 1, 5), Reason: "x"}, civil.New(2026, 11, 22))
	if got := fault.DataOf(err)["Earliest"]; got != civil.New(2025, 11, 1) {
		t.Errorf("Earliest = %v, want 2025-11-01", got)
	}
}
