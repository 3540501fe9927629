package recovery

import (
	"errors"
	"testing"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/bankday"
)

func TestProposePlan(t *testing.T) {
	rules := DefaultRules()
	today := d("2025-01-10")
	tests := []struct {
		name      string
		balance   int64
		req       PlanRequest
		months    int
		monthly   int64
		last      int64
		firstDue  string
		secondDue string
	}{
		{
			name:    "1000 € at 30 € a month is 34 instalments, the last 10 €",
			balance: euro(1000), req: PlanRequest{MonthlyCents: euro(30), FirstDue: d("2025-02-14")},
			months: 34, monthly: euro(30), last: euro(10), firstDue: "2025-02-14", secondDue: "2025-03-14",
		},
		{
			name:    "a first due date on a Saturday moves to Monday",
			balance: euro(1000), req: PlanRequest{MonthlyCents: euro(100), FirstDue: d("2025-02-15")},
			months: 10, monthly: euro(100), last: euro(100), firstDue: "2025-02-17", secondDue: "2025-03-17",
		},
		{
			name:    "by months: the last instalment takes the remainder",
			balance: euro(1000), req: PlanRequest{Months: 3, FirstDue: d("2025-02-14")},
			months: 3, monthly: 33334, last: 33332, firstDue: "2025-02-14", secondDue: "2025-03-14",
		},
		{
			name:    "by months, 36 months at 30 € minimum",
			balance: euro(1080), req: PlanRequest{Months: 36, FirstDue: d("2025-02-14")},
			months: 36, monthly: euro(30), last: euro(30), firstDue: "2025-02-14", secondDue: "2025-03-14",
		},
		{
			name:    "the 31st falls on the last day of shorter months",
			balance: euro(300), req: PlanRequest{MonthlyCents: euro(100), FirstDue: d("2025-01-31")},
			months: 3, monthly: euro(100), last: euro(100), firstDue: "2025-01-31", secondDue: "2025-02-28",
		},
		{
			name:    "a balance under the minimum in one instalment",
			balance: euro(20), req: PlanRequest{MonthlyCents: euro(30), FirstDue: d("2025-02-14")},
			months: 1, monthly: euro(20), last: euro(20), firstDue: "2025-02-14",
		},
		{
			name:    "a first due date today is fine",
			balance: euro(90), req: PlanRequest{Months: 3, FirstDue: today},
			months: 3, monthly: euro(30), last: euro(30), firstDue: "2025-01-10", secondDue: "2025-02-10",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ProposePlan(tt.balance, tt.req, today, rules)
			if err != nil {
				t.Fatal(err)
			}
			if p.Months() != tt.months || p.MonthlyCents != tt.monthly || p.Last().Cents != tt.last {
				t.Errorf("plan: %d months of %d, last %d; want %d of %d, last %d", p.Months(), p.MonthlyCents, p.Last().Cents, tt.months, tt.monthly, tt.last)
			}
			if p.Instalments[0].Due != d(tt.firstDue) {
				t.Errorf("first due %s, want %s", p.Instalments[0].Due, tt.firstDue)
			}
			if tt.secondDue != "" && p.Instalments[1].Due != d(tt.secondDue) {
				t.Errorf("second due %s, want %s", p.Instalments[1].Due, tt.secondDue)
			}
			var sum int64
			for i, in := range p.Instalments {
				sum += in.Cents
				if in.N != i+1 || in.Cumulative != sum {
					t.Errorf("instalment %d: N %d, cumulative %d (sum %d)", i, in.N, in.Cumulative, sum)
				}
				if !bankday.IsBankingDay(in.Due) {
					t.Errorf("instalment %d due %s, not a banking day", in.N, in.Due)
				}
				if i > 0 && !in.Due.After(p.Instalments[i-1].Due) {
					t.Errorf("instalment %d due %s, not after the previous", in.N, in.Due)
				}
				if i < len(p.Instalments)-1 && in.Cents != p.MonthlyCents {
					t.Errorf("instalment %d is %d, want the monthly %d", in.N, in.Cents, p.MonthlyCents)
				}
			}
			if sum != tt.balance || p.Total != tt.balance {
				t.Errorf("instalments add up to %d, total %d; want %d", sum, p.Total, tt.balance)
			}
		})
	}
}

func TestProposePlanRefused(t *testing.T) {
	rules := DefaultRules()
	today := d("2025-01-10")
	first := d("2025-02-14")
	tests := []struct {
		name    string
		balance int64
		req     PlanRequest
		key     string
		field   string
		data    map[string]any
	}{
		{"1200 € at 30 € a month is 40 months: more than 36", euro(1200), PlanRequest{MonthlyCents: euro(30), FirstDue: first},
			"recovery.plan.too_long", "monthly", map[string]any{"MaxMonths": 36, "Months": 40, "MinMonthlyCents": int64(3334)}},
		{"37 months", euro(2000), PlanRequest{Months: 37, FirstDue: first}, "recovery.plan.too_long", "months", nil},
		{"under 30 € a month", euro(1000), PlanRequest{MonthlyCents: 2999, FirstDue: first},
			"recovery.plan.too_small", "monthly", map[string]any{"MinMonthlyCents": int64(3000)}},
		{"1000 € over 36 months is under 30 € a month", euro(1000), PlanRequest{Months: 36, FirstDue: first},
			"recovery.plan.too_small", "months", map[string]any{"MonthlyCents": int64(2778), "MaxMonths": 33}},
		{"a small balance over too many months", euro(20), PlanRequest{Months: 2, FirstDue: first}, "recovery.plan.too_small", "months", nil},
		{"both amount and months", euro(1000), PlanRequest{MonthlyCents: euro(50), Months: 20, FirstDue: first}, "recovery.plan.amount_or_months", "monthly", nil},
		{"neither amount nor months", euro(1000), PlanRequest{FirstDue: first}, "recovery.plan.amount_or_months_missing", "monthly",
			map[string]any{"MinMonthlyCents": int64(3000), "MaxMonths": 36}},
		{"an empty form", euro(1000), PlanRequest{}, "recovery.plan.amount_or_months_missing", "monthly", nil},
		{"an empty form for a balance under the minimum", euro(20), PlanRequest{FirstDue: first}, "recovery.plan.amount_or_months_missing", "monthly",
			map[string]any{"MinMonthlyCents": int64(2000)}},
		{"negative amount", euro(1000), PlanRequest{MonthlyCents: -5000, FirstDue: first}, "recovery.plan.not_positive", "monthly", nil},
		{"negative months", euro(1000), PlanRequest{Months: -3, FirstDue: first}, "recovery.plan.not_positive", "months", nil},
		{"nothing to pay", 0, PlanRequest{MonthlyCents: euro(30), FirstDue: first}, "recovery.plan.nothing_to_pay", "", nil},
		{"no first due date", euro(1000), PlanRequest{MonthlyCents: euro(30)}, "recovery.plan.first_due_missing", "first_due", nil},
		{"first due date in the past", euro(1000), PlanRequest{MonthlyCents: euro(30), FirstDue: d("2025-01-09")}, "recovery.plan.first_due_past", "first_due", nil},
		{"first due date over 60 days ahead", euro(1000), PlanRequest{MonthlyCents: euro(30), FirstDue: today.AddDays(61)},
			"recovery.plan.first_due_too_far", "first_due", map[string]any{"MaxDays": 60}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ProposePlan(tt.balance, tt.req, today, rules)
			wantFault(t, err, tt.key, tt.field)
			if !fault.Is(err, fault.Invalid) {
				t.Errorf("kind %v, want Invalid", fault.KindOf(err))
			}
			var f *fault.Error
			errors.As(err, &f)
			for k, v := range tt.data {
				if f.Data[k] != v {
					t.Errorf("data %s = %v (%T), want %v (%T)", k, f.Data[k], f.Data[k], v, v)
				}
			}
		})
	}
	// The last day of the window is still fine.
	if _, err := ProposePlan(euro(1000), PlanRequest{MonthlyCents: euro(30), FirstDue: today.AddDays(60)}, today, rules); err != nil {
		t.Errorf("first due in 60 days: %v", err)
	}
}

func BenchmarkProposePlan(b *testing.B) {
	rules := DefaultRules()
	req := PlanRequest{MonthlyCents: euro(30), FirstDue: d("2025-02-28")}
	for b.Loop() {
		if _, err := ProposePlan(euro(1000), req, d("2025-01-10"), rules); err != nil {
			b.Fatal(err)
		}
	}
}
