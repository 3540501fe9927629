package main

import (
	"strings"
	"testing"

	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/employer"
	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/mandate"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/outbox"
	"github.com/etuus/etuus/internal/payment"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/securemail"
)

// TestMessageNoticeKinds: the registry main builds writes every kind the
// capabilities send, in every language, with no text missing.
func TestMessageNoticeKinds(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	cat.OnMissing = func(lang, key string) { t.Errorf("missing text %q in %s", key, lang) }
	kinds, err := noticeKinds(cat)
	if err != nil {
		t.Fatal(err)
	}
	want := []outbox.Kind{mandate.NoticeRequest, mandate.NoticeAnswer, message.NoticeNewMessage, recovery.NoticeLetter, securemail.NoticeLink, message.NoticeSecureReply, message.NoticeVerifyCode,
		customer.NoticeLinked, customer.NoticeUnlinked, payment.NoticeMessage, payment.NoticeAccountChanged, employer.NoticeDecision,
		employer.NoticePayment}
	if got := kinds.Names(); strings.Join(kindStrings(got), ",") != "eidas_linked,eidas_unlinked,employer_decision,employer_payment,mandate_answer,mandate_request,new_message,payment_account_changed,payment_message,recovery_letter,secure_link,secure_reply,verify_code" {
		t.Fatalf("kinds = %v; want %v", got, want)
	}
	for _, k := range want {
		for _, lang := range []string{"fi", "sv", "en"} {
			s, text, err := kinds.Render(outbox.Item{Kind: k, Lang: lang, Channel: outbox.Email, Payload: "123456"})
			if err != nil || s == "" || text == "" {
				t.Errorf("%s in %s: %q %q %v", k, lang, s, text, err)
			}
			if k == recovery.NoticeLetter || k == customer.NoticeLinked || k == customer.NoticeUnlinked || k == payment.NoticeMessage || k == payment.NoticeAccountChanged ||
				k == employer.NoticeDecision || k == employer.NoticePayment {
				if _, sms, _ := kinds.Render(outbox.Item{Kind: k, Lang: lang, Channel: outbox.SMS}); sms == "" || len(sms) > 160 {
					t.Errorf("%s's text message in %s: %q", k, lang, sms)
				}
			}
		}
	}
}

func kindStrings(ks []outbox.Kind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}
