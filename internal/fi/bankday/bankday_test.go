package bankday

import (
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
)

func d(s string) civil.Date { return civil.MustParseISO(s) }

func TestEaster(t *testing.T) {
	tests := map[int]string{
		1818: "1818-03-22", // earliest possible
		1943: "1943-04-25", // latest possible
		2000: "2000-04-23",
		2019: "2019-04-21",
		2024: "2024-03-31",
		2025: "2025-04-20",
		2026: "2026-04-05",
		2038: "2038-04-25",
		2285: "2285-03-22",
	}
	for year, want := range tests {
		if got := Easter(year).String(); got != want {
			t.Errorf("Easter(%d) = %s, want %s", year, got, want)
		}
	}
}

func TestHolidays(t *testing.T) {
	want := []struct{ date, key string }{
		{"2024-01-01", "new-years-day"},
		{"2024-01-06", "epiphany"},
		{"2024-03-29", "good-friday"},
		{"2024-04-01", "easter-monday"},
		{"2024-05-01", "may-day"},
		{"2024-05-09", "ascension-day"},
		{"2024-06-21", "midsummer-eve"},
		{"2024-12-06", "independence-day"},
		{"2024-12-24", "christmas-eve"},
		{"2024-12-25", "christmas-day"},
		{"2024-12-26", "st-stephens-day"},
	}
	got := Holidays(2024)
	if len(got) != len(want) {
		t.Fatalf("Holidays(2024) has %d days, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].Date.String() != w.date || got[i].Key != w.key || got[i].Name == "" {
			t.Errorf("Holidays(2024)[%d] = %+v, want %s %s", i, got[i], w.date, w.key)
		}
	}
	// Easter 22 March puts Ascension Day on 30 April, before May Day.
	h := Holidays(2285)
	if h[4].Key != "ascension-day" || h[4].Date.String() != "2285-04-30" || h[5].Key != "may-day" {
		t.Errorf("Holidays(2285) out of order: %+v", h[4:6])
	}
}

func TestMidsummerEve(t *testing.T) {
	for y := 1900; y < 2200; y++ {
		m := midsummerEve(y)
		if m.Weekday() != time.Friday || m.Month != time.June || m.Day < 19 || m.Day > 25 {
			t.Fatalf("midsummerEve(%d) = %v %v", y, m, m.Weekday())
		}
	}
}

func TestIsBankingDay(t *testing.T) {
	tests := map[string]bool{
		"2024-03-26": true,  // Tue
		"2024-03-28": true,  // Maundy Thursday is a banking day
		"2024-03-29": false, // Good Friday
		"2024-03-30": false, // Sat
		"2024-03-31": false, // Easter Sunday
		"2024-04-01": false, // Easter Monday
		"2024-04-02": true,
		"2024-05-01": false,
		"2024-05-09": false, // Ascension Day
		"2024-06-21": false, // Midsummer Eve
		"2024-06-20": true,
		"2024-12-06": false,
		"2024-12-23": true,
		"2024-12-24": false,
		"2024-12-27": true,
		"2025-01-06": false, // Epiphany on a Monday
		"2025-04-17": true,
		"2025-04-18": false,
		"2025-04-21": false,
		"2025-05-29": false, // Ascension Day
		"2025-06-20": false, // Midsummer Eve
		"2023-01-02": true,
		// Outside the table: computed directly.
		"1899-12-25": false,
		"1899-12-27": true,
		"2200-01-01": false,
		"2200-01-02": true,
	}
	for s, want := range tests {
		if got := IsBankingDay(d(s)); got != want {
			t.Errorf("IsBankingDay(%s) = %v, want %v", s, got, want)
		}
	}
}

// TestTableMatchesRules checks every day of the table against the rules.
func TestTableMatchesRules(t *testing.T) {
	for x := tableStart; x < tableEnd; x++ {
		day := civil.FromUnixDays(x)
		if got, want := IsBankingDay(day), computed(day); got != want {
			t.Fatalf("IsBankingDay(%v) = %v, rules say %v", day, got, want)
		}
	}
}

func TestNextPrevious(t *testing.T) {
	tests := []struct{ day, next, nextOrSame, prev, prevOrSame string }{
		{"2024-03-28", "2024-04-02", "2024-03-28", "2024-03-27", "2024-03-28"},
		{"2024-03-29", "2024-04-02", "2024-04-02", "2024-03-28", "2024-03-28"},
		{"2024-04-01", "2024-04-02", "2024-04-02", "2024-03-28", "2024-03-28"},
		{"2024-12-23", "2024-12-27", "2024-12-23", "2024-12-20", "2024-12-23"},
		{"2024-12-31", "2025-01-02", "2024-12-31", "2024-12-30", "2024-12-31"},
		{"2025-01-01", "2025-01-02", "2025-01-02", "2024-12-31", "2024-12-31"},
		{"2199-12-31", "2200-01-02", "2199-12-31", "2199-12-30", "2199-12-31"}, // table edge
		{"2200-01-01", "2200-01-02", "2200-01-02", "2199-12-31", "2199-12-31"},
		{"1900-01-01", "1900-01-02", "1900-01-02", "1899-12-29", "1899-12-29"},
	}
	for _, tt := range tests {
		day := d(tt.day)
		if got := Next(day).String(); got != tt.next {
			t.Errorf("Next(%s) = %s, want %s", tt.day, got, tt.next)
		}
		if got := NextOrSame(day).String(); got != tt.nextOrSame {
			t.Errorf("NextOrSame(%s) = %s, want %s", tt.day, got, tt.nextOrSame)
		}
		if got := Previous(day).String(); got != tt.prev {
			t.Errorf("Previous(%s) = %s, want %s", tt.day, got, tt.prev)
		}
		if got := PreviousOrSame(day).String(); got != tt.prevOrSame {
			t.Errorf("PreviousOrSame(%s) = %s, want %s", tt.day, got, tt.prevOrSame)
		}
	}
}

func TestAddBankingDays(t *testing.T) {
	tests := []struct {
		day  string
		n    int
		want string
	}{
		{"2024-03-26", 2, "2024-03-28"},
		{"2024-03-27", 2, "2024-04-02"},
		{"2024-03-28", 1, "2024-04-02"},
		{"2024-04-02", -1, "2024-03-28"},
		{"2024-04-02", -3, "2024-03-26"},
		{"2024-03-30", 0, "2024-03-30"},
		{"2024-03-30", -1, "2024-03-28"},
		{"2024-03-30", 1, "2024-04-02"},
		{"2024-01-01", 250, "2024-12-27"},
		{"2024-12-27", -250, "2023-12-29"},
		{"2199-12-20", 10, "2200-01-10"}, // leaves the table
		{"1900-01-10", -10, "1899-12-22"},
		{"1800-06-01", 3, "1800-06-04"},
	}
	for _, tt := range tests {
		if got := AddBankingDays(d(tt.day), tt.n).String(); got != tt.want {
			t.Errorf("AddBankingDays(%s, %d) = %s, want %s", tt.day, tt.n, got, tt.want)
		}
	}
}

// walk is the obvious definition AddBankingDays must agree with.
func walk(day civil.Date, n int) civil.Date {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		day = day.AddDays(step)
		if computed(day) {
			n--
		}
	}
	return day
}

func TestAddBankingDaysAgreesWithWalk(t *testing.T) {
	start := d("1995-01-01")
	for i := 0; i < 66*366; i += 7 {
		day := start.AddDays(i)
		for _, n := range []int{-40, -3, -1, 1, 2, 3, 25} {
			got := AddBankingDays(day, n)
			if want := walk(day, n); got != want {
				t.Fatalf("AddBankingDays(%v, %d) = %v, want %v", day, n, got, want)
			}
			if n > 0 || IsBankingDay(day) {
				if back := BankingDaysBetween(day, got); back != n {
					t.Fatalf("BankingDaysBetween(%v, %v) = %d, want %d", day, got, back, n)
				}
			}
		}
	}
}

func TestBankingDaysBetween(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"2024-03-26", "2024-03-28", 2},
		{"2024-03-28", "2024-04-02", 1},
		{"2024-04-02", "2024-03-28", -1},
		{"2024-03-29", "2024-04-01", 0},
		{"2024-03-26", "2024-03-26", 0},
		{"2024-01-01", "2024-12-31", 252},
		{"2024-03-29", "2024-03-31", 0},
		{"2024-03-31", "2024-03-29", 0}, // antisymmetric, so not the -1 that AddBankingDays would need
		{"2199-12-30", "2200-01-03", 3},
		{"2200-01-03", "2199-12-30", -3},
	}
	for _, tt := range tests {
		if got := BankingDaysBetween(d(tt.a), d(tt.b)); got != tt.want {
			t.Errorf("BankingDaysBetween(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestHolidayOn(t *testing.T) {
	h, ok := HolidayOn(d("2025-06-20"))
	if !ok || h.Key != "midsummer-eve" {
		t.Errorf("HolidayOn(2025-06-20) = %+v, %v", h, ok)
	}
	if _, ok := HolidayOn(d("2025-06-19")); ok {
		t.Error("HolidayOn(2025-06-19) found a holiday")
	}
}

// dates spans 30 years so benchmarks do not measure one cached day.
var dates = func() []civil.Date {
	var ds []civil.Date
	for day := d("1995-01-01"); day.Year < 2025; day = day.AddDays(1) {
		ds = append(ds, day)
	}
	return ds
}()

func BenchmarkIsBankingDay(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		IsBankingDay(dates[i%len(dates)])
	}
}

func BenchmarkNext(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Next(dates[i%len(dates)])
	}
}

func BenchmarkPreviousOrSame(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		PreviousOrSame(dates[i%len(dates)])
	}
}

func BenchmarkAddBankingDays(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		AddBankingDays(dates[i%len(dates)], i%121-60)
	}
}

func BenchmarkBankingDaysBetween(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		BankingDaysBetween(dates[i%len(dates)], dates[(i*7919)%len(dates)])
	}
}

func BenchmarkHolidays(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Holidays(1995 + i%30)
	}
}
