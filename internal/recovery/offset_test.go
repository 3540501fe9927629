package recovery

import "testing"

func TestOffsetAmount(t *testing.T) {
	rules := DefaultRules()
	on := d("2025-06-02")
	tests := []struct {
		name     string
		payment  BenefitPayment
		balance  int64
		withheld int64
		reason   string
	}{
		{"one third of 600 € is 200 €", BenefitPayment{BenefitKey: "housing_allowance", GrossCents: euro(600)}, euro(1000), euro(200), "recovery.offset.share"},
		{"one third rounds down", BenefitPayment{BenefitKey: "housing_allowance", GrossCents: euro(100)}, euro(1000), 3333, "recovery.offset.share"},
		{"at least 30 € from a 60 € instalment", BenefitPayment{BenefitKey: "housing_allowance", GrossCents: euro(60)}, euro(1000), euro(30), "recovery.offset.minimum"},
		{"never more than the instalment", BenefitPayment{BenefitKey: "housing_allowance", GrossCents: euro(20)}, euro(1000), euro(20), "recovery.offset.minimum"},
		{"never more than the balance", BenefitPayment{BenefitKey: "housing_allowance", GrossCents: euro(600)}, euro(50), euro(50), "recovery.offset.balance"},
		{"the minimum not over the balance", BenefitPayment{BenefitKey: "housing_allowance", GrossCents: euro(60)}, euro(10), euro(10), "recovery.offset.balance"},
		{"never from basic social assistance", BenefitPayment{BenefitKey: "basic_social_assistance", GrossCents: euro(600)}, euro(1000), 0, "recovery.offset.excluded"},
		{"unemployment: the protected amount leaves nothing", BenefitPayment{BenefitKey: "unemployment_allowance", GrossCents: euro(500), Days: 20}, euro(1000), 0, "recovery.offset.protected"},
		{"unemployment: capped at what the protected amount leaves", BenefitPayment{BenefitKey: "unemployment_allowance", GrossCents: euro(700), Days: 20}, euro(1000), euro(700) - 20*2576, "recovery.offset.protected_cap"},
		{"unemployment: one third when well above", BenefitPayment{BenefitKey: "labour_market_subsidy", GrossCents: euro(1500), Days: 20}, euro(1000), euro(500), "recovery.offset.share"},
		{"protected benefit without days withholds nothing", BenefitPayment{BenefitKey: "unemployment_allowance", GrossCents: euro(700)}, euro(1000), 0, "recovery.offset.days_missing"},
		{"nothing overdue", BenefitPayment{BenefitKey: "housing_allowance", GrossCents: euro(600)}, 0, 0, "recovery.offset.nothing_due"},
		{"no rule for the date", BenefitPayment{BenefitKey: "housing_allowance", GrossCents: euro(600), PaymentDate: d("2024-12-31")}, euro(1000), 0, "recovery.rules.missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.payment.PaymentDate.IsZero() {
				tt.payment.PaymentDate = on
			}
			got, reason := OffsetAmount(tt.payment, tt.balance, rules)
			if got != tt.withheld || reason != tt.reason {
				t.Errorf("OffsetAmount = %d (%s), want %d (%s)", got, reason, tt.withheld, tt.reason)
			}
		})
	}
}
