package web

import (
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/etuus/etuus/internal/i18n"
)

// BenchmarkInboxRender renders a folder page of 20 threads in-process:
// "rows" is the table rows through the "inbox-rows" template (what a page
// costs when its rows are not kept), "page" the page around rows already
// rendered (what a page kept by folderRows costs).
func BenchmarkInboxRender(b *testing.B) {
	ts, err := parseTemplates()
	if err != nil {
		b.Fatal(err)
	}
	cat, err := i18n.Load()
	if err != nil {
		b.Fatal(err)
	}
	s := &Server{templates: ts, catalog: cat}
	rows := make([]inboxRow, 20)
	for i := range rows {
		rows[i] = inboxRow{ID: "0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee", Title: fmt.Sprintf("Viesti %d", i), Topic: "Perintä: Maksusuunnitelma",
			Unit: "Perintäkeskus", Last: "2.12.2026 14.05", Status: "Odottaa vastausta", Unread: i%2 == 0}
	}
	l := cat.For("fi")
	html, err := s.renderRows(rows, l)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("rows", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.renderRows(rows, l); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("page", func(b *testing.B) {
		r := httptest.NewRequest("GET", "/my/messages", nil)
		b.ReportAllocs()
		for b.Loop() {
			w := httptest.NewRecorder()
			s.render(w, r, 200, "messages", &page{L: l, Title: "message.title", View: &viewer{}, Banner: []string{}, Data: inboxData{Rows: html, Any: true, Total: 200, Page: 1}})
			if w.Code != 200 {
				b.Fatal(w.Code)
			}
		}
	})
}
