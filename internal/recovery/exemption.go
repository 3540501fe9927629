package recovery

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
)

// ExemptionKind is what an exemption application asks for (seed 002: the
// Centre handles exemptions from child support debt and from
// government-guaranteed student loan debt).
type ExemptionKind string

// The exemptions one can apply for (DOMAIN.md §5).
const (
	// ExemptInterest: student loan debt interest, for income under the limit.
	ExemptInterest ExemptionKind = "interest"
	// ExemptFull: the whole student loan debt, for low income with lasting
	// incapacity.
	ExemptFull ExemptionKind = "full"
	// ExemptStateShare: the state's share of child support debt.
	ExemptStateShare ExemptionKind = "state_share"
)

// ExemptionKindsFor lists the exemptions a kind of debt allows; none for
// overpayments and healthcare fees.
func ExemptionKindsFor(k Kind) []ExemptionKind {
	switch k {
	case StudentLoan:
		return []ExemptionKind{ExemptInterest, ExemptFull}
	case ChildSupport:
		return []ExemptionKind{ExemptStateShare}
	}
	return nil
}

// ExemptionRequest is a customer's application.
type ExemptionRequest struct {
	Kind               ExemptionKind
	MonthlyIncomeCents int64
	Children           int
	From               civil.Date // the start of the period asked for
	Reason             string
}

// MaxExemptionReason bounds the free text of an application.
const MaxExemptionReason = 4000

// CheckExemption validates an application against what the kind of debt
// allows. Both exemptions reach back at most a year (DOMAIN.md §5: student
// loan interest at most a year back; child support 1 month–1 year
// retroactively), and none starts in the future.
func CheckExemption(k Kind, req ExemptionRequest, today civil.Date) error {
	allowed := ExemptionKindsFor(k)
	if len(allowed) == 0 {
		return fault.New(fault.Invalid, "exemption.error.kind")
	}
	ok := false
	for _, a := range allowed {
		ok = ok || a == req.Kind
	}
	reason := strings.TrimSpace(req.Reason)
	switch {
	case !ok:
		return fault.InvalidField("kind", "exemption.error.choose", nil)
	case req.MonthlyIncomeCents < 0:
		return fault.InvalidField("income", "exemption.error.income", nil)
	case req.Children < 0 || req.Children > 20:
		return fault.InvalidField("children", "exemption.error.children", nil)
	case req.From.IsZero() || !req.From.IsValid():
		return fault.InvalidField("from", "exemption.error.from", nil)
	case req.From.After(today):
		return fault.InvalidField("from", "exemption.error.from_future", nil)
	case req.From.Before(yearBack(today)):
		return fault.InvalidField("from", "exemption.error.from_past", map[string]any{"Earliest": yearBack(today)})
	case reason == "":
		return fault.InvalidField("reason", "exemption.error.reason", nil)
	case !plainText(reason):
		return fault.InvalidField("reason", "exemption.error.reason_text", nil)
	case utf8.RuneCountInString(reason) > MaxExemptionReason:
		return fault.InvalidField("reason", "exemption.error.reason_long", map[string]any{"Max": MaxExemptionReason})
	}
	return nil
}

// plainText reports whether s is valid UTF-8 without control characters
// other than line breaks and tabs: PostgreSQL refuses a NUL in TEXT, and
// staff read the reasons as they were written.
func plainText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return false
		}
	}
	return true
}

func yearBack(d civil.Date) civil.Date {
	b := civil.Date{Year: d.Year - 1, Month: d.Month, Day: d.Day}
	if !b.IsValid() { // 29 February
		b.Day--
	}
	return b
}

// incomeLimits are the monthly gross income limits for the student loan
// interest exemption by number of children (0, 1, 2, 3 or more), in cents,
// each from its first day. Source: DOMAIN.md §5, Kela's limits in force
// from 1.3.2020. This is configuration to move into rules.json with the
// other dated rules; until then a new limit is a new row here. Staff see the
// applicable limit beside an application and decide: nothing is decided
// from it automatically.
var incomeLimits = []struct {
	from   civil.Date
	limits [4]int64
}{
	{civil.New(2020, 3, 1), [4]int64{140400, 162100, 168000, 178000}},
}

// IncomeLimit is the monthly income limit for the student loan interest
// exemption for a family with the children, on a day; false before the
// table starts.
func IncomeLimit(children int, on civil.Date) (int64, bool) {
	for i := len(incomeLimits) - 1; i >= 0; i-- {
		if !on.Before(incomeLimits[i].from) {
			return incomeLimits[i].limits[min(max(children, 0), 3)], true
		}
	}
	return 0, false
}
