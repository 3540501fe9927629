package web

import (
	"bytes"
	"html/template"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/etuus/etuus/internal/i18n"
)

// TestFramedAsRendered: a page written in its kept frame is, byte for byte,
// the page html/template renders whole — for anonymous visitors, staff and
// citizens, in each language, with disruption notices, and with names that
// need escaping or read like the frame's marker — the first time (frame
// rendered) and the second (frame kept); and a frame kept for one viewer
// never shows another's name.
func TestFramedAsRendered(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	ts, err := parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{templates: ts, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	content := template.HTML(`<h1>Kept content</h1><p>&lt;escaped&gt;</p>`)
	for _, c := range []struct {
		lang   string
		view   *viewer
		banner []string
	}{
		{"fi", nil, []string{}},
		{"en", &viewer{Name: "Anna Asiantuntija", Staff: true, IdleSeconds: 1800, WarnSeconds: 120}, []string{"Notice A", "Notice <b>B</b> & C"}},
		{"sv", &viewer{Name: "Maija <script>alert(1)</script>", IdleSeconds: 900, WarnSeconds: 60}, []string{}},
		{"fi", &viewer{Name: "Matti Meikäläinen", IdleSeconds: 1800, WarnSeconds: 120}, []string{}},
		{"fi", &viewer{Name: string(frameMarker), IdleSeconds: 1800, WarnSeconds: 120}, []string{}},
	} {
		mk := func() *page {
			return &page{L: cat.For(c.lang), Title: "message.queue.title", Path: "/staff/messages", View: c.view, Banner: c.banner, Content: content}
		}
		whole := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/staff/messages", nil)
		s.render(whole, r, 200, "staff_messages", mk())
		for i := range 2 {
			framed := httptest.NewRecorder()
			s.renderFramed(framed, r, 200, "staff_messages", mk())
			if !bytes.Equal(framed.Body.Bytes(), whole.Body.Bytes()) {
				t.Fatalf("%s %+v, request %d: framed page differs from the whole render:\n%s\n----\n%s", c.lang, c.view, i+1, framed.Body, whole.Body)
			}
			if framed.Header().Get("Content-Language") != c.lang || framed.Header().Get("Content-Type") != whole.Header().Get("Content-Type") {
				t.Errorf("headers %v; want %v", framed.Header(), whole.Header())
			}
		}
	}
	// A refusal on the page is the layout's: rendered whole, not framed.
	p := &page{L: cat.For("fi"), Title: "message.queue.title", Path: "/x", Banner: []string{}, Content: content, Error: "form.error_summary"}
	if _, ok := frameKeyOf("staff_messages", p); ok {
		t.Error("a page with a refusal has a frame")
	}
}
