// Package civil provides a calendar date without a time zone, for due dates, birth dates and payment days.
package civil

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Finland's zone on machines without a zone database
)

// Date is a day in the proleptic Gregorian calendar, with no time of day and
// no time zone: 26 March 2024 is the same date in Helsinki and in UTC, which
// is what due dates and payment days mean.
//
// The zero Date is "no date" (see IsZero). A Date built from a literal may be
// invalid (31 February); IsValid reports that, and arithmetic normalises it
// the way time.Date does.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ErrInvalid is returned (wrapped) when text is not a valid date: for
// ParseISO an ISO 8601 calendar date, for Parse that or a Finnish one.
var ErrInvalid = errors.New("civil: not a valid date")

// New returns the date for year, month and day, normalising out-of-range
// months and days as time.Date does (2024-02-30 becomes 2024-03-01).
func New(year int, month time.Month, day int) Date {
	// Fold the month into the year first: the day-number algorithm only
	// tolerates an out-of-range day.
	m := int(month) - 1
	year += floorDiv(m, 12)
	m = m - floorDiv(m, 12)*12
	return FromUnixDays(daysFromCivil(year, m+1, day))
}

// Of returns the calendar date of t in t's own location. Convert t with
// t.In first to get the date somewhere else.
func Of(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseISO parses a date in the form YYYY-MM-DD (four-digit year).
func ParseISO(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, fmt.Errorf("%w: %q", ErrInvalid, s)
	}
	y, ok1 := atoi(s[0:4])
	m, ok2 := atoi(s[5:7])
	d, ok3 := atoi(s[8:10])
	date := Date{y, time.Month(m), d}
	if !ok1 || !ok2 || !ok3 || !date.IsValid() {
		return Date{}, fmt.Errorf("%w: %q", ErrInvalid, s)
	}
	return date, nil
}

// Parse reads a date as people write it: ISO YYYY-MM-DD (what an HTML date
// input sends) or Finnish d.m.yyyy, with or without leading zeros (5.2.2025,
// 05.02.2025). It is strict: the year has four digits, the day must exist,
// and nothing may come before or after (no spaces, no trailing dot).
func Parse(s string) (Date, error) {
	if d, err := ParseISO(s); err == nil {
		return d, nil
	}
	dd, rest, ok1 := strings.Cut(s, ".")
	mm, yyyy, ok2 := strings.Cut(rest, ".")
	if ok1 && ok2 && len(dd) >= 1 && len(dd) <= 2 && len(mm) >= 1 && len(mm) <= 2 && len(yyyy) == 4 {
		d, ok3 := atoi(dd)
		m, ok4 := atoi(mm)
		y, ok5 := atoi(yyyy)
		if date := (Date{y, time.Month(m), d}); ok3 && ok4 && ok5 && date.IsValid() {
			return date, nil
		}
	}
	return Date{}, fmt.Errorf("%w: %q", ErrInvalid, s)
}

// MustParseISO is ParseISO for literals in tests and tables; it panics on error.
func MustParseISO(s string) Date {
	d, err := ParseISO(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DaysIn returns the number of days in the month.
func DaysIn(year int, month time.Month) int {
	switch month {
	case time.February:
		if IsLeap(year) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// IsLeap reports whether year is a Gregorian leap year.
func IsLeap(year int) bool {
	return year%4 == 0 && (year%100 != 0 || year%400 == 0)
}

// IsZero reports whether d is the zero Date, which stands for "no date".
func (d Date) IsZero() bool { return d == Date{} }

// IsValid reports whether d names a real day.
func (d Date) IsValid() bool {
	return d.Month >= time.January && d.Month <= time.December &&
		d.Day >= 1 && d.Day <= DaysIn(d.Year, d.Month)
}

// Finnish returns the date as people in Finland read it, 2.3.2026 (the
// Swedish and English texts used in Finland write it so too); the zero
// Date prints as "".
func (d Date) Finnish() string {
	if d.IsZero() {
		return ""
	}
	return strconv.Itoa(d.Day) + "." + strconv.Itoa(int(d.Month)) + "." + strconv.Itoa(d.Year)
}

// String returns the date as YYYY-MM-DD. The zero Date prints as
// 0000-00-00.
func (d Date) String() string {
	if !d.IsValid() {
		return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
	}
	return string(d.appendISO(make([]byte, 0, 10)))
}

func (d Date) appendISO(b []byte) []byte {
	if y := d.Year; y >= 0 && y <= 9999 {
		b = append(b, '0'+byte(y/1000), '0'+byte(y/100%10), '0'+byte(y/10%10), '0'+byte(y%10))
	} else {
		b = strconv.AppendInt(b, int64(y), 10)
	}
	m, dd := int(d.Month)%100, d.Day%100
	return append(b, '-', '0'+byte(m/10), '0'+byte(m%10), '-', '0'+byte(dd/10), '0'+byte(dd%10))
}

// UnixDays returns the number of days from 1970-01-01 to d (negative before
// it). It gives dates a cheap total order and is what calendars index by.
func (d Date) UnixDays() int {
	if d.Month < time.January || d.Month > time.December {
		return New(d.Year, d.Month, d.Day).UnixDays()
	}
	return daysFromCivil(d.Year, int(d.Month), d.Day)
}

// FromUnixDays is the inverse of Date.UnixDays.
func FromUnixDays(n int) Date {
	y, m, d := civilFromDays(n)
	return Date{y, time.Month(m), d}
}

// AddDays returns d moved by n days (n may be negative).
func (d Date) AddDays(n int) Date { return FromUnixDays(d.UnixDays() + n) }

// Weekday returns the day of the week.
func (d Date) Weekday() time.Weekday {
	// 1970-01-01 was a Thursday.
	w := (d.UnixDays() + int(time.Thursday)) % 7
	if w < 0 {
		w += 7
	}
	return time.Weekday(w)
}

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	a, b := d.UnixDays(), e.UnixDays()
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// Equal reports whether d and e are the same day (also when one of them is
// an unnormalised literal such as 2024-02-30).
func (d Date) Equal(e Date) bool { return d.Compare(e) == 0 }

// DaysSince returns the number of days from e to d: positive when d is later.
func (d Date) DaysSince(e Date) int { return d.UnixDays() - e.UnixDays() }

// Time returns midnight UTC at the start of d.
func (d Date) Time() time.Time { return d.In(time.UTC) }

// In returns midnight at the start of d in loc, for example when a due date
// ends at midnight Finnish time.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// MarshalText implements encoding.TextMarshaler, and so JSON, as
// YYYY-MM-DD. The zero Date marshals as empty text.
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	if !d.IsValid() {
		return nil, fmt.Errorf("%w: %d-%d-%d", ErrInvalid, d.Year, d.Month, d.Day)
	}
	return d.appendISO(make([]byte, 0, 10)), nil
}

// UnmarshalText implements encoding.TextUnmarshaler; empty text is the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseISO(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Value implements driver.Valuer. Dates are stored as ISO text so that
// SQLite and PostgreSQL (text or date columns) agree and sort correctly; the
// zero Date is stored as NULL.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	b, err := d.MarshalText()
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// Scan implements sql.Scanner. It accepts ISO text, and time.Time because
// PostgreSQL drivers return date columns as midnight UTC; NULL is the zero Date.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case string:
		return d.UnmarshalText([]byte(v))
	case []byte:
		return d.UnmarshalText(v)
	case time.Time:
		*d = Of(v)
		return nil
	}
	return fmt.Errorf("civil: cannot scan %T into a Date", src)
}

func atoi(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// daysFromCivil and civilFromDays are Howard Hinnant's branch-light
// algorithms (http://howardhinnant.github.io/date_algorithms.html): constant
// time and exact for every proleptic Gregorian date, which keeps banking-day
// arithmetic cheap.
func daysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := m + 9
	if m > 2 {
		mp = m - 3
	}
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func civilFromDays(z int) (y, m, d int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// Finland is the time zone of Finnish calendar dates. The zone database is
// embedded (time/tzdata), so it is there on any machine.
var Finland = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		panic("civil: no Europe/Helsinki time zone: " + err.Error())
	}
	return loc
}()

// Today is the date in Finland at the instant now: due dates and periods
// fall on Finnish days, and just after midnight in Helsinki it is still
// yesterday in UTC.
func Today(now time.Time) Date { return Of(now.In(Finland)) }
