// Package securemail is the secure e-mail route for customers abroad who
// have neither Finnish e-ID nor an accepted eIDAS eID: a one-time link, sent
// to their address, to write to one unit.
package securemail

import (
	"errors"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/outbox"
)

// Limits and rules; the numbers the units set are configuration.
const (
	MaxSubject = 120
	MaxBody    = 10000
	MaxEmail   = 254
)

// Unit is a unit reachable by secure e-mail and how long its links live:
// 10 days for the Overpayment Recovery Centre (seed 002), 30 for the Centre
// for International Affairs (seed 003).
type Unit struct {
	ID       string
	Validity time.Duration
}

// DefaultUnits are the seeds' units and validities.
func DefaultUnits() []Unit {
	return []Unit{{ID: "recovery", Validity: 10 * 24 * time.Hour}, {ID: "international", Validity: 30 * 24 * time.Hour}}
}

// RateLimits bound link requests, per address and per client.
type RateLimits struct {
	Window     time.Duration
	PerAddress int
	PerClient  int
}

// DefaultRateLimits allow three links an hour per address and ten per client.
func DefaultRateLimits() RateLimits {
	return RateLimits{Window: time.Hour, PerAddress: 3, PerClient: 10}
}

// Link is a secure e-mail link as stored (the token itself is never stored).
type Link struct {
	ID        string
	Email     string
	UnitID    string
	Lang      string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time
}

// Message is what a customer wrote through a link.
type Message struct {
	ID        string
	LinkID    string
	UnitID    string
	Email     string
	Subject   string
	Body      string
	CreatedAt time.Time
}

// NormalizeEmail checks an address and returns it in lower case; a bad one is
// a fault.Invalid on the "email" field.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s || len(s) > MaxEmail || !strings.Contains(s[strings.LastIndexByte(s, '@'):], ".") {
		return "", fault.InvalidField("email", "securemail.error.email", nil)
	}
	return strings.ToLower(s), nil
}

// candidate finds text shaped like an identity code, with any separator.
var candidate = regexp.MustCompile(`\d{6}[-+A-FU-Y]\d{3}[0-9A-Za-z]`)

// ContainsIdentityCode reports whether text holds something shaped like a
// Finnish identity code. It errs on the side of refusing: a code with a
// wrong check character is still personal data someone typed.
func ContainsIdentityCode(text string) bool {
	return candidate.MatchString(strings.ToUpper(text))
}

// CheckMessage validates what a customer wrote. The subject must not carry
// an identity code (seed 003: no personal data in the subject).
func CheckMessage(subject, body string) error {
	subject, body = strings.TrimSpace(subject), strings.TrimSpace(body)
	var errs []error
	switch {
	case subject == "":
		errs = append(errs, fault.InvalidField("subject", "securemail.error.subject_empty", nil))
	case utf8.RuneCountInString(subject) > MaxSubject:
		errs = append(errs, fault.InvalidField("subject", "securemail.error.subject_long", map[string]any{"Max": MaxSubject}))
	case ContainsIdentityCode(subject):
		errs = append(errs, fault.InvalidField("subject", "securemail.error.subject_hetu", nil))
	case !utf8.ValidString(subject):
		errs = append(errs, fault.InvalidField("subject", "error.invalid", nil))
	}
	switch {
	case body == "":
		errs = append(errs, fault.InvalidField("body", "securemail.error.body_empty", nil))
	case utf8.RuneCountInString(body) > MaxBody:
		errs = append(errs, fault.InvalidField("body", "securemail.error.body_long", map[string]any{"Max": MaxBody}))
	case !utf8.ValidString(body):
		errs = append(errs, fault.InvalidField("body", "error.invalid", nil))
	}
	return errors.Join(errs...)
}

// NoticeLink carries a one-time secure e-mail link; Payload is the whole
// e-mail text, written in the request's language when the link was asked
// for, since it names the unit and the link's life.
const NoticeLink outbox.Kind = "secure_link"

// NoticeKinds are the notices the secure e-mail route sends; t gives the
// catalogue's texts.
func NoticeKinds(t outbox.Translate) []outbox.NoticeKind {
	return []outbox.NoticeKind{
		{Kind: NoticeLink, Render: func(it outbox.Item) (string, string, error) {
			return t(it.Lang, "securemail.mail.subject"), it.Payload, nil
		}},
	}
}
