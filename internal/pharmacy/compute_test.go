package pharmacy

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
)

// The demo catalogue's medicines by what they are.
const (
	insulin    = "990011" // basic, diabetes (higher special)
	inhaler    = "990045" // basic, asthma (lower special)
	antibiotic = "990061" // basic only
	painkiller = "990087" // not reimbursed
)

var (
	adult  = civil.New(1980, 5, 1)
	d2026  = civil.New(2026, 3, 2)
	always = []Right{{Kind: RightBasic, From: civil.New(1980, 5, 1)}}
)

func compute(t *testing.T, born civil.Date, rights []Right, st YearStatus, on civil.Date, lines ...LineIn) Result {
	t.Helper()
	res, err := Compute(DefaultFigures(), DefaultCatalogue(), born, rights, st, on, lines)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func line(vnr string, cents int64) LineIn {
	return LineIn{VNR: vnr, PackagePriceCents: cents, Packages: 1}
}

type want struct {
	class                   Class
	share, reimb, ded, ceil int64
	over                    bool
}

func checkLine(t *testing.T, i int, got Line, w want) {
	t.Helper()
	if got.Class != w.class || got.CustomerShare != w.share || got.Reimbursement != w.reimb ||
		got.Deductible != w.ded || got.Ceiling != w.ceil || got.OverCeiling != w.over {
		t.Errorf("line %d = class %s share %d reimb %d deductible %d ceiling %d over %v; want %+v",
			i+1, got.Class, got.CustomerShare, got.Reimbursement, got.Deductible, got.Ceiling, got.OverCeiling, w)
	}
	if got.CustomerShare+got.Reimbursement != got.Price {
		t.Errorf("line %d: share %d + reimbursement %d ≠ price %d", i+1, got.CustomerShare, got.Reimbursement, got.Price)
	}
}

func TestComputeClasses(t *testing.T) {
	paid := YearStatus{Year: 2026, DeductiblePaid: 7033, CeilingCounted: 7033}
	diabetes := append([]Right{{Kind: "diabetes", From: civil.New(2020, 1, 1)}}, always...)
	asthma := append([]Right{{Kind: "asthma", From: civil.New(2020, 1, 1), To: civil.New(2026, 3, 2)}}, always...)
	for _, c := range []struct {
		name   string
		rights []Right
		on     civil.Date
		in     LineIn
		w      want
	}{
		// 40 %: 50.00 € → Kela 20.00 €, customer 30.00 €.
		{"basic 40 %", always, d2026, line(antibiotic, 5000), want{ClassBasic, 3000, 2000, 0, 3000, false}},
		// Rounded half up: 40 % of 0.01 € is 0.004 → 0.
		{"basic rounding", always, d2026, line(antibiotic, 1), want{ClassBasic, 1, 0, 0, 1, false}},
		{"basic rounding half", always, d2026, LineIn{VNR: antibiotic, PackagePriceCents: 1234, Packages: 3}, want{ClassBasic, 2221, 1481, 0, 2221, false}},
		// 65 % on the right's last day; the day after, basic.
		{"lower special 65 %", asthma, d2026, line(inhaler, 5000), want{ClassLower, 1750, 3250, 0, 1750, false}},
		{"lower special ended", asthma, d2026.AddDays(1), line(inhaler, 5000), want{ClassBasic, 3000, 2000, 0, 3000, false}},
		// 100 % less 4.50 € per medicine per purchase, whatever the packages.
		{"higher special", diabetes, d2026, LineIn{VNR: insulin, PackagePriceCents: 5000, Packages: 3}, want{ClassHigher, 450, 14550, 0, 450, false}},
		{"higher special cheap", diabetes, d2026, line(insulin, 300), want{ClassHigher, 300, 0, 0, 300, false}},
		// A special right for another category gives the basic class.
		{"other category", diabetes, d2026, line(inhaler, 5000), want{ClassBasic, 3000, 2000, 0, 3000, false}},
		{"not reimbursed", diabetes, d2026, line(painkiller, 899), want{ClassNone, 899, 0, 0, 0, false}},
		// Without the basic right (not insured), special rights give nothing.
		{"no basic right", []Right{{Kind: "diabetes", From: civil.New(2020, 1, 1)}}, d2026, line(insulin, 5000), want{ClassNone, 5000, 0, 0, 0, false}},
		{"basic right not yet", []Right{{Kind: RightBasic, From: d2026.AddDays(1)}}, d2026, line(antibiotic, 5000), want{ClassNone, 5000, 0, 0, 0, false}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := compute(t, adult, c.rights, paid, c.on, c.in)
			checkLine(t, 0, res.Lines[0], c.w)
		})
	}
}

// The initial deductible of 2026 (70.33 €) is paid by the first
// reimbursable lines; a line that crosses it is reimbursed on the rest.
func TestComputeCrossesDeductible(t *testing.T) {
	res := compute(t, adult, always, YearStatus{}, d2026, line(antibiotic, 4000), line(painkiller, 1000), line(antibiotic, 4000), line(antibiotic, 1000))
	checkLine(t, 0, res.Lines[0], want{ClassBasic, 4000, 0, 4000, 4000, false})
	// Not reimbursed: pays nothing towards the deductible.
	checkLine(t, 1, res.Lines[1], want{ClassNone, 1000, 0, 0, 0, false})
	// 30.33 € deductible, then 9.67 € at 40 %: Kela 3.87 €, customer 5.80 €.
	checkLine(t, 2, res.Lines[2], want{ClassBasic, 3033 + 580, 387, 3033, 3613, false})
	checkLine(t, 3, res.Lines[3], want{ClassBasic, 600, 400, 0, 600, false})
	if res.Deductible != 7033 || res.After.DeductiblePaid != 7033 || res.After.CeilingCounted != 4000+3613+600 {
		t.Errorf("after = %+v, deductible %d", res.After, res.Deductible)
	}
	if res.Price != 10000 || res.CustomerShare+res.Reimbursement != res.Price {
		t.Errorf("totals: price %d share %d reimbursement %d", res.Price, res.CustomerShare, res.Reimbursement)
	}
}

// The deductible applies from the year the person turns 19.
func TestComputeDeductibleAge(t *testing.T) {
	turns18 := civil.New(2008, 12, 31)
	turns19 := civil.New(2007, 12, 31)
	if res := compute(t, turns18, always, YearStatus{}, d2026, line(antibiotic, 5000)); res.DeductibleApplies || res.Lines[0].Deductible != 0 || res.Lines[0].CustomerShare != 3000 {
		t.Errorf("turning 18: %+v", res.Lines[0])
	}
	if res := compute(t, turns19, always, YearStatus{}, d2026, line(antibiotic, 5000)); !res.DeductibleApplies || res.Lines[0].Deductible != 5000 {
		t.Errorf("turning 19 on 31.12.: %+v", res.Lines[0])
	}
}

// A line that reaches the annual ceiling (636.12 € in 2026) counts up to
// it; its rest and every later line cost 2.50 € at most.
func TestComputeCrossesCeiling(t *testing.T) {
	st := YearStatus{Year: 2026, DeductiblePaid: 7033, CeilingCounted: 63000}
	res := compute(t, adult, always, st, d2026, line(antibiotic, 10000), line(antibiotic, 1000), line(antibiotic, 300))
	// Share 60.00 €: 6.12 € to the ceiling, the rest 2.50 €.
	checkLine(t, 0, res.Lines[0], want{ClassBasic, 612 + 250, 10000 - 862, 0, 612, true})
	checkLine(t, 1, res.Lines[1], want{ClassBasic, 250, 750, 0, 0, true})
	// Share 1.80 € is under 2.50 €.
	checkLine(t, 2, res.Lines[2], want{ClassBasic, 180, 120, 0, 0, true})
	if res.After.CeilingCounted != 63612 {
		t.Errorf("counted %d; want the ceiling 63612", res.After.CeilingCounted)
	}
	// Exactly at the ceiling: not over.
	st.CeilingCounted = 63612 - 3000
	res = compute(t, adult, always, st, d2026, line(antibiotic, 5000))
	checkLine(t, 0, res.Lines[0], want{ClassBasic, 3000, 2000, 0, 3000, false})
}

// Each purchase takes the figures of its own calendar year.
func TestComputeYearBoundary(t *testing.T) {
	nye := compute(t, adult, always, YearStatus{}, civil.New(2025, 12, 31), line(antibiotic, 10000))
	ny := compute(t, adult, always, YearStatus{}, civil.New(2026, 1, 1), line(antibiotic, 10000))
	if nye.Deductible != 7000 || nye.Year.CeilingCents != 63317 || ny.Deductible != 7033 || ny.Year.CeilingCents != 63612 {
		t.Errorf("31.12.2025: %d/%d; 1.1.2026: %d/%d", nye.Deductible, nye.Year.CeilingCents, ny.Deductible, ny.Year.CeilingCents)
	}
	for y, w := range map[int][2]int64{2023: {5000, 59216}, 2024: {5000, 62694}} {
		r := compute(t, adult, always, YearStatus{}, civil.New(y, 6, 1), line(antibiotic, 10000))
		if r.Deductible != w[0] || r.Year.CeilingCents != w[1] {
			t.Errorf("%d: deductible %d ceiling %d; want %v", y, r.Deductible, r.Year.CeilingCents, w)
		}
	}
	_, err := Compute(DefaultFigures(), DefaultCatalogue(), adult, always, YearStatus{}, civil.New(2027, 1, 1), []LineIn{line(antibiotic, 100)})
	if !fault.Is(err, fault.Invalid) || fault.KeyOf(err) != "pharmacy.error.year" {
		t.Errorf("2027 = %v; want the year refused", err)
	}
}

// Whatever the lines, the parts add up and the year's counters stay
// within the figures.
func TestComputeInvariants(t *testing.T) {
	f, cat := DefaultFigures(), DefaultCatalogue()
	rng := rand.New(rand.NewPCG(1, 2))
	rights := append([]Right{{Kind: "diabetes", From: civil.New(2020, 1, 1)}, {Kind: "asthma", From: civil.New(2020, 1, 1)}}, always...)
	for i := 0; i < 5000; i++ {
		var st YearStatus
		for p := 0; p < 5; p++ {
			var lines []LineIn
			for n := 1 + rng.IntN(5); n > 0; n-- {
				m := cat.Medicines[rng.IntN(len(cat.Medicines))]
				lines = append(lines, LineIn{VNR: m.VNR, PackagePriceCents: 1 + rng.Int64N(30000), Packages: 1 + rng.IntN(3)})
			}
			res, err := Compute(f, cat, adult, rights, st, d2026, lines)
			if err != nil {
				t.Fatal(err)
			}
			var ded, ceil int64
			for _, l := range res.Lines {
				if l.CustomerShare < 0 || l.Reimbursement < 0 || l.CustomerShare+l.Reimbursement != l.Price {
					t.Fatalf("line %+v", l)
				}
				ded += l.Deductible
				ceil += l.Ceiling
			}
			if res.After.DeductiblePaid != st.DeductiblePaid+ded || res.After.CeilingCounted != st.CeilingCounted+ceil ||
				res.After.DeductiblePaid > res.Year.DeductibleCents || res.After.CeilingCounted > res.Year.CeilingCents {
				t.Fatalf("status %+v → %+v (deductible %d, ceiling %d)", st, res.After, ded, ceil)
			}
			st = res.After
		}
	}
}

func TestCheckLines(t *testing.T) {
	cat := DefaultCatalogue()
	for _, c := range []struct {
		lines []LineIn
		key   string
	}{
		{nil, "pharmacy.error.lines"},
		{make([]LineIn, MaxLines+1), "pharmacy.error.lines"},
		{[]LineIn{{VNR: "123456", PackagePriceCents: 100, Packages: 1}}, "pharmacy.error.vnr"},
		{[]LineIn{{VNR: "", PackagePriceCents: 100, Packages: 1}}, "pharmacy.error.vnr"},
		{[]LineIn{{VNR: antibiotic, PackagePriceCents: -100, Packages: 1}}, "pharmacy.error.amount"},
		{[]LineIn{{VNR: antibiotic, PackagePriceCents: 0, Packages: 1}}, "pharmacy.error.amount"},
		{[]LineIn{{VNR: antibiotic, PackagePriceCents: MaxPackageCents + 1, Packages: 1}}, "pharmacy.error.amount"},
		{[]LineIn{{VNR: antibiotic, PackagePriceCents: 100, Packages: 0}}, "pharmacy.error.packages"},
		{[]LineIn{{VNR: antibiotic, PackagePriceCents: 100, Packages: MaxPackages + 1}}, "pharmacy.error.packages"},
	} {
		if err := CheckLines(cat, c.lines); fault.KeyOf(err) != c.key || !fault.Is(err, fault.Invalid) {
			t.Errorf("%+v: %v; want %s", c.lines, err, c.key)
		}
	}
	if err := CheckLines(cat, []LineIn{{VNR: antibiotic, PackagePriceCents: MaxPackageCents, Packages: MaxPackages}}); err != nil {
		t.Errorf("the largest purchase: %v", err)
	}
	for _, id := range []string{"", strings.Repeat("a", MaxPurchaseIDLen+1), "a b", "ä", "x/y"} {
		if err := CheckPurchaseID(id); fault.KeyOf(err) != "pharmacy.error.purchase_id" {
			t.Errorf("purchase ID %q: %v", id, err)
		}
	}
	if err := CheckPurchaseID("0192c1e8-7f3a-7000-8000-000000000001"); err != nil {
		t.Error(err)
	}
}

func TestFiguresRefused(t *testing.T) {
	good := string(defaultFigures)
	for name, broken := range map[string]string{
		"unknown field": strings.Replace(good, `"note"`, `"nota"`, 1),
		"year gap":      strings.Replace(good, `"year": 2025`, `"year": 2027`, 1),
		"rate":          strings.Replace(good, `"basic_bp": 4000`, `"basic_bp": 12000`, 1),
		"deductible":    strings.Replace(good, `"deductible_cents": 7033`, `"deductible_cents": 99999`, 1),
		"negative":      strings.Replace(good, `"ceiling_cents": 63612`, `"ceiling_cents": -1`, 1),
	} {
		if _, err := LoadFigures(strings.NewReader(broken)); !errors.Is(err, ErrFigures) {
			t.Errorf("%s: %v", name, err)
		}
	}
	good = string(defaultCatalogue)
	for name, broken := range map[string]string{
		"vnr":      strings.Replace(good, `"990011"`, `"99001"`, 1),
		"repeated": strings.Replace(good, `"990029"`, `"990011"`, 1),
		"category": strings.Replace(good, `"special": ["epilepsy"]`, `"special": ["gout"]`, 1),
		"class":    strings.Replace(good, `"class": "lower_special"`, `"class": "basic"`, 1),
	} {
		if _, err := LoadCatalogue(strings.NewReader(broken)); !errors.Is(err, ErrCatalogue) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
