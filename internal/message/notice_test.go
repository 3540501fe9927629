package message

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/etuus/etuus/internal/outbox"
)

// gsm7 is the GSM 03.38 basic character set: an SMS in it alone fits 160
// characters in one message, one outside it cuts that to 70.
const gsm7 = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

func TestNoticeTextInEveryLanguage(t *testing.T) {
	seen := map[string]bool{}
	for _, lang := range []string{"fi", "sv", "en"} {
		subject, body := NoticeText(lang, ChannelEmail)
		if strings.TrimSpace(subject) == "" || strings.TrimSpace(body) == "" {
			t.Errorf("%s: no e-mail notice: %q, %q", lang, subject, body)
		}
		subjectSMS, sms := NoticeText(lang, ChannelSMS)
		if subjectSMS != "" || strings.TrimSpace(sms) == "" {
			t.Errorf("%s: SMS notice = %q, %q; want a body only", lang, subjectSMS, sms)
		}
		if n := utf8.RuneCountInString(sms); n > 160 || strings.ContainsFunc(sms, func(r rune) bool { return !strings.ContainsRune(gsm7, r) }) {
			t.Errorf("%s: SMS of %d characters, or outside GSM 03.38, takes more than one message: %q", lang, n, sms)
		}
		for _, text := range []string{subject, body, sms} {
			if seen[text] {
				t.Errorf("%s: %q is also another language's text", lang, text)
			}
			seen[text] = true
			// A notice is sent as is: nothing in it to fill in, and no link.
			if strings.ContainsAny(text, "{}%<") || strings.Contains(text, "http") || strings.Contains(text, "www.") {
				t.Errorf("%s: %q has a placeholder or a link", lang, text)
			}
		}
	}
	if s, b := NoticeText("de", ChannelEmail); s != notices["fi"].emailSubject || b != notices["fi"].emailBody {
		t.Errorf("a language etuus does not speak: %q; want Finnish", s)
	}
	for _, ch := range []Channel{ChannelNone, "fax", ""} {
		if s, b := NoticeText("fi", ch); s != "" || b != "" {
			t.Errorf("NoticeText(fi, %q) = %q, %q; want nothing", ch, s, b)
		}
	}
	if langs := len(notices); langs != 3 {
		t.Errorf("notices in %d languages; want fi, sv and en", langs)
	}
}

func TestNormalizeConsent(t *testing.T) {
	tests := []struct {
		name string
		in   Consent
		want Consent
		key  string
	}{
		{"no permission", Consent{AllowMessages: false, Channel: ChannelEmail, Address: "anna@example.fi"}, Consent{Channel: ChannelNone}, ""},
		{"permission without notices", Consent{AllowMessages: true, Channel: ChannelNone, Address: "x"}, Consent{AllowMessages: true, Channel: ChannelNone}, ""},
		{"e-mail", Consent{AllowMessages: true, Channel: ChannelEmail, Address: " Anna.Virtanen@Example.FI "}, Consent{AllowMessages: true, Channel: ChannelEmail, Address: "anna.virtanen@example.fi"}, ""},
		{"Finnish mobile", Consent{AllowMessages: true, Channel: ChannelSMS, Address: "040 123 4567"}, Consent{AllowMessages: true, Channel: ChannelSMS, Address: "+358401234567"}, ""},
		{"international with 00", Consent{AllowMessages: true, Channel: ChannelSMS, Address: "00372 5123 4567"}, Consent{AllowMessages: true, Channel: ChannelSMS, Address: "+37251234567"}, ""},
		{"international", Consent{AllowMessages: true, Channel: ChannelSMS, Address: "+358 (40) 123-4567", Verified: true}, Consent{AllowMessages: true, Channel: ChannelSMS, Address: "+358401234567", Verified: true}, ""},

		{"unknown channel", Consent{AllowMessages: true, Channel: "fax"}, Consent{}, "message.error.consent_channel"},
		{"empty channel", Consent{AllowMessages: true}, Consent{}, "message.error.consent_channel"},
		{"no e-mail address", Consent{AllowMessages: true, Channel: ChannelEmail}, Consent{}, "message.error.consent_email"},
		{"e-mail with a name", Consent{AllowMessages: true, Channel: ChannelEmail, Address: "Anna <anna@example.fi>"}, Consent{}, "message.error.consent_email"},
		{"e-mail without a domain", Consent{AllowMessages: true, Channel: ChannelEmail, Address: "anna@localhost"}, Consent{}, "message.error.consent_email"},
		{"phone number as an e-mail address", Consent{AllowMessages: true, Channel: ChannelEmail, Address: "0401234567"}, Consent{}, "message.error.consent_email"},
		{"no phone number", Consent{AllowMessages: true, Channel: ChannelSMS}, Consent{}, "message.error.consent_phone"},
		{"letters in the number", Consent{AllowMessages: true, Channel: ChannelSMS, Address: "040 ABC 4567"}, Consent{}, "message.error.consent_phone"},
		{"too short", Consent{AllowMessages: true, Channel: ChannelSMS, Address: "112"}, Consent{}, "message.error.consent_phone"},
		{"e-mail address as a phone number", Consent{AllowMessages: true, Channel: ChannelSMS, Address: "anna@example.fi"}, Consent{}, "message.error.consent_phone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeConsent(tt.in)
			wantKey(t, err, tt.key)
			if err == nil && got != tt.want {
				t.Errorf("NormalizeConsent = %+v; want %+v", got, tt.want)
			}
		})
	}
}

func TestNotifies(t *testing.T) {
	ok := Consent{AllowMessages: true, Channel: ChannelSMS, Address: "+358401234567", Verified: true}
	if !ok.Notifies() {
		t.Error("a verified number with permission gets no notice")
	}
	for name, c := range map[string]Consent{
		"no permission": {Channel: ChannelSMS, Address: "+358401234567", Verified: true},
		"no channel":    {AllowMessages: true, Channel: ChannelNone, Address: "+358401234567", Verified: true},
		"not verified":  {AllowMessages: true, Channel: ChannelSMS, Address: "+358401234567"},
		"no address":    {AllowMessages: true, Channel: ChannelSMS, Verified: true},
	} {
		if c.Notifies() {
			t.Errorf("%s: Notifies() = true", name)
		}
	}
}

func TestCustomerView(t *testing.T) {
	msgs := []Message{
		{ID: "1", Author: AuthorCustomer, Body: "Kysymys"},
		{ID: "2", Author: AuthorStaff, Body: "Tarkista maksut ensin", Internal: true},
		{ID: "3", Author: AuthorStaff, Body: "Vastaus"},
		{ID: "4", Author: AuthorSystem, Body: "Siirretty"},
	}
	var ids []string
	for _, m := range CustomerView(msgs) {
		ids = append(ids, m.ID)
	}
	if !slices.Equal(ids, []string{"1", "3", "4"}) {
		t.Errorf("the customer sees %v; want 1, 3, 4 without the staff note", ids)
	}
}

func TestKindsAreValid(t *testing.T) {
	for _, ok := range []bool{
		PartyCustomer.Valid(), PartyOrganisation.Valid(), !PartyKind("person").Valid(),
		StatusOpen.Valid(), StatusAnswered.Valid(), StatusClosed.Valid(), !Status("").Valid(),
		AuthorCustomer.Valid(), AuthorStaff.Valid(), AuthorSystem.Valid(), !AuthorKind("bot").Valid(),
		ChannelNone.Valid(), ChannelEmail.Valid(), ChannelSMS.Valid(), !Channel("").Valid(),
	} {
		if !ok {
			t.Error("a kind's Valid is wrong")
		}
	}
}

// FuzzNormalizeConsent feeds arbitrary addresses: an accepted consent is
// in stored form (normalising it again changes nothing), an e-mail address
// has no line break, and a phone number is +, then digits.
func FuzzNormalizeConsent(f *testing.F) {
	for _, s := range []string{"040 123 4567", "+358401234567", "Maija@Example.FI", "a@b", "\r\nBcc: x@y", "+0", "00358 40 1"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, addr string, sms bool) {
		ch := ChannelEmail
		if sms {
			ch = ChannelSMS
		}
		c, err := NormalizeConsent(Consent{AllowMessages: true, Channel: ch, Address: addr})
		if err != nil {
			return
		}
		again, err := NormalizeConsent(c)
		if err != nil || again != c {
			t.Fatalf("not stable: %+v → %+v, %v", c, again, err)
		}
		if strings.ContainsAny(c.Address, "\r\n") {
			t.Fatalf("line break in %q", c.Address)
		}
		if sms {
			if len(c.Address) < 2 || c.Address[0] != '+' || strings.Trim(c.Address[1:], "0123456789") != "" {
				t.Fatalf("phone number %q", c.Address)
			}
		}
	})
}

func TestNoticeKinds(t *testing.T) {
	tr := func(lang, key string, args ...any) string { return lang + ":" + key + fmt.Sprint(args...) }
	got := map[outbox.Kind]outbox.Renderer{}
	for _, k := range NoticeKinds(tr) {
		got[k.Kind] = k.Render
	}
	if len(got) != 3 {
		t.Fatalf("kinds = %v", got)
	}
	s, text, err := got[NoticeNewMessage](outbox.Item{Lang: "sv", Channel: outbox.Email, Payload: "secret"})
	if err != nil || s != notices["sv"].emailSubject || text != notices["sv"].emailBody {
		t.Errorf("new message = %q %q %v", s, text, err)
	}
	if _, text, _ := got[NoticeNewMessage](outbox.Item{Lang: "fi", Channel: outbox.SMS}); text != notices["fi"].sms {
		t.Errorf("new message by SMS = %q", text)
	}
	if s, text, _ := got[NoticeVerifyCode](outbox.Item{Lang: "en", Payload: "123456"}); s != "en:message.notify.code_subject" || !strings.Contains(text, "Code123456") {
		t.Errorf("code = %q %q", s, text)
	}
	if s, text, _ := got[NoticeSecureReply](outbox.Item{Lang: "fi", Payload: "https://x/r/t"}); s != "fi:message.notify.secure_reply_subject" || !strings.Contains(text, "Linkhttps://x/r/t") {
		t.Errorf("secure reply = %q %q", s, text)
	}
}

func TestAnswerReach(t *testing.T) {
	cust := Thread{PartyKind: PartyCustomer}
	tests := []struct {
		t    Thread
		c    Consent
		want Reach
	}{
		{cust, Consent{AllowMessages: true, Channel: ChannelEmail, Address: "a@b.fi", Verified: true}, ReachEmail},
		{cust, Consent{AllowMessages: true, Channel: ChannelSMS, Address: "+358401234567", Verified: true}, ReachSMS},
		{cust, Consent{AllowMessages: true, Channel: ChannelEmail, Address: "a@b.fi"}, ReachUnverified},
		{cust, Consent{AllowMessages: false, Channel: ChannelEmail, Address: "a@b.fi", Verified: true}, ReachNone},
		{cust, Consent{Channel: ChannelNone}, ReachNone},
		{cust, Consent{}, ReachNone},
		{Thread{PartyKind: PartyEmail}, Consent{}, ReachReadLink},
		{Thread{PartyKind: PartyOrganisation}, Consent{AllowMessages: true, Channel: ChannelEmail, Address: "a@b.fi", Verified: true}, ReachOrganisation},
	}
	for _, tt := range tests {
		if got := AnswerReach(tt.t, tt.c); got != tt.want {
			t.Errorf("AnswerReach(%s, %+v) = %s; want %s", tt.t.PartyKind, tt.c, got, tt.want)
		}
	}
}
