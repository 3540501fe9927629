package paydate

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/etuus/etuus/internal/fi/bankday"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/jsonfile"
)

// ReportPaymentLag is the number of banking days from filing an
// unemployment status report to its earliest payment under the default
// rule. Kela says payment "usually in 2–3 days"; every published holiday
// row so far (Easter 2024 and 2025) is filing + 2 banking days.
const ReportPaymentLag = 2

// Sanity bounds on exception rows, to catch typing errors in a table
// (a wrong year, a swapped day and month). They are etuus's own limits,
// far wider than any row Kela has published.
const (
	maxRowDays   = 31 // period ends one row covers
	maxFiledDays = 31 // how far the filing day may lie from the row's period ends
	maxPaidDays  = 31 // how long after filing the payment may be
)

// defaultExceptions is the shipped exception table; see FilingSchedule.
//
//go:embed filing_exceptions.json
var defaultExceptions []byte

// ErrFilingSchedule is wrapped by every error for an exception table that
// does not hold together.
var ErrFilingSchedule = errors.New("paydate: invalid filing schedule")

// FilingSchedule says when an unemployment status report can be filed and
// when it is paid at the earliest. It is a default rule plus dated
// exceptions held as data, because Kela publishes the filing days around
// holidays each year and they follow no one formula (Easter 2024: a period
// ending Tue 26.3 is filed on 26.3; Easter 2025: a period ending Wed 16.4
// is filed on Tue 15.4).
//
// The default rule: a report for a period ending on day E can be filed
// from E when E is a banking day, otherwise from the next banking day (a
// report sent on a weekend or holiday is taken as filed on the next banking
// day), and it is paid at the earliest ReportPaymentLag banking days after
// filing. Against Kela's published dates the rule gives Easter 2024's
// period ending 26.3 (filed 26.3, paid 28.3) and Easter 2025's period
// ending 15.4 (filed 15.4, paid 17.4); the other published dates are
// earlier than the rule and are exceptions.
//
// An exception row applies to the periods ending PeriodEndFrom to
// PeriodEndTo (both included) and gives their filing day and, optionally,
// the earliest payment day; without one the payment is ReportPaymentLag
// banking days after the row's filing day.
//
// The table is JSON:
//
//	{"note": "…", "exceptions": [{"period_end_from": "2025-04-18",
//	  "period_end_to": "2025-04-20", "filed": "2025-04-17",
//	  "paid": "2025-04-23", "source": "Kela's notice …"}, …]}
//
// Rows are in date order and do not overlap; every row names its source.
// The shipped table is filing_exceptions.json. A nil *FilingSchedule
// applies the default rule alone.
type FilingSchedule struct {
	rows []FilingException
}

// FilingException is one dated row of a FilingSchedule.
type FilingException struct {
	PeriodEndFrom civil.Date `json:"period_end_from"`
	PeriodEndTo   civil.Date `json:"period_end_to"`
	// Filed is the day from which the reports can be filed.
	Filed civil.Date `json:"filed"`
	// Paid is the earliest payment day; zero means ReportPaymentLag
	// banking days after Filed.
	Paid civil.Date `json:"paid,omitzero"`
	// Source says where the row comes from, such as Kela's notice.
	Source string `json:"source"`
}

// filingFile is the JSON form of a FilingSchedule.
type filingFile struct {
	Note       string            `json:"note,omitempty"`
	Exceptions []FilingException `json:"exceptions"`
}

// Filing is when the report for one period can be filed and paid.
type Filing struct {
	PeriodEnd civil.Date
	// Filed is the first day the report can be filed.
	Filed civil.Date
	// Paid is the earliest day the payment is in the account.
	Paid civil.Date
	// Source is the source of the exception row applied; empty when the
	// default rule applies.
	Source string
}

// NewFilingSchedule returns a schedule with the exception rows, after
// checking them; errors wrap ErrFilingSchedule. Each row needs real dates,
// PeriodEndFrom not after PeriodEndTo, a filing day not after the payment
// day, a payment day (when given) that is a banking day, and a source; rows
// must be in date order without overlapping. The rows are copied.
func NewFilingSchedule(rows []FilingException) (*FilingSchedule, error) {
	if err := validateExceptions(rows); err != nil {
		return nil, err
	}
	return &FilingSchedule{rows: slices.Clone(rows)}, nil
}

// DefaultFilingSchedule returns the shipped schedule. It panics if the
// embedded table is broken, which the package's tests rule out.
func DefaultFilingSchedule() *FilingSchedule { return defaultSchedule() }

var defaultSchedule = sync.OnceValue(func() *FilingSchedule {
	s, err := LoadFilingSchedule(bytes.NewReader(defaultExceptions))
	if err != nil {
		panic(err)
	}
	return s
})

// LoadFilingSchedule reads a replacement exception table in the JSON form
// described at FilingSchedule and checks it as NewFilingSchedule does.
// Unknown fields and trailing data are errors too.
func LoadFilingSchedule(r io.Reader) (*FilingSchedule, error) {
	var f filingFile
	if err := jsonfile.Decode(r, &f); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFilingSchedule, err)
	}
	if f.Exceptions == nil {
		return nil, fmt.Errorf("%w: no \"exceptions\" list", ErrFilingSchedule)
	}
	return NewFilingSchedule(f.Exceptions)
}

// LoadFilingScheduleFile is LoadFilingSchedule on the named file.
func LoadFilingScheduleFile(name string) (*FilingSchedule, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s, err := LoadFilingSchedule(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return s, nil
}

// Exceptions returns a copy of the schedule's exception rows.
func (s *FilingSchedule) Exceptions() []FilingException {
	if s == nil {
		return nil
	}
	return slices.Clone(s.rows)
}

// Filing returns when the report for the period ending on periodEnd can be
// filed and is paid at the earliest: the exception row covering periodEnd,
// if any, otherwise the default rule.
func (s *FilingSchedule) Filing(periodEnd civil.Date) Filing {
	if row, ok := s.exception(periodEnd); ok {
		paid := row.Paid
		if paid.IsZero() {
			paid = EarliestPayment(row.Filed)
		}
		return Filing{PeriodEnd: periodEnd, Filed: row.Filed, Paid: paid, Source: row.Source}
	}
	filed := bankday.NextOrSame(periodEnd)
	return Filing{PeriodEnd: periodEnd, Filed: filed, Paid: EarliestPayment(filed)}
}

// exception returns the row covering periodEnd.
func (s *FilingSchedule) exception(periodEnd civil.Date) (FilingException, bool) {
	if s == nil {
		return FilingException{}, false
	}
	// The first row not ending before periodEnd.
	i, _ := slices.BinarySearchFunc(s.rows, periodEnd, func(row FilingException, d civil.Date) int {
		if row.PeriodEndTo.Before(d) {
			return -1
		}
		return 1
	})
	if i < len(s.rows) && !periodEnd.Before(s.rows[i].PeriodEndFrom) {
		return s.rows[i], true
	}
	return FilingException{}, false
}

// validateExceptions reports every way the rows do not hold together.
func validateExceptions(rows []FilingException) error {
	var errs []error
	bad := func(i int, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: row %d: "+format, append([]any{ErrFilingSchedule, i + 1}, args...)...))
	}
	isDate := func(d civil.Date) bool { return !d.IsZero() && d.IsValid() }
	for i, row := range rows {
		if !isDate(row.PeriodEndFrom) || !isDate(row.PeriodEndTo) || !isDate(row.Filed) || !row.Paid.IsZero() && !row.Paid.IsValid() {
			bad(i, "period_end_from, period_end_to and filed must be real dates, paid empty or a real date")
			continue
		}
		if strings.TrimSpace(row.Source) == "" {
			bad(i, "no source")
		}
		if row.PeriodEndTo.Before(row.PeriodEndFrom) {
			bad(i, "period_end_to %s before period_end_from %s", row.PeriodEndTo, row.PeriodEndFrom)
		} else if n := row.PeriodEndTo.DaysSince(row.PeriodEndFrom) + 1; n > maxRowDays {
			bad(i, "covers %d period ends, more than %d", n, maxRowDays)
		}
		if row.Filed.Before(row.PeriodEndFrom.AddDays(-maxFiledDays)) || row.Filed.After(row.PeriodEndTo.AddDays(maxFiledDays)) {
			bad(i, "filed %s more than %d days from the period ends", row.Filed, maxFiledDays)
		}
		if !row.Paid.IsZero() {
			switch {
			case row.Paid.Before(row.Filed):
				bad(i, "paid %s before filed %s", row.Paid, row.Filed)
			case row.Paid.After(row.Filed.AddDays(maxPaidDays)):
				bad(i, "paid %s more than %d days after filed %s", row.Paid, maxPaidDays, row.Filed)
			case !bankday.IsBankingDay(row.Paid):
				bad(i, "paid %s is not a banking day", row.Paid)
			}
		}
		if i > 0 {
			prev := rows[i-1]
			if isDate(prev.PeriodEndTo) && !prev.PeriodEndTo.Before(row.PeriodEndFrom) {
				bad(i, "overlaps row %d or is out of order", i)
			}
		}
	}
	return errors.Join(errs...)
}
