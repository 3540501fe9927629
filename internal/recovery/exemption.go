package recovery

import (
	"errors"
	"slices"
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
	// From is the start of the period asked for. Child support
	// exemptions are granted by calendar month: From's month is the
	// first month exempted.
	From   civil.Date
	Reason string
}

// MaxExemptionReason bounds the free text of an application.
const MaxExemptionReason = 4000

// CheckExemption validates an application against what the kind of debt
// allows. No exemption starts in the future, and none reaches back further
// than the application month and the 12 full calendar months before it
// (ExemptionEarliest; DOMAIN.md §5, corrected 2026-12-02). A child support
// exemption is granted only afterwards, for whole calendar months, at
// least one and at most a year (Kela, "Elatusapuvelan maksuvapautus"): it
// must start in a month before the application month
// (exemption.error.from_whole_month), and the earliest start leaves at
// most 12 months before it. It reports every field that breaks a rule,
// joined, so that the form can list them all.
func CheckExemption(k Kind, req ExemptionRequest, today civil.Date) error {
	allowed := ExemptionKindsFor(k)
	if len(allowed) == 0 {
		return fault.New(fault.Invalid, "exemption.error.kind")
	}
	var errs []error
	bad := func(field, key string, data map[string]any) {
		errs = append(errs, fault.InvalidField(field, key, data))
	}
	if !slices.Contains(allowed, req.Kind) {
		bad("kind", "exemption.error.choose", nil)
	}
	if req.MonthlyIncomeCents < 0 {
		bad("income", "exemption.error.income", nil)
	}
	if req.Children < 0 || req.Children > 20 {
		bad("children", "exemption.error.children", nil)
	}
	switch {
	case req.From.IsZero() || !req.From.IsValid():
		bad("from", "exemption.error.from", nil)
	case req.From.After(today):
		bad("from", "exemption.error.from_future", nil)
	case k == ChildSupport && !req.From.Before(monthStart(today)):
		bad("from", "exemption.error.from_whole_month", map[string]any{"Latest": monthStart(today).AddDays(-1)})
	case req.From.Before(ExemptionEarliest(today)):
		bad("from", "exemption.error.from_past", map[string]any{"Earliest": ExemptionEarliest(today)})
	}
	reason := strings.TrimSpace(req.Reason)
	switch {
	case reason == "":
		bad("reason", "exemption.error.reason", nil)
	case !plainText(reason):
		bad("reason", "exemption.error.reason_text", nil)
	case utf8.RuneCountInString(reason) > MaxExemptionReason:
		bad("reason", "exemption.error.reason_long", map[string]any{"Max": MaxExemptionReason})
	}
	return errors.Join(errs...)
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

// ExemptionEarliest is the earliest day an exemption applied for on today
// may start: the first day of the same month a year earlier, so that the
// application month and the 12 full calendar months before it are
// covered. Applying on 22.11.2026 reaches back to 1.11.2025.
func ExemptionEarliest(today civil.Date) civil.Date {
	return civil.New(today.Year-1, today.Month, 1)
}

func monthStart(d civil.Date) civil.Date { return civil.New(d.Year, d.Month, 1) }

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
