package mandate

import (
	"strings"
	"testing"

	"github.com/etuus/etuus/internal/fault"
)

const goodLine = `{"id":"M-1","principal":{"kind":"organisation","id":"2077474-0","name":"Firma Oy"},"agent":{"kind":"person","id":"010403A998U"},"type":"representation","issues":["employer_benefits"],"start":"2026-01-01","end":"2026-12-31","restriction":["1572860-0"]}`

func TestParseLine(t *testing.T) {
	cat := DefaultCatalogue()
	l, err := cat.ParseLine([]byte(goodLine))
	if err != nil {
		t.Fatal(err)
	}
	if l.Op != Put || l.Mandate.Type != Representation || l.Names["2077474-0"] != "Firma Oy" || l.Mandate.Restriction[0] != "1572860-0" {
		t.Errorf("parsed %+v", l)
	}
	if l, err := cat.ParseLine([]byte(`{"id":"M-1","op":"revoke"}`)); err != nil || l.Op != Revoke {
		t.Errorf("revoke: %+v %v", l, err)
	}
	for _, c := range []struct{ line, key string }{
		{`{"id":"M-1"`, "mandate.error.json"},
		{`{"id":"M-1","extra":1}`, "mandate.error.json"},
		{`{"id":"M-1","op":"revoke"} {}`, "mandate.error.json"},
		{`{"id":"M-1","op":"renew"}`, "mandate.error.op"},
		{`{"id":"M-1","op":"revoke","type":"transaction"}`, "mandate.error.revoke_fields"},
		{`{"id":""}`, "mandate.error.id"},
		{`{"id":"M-1","type":"transaction"}`, "mandate.error.parties"},
		{strings.Replace(goodLine, `"end":"2026-12-31"`, `"end":"2025-12-31"`, 1), "mandate.error.end_before_start"},
		{strings.Replace(goodLine, `"end":"2026-12-31"`, `"end":"2026-13-01"`, 1), "mandate.error.dates"},
		{strings.Replace(goodLine, `"end":"2026-12-31"`, `"end":"2060-01-01"`, 1), "mandate.error.too_long"},
		{strings.Replace(goodLine, `"representation"`, `"transaction"`, 1), "mandate.error.specifier_type"},
		{strings.Replace(goodLine, `"employer_benefits"`, `"pensions"`, 1), "mandate.error.issue"},
		{strings.Replace(goodLine, `"2077474-0"`, `"0737546-1"`, 1), "mandate.error.business_id"},
		{strings.Replace(goodLine, `"010403A998U"`, `"131052-308U"`, 1), "mandate.error.identity_code"},
		{strings.Replace(goodLine, `"id":"010403A998U"`, `"id":"010403A998U","name":"Maija"`, 1), "mandate.error.person_name"},
	} {
		_, err := cat.ParseLine([]byte(c.line))
		if fault.KeyOf(err) != c.key || !fault.Is(err, fault.Invalid) {
			t.Errorf("%s: got %v, want %s", c.line, err, c.key)
		}
	}
}

func TestScanFeedNamesTheLine(t *testing.T) {
	cat := DefaultCatalogue()
	feed := goodLine + "\n\n" + `{"id":"M-2","op":"revoke"}` + "\n" + strings.Replace(goodLine, "2026-12-31", "2025-01-01", 1) + "\n"
	var seen []int
	err := cat.ScanFeed(strings.NewReader(feed), func(n int, l Line) error { seen = append(seen, n); return nil })
	var le *LineError
	if err == nil || !asLineError(err, &le) || le.Line != 4 || fault.KeyOf(le.Err) != "mandate.error.end_before_start" {
		t.Fatalf("got %v", err)
	}
	if d := fault.DataOf(err); d["Line"] != 4 || d["Reason"] != "mandate.error.end_before_start" {
		t.Errorf("data %v", d)
	}
	if len(seen) != 2 || seen[0] != 1 || seen[1] != 3 {
		t.Errorf("lines seen %v", seen)
	}
}

func asLineError(err error, le **LineError) bool {
	for err != nil {
		if e, ok := err.(*LineError); ok {
			*le = e
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

// FuzzParseLine: any bytes are either refused as invalid input or give a
// mandate that passes the register's check again unchanged.
func FuzzParseLine(f *testing.F) {
	cat := DefaultCatalogue()
	f.Add([]byte(goodLine))
	f.Add([]byte(`{"id":"M-1","op":"revoke"}`))
	f.Add([]byte(`{"id":"x","principal":{"kind":"person","id":"010403A998U"},"agent":{"kind":"organisation","id":"2077474-0"},"type":"transaction","issues":["occupational_healthcare","decisions"],"start":"2026-02-29","end":"2027-01-01","restriction":["12"]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := cat.ParseLine(b)
		if err != nil {
			if !fault.Is(err, fault.Invalid) {
				t.Fatalf("refused as %v, not as invalid input", err)
			}
			return
		}
		if l.Op == Revoke {
			return
		}
		again, err := cat.Check(l.Mandate)
		if err != nil {
			t.Fatalf("a parsed mandate fails the check: %v", err)
		}
		if Hash(again) != Hash(l.Mandate) {
			t.Fatalf("the check changed a parsed mandate")
		}
		if l.Mandate.End.Before(l.Mandate.Start) {
			t.Fatalf("end before start accepted")
		}
	})
}
