package securemail

import (
	"testing"

	"github.com/etuus/etuus/internal/fault"
)

func TestNormalizeEmail(t *testing.T) {
	good := map[string]string{
		"Anna@Example.FI":       "anna@example.fi",
		" kati@example.ee ":     "kati@example.ee",
		"first.last@mail.co.uk": "first.last@mail.co.uk",
	}
	for in, want := range good {
		if got, err := NormalizeEmail(in); err != nil || got != want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "anna", "anna@", "@example.fi", "Anna <anna@example.fi>", "anna@localhost", "a@b.fi, c@d.fi", "anna@exa mple.fi"} {
		if _, err := NormalizeEmail(in); fault.KeyOf(err) != "securemail.error.email" {
			t.Errorf("NormalizeEmail(%q) err = %v; want a refusal", in, err)
		}
	}
}

func TestCheckMessage(t *testing.T) {
	tests := []struct {
		subject, body, wantKey string
	}{
		{"Payment plan", "Hello", ""},
		{"Maksusuunnitelma", "Henkilötunnukseni on 131052-308T", ""}, // the body may carry it
		{"About 131052-308T", "x", "securemail.error.subject_hetu"},
		{"About 131052-308U", "x", "securemail.error.subject_hetu"}, // wrong check character: still refused
		{"about 010403a998u", "x", "securemail.error.subject_hetu"},
		{"", "x", "securemail.error.subject_empty"},
		{"   ", "x", "securemail.error.subject_empty"},
		{"ok", "  ", "securemail.error.body_empty"},
		{string(make([]rune, MaxSubject+1)), "x", "securemail.error.subject_long"},
		{"Invoice 1234567 paid", "x", ""},
	}
	for _, tt := range tests {
		err := CheckMessage(tt.subject, tt.body)
		if got := fault.KeyOf(err); (tt.wantKey == "" && err != nil) || (tt.wantKey != "" && got != tt.wantKey) {
			t.Errorf("CheckMessage(%.30q, %.20q) = %v; want %q", tt.subject, tt.body, err, tt.wantKey)
		}
	}
}

func FuzzCheckMessage(f *testing.F) {
	f.Add("Payment plan", "Hello")
	f.Add("131052-308T", "")
	f.Fuzz(func(t *testing.T, subject, body string) {
		err := CheckMessage(subject, body)
		if err == nil && ContainsIdentityCode(subject) {
			t.Fatalf("accepted a subject with an identity code: %q", subject)
		}
		if err != nil && fault.KindOf(err) != fault.Invalid {
			t.Fatalf("unexpected kind %v", err)
		}
	})
}
