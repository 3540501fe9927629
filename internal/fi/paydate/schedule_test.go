package paydate

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/etuus/etuus/internal/fi/bankday"
)

// TestFilingSchedule holds every published vector (seed 000, Kela's Easter
// 2025 notice, DOMAIN.md §2) and the ordinary days around them.
func TestFilingSchedule(t *testing.T) {
	tests := []struct {
		periodEnd, filed, paid string
		exception              bool
	}{
		// Easter 2024: Good Friday 29.3, Easter Monday 1.4.
		{"2024-03-26", "2024-03-26", "2024-03-28", true},
		{"2024-03-27", "2024-03-26", "2024-03-28", true},
		// Easter 2025: Good Friday 18.4, Easter Monday 21.4.
		{"2025-04-15", "2025-04-15", "2025-04-17", true},
		{"2025-04-16", "2025-04-15", "2025-04-17", true},
		{"2025-04-17", "2025-04-16", "2025-04-22", true},
		{"2025-04-18", "2025-04-17", "2025-04-23", true},
		{"2025-04-19", "2025-04-17", "2025-04-23", true},
		{"2025-04-20", "2025-04-17", "2025-04-23", true},

		// Around Easter 2024 the default rule applies.
		{"2024-03-18", "2024-03-18", "2024-03-20", false},
		{"2024-03-22", "2024-03-22", "2024-03-26", false}, // Friday: paid after the weekend
		{"2024-03-23", "2024-03-25", "2024-03-27", false}, // Saturday: filed Monday
		{"2024-03-24", "2024-03-25", "2024-03-27", false},
		{"2024-03-25", "2024-03-25", "2024-03-27", false},
		{"2024-03-28", "2024-03-28", "2024-04-03", false},
		{"2024-03-29", "2024-04-02", "2024-04-04", false}, // Good Friday
		{"2024-03-31", "2024-04-02", "2024-04-04", false},
		{"2024-04-01", "2024-04-02", "2024-04-04", false}, // Easter Monday
		{"2024-04-02", "2024-04-02", "2024-04-04", false},
		// Around Easter 2025.
		{"2025-04-11", "2025-04-11", "2025-04-15", false},
		{"2025-04-13", "2025-04-14", "2025-04-16", false},
		{"2025-04-14", "2025-04-14", "2025-04-16", false},
		{"2025-04-21", "2025-04-22", "2025-04-24", false}, // Easter Monday
		{"2025-04-22", "2025-04-22", "2025-04-24", false},
		{"2025-04-25", "2025-04-25", "2025-04-29", false},
		// Easter 2026 has no published row yet: the default rule, even
		// though it pays after the holiday.
		{"2026-04-02", "2026-04-02", "2026-04-08", false},
		// Christmas 2024 (24–26.12 Tue–Thu) has no row either.
		{"2024-12-20", "2024-12-20", "2024-12-27", false},
		{"2024-12-23", "2024-12-23", "2024-12-30", false},
	}
	s := DefaultFilingSchedule()
	for _, tt := range tests {
		t.Run(tt.periodEnd, func(t *testing.T) {
			f := s.Filing(d(tt.periodEnd))
			if f.PeriodEnd != d(tt.periodEnd) || f.Filed.String() != tt.filed || f.Paid.String() != tt.paid {
				t.Errorf("Filing(%s) = %v–%v–%v, want filed %s, paid %s", tt.periodEnd, f.PeriodEnd, f.Filed, f.Paid, tt.filed, tt.paid)
			}
			if (f.Source != "") != tt.exception {
				t.Errorf("Filing(%s).Source = %q, exception %v", tt.periodEnd, f.Source, tt.exception)
			}
			// DOMAIN.md §2: in all these cases paid = filed + 2 banking days.
			if got := EarliestPayment(f.Filed); got != f.Paid {
				t.Errorf("EarliestPayment(%s) = %s, row says %s", f.Filed, got, f.Paid)
			}
		})
	}
}

func TestShippedRows(t *testing.T) {
	rows := DefaultFilingSchedule().Exceptions()
	if len(rows) < 4 {
		t.Fatalf("%d rows", len(rows))
	}
	for _, row := range rows {
		if row.Paid.IsZero() || row.Paid != bankday.AddBankingDays(row.Filed, ReportPaymentLag) {
			t.Errorf("row %v: paid %s is not filed + %d banking days", row.PeriodEndFrom, row.Paid, ReportPaymentLag)
		}
	}
	// The copy is the caller's.
	rows[0].Filed = d("2000-01-01")
	if DefaultFilingSchedule().Exceptions()[0].Filed == d("2000-01-01") {
		t.Error("Exceptions shares its rows")
	}
	// So is the file, read as a replacement table would be.
	f, err := LoadFilingScheduleFile("filing_exceptions.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Exceptions()) != len(DefaultFilingSchedule().Exceptions()) {
		t.Error("file and embedded table differ")
	}
}

func TestNilFilingSchedule(t *testing.T) {
	var s *FilingSchedule
	f := s.Filing(d("2025-04-17"))
	if f.Filed != d("2025-04-17") || f.Paid != d("2025-04-23") || f.Source != "" {
		t.Errorf("nil schedule: %+v", f)
	}
	if s.Exceptions() != nil {
		t.Error("nil schedule has rows")
	}
	empty, err := NewFilingSchedule(nil)
	if err != nil || empty.Filing(d("2024-03-27")).Filed != d("2024-03-27") {
		t.Errorf("empty schedule: %v", err)
	}
}

func TestExceptionPaid(t *testing.T) {
	s, err := LoadFilingSchedule(strings.NewReader(`{"exceptions": [
		{"period_end_from": "2030-12-20", "period_end_to": "2030-12-22", "filed": "2030-12-19", "source": "test: default payment"},
		{"period_end_from": "2030-12-23", "period_end_to": "2030-12-23", "filed": "2030-12-20", "paid": "2030-12-23", "source": "test: own payment"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ periodEnd, filed, paid, source string }{
		{"2030-12-19", "2030-12-19", "2030-12-23", ""},
		{"2030-12-20", "2030-12-19", "2030-12-23", "test: default payment"}, // Thu 19.12 + 2
		{"2030-12-22", "2030-12-19", "2030-12-23", "test: default payment"},
		{"2030-12-23", "2030-12-20", "2030-12-23", "test: own payment"}, // not Fri 20.12 + 2 = 30.12
		{"2030-12-24", "2030-12-27", "2030-12-31", ""},
	}
	for _, tt := range tests {
		f := s.Filing(d(tt.periodEnd))
		if f.Filed.String() != tt.filed || f.Paid.String() != tt.paid || f.Source != tt.source {
			t.Errorf("Filing(%s) = %+v, want %s %s %q", tt.periodEnd, f, tt.filed, tt.paid, tt.source)
		}
	}
}

func TestLoadFilingScheduleRefuses(t *testing.T) {
	row := func(from, to, filed, paid, source string) string {
		b, _ := json.Marshal(map[string]string{"period_end_from": from, "period_end_to": to, "filed": filed, "paid": paid, "source": source})
		return string(b)
	}
	table := func(rows ...string) string { return `{"exceptions": [` + strings.Join(rows, ",") + `]}` }
	ok := row("2025-04-18", "2025-04-20", "2025-04-17", "2025-04-23", "Kela")
	tests := map[string]string{
		"not JSON":           `{`,
		"no list":            `{"note": "x"}`,
		"null list":          `{"exceptions": null}`,
		"unknown field":      `{"exceptions": [], "extra": 1}`,
		"unknown row field":  `{"exceptions": [{"period_end_from": "2025-04-18", "period_end_to": "2025-04-20", "filed": "2025-04-17", "source": "x", "lag": 3}]}`,
		"trailing data":      table(ok) + `{}`,
		"bad date":           table(row("2025-02-30", "2025-03-01", "2025-02-27", "", "x")),
		"date not ISO":       table(row("18.4.2025", "2025-04-20", "2025-04-17", "", "x")),
		"no from":            table(row("", "2025-04-20", "2025-04-17", "", "x")),
		"no filed":           table(row("2025-04-18", "2025-04-20", "", "", "x")),
		"no source":          table(row("2025-04-18", "2025-04-20", "2025-04-17", "", " ")),
		"backwards":          table(row("2025-04-20", "2025-04-18", "2025-04-17", "", "x")),
		"filed after paid":   table(row("2025-04-18", "2025-04-20", "2025-04-24", "2025-04-23", "x")),
		"paid on a holiday":  table(row("2025-04-18", "2025-04-20", "2025-04-17", "2025-04-21", "x")),
		"paid a year later":  table(row("2025-04-18", "2025-04-20", "2025-04-17", "2026-04-23", "x")),
		"filed a year early": table(row("2025-04-18", "2025-04-20", "2024-04-17", "", "x")),
		"too long":           table(row("2025-01-01", "2025-04-20", "2025-04-17", "", "x")),
		"overlap":            table(row("2025-04-15", "2025-04-18", "2025-04-15", "", "x"), ok),
		"same row twice":     table(ok, ok),
		"out of order":       table(ok, row("2025-04-15", "2025-04-16", "2025-04-15", "", "x")),
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			s, err := LoadFilingSchedule(strings.NewReader(in))
			if !errors.Is(err, ErrFilingSchedule) || s != nil {
				t.Errorf("LoadFilingSchedule = %v, %v; want ErrFilingSchedule", s, err)
			}
		})
	}
	if _, err := LoadFilingSchedule(strings.NewReader(table(ok, row("2025-04-21", "2025-04-21", "2025-04-22", "", "x")))); err != nil {
		t.Errorf("adjacent rows refused: %v", err)
	}
	if _, err := LoadFilingScheduleFile("testdata/no-such-file.json"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func FuzzLoadFilingSchedule(f *testing.F) {
	f.Add(defaultExceptions)
	f.Add([]byte(`{"exceptions": []}`))
	f.Add([]byte(`{"exceptions": [{"period_end_from": "2030-12-20", "period_end_to": "2030-12-22", "filed": "2030-12-19", "source": "x"}]}`))
	f.Add([]byte(`{"exceptions": [{"period_end_from": "9999-12-31", "period_end_to": "9999-12-31", "filed": "9999-12-31", "source": "x"}]}`))
	f.Add([]byte(`{"exceptions": [{"period_end_from": "2025-04-18", "period_end_to": "2025-04-20", "filed": "2025-04-24", "paid": "2025-04-23", "source": "x"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := LoadFilingSchedule(bytes.NewReader(data))
		if err != nil {
			if s != nil || !errors.Is(err, ErrFilingSchedule) {
				t.Fatalf("error %v with schedule %v", err, s)
			}
			return
		}
		rows := s.Exceptions()
		if err := validateExceptions(rows); err != nil {
			t.Fatalf("accepted table does not validate: %v", err)
		}
		for i, row := range rows {
			if i > 0 && !rows[i-1].PeriodEndTo.Before(row.PeriodEndFrom) {
				t.Fatalf("rows %d and %d overlap", i, i+1)
			}
			for day := row.PeriodEndFrom; !day.After(row.PeriodEndTo); day = day.AddDays(1) {
				got := s.Filing(day)
				if got.Filed != row.Filed || got.Source != row.Source || got.Paid.Before(got.Filed) {
					t.Fatalf("Filing(%s) = %+v, row %+v", day, got, row)
				}
			}
		}
		// An accepted table survives a round trip.
		b, err := json.Marshal(filingFile{Exceptions: rows})
		if err != nil {
			t.Fatal(err)
		}
		again, err := LoadFilingSchedule(bytes.NewReader(b))
		if err != nil || len(again.Exceptions()) != len(rows) {
			t.Fatalf("round trip: %v", err)
		}
	})
}
