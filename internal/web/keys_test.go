package web_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/etuus/etuus/internal/i18n"
)

// Every text key the templates and the Go code name must exist in every
// language (the catalog test checks that the languages agree).
func TestEveryNamedKeyExists(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, k := range cat.Keys("fi") {
		have[k] = true
	}
	tmplKey := regexp.MustCompile(`\.T "([a-z0-9_.-]+)"`)
	goKey := regexp.MustCompile(`"((?:message|exemption|error|auth|recovery|plan|claim|claims|pay|slip|bank|proposal|kind|status|event|login|logout|securemail|staff|my|home|session|hetu|contact|service|layout|role|country|days|lang)\.[a-z0-9_.-]*[a-z0-9_])"`)
	// Strings shaped like keys that are not texts: audit actions, file names.
	notKeys := map[string]bool{"layout.html": true, "staff.view_eidas": true, "staff.view_secure_message": true, "staff.link_eidas": true}
	found := 0
	check := func(path string, re *regexp.Regexp) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var text strings.Builder
		for _, line := range strings.Split(string(b), "\n") {
			// Audit actions look like keys but are not texts.
			if !strings.Contains(line, "Action") {
				text.WriteString(line + "\n")
			}
		}
		for _, m := range re.FindAllStringSubmatch(text.String(), -1) {
			found++
			audit := strings.HasPrefix(m[1], "staff.view_") || strings.HasPrefix(m[1], "staff.link_") || strings.HasPrefix(m[1], "recovery.plan_")
			if !have[m[1]] && !notKeys[m[1]] && !audit {
				t.Errorf("%s names key %q, which has no text", path, m[1])
			}
		}
	}
	filepath.WalkDir("templates", func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".html") {
			check(p, tmplKey)
		}
		return nil
	})
	for _, dir := range []string{".", "../auth", "../securemail", "../store", "../recovery", "../message"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if !strings.HasSuffix(f, "_test.go") {
				check(f, goKey)
			}
		}
	}
	if found < 50 {
		t.Fatalf("found only %d key references; the scan is broken", found)
	}
}
