package message

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/jsonfile"
	"github.com/etuus/etuus/internal/org"
)

// defaultTopics is the shipped catalogue; see Catalogue for its format.
//
//go:embed topics.json
var defaultTopics []byte

// ErrCatalogue is wrapped by every error LoadCatalogue returns for a
// catalogue that does not hold together.
var ErrCatalogue = errors.New("message: invalid topic catalogue")

// Labels is a text in each of etuus's languages.
type Labels struct {
	FI string `json:"fi"`
	SV string `json:"sv"`
	EN string `json:"en"`
}

// Get returns the label in lang, Finnish for any other language.
func (l Labels) Get(lang string) string {
	switch lang {
	case "sv":
		return l.SV
	case "en":
		return l.EN
	}
	return l.FI
}

func (l Labels) missing() string {
	for _, c := range []struct{ lang, text string }{{"fi", l.FI}, {"sv", l.SV}, {"en", l.EN}} {
		if strings.TrimSpace(c.text) == "" {
			return c.lang
		}
	}
	return ""
}

// Subject is what a customer first chooses a message to be about.
type Subject struct {
	Key     string `json:"key"`
	Unit    string `json:"unit"`
	Labels  Labels `json:"labels"`
	Retired bool   `json:"retired,omitempty"`
	// Party is who may write on the subject: PartyOrganisation for an
	// organisation's threads only, empty for customers only.
	Party          PartyKind       `json:"party,omitempty"`
	Specifications []Specification `json:"specifications"`
}

// OfferedTo reports whether a party of the kind may start a thread on
// the subject: an organisation on the organisations' subjects, anyone
// else on the others.
func (s Subject) OfferedTo(k PartyKind) bool {
	return (s.Party == PartyOrganisation) == (k == PartyOrganisation)
}

// Label is the subject's text in lang.
func (s Subject) Label(lang string) string { return s.Labels.Get(lang) }

// Specification narrows a subject (Valitse tarkenne).
type Specification struct {
	Key string `json:"key"`
	// Unit is where a message on this specification goes: the catalogue's
	// own choice for the specification, or else its subject's unit.
	Unit    string `json:"unit,omitempty"`
	Labels  Labels `json:"labels"`
	Retired bool   `json:"retired,omitempty"`
}

// Label is the specification's text in lang.
func (s Specification) Label(lang string) string { return s.Labels.Get(lang) }

// Catalogue is the topics a message can be about and the unit each is
// routed to. It is data, so that changing topics or routing is an edit of
// a JSON file, not of code.
//
// The format is
//
//	{"note": "…",
//	 "subjects": [{"key", "unit", "labels": {"fi", "sv", "en"}, "retired", "party",
//	   "specifications": [{"key", "unit", "labels": {"fi", "sv", "en"}, "retired"}]}]}
//
// Keys are lower-case slugs (a-z, 0-9, '_' or '-' between them): a subject
// key is unique in the catalogue, a specification key within its subject,
// and "subject.specification" names a topic everywhere. Keys are stored on
// threads, so a key is never renamed or reused; a topic that is no longer
// offered is marked "retired", which keeps its labels for old threads but
// refuses new messages on it. A specification without a "unit" routes to
// its subject's. A Catalogue is immutable and safe for concurrent use.
type Catalogue struct {
	subjects []Subject
	index    map[string]int // subject key → position
}

var slug = regexp.MustCompile(`^[a-z0-9]+(?:[_-][a-z0-9]+)*$`)

// maxKey bounds keys so that they fit any column etuus stores them in.
const maxKey = 64

// LoadCatalogue reads and checks a catalogue; knownUnit says whether a unit
// ID exists (see KnownUnits). Unknown fields are refused, so that a typo in
// the file is an error rather than a silently missing setting.
func LoadCatalogue(r io.Reader, knownUnit func(unitID string) bool) (*Catalogue, error) {
	var file struct {
		Note     string    `json:"note"`
		Subjects []Subject `json:"subjects"`
	}
	if err := jsonfile.Decode(r, &file); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCatalogue, err)
	}
	if len(file.Subjects) == 0 {
		return nil, fmt.Errorf("%w: no subjects", ErrCatalogue)
	}
	c := &Catalogue{subjects: file.Subjects, index: make(map[string]int, len(file.Subjects))}
	for i := range c.subjects {
		s := &c.subjects[i]
		where := fmt.Sprintf("subject %d %q", i+1, s.Key)
		if err := checkKey(s.Key); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrCatalogue, where, err)
		}
		if _, dup := c.index[s.Key]; dup {
			return nil, fmt.Errorf("%w: %s: key used twice", ErrCatalogue, where)
		}
		c.index[s.Key] = i
		if lang := s.Labels.missing(); lang != "" {
			return nil, fmt.Errorf("%w: %s: no %s label", ErrCatalogue, where, lang)
		}
		if s.Party != "" && s.Party != PartyOrganisation {
			return nil, fmt.Errorf("%w: %s: party must be \"organisation\" or absent", ErrCatalogue, where)
		}
		if s.Unit == "" || !knownUnit(s.Unit) {
			return nil, fmt.Errorf("%w: %s: unknown unit %q", ErrCatalogue, where, s.Unit)
		}
		if len(s.Specifications) == 0 {
			return nil, fmt.Errorf("%w: %s: no specifications", ErrCatalogue, where)
		}
		seen := make(map[string]bool, len(s.Specifications))
		offered := false
		for j := range s.Specifications {
			sp := &s.Specifications[j]
			where := fmt.Sprintf("%s: specification %d %q", where, j+1, sp.Key)
			if err := checkKey(sp.Key); err != nil {
				return nil, fmt.Errorf("%w: %s: %v", ErrCatalogue, where, err)
			}
			if seen[sp.Key] {
				return nil, fmt.Errorf("%w: %s: key used twice", ErrCatalogue, where)
			}
			seen[sp.Key] = true
			if lang := sp.Labels.missing(); lang != "" {
				return nil, fmt.Errorf("%w: %s: no %s label", ErrCatalogue, where, lang)
			}
			if sp.Unit == "" {
				sp.Unit = s.Unit
			} else if !knownUnit(sp.Unit) {
				return nil, fmt.Errorf("%w: %s: unknown unit %q", ErrCatalogue, where, sp.Unit)
			}
			offered = offered || !sp.Retired
		}
		if !s.Retired && !offered {
			return nil, fmt.Errorf("%w: %s: every specification is retired but the subject is not", ErrCatalogue, where)
		}
	}
	return c, nil
}

func checkKey(k string) error {
	if len(k) > maxKey || !slug.MatchString(k) {
		return fmt.Errorf("key must be a lower-case slug of at most %d characters", maxKey)
	}
	return nil
}

// DefaultCatalogue is the shipped catalogue (topics.json), checked against
// the units that exist.
func DefaultCatalogue(knownUnit func(unitID string) bool) (*Catalogue, error) {
	return LoadCatalogue(bytes.NewReader(defaultTopics), knownUnit)
}

// KnownUnits answers LoadCatalogue's question from a list of units, such
// as org.Reference's or org.Store's.
func KnownUnits(units []org.Unit) func(unitID string) bool {
	ids := make(map[string]bool, len(units))
	for _, u := range units {
		ids[u.ID] = true
	}
	return func(id string) bool { return ids[id] }
}

// Subjects returns every subject in catalogue order, retired ones too (a
// form offers only those that are not Retired, with their specifications
// that are not). The slice is the caller's own.
func (c *Catalogue) Subjects() []Subject {
	out := make([]Subject, len(c.subjects))
	for i, s := range c.subjects {
		s.Specifications = append([]Specification(nil), s.Specifications...)
		out[i] = s
	}
	return out
}

// Offered returns what a new-message form shows a party: the subjects
// offered to that kind of party that are not retired, each with its
// specifications that are not, in catalogue order.
func (c *Catalogue) Offered(k PartyKind) []Subject {
	var out []Subject
	for _, sub := range c.Subjects() {
		if sub.Retired || !sub.OfferedTo(k) {
			continue
		}
		var specs []Specification
		for _, sp := range sub.Specifications {
			if !sp.Retired {
				specs = append(specs, sp)
			}
		}
		sub.Specifications = specs
		out = append(out, sub)
	}
	return out
}

// Subject finds a subject by key, retired or not.
func (c *Catalogue) Subject(key string) (Subject, bool) {
	i, ok := c.index[key]
	if !ok {
		return Subject{}, false
	}
	s := c.subjects[i]
	s.Specifications = append([]Specification(nil), s.Specifications...)
	return s, true
}

// Specification finds a specification by its subject's key and its own,
// retired or not.
func (c *Catalogue) Specification(subjectKey, specKey string) (Specification, bool) {
	i, ok := c.index[subjectKey]
	if !ok {
		return Specification{}, false
	}
	for _, sp := range c.subjects[i].Specifications {
		if sp.Key == specKey {
			return sp, true
		}
	}
	return Specification{}, false
}

// Route returns the unit a new message on the topic goes to. A topic the
// catalogue lacks or has retired is a fault.Invalid on the "subject" or
// "specification" field.
func (c *Catalogue) Route(subjectKey, specKey string) (unitID string, err error) {
	sp, err := c.topic(subjectKey, specKey)
	if err != nil {
		return "", err
	}
	return sp.Unit, nil
}

// topicFor finds a topic open for new messages from a party of the
// kind: a subject not offered to it is unknown to it.
func (c *Catalogue) topicFor(k PartyKind, subjectKey, specKey string) (*Specification, error) {
	if i, ok := c.index[subjectKey]; ok && !c.subjects[i].OfferedTo(k) {
		return nil, fault.InvalidField("subject", "message.error.subject_unknown", nil)
	}
	return c.topic(subjectKey, specKey)
}

// topic finds a topic open for new messages.
func (c *Catalogue) topic(subjectKey, specKey string) (*Specification, error) {
	if subjectKey == "" {
		return nil, fault.InvalidField("subject", "message.error.subject_missing", nil)
	}
	i, ok := c.index[subjectKey]
	if !ok || c.subjects[i].Retired {
		return nil, fault.InvalidField("subject", "message.error.subject_unknown", nil)
	}
	if specKey == "" {
		return nil, fault.InvalidField("specification", "message.error.specification_missing", nil)
	}
	s := &c.subjects[i]
	for j := range s.Specifications {
		if sp := &s.Specifications[j]; sp.Key == specKey && !sp.Retired {
			return sp, nil
		}
	}
	return nil, fault.InvalidField("specification", "message.error.specification_unknown", nil)
}
