// Package bankday is the Finnish banking-day calendar: which days banks settle payments, and arithmetic over them.
package bankday

import (
	"math/bits"
	"slices"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
)

// Holiday is a weekday-independent day on which Finnish banks do not settle
// payments.
type Holiday struct {
	Date civil.Date
	// Key is a stable identifier, such as "good-friday", for translations.
	Key string
	// Name is the English name.
	Name string
}

// Holidays returns the year's bank holidays in date order, whether or not
// they fall on a weekend. The current calendar is applied to every year;
// historical changes (Epiphany and Ascension Day moved to Saturdays in
// 1973–1990, for example) are not modelled.
func Holidays(year int) []Holiday {
	h := holidays(year)
	return h[:]
}

// holidays returns an array so that HolidayOn does not allocate.
func holidays(year int) [11]Holiday {
	easter := Easter(year)
	h := [...]Holiday{
		{civil.Date{Year: year, Month: time.January, Day: 1}, "new-years-day", "New Year's Day"},
		{civil.Date{Year: year, Month: time.January, Day: 6}, "epiphany", "Epiphany"},
		{easter.AddDays(-2), "good-friday", "Good Friday"},
		{easter.AddDays(1), "easter-monday", "Easter Monday"},
		{civil.Date{Year: year, Month: time.May, Day: 1}, "may-day", "May Day"},
		{easter.AddDays(39), "ascension-day", "Ascension Day"},
		{midsummerEve(year), "midsummer-eve", "Midsummer Eve"},
		{civil.Date{Year: year, Month: time.December, Day: 6}, "independence-day", "Independence Day"},
		{civil.Date{Year: year, Month: time.December, Day: 24}, "christmas-eve", "Christmas Eve"},
		{civil.Date{Year: year, Month: time.December, Day: 25}, "christmas-day", "Christmas Day"},
		{civil.Date{Year: year, Month: time.December, Day: 26}, "st-stephens-day", "St Stephen's Day"},
	}
	// Ascension Day falls on 30 April when Easter is on 22 March; no other
	// pair can be out of order.
	if h[5].Date.Before(h[4].Date) {
		h[4], h[5] = h[5], h[4]
	}
	return h
}

// HolidayOn returns the bank holiday on d, if any.
func HolidayOn(d civil.Date) (Holiday, bool) {
	for _, h := range holidays(d.Year) {
		if h.Date == d {
			return h, true
		}
	}
	return Holiday{}, false
}

// Easter returns Easter Sunday in the Gregorian calendar, by the anonymous
// ("Meeus/Jones/Butcher") algorithm.
func Easter(year int) civil.Date {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	n := h + l - 7*m + 114
	return civil.Date{Year: year, Month: time.Month(n / 31), Day: n%31 + 1}
}

// midsummerEve is the Friday from 19 to 25 June.
func midsummerEve(year int) civil.Date {
	d := civil.Date{Year: year, Month: time.June, Day: 19}
	return d.AddDays((int(time.Friday) - int(d.Weekday()) + 7) % 7)
}

// computed decides a day without the table, for dates outside it.
func computed(d civil.Date) bool {
	if w := d.Weekday(); w == time.Saturday || w == time.Sunday {
		return false
	}
	_, holiday := HolidayOn(d)
	return !holiday
}

// The table covers firstYear–lastYear as one bit per day (set for a banking
// day) with a running count of banking days before each 64-day word, so
// that tests are a bit lookup and counts and offsets need no day-by-day
// walk. It is built once by its initialiser and never written again.
const (
	firstYear = 1900
	lastYear  = 2199
)

var (
	tableStart = civil.Date{Year: firstYear, Month: time.January, Day: 1}.UnixDays()
	tableEnd   = civil.Date{Year: lastYear + 1, Month: time.January, Day: 1}.UnixDays() // exclusive
	table      = build()
)

type calendar struct {
	words []uint64
	rank  []int32 // rank[w] = banking days in words[:w]; len(words)+1 entries
}

func build() calendar {
	n := tableEnd - tableStart
	c := calendar{words: make([]uint64, (n+63)/64)}
	for i := range n {
		if w := civil.FromUnixDays(tableStart + i).Weekday(); w != time.Saturday && w != time.Sunday {
			c.words[i/64] |= 1 << (i % 64)
		}
	}
	for y := firstYear; y <= lastYear; y++ {
		for _, h := range Holidays(y) {
			i := h.Date.UnixDays() - tableStart
			c.words[i/64] &^= 1 << (i % 64)
		}
	}
	c.rank = make([]int32, len(c.words)+1)
	for w, word := range c.words {
		c.rank[w+1] = c.rank[w] + int32(bits.OnesCount64(word))
	}
	return c
}

// inTable reports whether day number x (UnixDays) is covered.
func inTable(x int) bool { return x >= tableStart && x < tableEnd }

// before returns the number of banking days in the table before index i
// (0 ≤ i ≤ table length).
func (c *calendar) before(i int) int {
	w, b := i/64, i%64
	r := int(c.rank[w])
	if b > 0 {
		r += bits.OnesCount64(c.words[w] & (1<<b - 1))
	}
	return r
}

// nth returns the index of the banking day with k banking days before it,
// or -1 when there is none in the table.
func (c *calendar) nth(k int) int {
	if k < 0 || k >= int(c.rank[len(c.rank)-1]) {
		return -1
	}
	// The last word whose running count is ≤ k holds the day.
	w, _ := slices.BinarySearch(c.rank, int32(k+1))
	w--
	word := c.words[w]
	for range k - int(c.rank[w]) {
		word &= word - 1 // drop the lowest banking day
	}
	return w*64 + bits.TrailingZeros64(word)
}

// IsBankingDay reports whether Finnish banks settle payments on d.
func IsBankingDay(d civil.Date) bool {
	x := d.UnixDays()
	if !inTable(x) {
		return computed(d)
	}
	i := x - tableStart
	return table.words[i/64]&(1<<(i%64)) != 0
}

// Next returns the first banking day after d.
func Next(d civil.Date) civil.Date { return AddBankingDays(d, 1) }

// NextOrSame returns d if it is a banking day, otherwise Next(d).
func NextOrSame(d civil.Date) civil.Date {
	if IsBankingDay(d) {
		return d
	}
	return Next(d)
}

// Previous returns the last banking day before d.
func Previous(d civil.Date) civil.Date { return AddBankingDays(d, -1) }

// PreviousOrSame returns d if it is a banking day, otherwise Previous(d).
func PreviousOrSame(d civil.Date) civil.Date {
	if IsBankingDay(d) {
		return d
	}
	return Previous(d)
}

// AddBankingDays returns the n-th banking day after d, or before it when n
// is negative, counting from d exclusive: AddBankingDays(fri, 1) is the next
// Monday if that is a banking day. n == 0 returns d unchanged, banking day
// or not.
func AddBankingDays(d civil.Date, n int) civil.Date {
	if n == 0 {
		return d
	}
	x := d.UnixDays()
	if inTable(x) {
		i := x - tableStart
		k := table.before(i) + n // banking days before the wanted one
		if n > 0 {
			k = table.before(i+1) + n - 1
		}
		if j := table.nth(k); j >= 0 {
			return civil.FromUnixDays(tableStart + j)
		}
	}
	// Outside the table (or leaving it): walk.
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		x += step
		if IsBankingDay(civil.FromUnixDays(x)) {
			n--
		}
	}
	return civil.FromUnixDays(x)
}

// BankingDaysBetween returns the number of banking days after a up to and
// including b; when b is before a it is -BankingDaysBetween(b, a). So
// AddBankingDays(a, BankingDaysBetween(a, b)) == b whenever b is a banking
// day after a ("paid 2 banking days after the decision"), or b is before a
// and both are banking days.
func BankingDaysBetween(a, b civil.Date) int {
	x, y := a.UnixDays(), b.UnixDays()
	sign := 1
	if y < x {
		x, y, sign = y, x, -1
	}
	if inTable(x) && inTable(y) {
		return sign * (table.before(y-tableStart+1) - table.before(x-tableStart+1))
	}
	n := 0
	for z := x + 1; z <= y; z++ {
		if IsBankingDay(civil.FromUnixDays(z)) {
			n++
		}
	}
	return sign * n
}
