package web

import (
	"testing"
	"time"

	"github.com/etuus/etuus/internal/i18n"
)

// TestWaitedKept: a kept wait text is the translation, per language.
// waited uses only the server's own cache, so a zero Server serves.
func TestWaitedKept(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{}
	d := 2*24*time.Hour + 5*time.Hour + 59*time.Minute
	for range 2 {
		for _, tt := range []struct{ lang, want string }{{"fi", "2 pv 5 t"}, {"en", "2 d 5 h"}} {
			l := cat.For(tt.lang)
			if got := s.waited(l, d); got != tt.want || got != l.T("message.queue.waited", "Days", 2, "Hours", 5) {
				t.Errorf("%s: %q; want %q", tt.lang, got, tt.want)
			}
		}
	}
	if got := s.waited(cat.For("en"), -time.Hour); got != "0 d 0 h" {
		t.Errorf("a negative wait: %q", got)
	}
}
