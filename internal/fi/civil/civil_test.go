package civil

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestParseISO(t *testing.T) {
	tests := []struct {
		in   string
		want Date
		ok   bool
	}{
		{"2024-03-26", Date{2024, time.March, 26}, true},
		{"2024-02-29", Date{2024, time.February, 29}, true},
		{"2000-02-29", Date{2000, time.February, 29}, true},
		{"1900-02-29", Date{}, false},
		{"2023-02-29", Date{}, false},
		{"2024-04-31", Date{}, false},
		{"2024-13-01", Date{}, false},
		{"2024-00-10", Date{}, false},
		{"2024-3-26", Date{}, false},
		{"24-03-26", Date{}, false},
		{"2024/03/26", Date{}, false},
		{"+024-03-26", Date{}, false},
		{"", Date{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseISO(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("ParseISO(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v is not ErrInvalid", err)
			}
			if got != tt.want {
				t.Errorf("ParseISO(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Date
		ok   bool
	}{
		{"2025-02-05", Date{2025, time.February, 5}, true},
		{"5.2.2025", Date{2025, time.February, 5}, true},
		{"05.02.2025", Date{2025, time.February, 5}, true},
		{"05.2.2025", Date{2025, time.February, 5}, true},
		{"31.12.2025", Date{2025, time.December, 31}, true},
		{"29.2.2024", Date{2024, time.February, 29}, true},
		{"1.1.0001", Date{1, time.January, 1}, true},
		{"29.2.2025", Date{}, false},  // not a leap year
		{"31.4.2025", Date{}, false},  // April has 30 days
		{"0.1.2025", Date{}, false},   // no day 0
		{"1.13.2025", Date{}, false},  // no month 13
		{"5.2.25", Date{}, false},     // two-digit year
		{"5.2.02025", Date{}, false},  // five-digit year
		{"005.2.2025", Date{}, false}, // three-digit day
		{"5.002.2025", Date{}, false}, // three-digit month
		{"5.2.2025.", Date{}, false},  // trailing dot
		{"5.2.2025 ", Date{}, false},  // trailing space
		{" 5.2.2025", Date{}, false},  // leading space
		{"5.2.2025x", Date{}, false},  // trailing junk
		{"+5.2.2025", Date{}, false},  // sign
		{"5.-2.2025", Date{}, false},  // sign
		{"5..2025", Date{}, false},    // no month
		{"5.2", Date{}, false},        // no year
		{"5/2/2025", Date{}, false},   // another separator
		{"2025-2-5", Date{}, false},   // ISO needs two digits
		{"2025-02-05T00:00", Date{}, false},
		{"５.２.２０２５", Date{}, false}, // full-width digits
		{"", Date{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("Parse(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v is not ErrInvalid", err)
			}
			if got != tt.want {
				t.Errorf("Parse(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestUnixDaysRoundTrip(t *testing.T) {
	// Walk every day from 1600 to 2400 against the time package.
	start := time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC)
	n := Of(start).UnixDays()
	for tm := start; tm.Year() < 2400; tm = tm.AddDate(0, 0, 1) {
		d := Of(tm)
		if got := d.UnixDays(); got != n {
			t.Fatalf("%v.UnixDays() = %d, want %d", d, got, n)
		}
		if got := FromUnixDays(n); got != d {
			t.Fatalf("FromUnixDays(%d) = %v, want %v", n, got, d)
		}
		if got := d.Weekday(); got != tm.Weekday() {
			t.Fatalf("%v.Weekday() = %v, want %v", d, got, tm.Weekday())
		}
		n++
	}
	if got := (Date{1970, time.January, 1}).UnixDays(); got != 0 {
		t.Errorf("epoch UnixDays = %d", got)
	}
}

func TestNewNormalises(t *testing.T) {
	tests := []struct {
		y    int
		m    time.Month
		d    int
		want string
	}{
		{2024, time.February, 30, "2024-03-01"},
		{2023, time.February, 29, "2023-03-01"},
		{2024, 13, 1, "2025-01-01"},
		{2024, 0, 1, "2023-12-01"},
		{2024, -11, 1, "2023-01-01"},
		{2024, time.January, 0, "2023-12-31"},
		{2024, time.March, -1, "2024-02-28"},
	}
	for _, tt := range tests {
		if got := New(tt.y, tt.m, tt.d).String(); got != tt.want {
			t.Errorf("New(%d, %d, %d) = %s, want %s", tt.y, tt.m, tt.d, got, tt.want)
		}
		want := time.Date(tt.y, tt.m, tt.d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		if want != tt.want {
			t.Errorf("test vector disagrees with time.Date: %s", want)
		}
	}
}

func TestArithmetic(t *testing.T) {
	d := MustParseISO("2024-02-28")
	if got := d.AddDays(1).String(); got != "2024-02-29" {
		t.Errorf("AddDays(1) = %s", got)
	}
	if got := d.AddDays(2).String(); got != "2024-03-01" {
		t.Errorf("AddDays(2) = %s", got)
	}
	if got := d.AddDays(-59).String(); got != "2023-12-31" {
		t.Errorf("AddDays(-59) = %s", got)
	}
	e := MustParseISO("2025-02-28")
	if got := e.DaysSince(d); got != 366 {
		t.Errorf("DaysSince = %d, want 366", got)
	}
	if !d.Before(e) || d.After(e) || !e.After(d) || d.Equal(e) || d.Compare(e) != -1 || e.Compare(d) != 1 || d.Compare(d) != 0 {
		t.Error("ordering wrong")
	}
	if !(Date{2024, time.February, 30}).Equal(MustParseISO("2024-03-01")) {
		t.Error("Equal should compare normalised days")
	}
	if got := MustParseISO("2024-03-26").Weekday(); got != time.Tuesday {
		t.Errorf("Weekday = %v", got)
	}
}

func TestTimeConversion(t *testing.T) {
	d := MustParseISO("2024-03-26")
	if got := d.Time(); !got.Equal(time.Date(2024, 3, 26, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Time() = %v", got)
	}
	helsinki := time.FixedZone("EET", 2*3600)
	// 23:30 UTC on the 25th is already the 26th in Helsinki.
	tm := time.Date(2024, 3, 25, 23, 30, 0, 0, time.UTC)
	if got := Of(tm.In(helsinki)); got != d {
		t.Errorf("Of(in Helsinki) = %v, want %v", got, d)
	}
	if got := Of(tm); got.Day != 25 {
		t.Errorf("Of(UTC) = %v", got)
	}
	if got := d.In(helsinki); got.Hour() != 0 || Of(got) != d {
		t.Errorf("In() = %v", got)
	}
}

func TestText(t *testing.T) {
	type doc struct {
		Due  Date  `json:"due"`
		Paid *Date `json:"paid,omitempty"`
	}
	b, err := json.Marshal(doc{Due: MustParseISO("2024-03-28")})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"due":"2024-03-28"}` {
		t.Errorf("json = %s", b)
	}
	var got doc
	if err := json.Unmarshal([]byte(`{"due":"2025-04-17"}`), &got); err != nil || got.Due != MustParseISO("2025-04-17") {
		t.Errorf("Unmarshal = %v, %v", got, err)
	}
	if err := json.Unmarshal([]byte(`{"due":"2025-02-29"}`), &got); err == nil {
		t.Error("Unmarshal accepted 2025-02-29")
	}
	b, _ = json.Marshal(doc{})
	if string(b) != `{"due":""}` {
		t.Errorf("zero json = %s", b)
	}
	if err := json.Unmarshal(b, &got); err != nil || !got.Due.IsZero() {
		t.Errorf("zero round trip = %v, %v", got, err)
	}
	if _, err := (Date{2024, time.February, 30}).MarshalText(); err == nil {
		t.Error("MarshalText accepted an invalid date")
	}
}

func TestSQL(t *testing.T) {
	d := MustParseISO("2024-03-26")
	v, err := d.Value()
	if err != nil || v != "2024-03-26" {
		t.Errorf("Value() = %v, %v", v, err)
	}
	if v, _ := (Date{}).Value(); v != nil {
		t.Errorf("zero Value() = %v, want NULL", v)
	}
	for _, src := range []any{"2024-03-26", []byte("2024-03-26"), time.Date(2024, 3, 26, 0, 0, 0, 0, time.UTC)} {
		var got Date
		if err := got.Scan(src); err != nil || got != d {
			t.Errorf("Scan(%T) = %v, %v", src, got, err)
		}
	}
	got := d
	if err := got.Scan(nil); err != nil || !got.IsZero() {
		t.Errorf("Scan(nil) = %v, %v", got, err)
	}
	if err := got.Scan(42); err == nil {
		t.Error("Scan(int) succeeded")
	}
	if err := got.Scan("26.3.2024"); err == nil {
		t.Error("Scan(Finnish text) succeeded")
	}
}

func TestString(t *testing.T) {
	tests := map[Date]string{
		{2024, time.March, 26}:    "2024-03-26",
		{987, time.December, 1}:   "0987-12-01",
		{}:                        "0000-00-00",
		{2024, time.February, 30}: "2024-02-30",
	}
	for d, want := range tests {
		if got := d.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
}

func FuzzParseISO(f *testing.F) {
	for _, s := range []string{"2024-03-26", "2000-02-29", "1900-02-29", "9999-12-31", "0000-01-01", "2024-13-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseISO(s)
		if err != nil {
			return
		}
		if !d.IsValid() {
			t.Fatalf("ParseISO(%q) = invalid %v", s, d)
		}
		if d.String() != s {
			t.Fatalf("ParseISO(%q).String() = %q", s, d.String())
		}
		if FromUnixDays(d.UnixDays()) != d {
			t.Fatalf("UnixDays round trip failed for %v", d)
		}
		tm, err := time.Parse(time.DateOnly, s)
		if err != nil || Of(tm) != d {
			t.Fatalf("time.Parse disagrees: %v %v", tm, err)
		}
	})
}

// FuzzParse: whatever Parse accepts is a real date written in one of the
// forms it documents, and each of those forms reads back as the same date.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"2025-02-05", "5.2.2025", "05.02.2025", "29.2.2024", "29.2.2025", "5.2.25", "5.2.2025.", "0.0.0000", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			return
		}
		if !d.IsValid() {
			t.Fatalf("Parse(%q) = invalid %v", s, d)
		}
		forms := []string{
			d.String(),
			fmt.Sprintf("%d.%d.%04d", d.Day, d.Month, d.Year),
			fmt.Sprintf("%02d.%d.%04d", d.Day, d.Month, d.Year),
			fmt.Sprintf("%d.%02d.%04d", d.Day, d.Month, d.Year),
			fmt.Sprintf("%02d.%02d.%04d", d.Day, d.Month, d.Year),
		}
		if !slices.Contains(forms, s) {
			t.Fatalf("Parse(%q) = %v, but %q is none of %q", s, d, s, forms)
		}
		for _, form := range forms {
			if back, err := Parse(form); err != nil || back != d {
				t.Fatalf("Parse(%q) = %v, %v; want %v (from %q)", form, back, err, d, s)
			}
		}
	})
}

func BenchmarkAddDays(b *testing.B) {
	d := MustParseISO("2024-03-26")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		d = d.AddDays(i%61 - 30)
	}
	_ = d
}

func BenchmarkParseISO(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseISO("2024-03-26"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestFinnish(t *testing.T) {
	if got := New(2026, 3, 2).Finnish(); got != "2.3.2026" {
		t.Errorf("Finnish = %q, want 2.3.2026", got)
	}
	if got := (Date{}).Finnish(); got != "" {
		t.Errorf("the zero Date = %q, want \"\"", got)
	}
}
