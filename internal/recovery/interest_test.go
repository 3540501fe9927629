package recovery

import (
	"github.com/etuus/etuus/internal/fi/civil"
	"math/big"
	"slices"
	"testing"
)

func TestInterestBetween(t *testing.T) {
	rules := DefaultRules()
	tests := []struct {
		name      string
		claim     Claim
		from, to  string
		want      int64
		breakdown []InterestPeriod
	}{
		{
			name:  "student loan 1000 € at 4 % for 365 days",
			claim: Claim{Kind: StudentLoan, Principal: euro(1000)},
			from:  "2025-01-01", to: "2026-01-01",
			want: 4000,
			breakdown: []InterestPeriod{
				{From: d("2025-01-02"), To: d("2026-01-01"), Days: 365, RateBP: 400, PrincipalCents: euro(1000), Cents: 4000},
			},
		},
		{
			name:  "leap year counts 366 days over 365",
			claim: Claim{Kind: StudentLoan, Principal: euro(1000)},
			from:  "2024-01-01", to: "2025-01-01",
			want: 4011, // 100000 × 0.04 × 366/365 = 4010.96
		},
		{
			name:  "student loan across 1.1.2018: 7 % then 4 %",
			claim: Claim{Kind: StudentLoan, Principal: euro(1000)},
			from:  "2017-12-01", to: "2018-01-31",
			want: 575 + 340, // 30 days: 575.34; 31 days: 339.73
			breakdown: []InterestPeriod{
				{From: d("2017-12-02"), To: d("2017-12-31"), Days: 30, RateBP: 700, PrincipalCents: euro(1000), Cents: 575},
				{From: d("2018-01-01"), To: d("2018-01-31"), Days: 31, RateBP: 400, PrincipalCents: euro(1000), Cents: 340},
			},
		},
		{
			name:  "child support across 30.6./1.7.2023: 9.5 % then 11.0 %",
			claim: Claim{Kind: ChildSupport, Principal: euro(1000)},
			from:  "2023-06-20", to: "2023-07-10",
			want: 260 + 301, // 10 days: 260.27; 10 days: 301.37
			breakdown: []InterestPeriod{
				{From: d("2023-06-21"), To: d("2023-06-30"), Days: 10, RateBP: 950, PrincipalCents: euro(1000), Cents: 260},
				{From: d("2023-07-01"), To: d("2023-07-10"), Days: 10, RateBP: 1100, PrincipalCents: euro(1000), Cents: 301},
			},
		},
		{
			name:  "child support 2024 at 11.5 %",
			claim: Claim{Kind: ChildSupport, Principal: euro(1000)},
			from:  "2023-12-31", to: "2024-12-31",
			want: 11532, // 366 days: 11531.51
		},
		{
			name:  "child support 2025 H1 at 10.5 %",
			claim: Claim{Kind: ChildSupport, Principal: euro(2000)},
			from:  "2024-12-31", to: "2025-01-31",
			want: 1784, // 200000 × 0.105 × 31/365 = 1783.56
		},
		{
			name:  "child support across 31.12.2022/1.1.2023: 7.0 % then 9.5 %",
			claim: Claim{Kind: ChildSupport, Principal: euro(1000)},
			from:  "2022-12-21", to: "2023-01-10",
			want: 192 + 260, // 10 days: 191.78; 10 days: 260.27
			breakdown: []InterestPeriod{
				{From: d("2022-12-22"), To: d("2022-12-31"), Days: 10, RateBP: 700, PrincipalCents: euro(1000), Cents: 192},
				{From: d("2023-01-01"), To: d("2023-01-10"), Days: 10, RateBP: 950, PrincipalCents: euro(1000), Cents: 260},
			},
		},
		{
			name:  "child support across 30.6./1.7.2016: 7.5 % then 7.0 %",
			claim: Claim{Kind: ChildSupport, Principal: euro(1000)},
			from:  "2016-06-20", to: "2016-07-10",
			want: 205 + 192, // 10 days: 205.48; 10 days: 191.78
			breakdown: []InterestPeriod{
				{From: d("2016-06-21"), To: d("2016-06-30"), Days: 10, RateBP: 750, PrincipalCents: euro(1000), Cents: 205},
				{From: d("2016-07-01"), To: d("2016-07-10"), Days: 10, RateBP: 700, PrincipalCents: euro(1000), Cents: 192},
			},
		},
		{
			name:  "child support 2019 at 7.0 %",
			claim: Claim{Kind: ChildSupport, Principal: euro(1000)},
			from:  "2018-12-31", to: "2019-12-31",
			want: 7000,
		},
		{
			name:  "days before the table earn nothing and are marked",
			claim: Claim{Kind: ChildSupport, Principal: euro(1000)},
			from:  "2011-12-21", to: "2012-01-10",
			want: 219, // 10 days at 8.0 %: 219.18
			breakdown: []InterestPeriod{
				{From: d("2011-12-22"), To: d("2011-12-31"), Days: 10, PrincipalCents: euro(1000), NoRate: true},
				{From: d("2012-01-01"), To: d("2012-01-10"), Days: 10, RateBP: 800, PrincipalCents: euro(1000), Cents: 219},
			},
		},
		{
			name:  "interest on the principal left after payments, not on fees or interest",
			claim: Claim{Kind: StudentLoan, Principal: euro(1000), Interest: euro(50), Fees: euro(5), Paid: Parts{Fees: euro(5), Interest: euro(50), Principal: euro(500)}},
			from:  "2025-01-01", to: "2026-01-01",
			want: 2000,
		},
		{
			name:  "overpayments earn no interest",
			claim: Claim{Kind: Overpayment, Principal: euro(1000)},
			from:  "2025-01-01", to: "2026-01-01",
		},
		{
			name:  "healthcare fees earn no interest",
			claim: Claim{Kind: HealthcareFee, Principal: 3560},
			from:  "2025-01-01", to: "2026-01-01",
		},
		{
			name:  "an empty range is nothing",
			claim: Claim{Kind: StudentLoan, Principal: euro(1000)},
			from:  "2025-01-01", to: "2025-01-01",
		},
		{
			name:  "a backwards range is nothing",
			claim: Claim{Kind: StudentLoan, Principal: euro(1000)},
			from:  "2025-02-01", to: "2025-01-01",
		},
		{
			name:  "a paid principal earns nothing",
			claim: Claim{Kind: StudentLoan, Principal: euro(1000), Paid: Parts{Principal: euro(1000)}},
			from:  "2025-01-01", to: "2026-01-01",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, breakdown := InterestBetween(tt.claim, d(tt.from), d(tt.to), rules)
			if got != tt.want {
				t.Errorf("interest = %d cents, want %d", got, tt.want)
			}
			var sum int64
			days := 0
			for _, p := range breakdown {
				sum += p.Cents
				days += p.Days
			}
			if sum != got {
				t.Errorf("breakdown sums to %d, total %d", sum, got)
			}
			if len(breakdown) > 0 && days != d(tt.to).DaysSince(d(tt.from)) {
				t.Errorf("breakdown covers %d days, want %d", days, d(tt.to).DaysSince(d(tt.from)))
			}
			if tt.breakdown != nil {
				if len(breakdown) != len(tt.breakdown) {
					t.Fatalf("breakdown = %+v\nwant %+v", breakdown, tt.breakdown)
				}
				for i := range breakdown {
					if breakdown[i] != tt.breakdown[i] {
						t.Errorf("period %d = %+v\nwant %+v", i, breakdown[i], tt.breakdown[i])
					}
				}
			}
		})
	}
}

func TestInterestRoundsHalfUp(t *testing.T) {
	rules := DefaultRules()
	rules.Interest[Overpayment] = []RateRule{{RateBP: 1000}}
	tests := []struct {
		principal, want int64
	}{
		{1825, 1}, // 1825 × 0.10 / 365 = 0.5 exactly → 1
		{1824, 0}, // 0.4997 → 0
		{5475, 2}, // 1.5 → 2
	}
	for _, tt := range tests {
		got, _ := InterestBetween(Claim{Kind: Overpayment, Principal: tt.principal}, d("2025-01-01"), d("2025-01-02"), rules)
		if got != tt.want {
			t.Errorf("%d cents for a day at 10 %%: %d, want %d", tt.principal, got, tt.want)
		}
	}
}

func TestInterestLargeClaimDoesNotOverflow(t *testing.T) {
	// 10 000 000 000 € at 7 % over 100 years: principal × rate × days is
	// past int64.
	c := Claim{Kind: StudentLoan, Principal: euro(10_000_000_000)}
	got, _ := InterestBetween(c, d("1900-01-01"), d("1900-01-01").AddDays(36500), DefaultRules())
	if want := euro(70_000_000_000); got != want {
		t.Errorf("interest = %d, want %d", got, want)
	}
}

func TestSimpleInterestPathsAgree(t *testing.T) {
	slow := func(p, r int64, days int) int64 {
		num := new(big.Int).Mul(big.NewInt(p), big.NewInt(r))
		num.Mul(num, big.NewInt(int64(days)))
		num.Lsh(num, 1).Add(num, big.NewInt(10000*DaysInYear))
		return num.Quo(num, big.NewInt(2*10000*DaysInYear)).Int64()
	}
	for _, p := range []int64{0, 1, 1825, 99_999_999, 1 << 30, 1<<40 - 1, 1 << 40} {
		for _, r := range []int64{0, 1, 400, 1150, 10000} {
			for _, days := range []int{0, 1, 31, 365, 366, 36500} {
				if got, want := simpleInterest(p, r, days), slow(p, r, days); got != want {
					t.Errorf("simpleInterest(%d, %d, %d) = %d, want %d", p, r, days, got, want)
				}
			}
		}
	}
}

func TestAccrueInterest(t *testing.T) {
	rules := DefaultRules()
	c := Claim{Kind: StudentLoan, Principal: euro(1000), DueDate: d("2025-01-01"), Status: Open}
	ev, _ := c.AccrueInterest(d("2025-07-02"), rules) // 182 days: 1994.52
	if ev.Kind != EventInterestAccrued || ev.Cents != 1995 || c.Interest != 1995 || c.InterestTo != d("2025-07-02") {
		t.Fatalf("event %+v, claim interest %d to %s", ev, c.Interest, c.InterestTo)
	}
	// A payment on that day takes the interest first, then principal;
	// the rest of the year runs on 500 €.
	c.ApplyPayment(d("2025-07-02"), euro(500)+1995)
	ev, _ = c.AccrueInterest(d("2026-01-01"), rules) // 183 days on 500 €: 1002.74
	if ev.Cents != 1003 || c.Balance() != euro(500)+1003 {
		t.Errorf("event %+v, balance %d", ev, c.Balance())
	}
	if ev, _ := c.AccrueInterest(d("2026-01-01"), rules); ev.Cents != 0 || c.Interest != 1995+1003 {
		t.Errorf("accruing twice charged %d", ev.Cents)
	}
	over := Claim{Kind: Overpayment, Principal: euro(1000), DueDate: d("2025-01-01")}
	if ev, _ := over.AccrueInterest(d("2026-01-01"), rules); ev.Kind != "" || over.Interest != 0 {
		t.Errorf("overpayment accrued %+v", ev)
	}
}

// TestAccrueInterestWaitsForTheRate: days the rate table does not cover
// yet (child support after the last half-year in the table) are not
// charged at zero and passed over: InterestTo stops before them, and once
// the table has the half-year's rate the next accrual charges them.
func TestAccrueInterestWaitsForTheRate(t *testing.T) {
	rules := DefaultRules()
	c := Claim{Kind: ChildSupport, Principal: euro(1000), DueDate: d("2026-05-31"), Status: Open}
	ev, breakdown := c.AccrueInterest(d("2026-08-31"), rules) // 30 days of June at 9.5 %: 780.82
	if ev.Cents != 781 || c.InterestTo != d("2026-06-30") {
		t.Fatalf("event %+v, interest to %s", ev, c.InterestTo)
	}
	if last := breakdown[len(breakdown)-1]; !last.NoRate || last.From != d("2026-07-01") {
		t.Errorf("breakdown ends %+v", last)
	}
	if ev, _ := c.AccrueInterest(d("2026-09-30"), rules); ev.Kind != "" || c.InterestTo != d("2026-06-30") || c.Interest != 781 {
		t.Errorf("again without the rate: %+v, to %s", ev, c.InterestTo)
	}
	// The half-year's rate arrives (a made-up 10 %, for the test only).
	withH2 := DefaultRules()
	withH2.Interest[ChildSupport] = append(slices.Clone(withH2.Interest[ChildSupport]),
		RateRule{Period: Period{From: d("2026-07-01"), To: d("2026-12-31")}, RateBP: 1000})
	ev, _ = c.AccrueInterest(d("2026-08-31"), withH2) // 62 days at 10 %: 1698.63
	if ev.Cents != 1699 || c.InterestTo != d("2026-08-31") || c.Interest != 781+1699 {
		t.Errorf("with the rate: %+v, to %s, interest %d", ev, c.InterestTo, c.Interest)
	}
}

// TestAccrueInterestPassesGapsBeforeTheTable: days before the table's
// first rate earn nothing and are passed (only days after its end wait),
// so a claim due before 2012 is charged from the first rate on.
func TestAccrueInterestPassesGapsBeforeTheTable(t *testing.T) {
	rules := DefaultRules()
	c := Claim{Kind: ChildSupport, Principal: euro(1000), DueDate: d("2011-12-31"), Status: Open}
	ev, breakdown := c.AccrueInterest(d("2012-01-31"), rules) // 31 days at 8 %: 679.45
	if ev.Cents != 679 || c.InterestTo != d("2012-01-31") || len(breakdown) != 1 {
		t.Fatalf("event %+v, to %s, %+v", ev, c.InterestTo, breakdown)
	}
	old := Claim{Kind: ChildSupport, Principal: euro(1000), DueDate: d("2011-11-30"), Status: Open}
	if ev, b := old.AccrueInterest(d("2012-01-31"), rules); ev.Cents != 679 || old.InterestTo != d("2012-01-31") || !b[0].NoRate {
		t.Errorf("across the gap before the table: %+v, to %s, %+v", ev, old.InterestTo, b)
	}
}

// TestCollectNextWhileInterestWaits: a claim whose interest waits for the
// table's next rate is looked at on its monthly day after today, not
// every day.
func TestCollectNextWhileInterestWaits(t *testing.T) {
	rules := DefaultRules()
	c := Claim{Kind: ChildSupport, Principal: euro(1000), DueDate: d("2026-05-31"), Status: Open}
	today := d("2026-12-03")
	c.AccrueInterest(today, rules)
	if c.InterestTo != d("2026-06-30") {
		t.Fatalf("interest to %s", c.InterestTo)
	}
	history := []Event{{On: d("2026-06-20"), Kind: EventToEnforcement}}
	c.Status = Enforcement
	next, err := collectNext(c, history, today, civil.Date{}, rules)
	if err != nil || next != d("2026-12-31") {
		t.Errorf("next %s, %v; want the monthly day 2026-12-31", next, err)
	}
}

// The penalty interest on child support by day, at the table's edges:
// the Interest Act's reference rate + 7 points, by half-year.
func TestChildSupportRateByDay(t *testing.T) {
	rules := DefaultRules()
	tests := []struct {
		day    string
		rateBP int64 // 0: the table has no rate
	}{
		{"2011-12-31", 0},
		{"2012-01-01", 800},
		{"2012-12-31", 800},
		{"2013-06-30", 800},
		{"2013-07-01", 750},
		{"2014-01-01", 750},
		{"2016-06-30", 750},
		{"2016-07-01", 700},
		{"2019-07-01", 700},
		{"2022-12-31", 700},
		{"2023-01-01", 950},
		{"2023-06-30", 950},
		{"2023-07-01", 1100},
		{"2024-07-01", 1150},
		{"2025-01-01", 1050},
		{"2025-07-01", 950},
		{"2026-06-30", 950},
		{"2026-07-01", 0},
	}
	for _, tt := range tests {
		t.Run(tt.day, func(t *testing.T) {
			c := Claim{Kind: ChildSupport, Principal: euro(1000)}
			_, breakdown := InterestBetween(c, d(tt.day).AddDays(-1), d(tt.day), rules)
			if len(breakdown) != 1 {
				t.Fatalf("breakdown %+v", breakdown)
			}
			p := breakdown[0]
			if p.RateBP != tt.rateBP || p.NoRate != (tt.rateBP == 0) {
				t.Errorf("rate %d bp (no rate: %v), want %d", p.RateBP, p.NoRate, tt.rateBP)
			}
		})
	}
}

func BenchmarkInterestBetween(b *testing.B) {
	rules := DefaultRules()
	c := Claim{Kind: ChildSupport, Principal: 123456}
	from, to := d("2023-03-15"), d("2026-05-31")
	for b.Loop() {
		InterestBetween(c, from, to, rules)
	}
}
