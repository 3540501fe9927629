// Package desk is customer service's desk: staff find a customer (by
// identity code, by name with date of birth, by eIDAS identifier, or by a
// claim's or a thread's reference) and open the customer's 360 view for a
// purpose they state, which is audited; and the customer reads who looked
// at their data — unit, role, when and why, never the specialist's name.
package desk

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/hetu"
	"github.com/etuus/etuus/internal/fi/viite"
	"github.com/etuus/etuus/internal/mandate"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/payment"
	"github.com/etuus/etuus/internal/recovery"
)

// By is how a search finds a customer.
type By string

// The kinds of search.
const (
	ByHETU      By = "hetu"      // the full identity code: at most one person
	ByName      By = "name"      // name words and a date of birth
	ByEIDAS     By = "eidas"     // an eIDAS PersonIdentifier, e.g. EE/FI/49001010099
	ByReference By = "reference" // a claim's reference, or a claim's or thread's ID
)

// PageSize is how many matches a search page shows; a search never reads
// more than MaxBorn people born on one day.
const (
	PageSize = 20
	MaxBorn  = 2000
)

// Query is a parsed search.
type Query struct {
	By        By
	HETU      hetu.Code
	Words     []string // ByName: the name's words, lower case
	Birth     civil.Date
	Country   string // ByEIDAS
	EIDASID   string // ByEIDAS: the whole identifier
	Reference string // ByReference: digits of a claim reference, or an ID
	Page      int    // from 0
}

var (
	eidasPattern = regexp.MustCompile(`^[A-Z]{2}/[A-Z]{2}/[A-Za-z0-9+/=._:-]{1,200}$`)
	uuidPattern  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	refPattern   = regexp.MustCompile(`^(RF[0-9]{2})?[0-9]{4,20}$`)
)

// ParseQuery reads what staff typed: text is an identity code, an eIDAS
// identifier, a reference or ID, or a name; birth (d.m.yyyy or ISO) is
// required with a name, so that a name search reads the people born on one
// day and never the whole register. Bad input is fault.Invalid on the
// field ("q" or "birth") with a translated key.
func ParseQuery(text, birth string, page int) (Query, error) {
	text = strings.TrimSpace(text)
	birth = strings.TrimSpace(birth)
	q := Query{Page: max(page, 0)}
	compact := strings.ToUpper(strings.ReplaceAll(text, " ", ""))
	switch {
	case text == "":
		return q, fault.InvalidField("q", "desk.error.empty", nil)
	case len([]rune(text)) > 200:
		return q, fault.InvalidField("q", "desk.error.long", nil)
	case len(compact) == 11 && strings.ContainsAny(compact[6:7], "+-ABCDEFUVWXY") && isDigits(compact[:6]):
		code, err := hetu.Parse(compact)
		if err != nil {
			return q, fault.InvalidField("q", "desk.error.hetu", nil)
		}
		q.By, q.HETU = ByHETU, code
	case eidasPattern.MatchString(text):
		q.By, q.Country, q.EIDASID = ByEIDAS, text[:2], text
	case uuidPattern.MatchString(strings.ToLower(text)):
		q.By, q.Reference = ByReference, strings.ToLower(text)
	case refPattern.MatchString(compact):
		ref, err := viite.ParseAny(compact)
		if err != nil {
			return q, fault.InvalidField("q", "desk.error.reference", nil)
		}
		q.By, q.Reference = ByReference, ref.String()
	default:
		words := nameWords(text)
		if len(words) == 0 {
			return q, fault.InvalidField("q", "desk.error.name", nil)
		}
		if birth == "" {
			return q, fault.InvalidField("birth", "desk.error.birth_needed", nil)
		}
		d, err := civil.Parse(birth)
		if err != nil {
			return q, fault.InvalidField("birth", "desk.error.birth", nil)
		}
		q.By, q.Words, q.Birth = ByName, words, d
	}
	return q, nil
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// nameWords splits a name into lower-case words of letters, hyphens and
// apostrophes; anything else makes it no name.
func nameWords(s string) []string {
	var out []string
	for _, w := range strings.Fields(s) {
		for _, c := range w {
			if !unicode.IsLetter(c) && c != '-' && c != '\'' && c != '’' {
				return nil
			}
		}
		out = append(out, strings.ToLower(w))
	}
	return out
}

// NameMatches reports whether every word of the query begins one of the
// person's names (given names and family name), case-insensitively:
// "matti virt" finds Matti Virtanen, "virtanen" finds every Virtanen.
func NameMatches(p customer.Person, words []string) bool {
	family := strings.ToLower(p.FamilyName)
	names := append(strings.Fields(strings.ToLower(p.GivenName)), family)
	names = append(names, strings.FieldsFunc(family, func(r rune) bool { return r == '-' || r == ' ' })...)
	for _, w := range words {
		found := false
		for _, n := range names {
			if strings.HasPrefix(n, w) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// Match is one person a search found, as the result list shows them.
type Match struct {
	PersonID string
	Name     string
	Birth    civil.Date
	Masked   string // the identity code with the individual number hidden, or ""
	EIDAS    string // the eIDAS country, for an eIDAS identity
}

// Result is one page of a search.
type Result struct {
	Query   Query
	Matches []Match
	More    bool // a next page exists
}

// Topic is a reason a staff member may give for opening a customer, with
// the key of its text.
type Topic struct {
	Key     string // stored in the audit log: never rename one
	TextKey string
}

// Purposes are the reasons a staff member may give for opening a
// customer, in the order the form offers them; PurposeOther needs a free
// text. The customer sees them translated in their log.
var Purposes = []Topic{
	{"phone", "desk.purpose.phone"},
	{"service_point", "desk.purpose.service_point"},
	{"message", "desk.purpose.message"},
	{"recovery", "desk.purpose.recovery"},
	{"application", "desk.purpose.application"},
	{"eidas_link", "desk.purpose.eidas_link"},
	{PurposeOther, "desk.purpose.other"},
}

// searchTopics are the purposes written for a person a search listed.
var searchTopics = []Topic{
	{"search_" + string(ByHETU), "desk.purpose.search_hetu"},
	{"search_" + string(ByName), "desk.purpose.search_name"},
	{"search_" + string(ByEIDAS), "desk.purpose.search_eidas"},
	{"search_" + string(ByReference), "desk.purpose.search_reference"},
}

// TextKey is the key of the purpose's topic text; "" for an entry that
// gives none.
func (p Purpose) TextKey() string {
	for _, ts := range [][]Topic{Purposes, searchTopics} {
		for _, t := range ts {
			if t.Key == p.Topic {
				return t.TextKey
			}
		}
	}
	return ""
}

// PurposeOther is a purpose said in the staff member's own words.
const PurposeOther = "other"

// MaxPurposeText bounds the free text of a purpose.
const MaxPurposeText = 200

// Purpose is why staff open a customer: a topic, and for "other" a text.
type Purpose struct {
	Topic string
	Text  string
}

// CheckPurpose refuses a missing or unknown topic and an "other" without
// text (fault.Invalid on "purpose" and "purpose_text", both when both are
// wrong).
func CheckPurpose(p Purpose) (Purpose, error) {
	p.Text = strings.Join(strings.Fields(p.Text), " ")
	var errs []error
	if p.Topic == "" || !isPurpose(p.Topic) {
		errs = append(errs, fault.InvalidField("purpose", "desk.error.purpose", nil))
	}
	switch {
	case p.Topic == PurposeOther && p.Text == "":
		errs = append(errs, fault.InvalidField("purpose_text", "desk.error.purpose_text", nil))
	case len([]rune(p.Text)) > MaxPurposeText:
		errs = append(errs, fault.InvalidField("purpose_text", "desk.error.purpose_long", nil))
	}
	if len(errs) > 0 {
		return p, errors.Join(errs...)
	}
	if p.Topic != PurposeOther {
		p.Text = ""
	}
	return p, nil
}

func isPurpose(t string) bool {
	for _, p := range Purposes {
		if p.Key == t {
			return true
		}
	}
	return false
}

// detail is an audit entry's detail for a staff read: the unit and role
// the staff member had at that moment and the purpose, so that the
// customer's log shows them even after the staff member moves.
func detail(unit, role string, p Purpose) string {
	v := url.Values{}
	v.Set("unit", unit)
	v.Set("role", role)
	if p.Topic != "" {
		v.Set("purpose", p.Topic)
	}
	if p.Text != "" {
		v.Set("text", p.Text)
	}
	return v.Encode()
}

// viewDetail is detail with the sections of the 360 view shown, so that
// the one entry of a view says everything it showed.
func viewDetail(unit, role string, p Purpose, sections []string) string {
	d := detail(unit, role, p)
	if len(sections) > 0 {
		d += "&" + url.Values{"sections": {strings.Join(sections, ",")}}.Encode()
	}
	return d
}

// Sections names the sections the view shows (besides the person and
// their notification choice), as its audit entry records them.
func (v View) Sections() []string {
	var out []string
	for _, s := range []struct {
		name  string
		shown bool
	}{{"claims", v.ClaimsShown}, {"applications", v.ClaimsShown}, {"letters", v.ClaimsShown}, {"messages", v.MessagesShown},
		{"payments", v.PaymentsShown}, {"mandates", v.MandatesShown}} {
		if s.shown {
			out = append(out, s.name)
		}
	}
	return out
}

// parseDetail reads what detail wrote; entries of other capabilities give
// what they hold (often nothing).
func parseDetail(s string) (unit, role string, p Purpose) {
	v, err := url.ParseQuery(s)
	if err != nil {
		return "", "", Purpose{}
	}
	return v.Get("unit"), v.Get("role"), Purpose{Topic: v.Get("purpose"), Text: v.Get("text")}
}

// Reach says whether a notice of a new message reaches the customer, and
// why not: staff see it before they answer.
type Reach string

// The answers of NoticeReach.
const (
	ReachYes        Reach = "yes"        // a notice goes to a verified address
	ReachNoChannel  Reach = "no_channel" // the customer chose no notices
	ReachUnverified Reach = "unverified" // the address is not proved: nothing is sent
	ReachNoConsent  Reach = "no_consent" // no permission to start threads; replies still notify if a channel is set
)

// TextKey is the key of what staff are told.
func (r Reach) TextKey() string {
	switch r {
	case ReachYes:
		return "desk.reach.yes"
	case ReachUnverified:
		return "desk.reach.unverified"
	case ReachNoConsent:
		return "desk.reach.no_consent"
	}
	return "desk.reach.no_channel"
}

// NoticeReach is what the customer's notification choice means for a reply.
func NoticeReach(c message.Consent) Reach {
	switch {
	case c.Channel == message.ChannelNone || c.Channel == "" || c.Address == "":
		return ReachNoChannel
	case !c.Verified:
		return ReachUnverified
	case !c.AllowMessages:
		return ReachNoConsent
	}
	return ReachYes
}

// View is the customer's 360 view: everything staff may see in one place.
// A section the staff member's role does not show is nil and its Shown
// flag false.
type View struct {
	Person  customer.Person
	Masked  string
	Purpose Purpose

	ClaimsShown bool
	Claims      []recovery.Claim

	MessagesShown bool
	Threads       []message.Thread
	Consent       message.Consent
	Reach         Reach

	// Record is the customer's applications (plan proposals, exemption
	// applications) and the letters sent to them, shown with the claims.
	Record recovery.Record

	PaymentsShown bool
	Payments      payment.Overview

	MandatesShown bool
	Mandates      mandate.PersonRecord
}

// Access is one line of a customer's access log: which unit and role
// looked, when and why. Never who.
type Access struct {
	Seq     int64
	At      time.Time
	Action  string // the audit action, e.g. "desk.view_customer"
	Unit    string // unit ID
	Role    string
	Purpose Purpose
}

// TextKey is the key of what was done, in the customer's words: the
// desk's own actions, and the staff reads and acts of other capabilities.
func (a Access) TextKey() string {
	has := func(prefix Action) bool { return strings.HasPrefix(a.Action, string(prefix)) }
	switch {
	case a.Action == string(ActionView):
		return "desk.log.action.view"
	case a.Action == string(ActionSearch):
		return "desk.log.action.search"
	case a.Action == string(actionLink):
		return "desk.log.action.link"
	case a.Action == string(actionUnlink):
		return "eidas.log.unlink"
	case has(actionPlan), has(actionExemption):
		return "desk.log.action.decision"
	case has(actionThread):
		return "desk.log.action.message"
	case has(actionStaffRead):
		return "desk.log.action.read"
	}
	return "desk.log.action.other"
}

// LogPage is one page of a customer's access log, newest first.
type LogPage struct {
	Entries []Access
	Next    string // the cursor of the next page (LogCursor); "" at the end
}

// Party is a mandate's party as the 360 view shows it: an organisation by
// business ID, the customer as "" (the view says who), and another person
// by a masked identity code, since the view is audited for the customer
// only.
func (v View) Party(p mandate.Party) string {
	switch {
	case p.Kind == mandate.Organisation:
		return p.ID
	case p.ID == v.Person.HETU:
		return ""
	case len(p.ID) == 11:
		return p.ID[:7] + "****"
	}
	return "****"
}
