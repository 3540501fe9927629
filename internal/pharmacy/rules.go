// Package pharmacy is direct reimbursement at the pharmacy counter
// (suorakorvaus, DOMAIN.md §7): a person's reimbursement rights, the
// initial deductible and the annual ceiling of a calendar year, the
// computation of each purchased medicine's class, the customer's share and
// Kela's reimbursement, and the service a pharmacy's system calls to check
// a customer, record a purchase and cancel one.
//
// The figures by year are data (figures.json, a dated table checked at
// load), and so is the medicine catalogue (medicines.json). Every amount is
// integer cents.
package pharmacy

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/etuus/etuus/internal/jsonfile"
)

// Class is a medicine's reimbursement class for one person on one day.
type Class string

// The classes (DOMAIN.md §7). ClassNone: not reimbursed, the customer pays
// the whole price and nothing counts towards the deductible or ceiling.
const (
	ClassNone   Class = "none"
	ClassBasic  Class = "basic"          // 40 %
	ClassLower  Class = "lower_special"  // 65 %
	ClassHigher Class = "higher_special" // 100 % less a fixed share per medicine per purchase
)

// rank orders the classes from worst to best for the customer.
func (c Class) rank() int {
	switch c {
	case ClassBasic:
		return 1
	case ClassLower:
		return 2
	case ClassHigher:
		return 3
	}
	return 0
}

// ErrFigures is wrapped by every error of a broken figure table.
var ErrFigures = errors.New("pharmacy: figure table")

// ClassFigures are the rates of the classes, in basis points, and the
// customer's fixed share of a higher special reimbursement medicine.
type ClassFigures struct {
	BasicBP                 int64  `json:"basic_bp"`
	LowerSpecialBP          int64  `json:"lower_special_bp"`
	HigherSpecialBP         int64  `json:"higher_special_bp"`
	HigherSpecialFixedCents int64  `json:"higher_special_fixed_cents"`
	Source                  string `json:"source"`
}

// YearFigures are one calendar year's deductible and ceiling.
type YearFigures struct {
	Year int `json:"year"`
	// DeductibleCents is the initial deductible (alkuomavastuu): what a
	// person pays in full for reimbursable medicines in the year before
	// any reimbursement.
	DeductibleCents int64 `json:"deductible_cents"`
	// CeilingCents is the annual ceiling (vuosiomavastuu) of the
	// customer's own shares; OverCeilingCents what a medicine costs the
	// customer per purchase once the ceiling is reached.
	CeilingCents     int64  `json:"ceiling_cents"`
	OverCeilingCents int64  `json:"over_ceiling_cents"`
	Source           string `json:"source"`
}

// Figures is the figure table.
type Figures struct {
	Note                string        `json:"note"`
	Classes             ClassFigures  `json:"classes"`
	Years               []YearFigures `json:"years"`
	DeductibleFromAge   int           `json:"deductible_from_age"`
	DeductibleAgeSource string        `json:"deductible_age_source"`
}

//go:embed figures.json
var defaultFigures []byte

// DefaultFigures is the shipped table. It panics if figures.json is
// broken, which the package's tests rule out.
func DefaultFigures() *Figures {
	f, err := LoadFigures(bytes.NewReader(defaultFigures))
	if err != nil {
		panic(err)
	}
	return f
}

// LoadFigures reads and validates a figure table: unknown fields, years
// out of order or repeated, a gap between years, rates outside 0–100 %,
// non-positive amounts or a deductible over the ceiling are errors
// wrapping ErrFigures.
func LoadFigures(r io.Reader) (*Figures, error) {
	var f Figures
	if err := jsonfile.Decode(r, &f); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFigures, err)
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return &f, nil
}

// Validate checks the table; see LoadFigures.
func (f *Figures) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrFigures}, args...)...))
	}
	c := f.Classes
	for name, bp := range map[string]int64{"basic_bp": c.BasicBP, "lower_special_bp": c.LowerSpecialBP, "higher_special_bp": c.HigherSpecialBP} {
		if bp <= 0 || bp > 10000 {
			bad("classes.%s %d outside 1–10000", name, bp)
		}
	}
	if !(c.BasicBP < c.LowerSpecialBP && c.LowerSpecialBP <= c.HigherSpecialBP) {
		bad("classes: rates must rise from basic to higher special")
	}
	if c.HigherSpecialFixedCents < 0 {
		bad("classes.higher_special_fixed_cents is negative")
	}
	if f.DeductibleFromAge < 0 || f.DeductibleFromAge > 120 {
		bad("deductible_from_age %d outside 0–120", f.DeductibleFromAge)
	}
	if len(f.Years) == 0 {
		bad("no years")
	}
	for i, y := range f.Years {
		if i > 0 && y.Year != f.Years[i-1].Year+1 {
			bad("year %d follows %d: years must be consecutive and in order", y.Year, f.Years[i-1].Year)
		}
		if y.DeductibleCents < 0 || y.CeilingCents <= 0 || y.OverCeilingCents < 0 {
			bad("year %d: amounts must be positive", y.Year)
		}
		if y.DeductibleCents > y.CeilingCents {
			bad("year %d: deductible over the ceiling", y.Year)
		}
		if y.Source == "" {
			bad("year %d: no source", y.Year)
		}
	}
	return errors.Join(errs...)
}

// Year is the figures of a calendar year; false when the table has none.
func (f *Figures) Year(y int) (YearFigures, bool) {
	i := slices.IndexFunc(f.Years, func(r YearFigures) bool { return r.Year == y })
	if i < 0 {
		return YearFigures{}, false
	}
	return f.Years[i], true
}

// rate is a class's reimbursement rate in basis points.
func (f *Figures) rate(c Class) int64 {
	switch c {
	case ClassBasic:
		return f.Classes.BasicBP
	case ClassLower:
		return f.Classes.LowerSpecialBP
	case ClassHigher:
		return f.Classes.HigherSpecialBP
	}
	return 0
}
