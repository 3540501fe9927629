package recovery

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/bankday"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/jsonfile"
)

// defaultRules is the shipped rule table; see Rules for its format.
//
//go:embed rules.json
var defaultRules []byte

// ErrRules is wrapped by every error LoadRules returns for a table that
// does not hold together.
var ErrRules = errors.New("recovery: invalid rule table")

// Rules is the dated rule table: every number the Centre's rules use lives
// here, not in code, because the numbers change by date (interest rates
// every half year, the healthcare fee every year) and some are uncertain.
// Every value in it is configuration; the shipped rules.json carries a
// "source" on each row saying where the value comes from.
//
// The table is JSON. Each section is a list of rows; each row has a validity
// period "from" and "to" (YYYY-MM-DD, both days included; an empty or
// missing "from" means since always, an empty "to" until further notice).
// Rows of one list are in date order and must not overlap; gaps are allowed
// and mean "no rule" for those days, which lookups report as an error
// (interest reports it as a period with NoRate). The sections:
//
//	"plan": [{from, to, min_monthly_cents, max_months, max_first_due_days,
//	          grace_days, reminders, reminder_interval_days}]
//	"interest": {"<kind>": [{from, to, rate_bp}]}        every kind present; [] = no interest
//	"reminders": {"<kind>": [{from, to, count, fee_cents, days_after_due,
//	          days_between, days_to_enforcement}]}       every kind present and non-empty
//	"healthcare_fee": [{from, to, cents}]                looked up by the term's first day
//	"healthcare_due": [{from, to, spring, spring_late_after, spring_late,
//	          autumn, autumn_late_after, autumn_late}]   "MM-DD"; looked up by the term's first day
//	"offset": [{from, to, share_num, share_den, min_cents, excluded_benefits,
//	          protected_benefits}]
//	"protected_amount": [{from, to, cents_per_day}]
//
// Rates are in basis points (1 % = 100). Plans are looked up by the day of
// the proposal, reminders by the claim's due date, offsets and the
// protected amount by the benefit's payment date.
type Rules struct {
	Note          string                  `json:"note,omitempty"`
	Plan          []PlanRule              `json:"plan"`
	Interest      map[Kind][]RateRule     `json:"interest"`
	Reminders     map[Kind][]ReminderRule `json:"reminders"`
	HealthcareFee []HealthcareFeeRule     `json:"healthcare_fee"`
	HealthcareDue []HealthcareDueRule     `json:"healthcare_due"`
	Offset        []OffsetRule            `json:"offset"`
	// ProtectedAmount is the enforcement-code protected amount by year.
	ProtectedAmount []ProtectedAmountRule `json:"protected_amount"`
}

// Period is the validity of a rule row, both days included. A zero From
// means since always, a zero To until further notice.
type Period struct {
	From civil.Date `json:"from"`
	To   civil.Date `json:"to"`
}

// Contains reports whether d is in the period.
func (p Period) Contains(d civil.Date) bool {
	return (p.From.IsZero() || !d.Before(p.From)) && (p.To.IsZero() || !d.After(p.To))
}

func (p Period) period() Period { return p }

// PlanRule bounds payment plans. Seed 002 and DOMAIN.md §5: at least 30 € a
// month, at most 3 years. The first-due window and the handling of missed
// instalments are etuus's own choices, hence configuration.
type PlanRule struct {
	Period
	MinMonthlyCents int64 `json:"min_monthly_cents"`
	MaxMonths       int   `json:"max_months"`
	// MaxFirstDueDays is how far ahead of the proposal the first
	// instalment may fall.
	MaxFirstDueDays int `json:"max_first_due_days"`
	// GraceDays: an instalment still unpaid this many days after its due
	// date is missed.
	GraceDays int `json:"grace_days"`
	// Reminders is how many reminders missed instalments get during one
	// plan; the next miss breaks the plan.
	Reminders int `json:"reminders"`
	// ReminderIntervalDays is how long after a reminder the plan must be
	// back on schedule.
	ReminderIntervalDays int    `json:"reminder_interval_days"`
	Source               string `json:"source,omitempty"`
}

// RateRule is an annual interest rate in basis points for a period.
type RateRule struct {
	Period
	RateBP int64  `json:"rate_bp"`
	Source string `json:"source,omitempty"`
}

// ReminderRule is how a kind of claim is reminded: Count reminders, the
// first DaysAfterDue days after the due date, the next DaysBetween days
// after the previous one, each with FeeCents added; DaysToEnforcement days
// after the last reminder the claim moves to enforcement.
type ReminderRule struct {
	Period
	Count             int   `json:"count"`
	FeeCents          int64 `json:"fee_cents"`
	DaysAfterDue      int   `json:"days_after_due"`
	DaysBetween       int   `json:"days_between"`
	DaysToEnforcement int   `json:"days_to_enforcement"`
	// PauseWhilePendingDays: while the customer waits for a decision on a
	// plan proposal or an exemption application, the claim gets no
	// reminder, fee or enforcement for at most this many days from when
	// the oldest waiting one was sent.
	PauseWhilePendingDays int    `json:"pause_while_pending_days"`
	Source                string `json:"source,omitempty"`
}

// HealthcareFeeRule is the healthcare fee per term, for terms starting in
// the period.
type HealthcareFeeRule struct {
	Period
	Cents  int64  `json:"cents"`
	Source string `json:"source,omitempty"`
}

// HealthcareDueRule gives the healthcare fee's due dates for terms starting
// in the period: Spring, or SpringLate for a student who registered as
// attending after SpringLateAfter; the same for autumn. A zero late date
// means the term has no late rule.
type HealthcareDueRule struct {
	Period
	Spring          MonthDay `json:"spring"`
	SpringLateAfter MonthDay `json:"spring_late_after"`
	SpringLate      MonthDay `json:"spring_late"`
	Autumn          MonthDay `json:"autumn"`
	AutumnLateAfter MonthDay `json:"autumn_late_after"`
	AutumnLate      MonthDay `json:"autumn_late"`
	Source          string   `json:"source,omitempty"`
}

// OffsetRule is how much of a benefit instalment may be withheld for an
// overdue overpayment (DOMAIN.md §5): ShareNum/ShareDen of the instalment
// as the starting point, at least MinCents; nothing from the excluded
// benefits; for the protected benefits, the enforcement-code protected
// amount (ProtectedAmountRule) per day of the instalment stays with the
// customer first.
type OffsetRule struct {
	Period
	ShareNum          int64    `json:"share_num"`
	ShareDen          int64    `json:"share_den"`
	MinCents          int64    `json:"min_cents"`
	ExcludedBenefits  []string `json:"excluded_benefits"`
	ProtectedBenefits []string `json:"protected_benefits"`
	Source            string   `json:"source,omitempty"`
}

// ProtectedAmountRule is the debtor's protected amount per day under the
// Enforcement Code (705/2007) 4:48, set for each calendar year by a decree
// of the Ministry of Justice: what stays with the customer of a protected
// benefit's net payment, for each day the payment is for.
type ProtectedAmountRule struct {
	Period
	CentsPerDay int64  `json:"cents_per_day"`
	Source      string `json:"source,omitempty"`
}

// MonthDay is a day of the year such as 03-15, for due dates that recur.
// The zero MonthDay is "none".
type MonthDay struct {
	Month time.Month
	Day   int
}

// IsZero reports whether m is "none".
func (m MonthDay) IsZero() bool { return m.Month == 0 && m.Day == 0 }

// In returns the day in a year.
func (m MonthDay) In(year int) civil.Date { return civil.Date{Year: year, Month: m.Month, Day: m.Day} }

func (m MonthDay) String() string {
	if m.IsZero() {
		return ""
	}
	return fmt.Sprintf("%02d-%02d", int(m.Month), m.Day)
}

// MarshalText implements encoding.TextMarshaler as MM-DD.
func (m MonthDay) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler for MM-DD; empty text
// is the zero MonthDay. 02-29 is refused: it is not a day every year.
func (m *MonthDay) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*m = MonthDay{}
		return nil
	}
	d, err := civil.ParseISO("2001-" + string(b)) // 2001: not a leap year
	if err != nil {
		return fmt.Errorf("recovery: %q is not an MM-DD day of the year", b)
	}
	*m = MonthDay{d.Month, d.Day}
	return nil
}

// DefaultRules returns the shipped rule table, freshly parsed so callers
// may change their copy. It panics if rules.json is broken, which the
// package's tests rule out.
func DefaultRules() *Rules {
	r, err := LoadRules(bytes.NewReader(defaultRules))
	if err != nil {
		panic(err)
	}
	return r
}

// LoadRules reads a rule table and validates it: unknown fields or kinds,
// data after the table,
// rows out of order or overlapping, a kind missing, or a value out of range
// are errors wrapping ErrRules.
func LoadRules(r io.Reader) (*Rules, error) {
	var rules Rules
	if err := jsonfile.Decode(r, &rules); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRules, err)
	}
	if err := rules.Validate(); err != nil {
		return nil, err
	}
	return &rules, nil
}

// Validate checks that the table holds together; see LoadRules.
func (r *Rules) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrRules}, args...)...))
	}
	checkPeriods(bad, "plan", r.Plan, true)
	for i, p := range r.Plan {
		if p.MinMonthlyCents <= 0 || p.MaxMonths <= 0 || p.MaxFirstDueDays < 0 || p.GraceDays < 0 || p.Reminders < 0 || p.ReminderIntervalDays < 0 {
			bad("plan row %d: amounts and months must be positive, days not negative", i+1)
		}
	}
	for k := range r.Interest {
		if !k.Valid() {
			bad("interest: unknown kind %q", k)
		}
	}
	for k := range r.Reminders {
		if !k.Valid() {
			bad("reminders: unknown kind %q", k)
		}
	}
	for _, k := range Kinds() {
		rates, ok := r.Interest[k]
		if !ok {
			bad("interest: kind %q missing (use [] for no interest)", k)
		}
		checkPeriods(bad, "interest."+string(k), rates, false)
		for i, rr := range rates {
			if rr.RateBP < 0 || rr.RateBP > 10000 {
				bad("interest.%s row %d: rate %d bp outside 0–10000", k, i+1, rr.RateBP)
			}
		}
		rem, ok := r.Reminders[k]
		if !ok {
			bad("reminders: kind %q missing", k)
		}
		checkPeriods(bad, "reminders."+string(k), rem, ok)
		for i, rr := range rem {
			if rr.Count < 0 || rr.FeeCents < 0 || rr.DaysAfterDue < 0 || rr.DaysBetween < 0 || rr.DaysToEnforcement < 0 {
				bad("reminders.%s row %d: negative value", k, i+1)
			}
		}
	}
	checkPeriods(bad, "healthcare_fee", r.HealthcareFee, true)
	for i, f := range r.HealthcareFee {
		if f.Cents <= 0 {
			bad("healthcare_fee row %d: fee must be positive", i+1)
		}
	}
	checkPeriods(bad, "healthcare_due", r.HealthcareDue, true)
	for i, d := range r.HealthcareDue {
		if d.Spring.IsZero() || d.Autumn.IsZero() ||
			d.SpringLate.IsZero() != d.SpringLateAfter.IsZero() ||
			d.AutumnLate.IsZero() != d.AutumnLateAfter.IsZero() {
			bad("healthcare_due row %d: spring and autumn needed; a late date needs its late_after and vice versa", i+1)
		}
	}
	checkPeriods(bad, "offset", r.Offset, true)
	for i, o := range r.Offset {
		if o.ShareNum <= 0 || o.ShareDen <= 0 || o.ShareNum > o.ShareDen || o.MinCents < 0 {
			bad("offset row %d: share must be a fraction in (0, 1], amounts not negative", i+1)
		}
	}
	checkPeriods(bad, "protected_amount", r.ProtectedAmount, true)
	for i, p := range r.ProtectedAmount {
		if p.CentsPerDay <= 0 {
			bad("protected_amount row %d: the amount must be positive", i+1)
		}
	}
	return errors.Join(errs...)
}

type periodic interface{ period() Period }

// checkPeriods reports rows whose period is backwards, out of order or
// overlapping the previous row, and an empty list where one is required.
func checkPeriods[T periodic](bad func(string, ...any), section string, rows []T, required bool) {
	if required && len(rows) == 0 {
		bad("%s: no rows", section)
	}
	for i, row := range rows {
		p := row.period()
		if !p.From.IsZero() && !p.From.IsValid() || !p.To.IsZero() && !p.To.IsValid() {
			bad("%s row %d: not a real date", section, i+1)
		}
		if !p.From.IsZero() && !p.To.IsZero() && p.To.Before(p.From) {
			bad("%s row %d: to %s before from %s", section, i+1, p.To, p.From)
		}
		if i > 0 {
			prev := rows[i-1].period()
			if prev.To.IsZero() || p.From.IsZero() || !prev.To.Before(p.From) {
				bad("%s row %d: overlaps row %d or is out of order", section, i+1, i)
			}
		}
	}
}

// find returns the row whose period contains d.
func find[T periodic](rows []T, d civil.Date) (T, bool) {
	for _, row := range rows {
		if row.period().Contains(d) {
			return row, true
		}
	}
	var zero T
	return zero, false
}

// missing is the error for a day the table has no rule for: a gap in the
// configuration, so an internal fault, logged with the section and day.
func missing(section string, d civil.Date) error {
	return &fault.Error{
		Kind: fault.Internal,
		Key:  "recovery.rules.missing",
		Data: map[string]any{"Section": section, "Date": d.String()},
		Err:  fmt.Errorf("recovery: no %s rule for %s", section, d),
	}
}

// InterestEnd is the last day the kind's interest table has a rate for
// when its last row ends (a half-year whose successor is not yet in the
// table); zero when the last row is open-ended or the kind earns no
// interest.
func (r *Rules) InterestEnd(k Kind) civil.Date {
	rows := r.Interest[k]
	if len(rows) == 0 {
		return civil.Date{}
	}
	return rows[len(rows)-1].To
}

// PlanAt returns the plan rule in force on d.
func (r *Rules) PlanAt(d civil.Date) (PlanRule, error) {
	if p, ok := find(r.Plan, d); ok {
		return p, nil
	}
	return PlanRule{}, missing("plan", d)
}

// RemindersAt returns the reminder rule for a kind in force on d.
func (r *Rules) RemindersAt(k Kind, d civil.Date) (ReminderRule, error) {
	if p, ok := find(r.Reminders[k], d); ok {
		return p, nil
	}
	return ReminderRule{}, missing("reminders."+string(k), d)
}

// OffsetAt returns the offsetting rule in force on d.
func (r *Rules) OffsetAt(d civil.Date) (OffsetRule, error) {
	if p, ok := find(r.Offset, d); ok {
		return p, nil
	}
	return OffsetRule{}, missing("offset", d)
}

// ProtectedAmountAt returns the protected amount per day in force on d.
func (r *Rules) ProtectedAmountAt(d civil.Date) (ProtectedAmountRule, error) {
	if p, ok := find(r.ProtectedAmount, d); ok {
		return p, nil
	}
	return ProtectedAmountRule{}, missing("protected_amount", d)
}

// HealthcareFeeFor returns the healthcare fee for a term, in cents.
func (r *Rules) HealthcareFeeFor(t Term) (int64, error) {
	if f, ok := find(r.HealthcareFee, t.Start()); ok {
		return f.Cents, nil
	}
	return 0, missing("healthcare_fee", t.Start())
}

// HealthcareDueFor returns the healthcare fee's due date for a term and the
// day the student registered as attending, moved forward to a banking day:
// a customer's due date that is not a banking day is met by paying on the
// next one, so the date printed is that one (15.3.2025, a Saturday, gives
// Monday 17.3.2025).
func (r *Rules) HealthcareDueFor(t Term, registered civil.Date) (civil.Date, error) {
	d, ok := find(r.HealthcareDue, t.Start())
	if !ok {
		return civil.Date{}, missing("healthcare_due", t.Start())
	}
	due, lateAfter, late := d.Spring, d.SpringLateAfter, d.SpringLate
	if t.Autumn {
		due, lateAfter, late = d.Autumn, d.AutumnLateAfter, d.AutumnLate
	}
	day := due.In(t.Year)
	if !late.IsZero() && registered.After(lateAfter.In(t.Year)) {
		day = late.In(t.Year)
	}
	return bankday.NextOrSame(day), nil
}
