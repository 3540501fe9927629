package recovery

import "testing"

func TestOffsetEligible(t *testing.T) {
	day := d("2026-01-07")
	base := Claim{Principal: euro(100), DueDate: d("2025-12-01"), Status: Open}
	tests := []struct {
		name    string
		c       func(Claim) Claim
		pending bool
		want    bool
	}{
		{"open and overdue", func(c Claim) Claim { return c }, false, true},
		{"reminded", func(c Claim) Claim { c.Status = Reminded; return c }, false, true},
		{"a plan or exemption application waits", func(c Claim) Claim { return c }, true, false},
		{"an approved plan runs", func(c Claim) Claim { c.Status = InPlan; return c }, false, false},
		{"in enforcement", func(c Claim) Claim { c.Status = Enforcement; return c }, false, false},
		{"due on the pay day is still in time", func(c Claim) Claim { c.DueDate = day; return c }, false, false},
		{"paid", func(c Claim) Claim { c.Paid.Principal = c.Principal; return c }, false, false},
	}
	for _, tt := range tests {
		if got := OffsetEligible(tt.c(base), tt.pending, day); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestSplitOffset(t *testing.T) {
	rules := DefaultRules()
	day := d("2026-01-07")
	pay := func(key string, cents int64) BenefitPayment {
		return BenefitPayment{BenefitKey: key, GrossCents: cents, NetCents: cents, Days: 31, PaymentDate: day}
	}
	fresh := func() []*Claim {
		cs := []*Claim{
			{ID: "new", Kind: HealthcareFee, Principal: 3535, DueDate: d("2025-12-01"), Status: Open, InterestTo: day},
			{ID: "old", Kind: HealthcareFee, Principal: 3535, DueDate: d("2025-10-01"), Status: Open, InterestTo: day},
		}
		byDue(cs)
		return cs
	}
	// One third of 120 € is 40 €: 35.35 € to the older claim, 4.65 € to the newer.
	cs := fresh()
	takes, reason := splitOffset(cs, pay("housing_allowance", euro(120)), rules)
	if reason != "recovery.offset.share" || len(takes) != 2 || takes[0].claim.ID != "old" || takes[0].cents != 3535 || takes[1].cents != 465 {
		t.Fatalf("takes = %+v, %s", takes, reason)
	}
	if cs[0].Status != Paid || cs[1].Paid.Total() != 465 || takes[1].events[len(takes[1].events)-1].Note != "recovery.event.offset" {
		t.Errorf("claims after: %+v %+v", cs[0], cs[1])
	}
	// Never from basic social assistance; never a whole instalment.
	for _, tt := range []struct {
		p      BenefitPayment
		reason string
	}{
		{pay("basic_social_assistance", euro(600)), "recovery.offset.excluded"},
		{pay("housing_allowance", euro(25)), ReasonOffsetWhole},
		{pay("housing_allowance", euro(30)), ReasonOffsetWhole},
	} {
		cs := fresh()
		if takes, reason := splitOffset(cs, tt.p, rules); len(takes) != 0 || reason != tt.reason || cs[0].Paid.Total() != 0 {
			t.Errorf("%+v: takes %+v, %s", tt.p, takes, reason)
		}
	}
	// 2026 has no protected amount in DOMAIN.md: nothing from unemployment.
	if takes, reason := splitOffset(fresh(), pay("unemployment_allowance", euro(1500)), rules); len(takes) != 0 || reason != "recovery.rules.missing" {
		t.Errorf("unemployment 2026: %+v, %s", takes, reason)
	}
}
