package recovery

import "testing"

func TestOffsetAmount(t *testing.T) {
	rules := DefaultRules()
	on := d("2025-06-02")
	// Unemployment allowance for 20 days, 1000 € gross, 800 € net after tax.
	unemployment := func(gross, net int64) BenefitPayment {
		return BenefitPayment{BenefitKey: "unemployment_allowance", GrossCents: gross, NetCents: net, Days: 20}
	}
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
		{"the minimum never more than the net instalment", BenefitPayment{BenefitKey: "sickness_allowance", GrossCents: euro(40), NetCents: euro(25)}, euro(1000), euro(25), "recovery.offset.minimum"},
		{"never more than the net instalment", BenefitPayment{BenefitKey: "sickness_allowance", GrossCents: euro(900), NetCents: euro(250)}, euro(1000), euro(250), "recovery.offset.net_cap"},
		{"never more than the balance", BenefitPayment{BenefitKey: "housing_allowance", GrossCents: euro(600)}, euro(50), euro(50), "recovery.offset.balance"},
		{"the minimum not over the balance", BenefitPayment{BenefitKey: "housing_allowance", GrossCents: euro(60)}, euro(10), euro(10), "recovery.offset.balance"},
		{"never from basic social assistance", BenefitPayment{BenefitKey: "basic_social_assistance", GrossCents: euro(600)}, euro(1000), 0, "recovery.offset.excluded"},

		// 2025: 32.88 € a day × 20 days = 657.60 € stays with the customer.
		{"unemployment: the protected amount leaves nothing of the net", unemployment(euro(800), euro(650)), euro(1000), 0, "recovery.offset.protected"},
		{"unemployment: exactly the protected amount leaves nothing", unemployment(euro(800), 20*3288), euro(1000), 0, "recovery.offset.protected"},
		{"unemployment: a cent over the protected amount", unemployment(euro(800), 20*3288+1), euro(1000), 1, "recovery.offset.protected_cap"},
		{"unemployment: the gross would leave 142.40 €, the net leaves 42.40 €", unemployment(euro(800), euro(700)), euro(1000), euro(700) - 20*3288, "recovery.offset.protected_cap"},
		{"unemployment: one third when the net is well above", BenefitPayment{BenefitKey: "labour_market_subsidy", GrossCents: euro(1500), NetCents: euro(1200), Days: 20}, euro(1000), euro(500), "recovery.offset.share"},
		{"protected benefit without days withholds nothing", BenefitPayment{BenefitKey: "unemployment_allowance", GrossCents: euro(1500), NetCents: euro(1200)}, euro(1000), 0, "recovery.offset.days_missing"},
		{"protected benefit without its net withholds nothing", BenefitPayment{BenefitKey: "unemployment_allowance", GrossCents: euro(1500), Days: 20}, euro(1000), 0, "recovery.offset.net_missing"},
		{"nothing overdue", BenefitPayment{BenefitKey: "housing_allowance", GrossCents: euro(600)}, 0, 0, "recovery.offset.nothing_due"},
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

// The protected amount is the one of the payment date's year: the same
// net payment leaves more to offset in 2024 (32.56 €) than in 2025
// (32.88 €), and nothing in a year the table has no amount for.
func TestOffsetProtectedAmountByDate(t *testing.T) {
	rules := DefaultRules()
	const net = 70000 // 700 € net for 20 days
	tests := []struct {
		paid     string
		withheld int64
		reason   string
	}{
		{"2022-12-30", 0, "recovery.rules.missing"},
		{"2023-01-02", net - 20*3075, "recovery.offset.protected_cap"},
		{"2024-01-02", net - 20*3256, "recovery.offset.protected_cap"},
		{"2024-12-31", net - 20*3256, "recovery.offset.protected_cap"},
		{"2025-01-02", net - 20*3288, "recovery.offset.protected_cap"},
		{"2025-12-31", net - 20*3288, "recovery.offset.protected_cap"},
		{"2026-01-02", 0, "recovery.rules.missing"},
	}
	for _, tt := range tests {
		t.Run(tt.paid, func(t *testing.T) {
			p := BenefitPayment{BenefitKey: "unemployment_allowance", GrossCents: euro(900), NetCents: net, Days: 20, PaymentDate: d(tt.paid)}
			got, reason := OffsetAmount(p, euro(1000), rules)
			if got != tt.withheld || reason != tt.reason {
				t.Errorf("OffsetAmount = %d (%s), want %d (%s)", got, reason, tt.withheld, tt.reason)
			}
		})
		t.Run(tt.paid+" not protected", func(t *testing.T) {
			// Benefits the protected amount does not cover are offset
			// whatever the year.
			p := BenefitPayment{BenefitKey: "housing_allowance", GrossCents: euro(600), PaymentDate: d(tt.paid)}
			if got, reason := OffsetAmount(p, euro(1000), rules); got != euro(200) || reason != "recovery.offset.share" {
				t.Errorf("OffsetAmount = %d (%s), want 200 € (share)", got, reason)
			}
		})
	}
}
