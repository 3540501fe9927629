package payment

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/etuus/etuus/internal/fi/bankday"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/jsonfile"
)

// The schedule rules: how a benefit pays (DOMAIN.md §2).
const (
	// Monthly pays on Day of each month, moved to the preceding banking
	// day when that is not one; MondayBack also moves a Monday back, so
	// the money is there for the weekend (child benefit).
	Monthly = "monthly"
	// FirstBankingDay pays on the first banking day of each month
	// (general housing allowance).
	FirstBankingDay = "first-banking-day"
	// OnDecision pays once, within BankingDays banking days of the
	// decision (backdated benefits).
	OnDecision = "decision"
	// OnReport pays after each unemployment status report, on the
	// earliest payment day of paydate.FilingSchedule.
	OnReport = "report"
)

// ErrSchedules is wrapped by every error of a schedule table that does not
// hold together.
var ErrSchedules = errors.New("payment: invalid schedule table")

// ErrNoBankingDay is a monthly payment day that moves out of its month:
// the month has no banking day on or before it (a 1st that is a holiday).
var ErrNoBankingDay = errors.New("payment: the payment day falls on no banking day in its month")

// Schedule is one dated row of the table: how a benefit pays from the
// month of From until the next row of the same benefit.
type Schedule struct {
	Benefit     string     `json:"benefit"`
	From        civil.Date `json:"from"`
	Rule        string     `json:"rule"`
	Day         int        `json:"day,omitempty"`
	MondayBack  bool       `json:"monday_back,omitempty"`
	BankingDays int        `json:"banking_days,omitempty"`
}

// Schedules is the dated table of how each benefit pays.
type Schedules struct {
	rows map[string][]Schedule // by benefit, From ascending
}

type schedulesFile struct {
	Note      string     `json:"note,omitempty"`
	Schedules []Schedule `json:"schedules"`
}

//go:embed schedules.json
var defaultSchedules []byte

// DefaultSchedules is the shipped table (schedules.json beside this file).
// It panics if the embedded table is broken, which the tests rule out.
var DefaultSchedules = sync.OnceValue(func() *Schedules {
	s, err := LoadSchedules(bytes.NewReader(defaultSchedules))
	if err != nil {
		panic(err)
	}
	return s
})

// LoadSchedules reads a schedule table (the JSON of schedules.json) and
// checks it: known rules, a day of 1–28 for a monthly rule, 0–10 banking
// days for a decision, real dates, and one row per benefit and date.
func LoadSchedules(r io.Reader) (*Schedules, error) {
	var f schedulesFile
	if err := jsonfile.Decode(r, &f); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSchedules, err)
	}
	s := &Schedules{rows: map[string][]Schedule{}}
	var errs []error
	for i, row := range f.Schedules {
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("%w: row %d (%s): "+format, append([]any{ErrSchedules, i + 1, row.Benefit}, args...)...))
		}
		if row.Benefit == "" {
			bad("no benefit")
		}
		if row.From.IsZero() || !row.From.IsValid() {
			bad("from must be a real date")
		}
		switch row.Rule {
		case Monthly:
			if row.Day < 1 || row.Day > 28 {
				bad("a monthly day must be 1–28, not %d", row.Day)
			}
		case FirstBankingDay, OnReport:
			if row.Day != 0 || row.MondayBack {
				bad("rule %s takes no day", row.Rule)
			}
		case OnDecision:
			if row.BankingDays < 0 || row.BankingDays > 10 {
				bad("banking_days must be 0–10, not %d", row.BankingDays)
			}
		default:
			bad("unknown rule %q", row.Rule)
		}
		rows := s.rows[row.Benefit]
		if n := len(rows); n > 0 && !rows[n-1].From.Before(row.From) {
			bad("rows of a benefit must be in date order, one per date")
		}
		s.rows[row.Benefit] = append(rows, row)
	}
	if len(f.Schedules) == 0 {
		errs = append(errs, fmt.Errorf("%w: no schedules", ErrSchedules))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return s, nil
}

// Benefits lists the benefits the table knows, sorted.
func (s *Schedules) Benefits() []string {
	return slices.Sorted(maps.Keys(s.rows))
}

// At is the benefit's schedule in force on the day; false when the table
// has none.
func (s *Schedules) At(benefit string, on civil.Date) (Schedule, bool) {
	rows := s.rows[benefit]
	for i := len(rows) - 1; i >= 0; i-- {
		if !on.Before(rows[i].From) {
			return rows[i], true
		}
	}
	return Schedule{}, false
}

// PayDate is the day the schedule pays the month's instalment. A monthly
// day that is not a banking day moves to the preceding banking day, and
// with MondayBack a Monday moves to the banking day before it as well. A
// day that would leave the month is ErrNoBankingDay: the payment is
// refused rather than paid in another month's run.
func (sc Schedule) PayDate(year int, month time.Month) (civil.Date, error) {
	switch sc.Rule {
	case FirstBankingDay:
		return bankday.NextOrSame(civil.New(year, month, 1)), nil
	case Monthly:
		d := civil.New(year, month, sc.Day)
		var pd civil.Date
		if sc.MondayBack && d.Weekday() == time.Monday {
			pd = bankday.Previous(d)
		} else {
			pd = bankday.PreviousOrSame(d)
		}
		if pd.Month != month || pd.Year != year {
			return civil.Date{}, fmt.Errorf("%w: %s %d-%02d day %d", ErrNoBankingDay, sc.Benefit, year, month, sc.Day)
		}
		return pd, nil
	}
	return civil.Date{}, fmt.Errorf("payment: rule %s has no monthly payment day", sc.Rule)
}

// DecisionPayDate is the day a benefit paid on its decision is paid: the
// next banking day after the decision, which is within BankingDays banking
// days of it whenever BankingDays is at least 1.
func (sc Schedule) DecisionPayDate(decided civil.Date) civil.Date {
	if sc.BankingDays == 0 {
		return bankday.NextOrSame(decided)
	}
	return bankday.Next(decided)
}
