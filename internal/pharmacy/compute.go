package pharmacy

import (
	"fmt"
	"strings"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
)

// RightBasic is the kind of the basic reimbursement right: a person
// covered by the health insurance. Without it on a day, nothing is
// reimbursed directly, special rights included.
const RightBasic = "basic"

// Right is a person's reimbursement right: the basic right or a special
// category (a Category key), valid from a day to a day (To zero: open).
type Right struct {
	Kind string
	From civil.Date
	To   civil.Date
}

// ValidOn reports whether the right holds on a day.
func (r Right) ValidOn(d civil.Date) bool {
	return !d.Before(r.From) && (r.To.IsZero() || !d.After(r.To))
}

// holds reports whether one of the rights of the kind holds on a day.
func holds(rights []Right, kind string, d civil.Date) bool {
	for _, r := range rights {
		if r.Kind == kind && r.ValidOn(d) {
			return true
		}
	}
	return false
}

// YearStatus is what a person's reimbursed purchases of a calendar year
// have counted: towards the initial deductible, and towards the annual
// ceiling (the customer's own shares up to the ceiling, deductible
// included).
type YearStatus struct {
	Year           int
	DeductiblePaid int64
	CeilingCounted int64
}

// Limits of one purchase, so that a typing error at the counter (an extra
// zero, a package count for a price) is refused rather than counted.
const (
	MaxLines         = 50
	MaxPackages      = 100
	MaxPackageCents  = 5_000_000 // 50,000 € a package
	MaxPurchaseIDLen = 64
)

// LineIn is one medicine of a purchase as the pharmacy sends it: the
// medicine, the price of one package (the reimbursement base) and the
// number of packages.
type LineIn struct {
	VNR               string
	PackagePriceCents int64
	Packages          int
}

// Line is a line computed: its class, what the customer pays and what
// Kela reimburses, and its effect on the deductible and the ceiling.
type Line struct {
	VNR      string
	Name     string
	Class    Class
	RateBP   int64
	Price    int64 // package price × packages
	Packages int
	// Deductible is the part of the price the customer paid towards the
	// initial deductible.
	Deductible int64
	// CustomerShare is what the customer pays for the line, the
	// deductible part included; Reimbursement is Kela's: Price less it.
	CustomerShare int64
	Reimbursement int64
	// Ceiling is what the line counted towards the annual ceiling;
	// OverCeiling says the ceiling was reached within or before it, so
	// that the customer paid the fixed over-ceiling share for its rest.
	Ceiling     int64
	OverCeiling bool
}

// Result is a purchase computed for a person on a day: the lines and the
// year's status before and after.
type Result struct {
	On                civil.Date
	Year              YearFigures
	DeductibleApplies bool // the person turns 19 in the year or is older
	Direct            bool // the person has the basic right on the day
	Before, After     YearStatus
	Lines             []Line
	Price             int64
	CustomerShare     int64
	Reimbursement     int64
	Deductible        int64 // counted towards the deductible by this purchase
	Ceiling           int64 // counted towards the ceiling by this purchase
}

// CheckLines refuses a purchase's lines that the counter cannot mean:
// none or too many, an unknown VNR, a package count or price that is not
// positive or over the limits. The errors are fault.Invalid with the
// line's field.
func CheckLines(cat *Catalogue, lines []LineIn) error {
	if len(lines) == 0 || len(lines) > MaxLines {
		return fault.InvalidField("lines", "pharmacy.error.lines", map[string]any{"Max": MaxLines})
	}
	for i, l := range lines {
		field := func(name string) string { return fmt.Sprintf("lines[%d].%s", i, name) }
		data := map[string]any{"Line": i + 1}
		if _, ok := cat.Medicine(l.VNR); !ok {
			return fault.InvalidField(field("vnr"), "pharmacy.error.vnr", data)
		}
		if l.Packages < 1 || l.Packages > MaxPackages {
			data["Max"] = MaxPackages
			return fault.InvalidField(field("packages"), "pharmacy.error.packages", data)
		}
		if l.PackagePriceCents < 1 || l.PackagePriceCents > MaxPackageCents {
			data["Max"] = MaxPackageCents / 100
			return fault.InvalidField(field("package_price_cents"), "pharmacy.error.amount", data)
		}
	}
	return nil
}

// CheckPurchaseID refuses a purchase ID that is empty, too long or holds
// anything but letters, digits and - _ . : (the pharmacy's own receipt
// number or the ID a check gave).
func CheckPurchaseID(id string) error {
	if id == "" || len(id) > MaxPurchaseIDLen || strings.IndexFunc(id, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:", r))
	}) >= 0 {
		return fault.InvalidField("purchase_id", "pharmacy.error.purchase_id", map[string]any{"Max": MaxPurchaseIDLen})
	}
	return nil
}

// Compute works out a purchase of a person born on a day, with the rights
// and the year's status so far, bought on a day. The lines are taken in
// order: the deductible is paid by the first reimbursable lines, and a
// line that reaches the ceiling is counted up to it, its rest charged at
// the fixed over-ceiling share. Lines must have passed CheckLines; a year
// the table has no figures for is fault.Invalid.
//
// Per reimbursable line of price P:
//   - deductible d = min(P, deductible left) when the deductible applies;
//   - share on the rest R = P − d: basic and lower special R less the
//     class's rate of R (rounded half up to the cent); higher special
//     min(R, fixed share);
//   - own total t = d + share; with room = ceiling − counted so far, the
//     customer pays min(t, room) + min(max(t − room, 0), over-ceiling
//     share), and min(t, room) counts towards the ceiling.
func Compute(f *Figures, cat *Catalogue, born civil.Date, rights []Right, st YearStatus, on civil.Date, lines []LineIn) (Result, error) {
	yf, ok := f.Year(on.Year)
	if !ok {
		return Result{}, fault.InvalidField("purchased_on", "pharmacy.error.year", map[string]any{"Year": on.Year})
	}
	if st.Year == 0 {
		st.Year = on.Year
	}
	res := Result{On: on, Year: yf, Before: st, After: st, Direct: holds(rights, RightBasic, on),
		DeductibleApplies: born.IsZero() || born.Year+f.DeductibleFromAge <= on.Year}
	cur := &res.After
	for _, in := range lines {
		m, ok := cat.Medicine(in.VNR)
		if !ok {
			return Result{}, fault.InvalidField("vnr", "pharmacy.error.vnr", nil)
		}
		l := Line{VNR: m.VNR, Name: m.Name, Packages: in.Packages, Price: in.PackagePriceCents * int64(in.Packages)}
		l.Class = classOf(cat, m, rights, on)
		l.RateBP = f.rate(l.Class)
		if l.Class == ClassNone {
			l.CustomerShare = l.Price
		} else {
			if res.DeductibleApplies {
				l.Deductible = min(l.Price, max(yf.DeductibleCents-cur.DeductiblePaid, 0))
			}
			rest := l.Price - l.Deductible
			var share int64
			switch {
			case rest == 0:
			case l.Class == ClassHigher:
				share = min(rest, f.Classes.HigherSpecialFixedCents)
			default:
				share = rest - (rest*l.RateBP+5000)/10000
			}
			own := l.Deductible + share
			room := max(yf.CeilingCents-cur.CeilingCounted, 0)
			l.Ceiling = min(own, room)
			l.OverCeiling = own > room
			l.CustomerShare = l.Ceiling + min(own-l.Ceiling, yf.OverCeilingCents)
			cur.DeductiblePaid += l.Deductible
			cur.CeilingCounted += l.Ceiling
		}
		l.Reimbursement = l.Price - l.CustomerShare
		res.Lines = append(res.Lines, l)
		res.Price += l.Price
		res.CustomerShare += l.CustomerShare
		res.Reimbursement += l.Reimbursement
		res.Deductible += l.Deductible
		res.Ceiling += l.Ceiling
	}
	return res, nil
}

// classOf is the best class the person's rights give the medicine on a
// day: none without the basic right; else the best of basic (when the
// medicine is in the basic system) and the special categories listed for
// it whose right holds.
func classOf(cat *Catalogue, m Medicine, rights []Right, on civil.Date) Class {
	if !holds(rights, RightBasic, on) {
		return ClassNone
	}
	best := ClassNone
	if m.Basic {
		best = ClassBasic
	}
	for _, k := range m.Special {
		c, ok := cat.Category(k)
		if ok && holds(rights, k, on) && c.Class.rank() > best.rank() {
			best = c.Class
		}
	}
	return best
}
