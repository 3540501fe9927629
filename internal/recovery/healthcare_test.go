package recovery

import (
	"encoding/csv"
	"errors"
	"strings"
	"testing"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/hetu"
)

func TestParseTerm(t *testing.T) {
	tests := []struct {
		in   string
		want Term
		ok   bool
	}{
		{"2026S", Term{Year: 2026}, true},
		{"2026A", Term{Year: 2026, Autumn: true}, true},
		{" 2025a ", Term{Year: 2025, Autumn: true}, true},
		{"2026X", Term{}, false},
		{"26S", Term{}, false},
		{"+026S", Term{}, false},
		{"2026", Term{}, false},
		{"", Term{}, false},
	}
	for _, tt := range tests {
		got, err := ParseTerm(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseTerm(%q) = %v, %v", tt.in, got, err)
		}
		if tt.ok && got.String() != strings.ToUpper(strings.TrimSpace(tt.in)) {
			t.Errorf("String() = %q", got.String())
		}
	}
}

func TestHealthcareDueAndFee(t *testing.T) {
	rules := DefaultRules()
	tests := []struct {
		name       string
		term       string
		registered string
		due        string
		fee        int64
	}{
		{"spring: 15.3.2025 is a Saturday, due Monday 17.3.", "2025S", "2025-01-15", "2025-03-17", 3560},
		{"spring: registered on 31.1. is in time", "2025S", "2025-01-31", "2025-03-17", 3560},
		{"spring: registered 5.2.2025 is due 31.7.2025", "2025S", "2025-02-05", "2025-07-31", 3560},
		{"autumn: 15.11.2025 is a Saturday, due 17.11.", "2025A", "2025-08-20", "2025-11-17", 3560},
		{"autumn: late registration changes nothing", "2025A", "2025-10-01", "2025-11-17", 3560},
		{"2026 spring: 15.3. is a Sunday", "2026S", "2026-01-12", "2026-03-16", 3535},
		{"2026 spring late: 31.7.2026 is a Friday", "2026S", "2026-03-01", "2026-07-31", 3535},
		{"2026 autumn: 15.11. is a Sunday", "2026A", "2026-08-15", "2026-11-16", 3535},

		// Before 2025: spring 31.1., autumn 30.9., no later date for late
		// registration.
		{"2024 spring: 31.1.2024 is a Wednesday", "2024S", "2024-01-10", "2024-01-31", 3680},
		{"2024 spring: late registration changes nothing", "2024S", "2024-02-05", "2024-01-31", 3680},
		{"2024 autumn: 30.9.2024 is a Monday", "2024A", "2024-08-20", "2024-09-30", 3680},
		{"2023 autumn: 30.9.2023 is a Saturday, due Monday 2.10.", "2023A", "2023-08-20", "2023-10-02", 3680},
		{"2022 spring: 31.1.2022 is a Monday", "2022S", "2022-01-10", "2022-01-31", 3580},
		{"2021 spring: 31.1.2021 is a Sunday, due Monday 1.2.", "2021S", "2021-01-10", "2021-02-01", 3580},
		{"2021 autumn: 30.9.2021 is a Thursday", "2021A", "2021-08-20", "2021-09-30", 3580},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			term, _ := ParseTerm(tt.term)
			claims, err := HealthcareFees([]StudentTerm{{Line: 2, PersonID: "p1", Term: term, Registered: d(tt.registered)}}, rules)
			if err != nil {
				t.Fatal(err)
			}
			c := claims[0]
			if c.DueDate != d(tt.due) || c.Principal != tt.fee || c.Kind != HealthcareFee || c.Status != Open || c.Term != term || c.PersonID != "p1" {
				t.Errorf("claim %+v, want due %s, fee %d", c, tt.due, tt.fee)
			}
		})
	}
}

func TestHealthcareFeesRefused(t *testing.T) {
	rules := DefaultRules()
	_, err := HealthcareFees([]StudentTerm{{Line: 2, Term: Term{Year: 2025}, Registered: d("2025-01-10")}}, rules)
	wantFault(t, err, "recovery.fee.person_unknown", "person")
	var ce *CSVError
	if !errors.As(err, &ce) || ce.Line != 2 {
		t.Errorf("err %v: want line 2", err)
	}
	// The sources give fees and due dates from 2021 (when the fee began)
	// and fees up to 2026.
	for _, term := range []Term{{Year: 2020, Autumn: true}, {Year: 2027, Autumn: true}} {
		_, err := HealthcareFees([]StudentTerm{{Line: 2, PersonID: "p1", Term: term, Registered: d("2020-08-10")}}, rules)
		if fault.KeyOf(err) != "recovery.rules.missing" {
			t.Errorf("%s: %v, want recovery.rules.missing", term, err)
		}
	}
}

func TestParseStudentsCSV(t *testing.T) {
	in := "person,term,registered\n" +
		"131052-308T,2025S,2025-01-15\n" +
		"\"010403A998U\",2025S,5.2.2025\n" +
		"\n" +
		"01J9Z3QK8V6ZK2Y5,2025A,2025-08-20\n"
	got, err := ParseStudentsCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []StudentTerm{
		{Line: 2, HETU: hetu.MustParse("131052-308T"), Term: Term{Year: 2025}, Registered: d("2025-01-15")},
		{Line: 3, HETU: hetu.MustParse("010403A998U"), Term: Term{Year: 2025}, Registered: d("2025-02-05")},
		{Line: 5, PersonID: "01J9Z3QK8V6ZK2Y5", Term: Term{Year: 2025, Autumn: true}, Registered: d("2025-08-20")},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d rows: %+v", len(got), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestParseStudentsCSVFormats(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"semicolons, columns in another order", "Registered;HETU;Term\r\n2025-01-15;131052-308T;2025S\r\n"},
		{"byte order mark", "\uFEFFperson,term,registered\n131052-308T,2025S,15.1.2025\n"},
		{"extra columns", "name,person_id,term,registered,note\nX,131052-308T,2025S,2025-01-15,\n"},
		{"spaces", "person, term, registered\n 131052-308T , 2025s , 2025-01-15 \n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseStudentsCSV(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].HETU.String() != "131052-308T" || got[0].Term != (Term{Year: 2025}) || got[0].Registered != d("2025-01-15") {
				t.Errorf("got %+v", got)
			}
		})
	}
}

func TestParseStudentsCSVErrors(t *testing.T) {
	const header = "person,term,registered\n"
	tests := []struct {
		name string
		in   string
		want []CSVError // Line, Column, Key
	}{
		{"empty file", "", []CSVError{{Line: 1, Key: "recovery.csv.empty"}}},
		{"missing column in the header", "person,term\n131052-308T,2025S\n", []CSVError{{Line: 1, Column: "registered", Key: "recovery.csv.missing_column"}}},
		{"bad term", header + "131052-308T,2025X,2025-01-15\n", []CSVError{{Line: 2, Column: "term", Key: "recovery.csv.bad_term"}}},
		{"bad date", header + "131052-308T,2025S,31.2.2025\n", []CSVError{{Line: 2, Column: "registered", Key: "recovery.csv.bad_date"}}},
		{"short row", header + "131052-308T,2025S\n", []CSVError{{Line: 2, Column: "registered", Key: "recovery.csv.missing_column"}}},
		{"empty value", header + ",2025S,2025-01-15\n", []CSVError{{Line: 2, Column: "person", Key: "recovery.csv.missing_value"}}},
		{"bad identity code", header + "131052-308U,2025S,2025-01-15\n", []CSVError{{Line: 2, Column: "person", Key: "recovery.csv.bad_identity_code"}}},
		{"bad person id", header + "not an id,2025S,2025-01-15\n", []CSVError{{Line: 2, Column: "person", Key: "recovery.csv.bad_person"}}},
		{"duplicate", header + "131052-308T,2025S,2025-01-15\n131052-308T,2025S,2025-02-15\n", []CSVError{{Line: 3, Key: "recovery.csv.duplicate"}}},
		{"malformed quotes", header + "131052-308T,\"2025S,2025-01-15\n", []CSVError{{Line: 2, Key: "recovery.csv.malformed"}}},
		{"every bad row, with its line", header + "131052-308T,2025S,2025-01-15\nx y,2025Q,2025-13-01\n010403A998U,2025S,2025-01-15\n\n010403A998U,2025A,1.1.25\n",
			[]CSVError{
				{Line: 3, Column: "person", Key: "recovery.csv.bad_person"},
				{Line: 3, Column: "term", Key: "recovery.csv.bad_term"},
				{Line: 3, Column: "registered", Key: "recovery.csv.bad_date"},
				{Line: 6, Column: "registered", Key: "recovery.csv.bad_date"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := ParseStudentsCSV(strings.NewReader(tt.in))
			if rows != nil {
				t.Errorf("rows returned with errors: %+v", rows)
			}
			var errs CSVErrors
			if !errors.As(err, &errs) {
				t.Fatalf("err = %v, want CSVErrors", err)
			}
			if len(errs) != len(tt.want) {
				t.Fatalf("errors %v, want %d", err, len(tt.want))
			}
			for i, w := range tt.want {
				if errs[i].Line != w.Line || errs[i].Column != w.Column || errs[i].Key != w.Key {
					t.Errorf("error %d = line %d %q %s, want line %d %q %s", i, errs[i].Line, errs[i].Column, errs[i].Key, w.Line, w.Column, w.Key)
				}
			}
			// The errors are faults for the user interface...
			if fault.KindOf(err) != fault.Invalid || fault.KeyOf(err) != tt.want[0].Key {
				t.Errorf("fault kind %v key %q", fault.KindOf(err), fault.KeyOf(err))
			}
			// ...and never carry an identity code into the logs.
			if strings.Contains(err.Error(), "131052") || strings.Contains(err.Error(), "010403") {
				t.Errorf("error text carries an identity code: %v", err)
			}
		})
	}
}

func TestParseStudentsCSVStopsAtMaxErrors(t *testing.T) {
	in := "person,term,registered\n" + strings.Repeat("p1,bad,2025-01-01\n", 2*MaxCSVErrors)
	_, err := ParseStudentsCSV(strings.NewReader(in))
	var errs CSVErrors
	if !errors.As(err, &errs) || len(errs) != MaxCSVErrors {
		t.Errorf("%d errors, want %d", len(errs), MaxCSVErrors)
	}
}

// FuzzParseStudentsCSV checks the parser never panics, that what it accepts
// is whole, and that writing the rows back and reading them again gives
// the same rows.
func FuzzParseStudentsCSV(f *testing.F) {
	f.Add("person,term,registered\n131052-308T,2025S,2025-01-15\n")
	f.Add("registered;hetu;term\n5.2.2025;010403A998U;2025s\n")
	f.Add("person,term,registered\np-1,2026A,2026-08-01\np-2,2026S,1.1.2026\n")
	f.Add("person,term\n\"a\"\"b\",x\n")
	f.Add("\uFEFFperson,term,registered\n,,\n")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := ParseStudentsCSV(strings.NewReader(in))
		if err != nil {
			var errs CSVErrors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("error %v is not CSVErrors", err)
			}
			for _, e := range errs {
				if e.Line < 1 || e.Key == "" {
					t.Fatalf("bad error %+v", e)
				}
			}
			return
		}
		var b strings.Builder
		w := csv.NewWriter(&b)
		w.Write([]string{"person", "term", "registered"})
		for _, r := range rows {
			if r.Term.IsZero() || !r.Registered.IsValid() || r.HETU.IsZero() == (r.PersonID == "") {
				t.Fatalf("incomplete row %+v", r)
			}
			person := r.PersonID
			if person == "" {
				person = r.HETU.String()
			}
			w.Write([]string{person, r.Term.String(), r.Registered.String()})
		}
		w.Flush()
		again, err := ParseStudentsCSV(strings.NewReader(b.String()))
		if err != nil {
			t.Fatalf("re-reading %q: %v", b.String(), err)
		}
		if len(again) != len(rows) {
			t.Fatalf("%d rows, then %d", len(rows), len(again))
		}
		for i := range rows {
			a, b := rows[i], again[i]
			a.Line, b.Line = 0, 0
			if a != b {
				t.Fatalf("row %d: %+v, then %+v", i, a, b)
			}
		}
	})
}
