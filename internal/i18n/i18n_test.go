package i18n

import (
	"embed"
	"testing"
)

//go:embed testdata/*.json
var testFS embed.FS

// Every text must exist in every language: a key missing in one fails here.
func TestEveryKeyInEveryLanguage(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	all := map[string]bool{}
	for _, lang := range Languages {
		for _, k := range c.Keys(lang) {
			all[k] = true
		}
	}
	if len(all) == 0 {
		t.Fatal("no texts loaded")
	}
	for _, lang := range Languages {
		have := map[string]bool{}
		for _, k := range c.Keys(lang) {
			have[k] = true
		}
		for k := range all {
			if !have[k] {
				t.Errorf("%s: missing key %q", lang, k)
			}
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name, cookie, accept, want string
	}{
		{"cookie wins", "sv", "en-GB,en;q=0.9", "sv"},
		{"bad cookie ignored", "de", "en-GB,en;q=0.9", "en"},
		{"swedish from finland", "", "sv-FI,sv;q=0.9", "sv"},
		{"unknown falls back to finnish", "", "de-DE", "fi"},
		{"empty", "", "", "fi"},
		{"garbage header", "", ";;;q=x", "fi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Match(tt.cookie, tt.accept); got != tt.want {
				t.Errorf("Match(%q, %q) = %q; want %q", tt.cookie, tt.accept, got, tt.want)
			}
		})
	}
}

func TestTemplateDataAndMissing(t *testing.T) {
	c, err := load(testFS, "testdata")
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	c.OnMissing = func(lang, key string) { missing = append(missing, lang+":"+key) }
	l := c.For("sv")
	if got := l.T("greet", "Name", "Anna"); got != "Hej Anna" {
		t.Errorf("T(greet) = %q", got)
	}
	if got := l.T("plain"); got != "Enkel" {
		t.Errorf("T(plain) = %q", got)
	}
	if got := l.T("nope"); got != "nope" || len(missing) != 1 {
		t.Errorf("T(nope) = %q, missing = %v", got, missing)
	}
	if got := c.For("xx").Lang; got != "fi" {
		t.Errorf("For(xx).Lang = %q; want fi", got)
	}
}
