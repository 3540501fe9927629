package payment

import (
	"strings"
	"testing"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/iban"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/outbox"
)

func TestValidAccount(t *testing.T) {
	for _, c := range []struct {
		name, iban, holder string
		acct, holderOut    string
		fields             map[string]string
	}{
		{"Finnish, print form", "fi21 1234 5600 0007 85", "  Maija   Meikäläinen ", "FI2112345600000785", "Maija Meikäläinen", nil},
		{"German", "DE89 3704 0044 0532 0130 00", "Max Mustermann", "DE89370400440532013000", "Max Mustermann", nil},
		{"check digits", "FI21 1234 5600 0007 86", "Maija", "", "", map[string]string{"iban": ErrAccountIBAN}},
		{"not an IBAN", "12345-678", "Maija", "", "", map[string]string{"iban": ErrAccountIBAN}},
		{"outside SEPA (Brazil)", "BR18 0036 0305 0000 1000 9795 493C 1", "Maija", "", "", map[string]string{"iban": ErrAccountSEPA}},
		{"outside SEPA (Turkey)", "TR33 0006 1005 1978 6457 8413 26", "Maija", "", "", map[string]string{"iban": ErrAccountSEPA}},
		{"no holder", "FI2112345600000785", " ", "", "", map[string]string{"holder": ErrAccountHolder}},
		{"holder too long", "FI2112345600000785", strings.Repeat("ä", MaxHolder+1), "", "", map[string]string{"holder": ErrAccountHolder}},
		{"holder with a control character", "FI2112345600000785", "Maija\x00", "", "", map[string]string{"holder": ErrAccountHolder}},
		{"both wrong", "", "", "", "", map[string]string{"iban": ErrAccountIBAN, "holder": ErrAccountHolder}},
	} {
		t.Run(c.name, func(t *testing.T) {
			acct, holder, err := ValidAccount(AccountInput{IBAN: c.iban, Holder: c.holder})
			got := map[string]string{}
			for _, f := range fault.All(err) {
				if f.Kind != fault.Invalid {
					t.Errorf("%s is %v, not Invalid", f.Field, f.Kind)
				}
				got[f.Field] = f.Key
			}
			if len(got) != len(c.fields) {
				t.Fatalf("errors %v, want %v", got, c.fields)
			}
			for k, v := range c.fields {
				if got[k] != v {
					t.Errorf("errors %v, want %v", got, c.fields)
				}
			}
			if c.fields == nil && (acct.String() != c.acct || holder != c.holderOut) {
				t.Errorf("= %q %q, want %q %q", acct, holder, c.acct, c.holderOut)
			}
		})
	}
}

// FuzzValidAccount: any input is accepted or refused with field
// messages, never a panic; an accepted account is a valid IBAN and a
// holder of at most MaxHolder characters with no control characters.
func FuzzValidAccount(f *testing.F) {
	f.Add("FI21 1234 5600 0007 85", "Maija")
	f.Add("BR1800360305000010009795493C1", "")
	f.Add("iban de89370400440532013000", "\tA\nB")
	f.Fuzz(func(t *testing.T, in, holder string) {
		acct, h, err := ValidAccount(AccountInput{IBAN: in, Holder: holder})
		if err != nil {
			for _, f := range fault.All(err) {
				if f.Field != "iban" && f.Field != "holder" {
					t.Fatalf("field %q", f.Field)
				}
			}
			return
		}
		if _, perr := iban.Parse(acct.String()); perr != nil || h == "" || len([]rune(h)) > MaxHolder || strings.ContainsAny(h, "\x00\n\t") {
			t.Fatalf("accepted %q %q as %q %q", in, holder, acct, h)
		}
	})
}

func TestMaskIBAN(t *testing.T) {
	for in, want := range map[string]string{
		"FI2112345600000785":          "FI•• … 0785",
		"fi21 1234 5600 0007 85":      "FI•• … 0785",
		"DE89 3704 0044 0532 0130 00": "DE•• … 3000",
		"FI21":                        "••••",
		"":                            "",
	} {
		if got := MaskIBAN(in); got != want {
			t.Errorf("MaskIBAN(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAccountAppliesFrom: a change applies from the first banking day
// no run has recorded yet.
func TestAccountAppliesFrom(t *testing.T) {
	d := civil.New
	for _, c := range []struct {
		name           string
		today, lastRun civil.Date
		want           civil.Date
	}{
		{"no run ever, a banking day", d(2026, 12, 2), civil.Date{}, d(2026, 12, 2)},
		{"today's run not yet done", d(2026, 12, 2), d(2026, 12, 1), d(2026, 12, 2)},
		{"today's run done", d(2026, 12, 2), d(2026, 12, 2), d(2026, 12, 3)},
		{"a Saturday", d(2026, 12, 5), d(2026, 12, 4), d(2026, 12, 7)},
		{"before Independence Day and the weekend", d(2026, 12, 4), d(2026, 12, 4), d(2026, 12, 7)},
		{"Maundy Thursday's run done: after Easter", d(2025, 4, 17), d(2025, 4, 17), d(2025, 4, 22)},
		{"a run already for a later day", d(2024, 3, 20), d(2024, 3, 26), d(2024, 3, 27)},
	} {
		if got := AccountAppliesFrom(c.today, c.lastRun); got != c.want {
			t.Errorf("%s: AccountAppliesFrom(%s, %s) = %s, want %s", c.name, c.today, c.lastRun, got, c.want)
		}
	}
}

// TestReaches: a notice goes by e-mail or SMS only to a proved address;
// the account-changed notice also when the customer allowed no messages.
func TestReaches(t *testing.T) {
	proved := message.Consent{Channel: message.ChannelEmail, Address: "a@example.fi", Verified: true}
	allowed := proved
	allowed.AllowMessages = true
	unproved := allowed
	unproved.Verified = false
	for _, c := range []struct {
		name     string
		c        message.Consent
		security bool
		want     bool
	}{
		{"allowed and proved", allowed, false, true},
		{"not allowed", proved, false, false},
		{"not allowed, security", proved, true, true},
		{"not proved, security", unproved, true, false},
		{"no channel, security", message.Consent{Channel: message.ChannelNone}, true, false},
		{"never chose", message.Consent{}, true, false},
	} {
		if got := Reaches(c.c, c.security); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// TestNoticeKindsCarryNoData: the e-mail and SMS notices are the fixed
// texts whatever the item says.
func TestNoticeKindsCarryNoData(t *testing.T) {
	t.Parallel()
	var asked []string
	tr := func(lang, key string, args ...any) string {
		if len(args) > 0 {
			t.Errorf("%s written with data %v", key, args)
		}
		asked = append(asked, key)
		return key
	}
	kinds, err := outbox.NewKinds(NoticeKinds(tr))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []outbox.Kind{NoticeMessage, NoticeAccountChanged} {
		for _, ch := range []outbox.Channel{outbox.Email, outbox.SMS} {
			if _, _, err := kinds.Render(outbox.Item{Kind: k, Channel: ch, Lang: "fi", Payload: "FI2112345600000785"}); err != nil {
				t.Error(err)
			}
		}
	}
	if len(asked) != 6 {
		t.Errorf("texts asked: %v", asked)
	}
}

// The preview and the change write the accounts the same way before the
// confirmation's digest is compared: an account kept in another form (a
// space, small letters, one that does not parse) still confirms.
func TestAccountSetIsOneForm(t *testing.T) {
	kept := []string{"fi21 1234 5600 0007 85", "xx12 bad", "FI2112345600000785"}
	read := []string{"FI2112345600000785", "XX12BAD"}
	if a, b := AccountsToken(accountSet(kept)), AccountsToken(accountSet(read)); a != b {
		t.Fatalf("%v -> %v, %v -> %v", kept, accountSet(kept), read, accountSet(read))
	}
}
