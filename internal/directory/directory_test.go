package directory

import (
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/org"
)

func helsinki(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, civil.Finland)
}

// TestEaster2024 is seed 000: closed on Good Friday 29.3 and Easter
// Monday 1.4.2024; the phone service open 9–13 on Maundy Thursday 28.3.
func TestEaster2024(t *testing.T) {
	units, contacts, err := org.Reference()
	if err != nil {
		t.Fatal(err)
	}
	ex, err := BuiltIn(units)
	if err != nil {
		t.Fatal(err)
	}
	phone := contacts[0] // the Recovery Centre's line, mon-fri 10-15
	if phone.Kind != "phone" || phone.Opens != "10:00" {
		t.Fatalf("contact 0 = %+v", phone)
	}
	for _, c := range []struct {
		at         time.Time
		open       bool
		closes     time.Time
		opens      time.Time
		exceptionQ bool
	}{
		{at: helsinki(2024, 3, 27, 14, 59), open: true, closes: helsinki(2024, 3, 27, 15, 0)},
		{at: helsinki(2024, 3, 28, 8, 0), opens: helsinki(2024, 3, 28, 9, 0), exceptionQ: true},
		{at: helsinki(2024, 3, 28, 9, 0), open: true, closes: helsinki(2024, 3, 28, 13, 0), exceptionQ: true},
		{at: helsinki(2024, 3, 28, 13, 0), opens: helsinki(2024, 4, 2, 10, 0), exceptionQ: true},
		{at: helsinki(2024, 3, 29, 11, 0), opens: helsinki(2024, 4, 2, 10, 0)},
		{at: helsinki(2024, 4, 1, 11, 0), opens: helsinki(2024, 4, 2, 10, 0)},
		{at: helsinki(2024, 4, 2, 10, 0), open: true, closes: helsinki(2024, 4, 2, 15, 0)},
	} {
		st := StatusAt(phone, c.at, ex)
		if st.Open != c.open || !st.Closes.Equal(c.closes) || !st.Opens.Equal(c.opens) || st.Today.Exception != c.exceptionQ {
			t.Errorf("at %s: %+v", c.at, st)
		}
	}
	if d := HoursOn(phone, civil.New(2024, 3, 29), ex); d.Open || d.Holiday != "good-friday" {
		t.Errorf("Good Friday = %+v", d)
	}
	// The postal address has no hours and is never "open".
	if st := StatusAt(contacts[2], helsinki(2024, 3, 27, 12, 0), ex); st.HasHours || st.Open {
		t.Errorf("postal = %+v", st)
	}
}

// TestDST: on the Sunday clocks go forward (31.3.2024) and back
// (27.10.2024), opening times stay at 10:00 Finnish time.
func TestDST(t *testing.T) {
	_, contacts, _ := org.Reference()
	phone := contacts[0]
	// Saturday before the spring change: next opening Tuesday 2.4 (Easter
	// Monday closed), at 10:00 EEST = 07:00 UTC.
	st := StatusAt(phone, helsinki(2024, 3, 30, 12, 0), nil)
	if want := time.Date(2024, 4, 2, 7, 0, 0, 0, time.UTC); !st.Opens.Equal(want) {
		t.Errorf("spring: opens %s, want %s", st.Opens.UTC(), want)
	}
	// Autumn: Saturday 26.10, next opening Monday 28.10 at 10:00 EET = 08:00 UTC.
	st = StatusAt(phone, helsinki(2024, 10, 26, 12, 0), nil)
	if want := time.Date(2024, 10, 28, 8, 0, 0, 0, time.UTC); !st.Opens.Equal(want) {
		t.Errorf("autumn: opens %s, want %s", st.Opens.UTC(), want)
	}
}

func TestLoadExceptionsRefuses(t *testing.T) {
	units, _, _ := org.Reference()
	for json, want := range map[string]string{
		`[{"date":"2024-03-28","unit":"nowhere"}]`:                                                  "unknown unit",
		`[{"date":"2024-03-28","unit":"*","opens":"13:00","closes":"09:00"}]`:                       "not a time range",
		`[{"date":"2024-03-28","unit":"*","opens":"09:00"}]`:                                        "both",
		`[{"date":"2024-03-28","unit":"*","kind":"phone"},{"date":"2024-03-28","unit":"recovery"}]`: "overlap",
		`[{"date":"2024-03-28","unit":"*","colour":"red"}]`:                                         "unknown field",
	} {
		if _, err := LoadExceptions(strings.NewReader(json), units); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", json, err, want)
		}
	}
}

func TestCheckNotice(t *testing.T) {
	now := helsinki(2025, 3, 30, 12, 0)
	ok := Notice{Services: []string{"payment_plans"}, Starts: helsinki(2025, 3, 31, 0, 0), Ends: helsinki(2025, 4, 3, 0, 0),
		Texts: map[string]string{"fi": "Maksulomake ei ole käytössä.", "sv": "Betalningsblanketten är inte i bruk.", "en": "The payment form is unavailable."}}
	if _, err := CheckNotice(ok, now); err != nil {
		t.Fatal(err)
	}
	bad := func(f func(n *Notice)) error {
		n := ok
		n.Texts = map[string]string{"fi": ok.Texts["fi"], "sv": ok.Texts["sv"], "en": ok.Texts["en"]}
		f(&n)
		_, err := CheckNotice(n, now)
		return err
	}
	for field, err := range map[string]error{
		"services": bad(func(n *Notice) { n.Services = []string{"teleport"} }),
		"ends":     bad(func(n *Notice) { n.Ends = n.Starts.Add(-time.Hour) }),
		"text_sv":  bad(func(n *Notice) { n.Texts["sv"] = "  " }),
	} {
		if !fault.Is(err, fault.Invalid) || fault.FieldOf(err) != field {
			t.Errorf("%s: %v", field, err)
		}
	}
	if !ok.ActiveAt(helsinki(2025, 4, 1, 12, 0)) || ok.ActiveAt(now) {
		t.Error("ActiveAt")
	}
}
