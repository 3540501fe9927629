package message

import (
	"errors"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/etuus/etuus/internal/fault"
)

// Fixed bounds; the ones a unit may want to tune are in Limits.
const (
	MaxTitle = 120 // runes
)

// The default Limits.
const (
	DefaultMaxBody      = 10000     // runes
	DefaultMaxFiles     = 5         // attachments per message
	DefaultMaxFileBytes = 10 << 20  // 10 MiB per attachment
	DefaultQuotaBytes   = 200 << 20 // 200 MiB of attachments a customer
)

// Limits bound a message and its attachments. A zero or negative field, or
// an empty Types, means its default, so Limits{} is DefaultLimits().
type Limits struct {
	MaxBody      int   // runes in a body
	MaxFiles     int   // attachments in one message
	MaxFileBytes int64 // bytes in one attachment
	// QuotaBytes bounds the attachments a customer has sent, all their
	// messages together.
	QuotaBytes int64
	// Types are the content types an attachment may have. Only the types
	// SniffType recognises can ever be accepted; others here are ignored.
	Types []string
}

// DefaultLimits are 10,000 characters, five files of at most 10 MiB each,
// PDF, JPEG and PNG, and 200 MiB of attachments a customer.
func DefaultLimits() Limits {
	return Limits{
		MaxBody:      DefaultMaxBody,
		MaxFiles:     DefaultMaxFiles,
		MaxFileBytes: DefaultMaxFileBytes,
		QuotaBytes:   DefaultQuotaBytes,
		Types:        []string{TypePDF, TypeJPEG, TypePNG},
	}
}

// WithDefaults is l with each zero field set to its default.
func (l Limits) WithDefaults() Limits {
	d := DefaultLimits()
	if l.MaxBody > 0 {
		d.MaxBody = l.MaxBody
	}
	if l.MaxFiles > 0 {
		d.MaxFiles = l.MaxFiles
	}
	if l.MaxFileBytes > 0 {
		d.MaxFileBytes = l.MaxFileBytes
	}
	if l.QuotaBytes > 0 {
		d.QuotaBytes = l.QuotaBytes
	}
	if len(l.Types) > 0 {
		d.Types = l.Types
	}
	return d
}

// identityCode finds text shaped like a Finnish identity code, with any
// century sign and any check character: a code with a wrong check
// character is still personal data someone typed.
var identityCode = regexp.MustCompile(`(?i)\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]`)

// ContainsIdentityCode reports whether text holds something shaped like a
// Finnish identity code.
func ContainsIdentityCode(text string) bool { return identityCode.MatchString(text) }

// CheckNewMessage checks what a customer wrote to start a thread: the topic
// must be offered by the catalogue, the title 1–MaxTitle characters on one
// line with no identity code in it (titles show in lists and notices to
// staff, seed 003: no personal data in the subject), the body as for
// CheckReply, and the attachments as for CheckUpload, at most
// limits.MaxFiles of them.
//
// Lengths count the text as given, which is what should be stored;
// emptiness ignores surrounding white space. Each field that breaks a rule
// gives one *fault.Error naming it ("subject", "specification", "title",
// "body" or "attachments"), joined in the form's order, so that the form
// can list them all; the first is the first field's.
func CheckNewMessage(cat *Catalogue, subjectKey, specKey, title, body string, attachments []Upload, limits Limits) error {
	_, err := cat.topicFor(PartyCustomer, subjectKey, specKey)
	return errors.Join(err, checkTitle(title), CheckReply(body, attachments, limits))
}

// CheckOrgMessage checks what a person wrote for an organisation to start
// its thread, as CheckNewMessage does, on a subject offered to
// organisations; such a message is text only.
func CheckOrgMessage(cat *Catalogue, subjectKey, specKey, title, body string, limits Limits) error {
	_, err := cat.topicFor(PartyOrganisation, subjectKey, specKey)
	return errors.Join(err, checkTitle(title), CheckReply(body, nil, limits))
}

func checkTitle(title string) error {
	switch {
	case strings.TrimSpace(title) == "":
		return fault.InvalidField("title", "message.error.title_empty", nil)
	case !utf8.ValidString(title) || strings.ContainsFunc(title, unicode.IsControl):
		return fault.InvalidField("title", "message.error.title_invalid", nil)
	case utf8.RuneCountInString(title) > MaxTitle:
		return fault.InvalidField("title", "message.error.title_long", map[string]any{"Max": MaxTitle})
	case ContainsIdentityCode(title):
		return fault.InvalidField("title", "message.error.title_hetu", nil)
	}
	return nil
}

// CheckReply checks a message in an existing thread, from the customer or
// from staff: a body of 1–limits.MaxBody characters of valid UTF-8 with no
// control characters but tab and line breaks, and its attachments.
//
// The body is plain text. HTML in it is allowed and is stored as text;
// escaping it is the view's job, as for any text.
func CheckReply(body string, attachments []Upload, limits Limits) error {
	limits = limits.WithDefaults()
	return errors.Join(checkBody(body, limits), checkUploads(attachments, limits))
}

func checkBody(body string, limits Limits) error {
	switch {
	case strings.TrimSpace(body) == "":
		return fault.InvalidField("body", "message.error.body_empty", nil)
	case !utf8.ValidString(body) || strings.ContainsFunc(body, badBodyRune):
		// PostgreSQL cannot store NUL in text, and no one types the other
		// control characters.
		return fault.InvalidField("body", "message.error.body_invalid", nil)
	case utf8.RuneCountInString(body) > limits.MaxBody:
		return fault.InvalidField("body", "message.error.body_long", map[string]any{"Max": limits.MaxBody})
	}
	return nil
}

func badBodyRune(r rune) bool {
	return r != '\t' && r != '\n' && r != '\r' && unicode.IsControl(r)
}

func checkUploads(attachments []Upload, limits Limits) error {
	if len(attachments) > limits.MaxFiles {
		return fault.InvalidField("attachments", "message.error.attachment_too_many", map[string]any{"Max": limits.MaxFiles})
	}
	for _, u := range attachments {
		if _, err := CheckUpload(u, limits); err != nil {
			return err
		}
	}
	return nil
}
