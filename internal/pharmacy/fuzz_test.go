package pharmacy

import (
	"bytes"
	"testing"

	"github.com/etuus/etuus/internal/fi/civil"
)

// FuzzCompute: whatever a counter sends, CheckLines refuses it or Compute
// answers with shares that add up and counters within the year's figures.
func FuzzCompute(f *testing.F) {
	f.Add("990061", int64(10000), 1, int64(0), int64(0), 2026)
	f.Add("990011", int64(1), 100, int64(7033), int64(63611), 2025)
	f.Add("123456", int64(-5), 0, int64(-1), int64(1<<62), 2030)
	fig, cat := DefaultFigures(), DefaultCatalogue()
	rights := []Right{{Kind: RightBasic, From: civil.New(2000, 1, 1)}, {Kind: "diabetes", From: civil.New(2000, 1, 1)}}
	f.Fuzz(func(t *testing.T, vnr string, price int64, packages int, paid, counted int64, year int) {
		lines := []LineIn{{VNR: vnr, PackagePriceCents: price, Packages: packages}, {VNR: "990061", PackagePriceCents: price / 3, Packages: 1}}
		if CheckLines(cat, lines) != nil {
			return
		}
		yf, ok := fig.Year(year)
		if !ok {
			return
		}
		// A stored status is within the year's figures.
		paid = min(max(paid, 0), yf.DeductibleCents)
		counted = min(max(counted, paid), yf.CeilingCents)
		st := YearStatus{Year: year, DeductiblePaid: paid, CeilingCounted: counted}
		res, err := Compute(fig, cat, civil.New(1980, 1, 1), rights, st, civil.New(year, 6, 1), lines)
		if err != nil {
			t.Fatal(err)
		}
		if res.CustomerShare+res.Reimbursement != res.Price || res.CustomerShare < 0 || res.Reimbursement < 0 ||
			res.After.DeductiblePaid > yf.DeductibleCents || res.After.CeilingCounted > yf.CeilingCents {
			t.Fatalf("%+v", res)
		}
	})
}

// FuzzLoadFigures: a broken table is an error, never a panic or a table
// that fails its own check.
func FuzzLoadFigures(f *testing.F) {
	f.Add(defaultFigures)
	f.Add([]byte(`{"years": []}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		fig, err := LoadFigures(bytes.NewReader(b))
		if err == nil && fig.Validate() != nil {
			t.Fatal("a loaded table fails Validate")
		}
	})
}
