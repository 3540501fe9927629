package web

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/desk"
	"github.com/etuus/etuus/internal/directory"
	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/securemail"
	"github.com/etuus/etuus/internal/store/storetest"
)

// newInternalServer is a server on an empty SQLite database, for tests of
// its internals.
func newInternalServer(t *testing.T) (*Server, *i18n.Catalog) {
	t.Helper()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.SQLite(t)
	msgs, err := message.NewService(db.Messages(), message.Config{})
	if err != nil {
		t.Fatal(err)
	}
	secure, err := securemail.NewService(db.SecureMail(), securemail.Config{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{BaseURL: "http://localhost", Messages: MessagesConfig{Service: msgs}, SecureEmail: SecureEmailConfig{Service: secure},
		Desk: desk.NewService(db.Desk(), nil), Directory: directory.NewService(db.Directory(), nil)},
		db, cat, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	return s, cat
}

// TestWaitedKept: a kept wait text is the translation, per language.
func TestWaitedKept(t *testing.T) {
	s, cat := newInternalServer(t)
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
