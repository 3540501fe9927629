// Package directory is the institution's directory as citizens read it:
// each contact line's weekly hours, the Finnish public holidays it is
// closed on (internal/fi/bankday), dated exceptions (exceptions.json), and
// "open now / opens at" in Europe/Helsinki; and the disruption notices
// staff publish, which every page shows while they run.
package directory

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/fi/bankday"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/org"
)

// Exception is a dated change to the hours of the lines of one unit, or
// of every unit ("*"), of one kind ("phone") or every kind (""): other
// hours (Opens, Closes) or closed (both empty).
type Exception struct {
	Date    civil.Date `json:"date"`
	Unit    string     `json:"unit"`
	Kind    string     `json:"kind,omitempty"`
	Opens   string     `json:"opens,omitempty"`
	Closes  string     `json:"closes,omitempty"`
	NoteKey string     `json:"note,omitempty"`
}

func (e Exception) covers(c org.Contact) bool {
	return (e.Unit == "*" || e.Unit == c.Unit) && (e.Kind == "" || e.Kind == c.Kind)
}

//go:embed exceptions.json
var builtIn []byte

// BuiltIn is the exceptions embedded in the binary, checked against the
// units.
func BuiltIn(units []org.Unit) ([]Exception, error) {
	return LoadExceptions(bytes.NewReader(builtIn), units)
}

// LoadExceptions reads exceptions from JSON and refuses an unknown unit,
// a bad time, hours that end before they start, and two exceptions for
// the same lines on the same day.
func LoadExceptions(r io.Reader, units []org.Unit) ([]Exception, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var ex []Exception
	if err := dec.Decode(&ex); err != nil {
		return nil, fmt.Errorf("directory exceptions: %w", err)
	}
	known := map[string]bool{"*": true}
	for _, u := range units {
		known[u.ID] = true
	}
	for i, e := range ex {
		if !known[e.Unit] {
			return nil, fmt.Errorf("directory exceptions: %s: unknown unit %q", e.Date, e.Unit)
		}
		if e.Date.IsZero() {
			return nil, fmt.Errorf("directory exceptions: entry %d has no date", i+1)
		}
		if (e.Opens == "") != (e.Closes == "") {
			return nil, fmt.Errorf("directory exceptions: %s: give both opening and closing time, or neither (closed)", e.Date)
		}
		if e.Opens != "" {
			o, err1 := minutes(e.Opens)
			c, err2 := minutes(e.Closes)
			if err1 != nil || err2 != nil || c <= o {
				return nil, fmt.Errorf("directory exceptions: %s: hours %s–%s are not a time range", e.Date, e.Opens, e.Closes)
			}
		}
		for _, f := range ex[:i] {
			if f.Date == e.Date && (f.Unit == e.Unit || f.Unit == "*" || e.Unit == "*") && (f.Kind == e.Kind || f.Kind == "" || e.Kind == "") {
				return nil, fmt.Errorf("directory exceptions: %s: two exceptions overlap for unit %s", e.Date, e.Unit)
			}
		}
	}
	return ex, nil
}

// minutes reads "HH:MM" as minutes after midnight.
func minutes(s string) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || hh < 0 || hh > 24 || mm < 0 || mm > 59 || hh*60+mm > 24*60 {
		return 0, fmt.Errorf("not a time: %q", s)
	}
	return hh*60 + mm, nil
}

var weekdays = map[string]time.Weekday{"mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday, "thu": time.Thursday,
	"fri": time.Friday, "sat": time.Saturday, "sun": time.Sunday}

// onDay reports whether a "mon-fri" or "mon" day range holds the weekday.
func onDay(days string, wd time.Weekday) bool {
	from, to, ok := strings.Cut(days, "-")
	if !ok {
		to = from
	}
	f, ok1 := weekdays[from]
	t, ok2 := weekdays[to]
	if !ok1 || !ok2 {
		return false
	}
	// Weekdays counted from Monday.
	n := func(d time.Weekday) int { return (int(d) + 6) % 7 }
	return n(f) <= n(wd) && n(wd) <= n(t)
}

// Day is a line's hours on one day.
type Day struct {
	Open          bool
	Opens, Closes int    // minutes after midnight, Finnish time
	Holiday       string // bankday key of the public holiday that closes it
	NoteKey       string // the exception's note
	Exception     bool
}

// HoursOn is a contact's hours on a day: the exception for the day if
// there is one, else closed on a public holiday, else its weekly hours.
// A contact without hours (postal, e-mail) is never open.
func HoursOn(c org.Contact, d civil.Date, ex []Exception) Day {
	for _, e := range ex {
		if e.Date == d && e.covers(c) && c.Opens != "" {
			day := Day{Exception: true, NoteKey: e.NoteKey}
			if e.Opens != "" {
				day.Open = true
				day.Opens, _ = minutes(e.Opens)
				day.Closes, _ = minutes(e.Closes)
			}
			return day
		}
	}
	if h, ok := bankday.HolidayOn(d); ok && c.Opens != "" {
		return Day{Holiday: h.Key}
	}
	if c.Opens == "" || !onDay(c.Days, d.Weekday()) {
		return Day{}
	}
	o, err1 := minutes(c.Opens)
	cl, err2 := minutes(c.Closes)
	if err1 != nil || err2 != nil {
		return Day{}
	}
	return Day{Open: true, Opens: o, Closes: cl}
}

// Status is whether a line is open at an instant, and when that changes.
type Status struct {
	HasHours bool
	Open     bool
	Closes   time.Time // when open: today's closing
	Opens    time.Time // when closed: the next opening within two weeks, or zero
	Today    Day
}

// at is the instant of minutes after midnight on a Finnish day, DST
// included.
func at(d civil.Date, m int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, m/60, m%60, 0, 0, civil.Finland)
}

// StatusAt is a contact's status at t, computed in Europe/Helsinki.
func StatusAt(c org.Contact, t time.Time, ex []Exception) Status {
	st := Status{HasHours: c.Opens != ""}
	if !st.HasHours {
		return st
	}
	today := civil.Of(t.In(civil.Finland))
	st.Today = HoursOn(c, today, ex)
	if d := st.Today; d.Open && !t.Before(at(today, d.Opens)) && t.Before(at(today, d.Closes)) {
		st.Open, st.Closes = true, at(today, d.Closes)
		return st
	}
	for i := 0; i <= 14; i++ {
		day := today.AddDays(i)
		h := HoursOn(c, day, ex)
		if h.Open && t.Before(at(day, h.Opens)) {
			st.Opens = at(day, h.Opens)
			break
		}
	}
	return st
}
