package desk

import (
	"testing"

	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/viite"
	"github.com/etuus/etuus/internal/mandate"
	"github.com/etuus/etuus/internal/message"
)

func TestParseQuery(t *testing.T) {
	for _, c := range []struct {
		text, birth string
		by          By
		field, key  string
	}{
		{"131052-308T", "", ByHETU, "", ""},
		{" 131052-308t ", "", ByHETU, "", ""},
		{"131052-308X", "", "", "q", "desk.error.hetu"},
		{"EE/FI/49001010099", "", ByEIDAS, "", ""},
		{"0191a2b3-0000-7000-8000-000000000001", "", ByReference, "", ""},
		{"12345 67892", "", "", "q", "desk.error.reference"},
		{viite.RFFromNational(viite.MustNew("1234561")).Grouped(), "", ByReference, "", ""},
		{viite.MustNew("1234561").Grouped(), "", ByReference, "", ""},
		{"Virtanen", "1.1.1990", ByName, "", ""},
		{"Virtanen", "", "", "birth", "desk.error.birth_needed"},
		{"Virtanen", "31.2.1990", "", "birth", "desk.error.birth"},
		{"Virtanen; DROP", "1.1.1990", "", "q", "desk.error.name"},
		{"", "", "", "q", "desk.error.empty"},
	} {
		q, err := ParseQuery(c.text, c.birth, 0)
		if c.key != "" {
			if fault.FieldOf(err) != c.field || fault.KeyOf(err) != c.key {
				t.Errorf("ParseQuery(%q, %q) = %v, want %s on %s", c.text, c.birth, err, c.key, c.field)
			}
			continue
		}
		if err != nil || q.By != c.by {
			t.Errorf("ParseQuery(%q, %q) = %+v, %v; want by %s", c.text, c.birth, q, err, c.by)
		}
	}
}

func TestNameMatches(t *testing.T) {
	p := customer.Person{GivenName: "Matti Juhani", FamilyName: "Virtanen-Korhonen"}
	for words, want := range map[string]bool{
		"matti": true, "juh": true, "virtanen-korhonen": true, "korhonen": true, "matti korh": true,
		"maija": false, "matti maija": false,
	} {
		if got := NameMatches(p, nameWords(words)); got != want {
			t.Errorf("NameMatches(%q) = %v", words, got)
		}
	}
}

func TestCheckPurpose(t *testing.T) {
	if _, err := CheckPurpose(Purpose{Topic: "gossip"}); fault.FieldOf(err) != "purpose" {
		t.Errorf("unknown topic: %v", err)
	}
	p, err := CheckPurpose(Purpose{Topic: "phone", Text: "kept away"})
	if err != nil || p.Text != "" {
		t.Errorf("a topic drops the text: %+v %v", p, err)
	}
	long := make([]rune, MaxPurposeText+1)
	for i := range long {
		long[i] = 'x'
	}
	if _, err := CheckPurpose(Purpose{Topic: PurposeOther, Text: string(long)}); fault.FieldOf(err) != "purpose_text" {
		t.Errorf("long text: %v", err)
	}
	unit, role, got := parseDetail(detail("recovery", "specialist", Purpose{Topic: PurposeOther, Text: "a&b=c"}))
	if unit != "recovery" || role != "specialist" || got.Text != "a&b=c" {
		t.Errorf("detail round trip: %s %s %+v", unit, role, got)
	}
}

func TestNoticeReach(t *testing.T) {
	for c, want := range map[message.Consent]Reach{
		{Channel: message.ChannelNone}:                                                          ReachNoChannel,
		{AllowMessages: true, Channel: message.ChannelEmail, Address: "a@b.fi"}:                 ReachUnverified,
		{Channel: message.ChannelSMS, Address: "+358401234567", Verified: true}:                 ReachNoConsent,
		{AllowMessages: true, Channel: message.ChannelEmail, Address: "a@b.fi", Verified: true}: ReachYes,
	} {
		if got := NoticeReach(c); got != want {
			t.Errorf("NoticeReach(%+v) = %s, want %s", c, got, want)
		}
	}
}

// FuzzParseQuery: whatever is typed, the parse answers a query or a
// translated refusal, never a panic.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"131052-308T", "EE/FI/1", "RF18539007547034", "Virtanen", "ä-ö", "0191a2b3-0000-7000-8000-000000000001"} {
		f.Add(s, "1.1.1990")
	}
	f.Fuzz(func(t *testing.T, text, birth string) {
		q, err := ParseQuery(text, birth, 0)
		if err != nil {
			if fault.KeyOf(err) == "" || fault.FieldOf(err) == "" {
				t.Fatalf("refusal without key or field: %v", err)
			}
			return
		}
		if q.By == "" || (q.By == ByName && (len(q.Words) == 0 || q.Birth.IsZero())) {
			t.Fatalf("query %+v from %q %q", q, text, birth)
		}
	})
}

// A mandate's parties in the 360 view: the customer as themselves, an
// organisation by business ID, another person only masked.
func TestViewParty(t *testing.T) {
	v := View{Person: customer.Person{HETU: "010403A998U"}}
	for _, c := range []struct {
		p    mandate.Party
		want string
	}{
		{mandate.Org("2077474-0"), "2077474-0"},
		{mandate.Pers("010403A998U"), ""},
		{mandate.Pers("100871-998D"), "100871-****"},
		{mandate.Pers("x"), "****"},
	} {
		if got := v.Party(c.p); got != c.want {
			t.Errorf("Party(%v) = %q, want %q", c.p, got, c.want)
		}
	}
}
