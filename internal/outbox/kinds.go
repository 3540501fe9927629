package outbox

import (
	"fmt"
	"slices"
)

// Translate gives the text of a message key in a language (falling back as
// the catalogue does), with named arguments: "Code", "123456". A
// capability's notice texts are written with it.
type Translate func(lang, key string, args ...any) string

// NoticeKind is one kind of notice a capability sends and how its text is
// written. The capability that enqueues the kind provides it; the outbox
// itself knows no kinds.
type NoticeKind struct {
	Kind Kind
	// Render writes the subject and text in the notice's language. Its
	// error is permanent, as a Renderer's.
	Render Renderer
}

// Fixed is a notice kind whose text is the same for everyone: an e-mail's
// subject and text and an SMS's text, each a key of the catalogue t reads
// in the notice's language. Such a notice carries no content of its own.
func Fixed(t Translate, k Kind, subject, text, sms string) NoticeKind {
	return NoticeKind{Kind: k, Render: func(it Item) (string, string, error) {
		if it.Channel == SMS {
			return "", t(it.Lang, sms), nil
		}
		return t(it.Lang, subject), t(it.Lang, text), nil
	}}
}

// Kinds is the registry of notice kinds a worker can write, built once in
// main from what the capabilities provide.
type Kinds struct {
	render map[Kind]Renderer
}

// NewKinds builds the registry from the capabilities' kinds. A kind given
// twice, an empty one or one without a Render is refused: two capabilities
// must never answer for the same rows.
func NewKinds(groups ...[]NoticeKind) (*Kinds, error) {
	k := &Kinds{render: map[Kind]Renderer{}}
	for _, g := range groups {
		for _, nk := range g {
			switch {
			case nk.Kind == "" || nk.Render == nil:
				return nil, fmt.Errorf("outbox: notice kind %q needs a name and a Render", nk.Kind)
			case k.render[nk.Kind] != nil:
				return nil, fmt.Errorf("outbox: notice kind %q registered twice", nk.Kind)
			}
			k.render[nk.Kind] = nk.Render
		}
	}
	return k, nil
}

// Render writes a notice by its kind's Render; an unknown kind is an error,
// which the worker takes as permanent.
func (k *Kinds) Render(it Item) (subject, text string, err error) {
	r := k.render[it.Kind]
	if r == nil {
		return "", "", fmt.Errorf("outbox: unknown notice kind %q", it.Kind)
	}
	return r(it)
}

// Names lists the registered kinds, sorted.
func (k *Kinds) Names() []Kind {
	out := make([]Kind, 0, len(k.render))
	for n := range k.render {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
