// Package i18n holds etuus's texts in Finnish, Swedish and English and picks
// the language for a request.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Languages are the languages etuus speaks, the default first.
var Languages = []string{"fi", "sv", "en"}

var tags = []language.Tag{language.Finnish, language.Swedish, language.English}

var matcher = language.NewMatcher(tags)

//go:embed locales/*.json
var locales embed.FS

// Catalog is every text in every language.
type Catalog struct {
	bundle *i18n.Bundle
	// plain holds the texts that need neither data nor plural forms,
	// resolved once, so that a page render costs a map lookup per text.
	plain map[string]map[string]string
	keys  map[string][]string // language → sorted keys
	// OnMissing, when set, is told of every key asked for that has no
	// text; tests use it to fail on a page that names a missing key.
	OnMissing func(lang, key string)
}

// Load parses the embedded message files. A file that does not parse, or a
// language without a file, is an error: etuus does not start half-translated.
func Load() (*Catalog, error) {
	return load(locales, "locales")
}

func load(fsys fs.FS, dir string) (*Catalog, error) {
	c := &Catalog{
		bundle: i18n.NewBundle(language.Finnish),
		plain:  map[string]map[string]string{},
		keys:   map[string][]string{},
	}
	c.bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	// A language's texts are LANG.json plus any AREA.LANG.json, so that
	// each part of the product can keep its texts in a file of its own.
	for _, lang := range Languages {
		names, err := fs.Glob(fsys, path.Join(dir, "*"+lang+".json"))
		if err != nil {
			return nil, err
		}
		plain := map[string]string{}
		for _, name := range names {
			base := path.Base(name)
			if base != lang+".json" && !strings.HasSuffix(base, "."+lang+".json") {
				continue
			}
			b, err := fs.ReadFile(fsys, name)
			if err != nil {
				return nil, fmt.Errorf("i18n: %w", err)
			}
			mf, err := c.bundle.ParseMessageFileBytes(b, name)
			if err != nil {
				return nil, fmt.Errorf("i18n: %s: %w", name, err)
			}
			for _, m := range mf.Messages {
				if _, dup := plain[m.ID]; dup || slices.Contains(c.keys[lang], m.ID) {
					return nil, fmt.Errorf("i18n: %s: key %q is defined twice", name, m.ID)
				}
				c.keys[lang] = append(c.keys[lang], m.ID)
				if m.Other != "" && m.One == "" && !strings.Contains(m.Other, "{{") {
					plain[m.ID] = m.Other
				}
			}
		}
		if len(c.keys[lang]) == 0 {
			return nil, fmt.Errorf("i18n: no texts for %s in %s", lang, dir)
		}
		sort.Strings(c.keys[lang])
		c.plain[lang] = plain
	}
	return c, nil
}

// Keys lists the message keys of a language, sorted.
func (c *Catalog) Keys(lang string) []string { return c.keys[lang] }

// Match picks a language from a cookie value or an Accept-Language header;
// the first that names one of ours wins, and Finnish is the default.
func Match(cookie, acceptLanguage string) string {
	for _, l := range Languages {
		if cookie == l {
			return l
		}
	}
	if acceptLanguage != "" {
		prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
		if err == nil && len(prefs) > 0 {
			_, i, conf := matcher.Match(prefs...)
			if conf != language.No {
				return Languages[i]
			}
		}
	}
	return Languages[0]
}

// Valid reports whether lang is one of ours.
func Valid(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Localizer renders texts in one language.
type Localizer struct {
	Lang  string
	c     *Catalog
	plain map[string]string
	loc   *i18n.Localizer
}

// For returns the localizer for a language; an unknown language gets Finnish.
func (c *Catalog) For(lang string) *Localizer {
	if !Valid(lang) {
		lang = Languages[0]
	}
	return &Localizer{Lang: lang, c: c, plain: c.plain[lang]}
}

// T returns the text for key, with data filled in when given. A missing key
// shows as the key itself, which the catalog test forbids from ever shipping.
func (l *Localizer) T(key string, data ...any) string {
	if len(data) == 0 {
		if s, ok := l.plain[key]; ok {
			return s
		}
	}
	if l.loc == nil {
		l.loc = i18n.NewLocalizer(l.c.bundle, l.Lang)
	}
	cfg := &i18n.LocalizeConfig{MessageID: key}
	switch len(data) {
	case 0:
	case 1:
		cfg.TemplateData = data[0]
		if n, ok := count(data[0]); ok {
			cfg.PluralCount = n
		}
	default:
		// key, value pairs, as templates call it: T "key" "Name" .Name
		m := map[string]any{}
		for i := 0; i+1 < len(data); i += 2 {
			m[fmt.Sprint(data[i])] = data[i+1]
		}
		cfg.TemplateData = m
		if n, ok := m["Count"]; ok {
			cfg.PluralCount = n
		}
	}
	s, err := l.loc.Localize(cfg)
	if err != nil {
		if l.c.OnMissing != nil {
			l.c.OnMissing(l.Lang, key)
		}
		return key
	}
	return s
}

// Has reports whether the language has a text for key.
func (l *Localizer) Has(key string) bool {
	if _, ok := l.plain[key]; ok {
		return true
	}
	for _, k := range l.c.keys[l.Lang] {
		if k == key {
			return true
		}
	}
	return false
}

func count(d any) (any, bool) {
	if m, ok := d.(map[string]any); ok {
		n, ok := m["Count"]
		return n, ok
	}
	return nil, false
}
