package message

import (
	"net/mail"
	"regexp"
	"strings"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/outbox"
)

// Channel is how a customer is told of a new message.
type Channel string

// The channels.
const (
	ChannelNone  Channel = "none"
	ChannelEmail Channel = "email"
	ChannelSMS   Channel = "sms"
)

// Valid reports whether ch is one of the channels.
func (ch Channel) Valid() bool { return ch == ChannelNone || ch == ChannelEmail || ch == ChannelSMS }

// Consent is a customer's choice on the message form (seed 002): whether
// the institution may send them messages, and whether and where they are
// told of one by e-mail or text message.
type Consent struct {
	// AllowMessages is the permission for the institution to start threads
	// with the customer; replies in the customer's own threads need none.
	AllowMessages bool
	Channel       Channel
	Address       string // an e-mail address or a phone number in +358… form, per Channel
	// Verified says the customer proved the address is theirs. Whoever
	// changes Address clears it.
	Verified bool
	// CodeUndelivered says the latest confirmation code to Address could
	// not be delivered for good (the mail server or gateway refused it).
	// Read only: it is not saved.
	CodeUndelivered bool
}

// Notifies reports whether a new message should be noticed to the customer:
// only with permission, a channel, and an address proved to be theirs.
func (c Consent) Notifies() bool {
	return c.AllowMessages && c.Channel != ChannelNone && c.Address != "" && c.Verified
}

// Notice is the outbox item of the kind that tells the person, by the
// channel and at the address of their choice, that something waits for
// them in the e-service (in threadID, or nowhere in particular when it is
// ""). Whether they get one at all is the caller's rule (Notifies, or a
// security notice's): the item carries no content, so the kind's text
// says only that something waits.
func (c Consent) Notice(kind outbox.Kind, lang, personID, threadID string) *outbox.Item {
	return &outbox.Item{Channel: outbox.Channel(c.Channel), Recipient: c.Address, Lang: lang, Kind: kind,
		PersonID: personID, ThreadID: threadID}
}

// Apply is the stored choice after the customer chose c (as
// NormalizeConsent returns it), and whether anything changed. The address
// stays verified only while the channel and the address stay the same;
// no channel needs no proof.
func (c Consent) Apply(choice Consent) (Consent, bool) {
	if c.AllowMessages == choice.AllowMessages && c.Channel == choice.Channel && c.Address == choice.Address {
		return c, false
	}
	choice.Verified = choice.Channel == ChannelNone || (c.Verified && c.Channel == choice.Channel && c.Address == choice.Address)
	return choice, true
}

const maxEmail = 254

var phone = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// NormalizeConsent checks a consent as a customer gave it and returns it in
// stored form: no permission means no channel and no address; an e-mail
// address in lower case; a phone number in international form, a Finnish
// number given as 040 123 4567 becoming +358401234567. A bad choice is a
// fault.Invalid on the "channel" or "address" field. Verified is passed
// through untouched.
func NormalizeConsent(c Consent) (Consent, error) {
	if !c.Channel.Valid() {
		return c, fault.InvalidField("channel", "message.error.consent_channel", nil)
	}
	if !c.AllowMessages || c.Channel == ChannelNone {
		c.Channel, c.Address = ChannelNone, ""
		return c, nil
	}
	addr := strings.TrimSpace(c.Address)
	switch c.Channel {
	case ChannelEmail:
		a, err := mail.ParseAddress(addr)
		if err != nil || a.Name != "" || a.Address != addr || len(addr) > maxEmail ||
			!strings.Contains(addr[strings.LastIndexByte(addr, '@'):], ".") {
			return c, fault.InvalidField("address", "message.error.consent_email", nil)
		}
		c.Address = strings.ToLower(addr)
	case ChannelSMS:
		n := strings.NewReplacer(" ", "", "-", "", "(", "", ")", "").Replace(addr)
		switch {
		case strings.HasPrefix(n, "00"):
			n = "+" + n[2:]
		case strings.HasPrefix(n, "0"):
			n = "+358" + n[1:]
		}
		if !phone.MatchString(n) {
			return c, fault.InvalidField("address", "message.error.consent_phone", nil)
		}
		c.Address = n
	}
	return c, nil
}

// notice is one language's notice texts.
type notice struct {
	emailSubject, emailBody, sms string
}

// notices are the texts that tell a customer a message is waiting. They
// say nothing else on purpose: e-mail and SMS are not secure channels, so
// a notice carries no content, no topic, no name and no identity code, and
// no link that a phishing message could imitate. Every SMS fits one
// GSM 03.38 message.
var notices = map[string]notice{
	"fi": {
		emailSubject: "Uusi viesti asiointipalvelussa",
		emailBody: "Hei,\n\nsinulle on uusi viesti asiointipalvelussa. Kirjaudu asiointipalveluun lukeaksesi sen.\n\n" +
			"Tämä on automaattinen ilmoitus, eikä siihen voi vastata.",
		sms: "Sinulle on uusi viesti asiointipalvelussa. Kirjaudu palveluun lukeaksesi sen. Tähän viestiin ei voi vastata.",
	},
	"sv": {
		emailSubject: "Nytt meddelande i e-tjänsten",
		emailBody: "Hej,\n\ndu har fått ett nytt meddelande i e-tjänsten. Logga in i e-tjänsten för att läsa det.\n\n" +
			"Detta är ett automatiskt meddelande som inte kan besvaras.",
		sms: "Du har fått ett nytt meddelande i e-tjänsten. Logga in i tjänsten för att läsa det. Detta sms kan inte besvaras.",
	},
	"en": {
		emailSubject: "New message in the e-service",
		emailBody: "Hello,\n\nyou have a new message in the e-service. Sign in to the e-service to read it.\n\n" +
			"This is an automatic notice and cannot be replied to.",
		sms: "You have a new message in the e-service. Sign in to the service to read it. This text message cannot be replied to.",
	},
}

// NoticeText is the notice of a new message in lang (Finnish for a language
// etuus does not speak) for a channel: an e-mail's subject and body, or an
// SMS's body with an empty subject. ChannelNone, or an unknown channel,
// has no notice and returns two empty strings.
func NoticeText(lang string, channel Channel) (subject, body string) {
	n, ok := notices[lang]
	if !ok {
		n = notices["fi"]
	}
	switch channel {
	case ChannelEmail:
		return n.emailSubject, n.emailBody
	case ChannelSMS:
		return "", n.sms
	}
	return "", ""
}

// The kinds of notice secure messaging sends through the outbox.
const (
	// NoticeNewMessage tells a customer that a message waits in the
	// e-service. Its text never carries the message, a name or an identity
	// code.
	NoticeNewMessage outbox.Kind = "new_message"
	// NoticeVerifyCode carries a one-time code that proves an address is
	// the customer's; Payload is the code.
	NoticeVerifyCode outbox.Kind = "verify_code"
	// NoticeSecureReply tells a secure e-mail sender that a unit answered
	// and where to read it; Payload is the one-time reading link.
	NoticeSecureReply outbox.Kind = "secure_reply"
)

// NoticeKinds are the notices secure messaging sends and how each is
// written in the recipient's language; t gives the catalogue's texts.
func NoticeKinds(t outbox.Translate) []outbox.NoticeKind {
	return []outbox.NoticeKind{
		{Kind: NoticeNewMessage, Render: func(it outbox.Item) (string, string, error) {
			subject, text := NoticeText(it.Lang, Channel(it.Channel))
			return subject, text, nil
		}},
		{Kind: NoticeVerifyCode, Render: func(it outbox.Item) (string, string, error) {
			return t(it.Lang, "message.notify.code_subject"), t(it.Lang, "message.notify.code_text", "Code", it.Payload), nil
		}},
		{Kind: NoticeSecureReply, Render: func(it outbox.Item) (string, string, error) {
			return t(it.Lang, "message.notify.secure_reply_subject"), t(it.Lang, "message.notify.secure_reply_text", "Link", it.Payload), nil
		}},
	}
}

// Reach is how a staff answer in a thread reaches its party, as staff are
// told before and after they answer.
type Reach string

// The ways an answer reaches its party.
const (
	ReachEmail Reach = "email" // a notice by e-mail to the proved address
	ReachSMS   Reach = "sms"   // a notice by text message to the proved number
	// ReachReadLink: a secure e-mail sender gets a reading link by e-mail.
	ReachReadLink Reach = "read_link"
	// ReachUnverified: the customer chose a channel but never proved the
	// address, so nothing is sent.
	ReachUnverified Reach = "unverified"
	// ReachNone: no notice; the party sees the answer when they sign in.
	ReachNone Reach = "none"
	// ReachOrganisation: no notice; the organisation's people see the
	// answer in its messages when they next act for it.
	ReachOrganisation Reach = "organisation"
)

// AnswerReach is how an answer in t reaches its party, whose notice
// choice is c (read for a customer's thread only): the rule notice follows.
func AnswerReach(t Thread, c Consent) Reach {
	switch {
	case t.PartyKind == PartyEmail:
		return ReachReadLink
	case t.PartyKind == PartyOrganisation:
		return ReachOrganisation
	case t.PartyKind != PartyCustomer:
		return ReachNone
	case c.Notifies():
		return Reach(c.Channel)
	case c.AllowMessages && c.Channel != ChannelNone && c.Address != "":
		return ReachUnverified
	}
	return ReachNone
}
