package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/access"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/iban"
	"github.com/etuus/etuus/internal/i18n"
)

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// page is what every template gets: the request's language and texts, the
// signed-in user, and the page's own data.
type page struct {
	L     *i18n.Localizer
	Lang  string
	Path  string // the current path, for the language switcher
	Title string // i18n key of the page title
	View  *viewer
	Data  any
	Error string // i18n key of a message shown above the page's content
	Field string // the form field the message is about
	// Message is an error message already rendered with its data, for
	// refusals whose numbers need formatting (a plan's minimum, a date).
	Message string
	// Banner is the disruption notices running now, in the page's language.
	Banner []string
	// Anchor is the id of the control the error summary links to; empty:
	// the one fieldAnchors names for the page and Field, else Field.
	Anchor string
	// Err is a form's refusal with every problem in it: each *fault.Error
	// in its tree (errors.Join keeps several) is one line of the error
	// summary and one field's message. It takes the place of Error,
	// Message and Field.
	Err error
	// Anchors names the control a field's problem links to where the page
	// decides it (the notice address: the e-mail or the phone field);
	// fieldAnchors names the fixed ones.
	Anchors map[string]string
	// problems is what the error summary lists, set when the page renders.
	problems []problem
	// Content, when set, is the page's content already rendered
	// (renderContentCached); the layout prints it instead of running the
	// page's "content" template.
	Content template.HTML
}

// withUnread joins the form's fields that could not be read with what the
// rules refuse in the others, so that one answer lists every problem: a
// field that was not read is left out of checked, whose rules would refuse
// its zero value again with another message.
func withUnread(unread []error, checked error) error {
	skip := map[string]bool{}
	for _, e := range unread {
		skip[fault.FieldOf(e)] = true
	}
	all := unread
	for _, e := range fault.All(checked) {
		if !skip[e.Field] {
			all = append(all, e)
		}
	}
	return errors.Join(all...)
}

// problem is one thing wrong with a form: its text in the page's
// language, the field it is about and the id of the control the summary
// links to (empty: a refusal about no field, listed without a link).
type problem struct {
	Field, Anchor, Text string
}

// Problems is what the error summary lists, one per problem.
func (p *page) Problems() []problem { return p.problems }

// setProblems fills the page's problems from Err, or else from the one
// refusal in Error or Message and Field, for the page's template name.
func (p *page) setProblems(name string) {
	anchor := func(field string) string {
		if a := p.Anchors[field]; a != "" {
			return a
		}
		if a, ok := fieldAnchors[name+"/"+field]; ok {
			return a
		}
		return field
	}
	p.problems = nil
	if p.Err != nil {
		for _, e := range fault.All(p.Err) {
			pr := problem{Field: e.Field, Text: messageText(p.L, e)}
			if e.Field != "" {
				pr.Anchor = anchor(e.Field)
			}
			p.problems = append(p.problems, pr)
		}
		if len(p.problems) == 0 {
			p.problems = []problem{{Text: p.L.T(fault.KeyOf(p.Err))}}
		}
		if p.Field == "" {
			p.Field = p.problems[0].Field
		}
		return
	}
	if p.Error == "" && p.Message == "" {
		return
	}
	if p.Anchor == "" && p.Field != "" {
		p.Anchor = anchor(p.Field)
	}
	p.problems = []problem{{Field: p.Field, Anchor: p.Anchor, Text: p.ErrorText()}}
}

// fieldAnchors are the controls whose id is not the name of the field a
// service reports, by page and field.
var fieldAnchors = map[string]string{
	"message_new/subject":                "topic",
	"message_new/specification":          "topic",
	"employer_message_new/subject":       "topic",
	"employer_message_new/specification": "topic",
	"staff_thread/unit":                  "move-unit",
	"employer_diagnosis/principal":       "org",
}

// HasError reports whether the page shows a refusal: the error summary,
// and the "Error:" before the title.
func (p *page) HasError() bool { return p.Err != nil || p.Error != "" || p.Message != "" }

// ErrorText is the refusal in the page's language (the first, when there
// are several).
func (p *page) ErrorText() string {
	if len(p.problems) > 0 {
		return p.problems[0].Text
	}
	if p.Message != "" {
		return p.Message
	}
	if p.Error != "" {
		return p.L.T(p.Error)
	}
	return ""
}

// Invalid reports whether the refusal is about one of the fields, whose
// control is then marked invalid and described by its message.
func (p *page) Invalid(fields ...string) bool {
	_, ok := p.problemOf(fields)
	return ok
}

// problemOf is the first problem about one of the fields.
func (p *page) problemOf(fields []string) (problem, bool) {
	for _, pr := range p.problems {
		if pr.Field != "" && slices.Contains(fields, pr.Field) {
			return pr, true
		}
	}
	return problem{}, false
}

// FieldError is what the "field-error" template needs to show the
// refusal beside the control with the id, when it is about one of the
// fields.
func (p *page) FieldError(id string, fields ...string) fieldError {
	pr, ok := p.problemOf(fields)
	return fieldError{ID: id + "-error", Show: ok, Text: pr.Text, L: p.L}
}

type fieldError struct {
	ID, Text string
	Show     bool
	L        *i18n.Localizer
}

// viewer is the signed-in user as templates see it.
type viewer struct {
	Name        string
	Kind        string // citizen, eidas, staff
	Staff       bool
	UnitName    string
	IdleSeconds int // the idle timeout, for the warning before it
	WarnSeconds int
	// May is what a staff member may use, from the permission table, so
	// that pages offer only that (the services check it again).
	May staffMay
}

// staffMay is a staff member's permissions as the pages need them.
type staffMay struct {
	MessagesQueue, RecoveryQueue, ImportBank, LinkEIDAS, APIClients, MandateLookup, DeskSearch, DirectoryNotices, PharmacyCalls, PaymentRun, EmployerDecide bool
}

func mayOf(t *access.Table, a access.Actor) staffMay {
	return staffMay{
		MessagesQueue:    t.Allows(a, access.MessagesQueue),
		RecoveryQueue:    t.Allows(a, access.RecoveryQueue),
		ImportBank:       t.Allows(a, access.RecoveryImportBank),
		LinkEIDAS:        t.Allows(a, access.IdentityLinkEIDAS),
		APIClients:       t.Allows(a, access.APIClients),
		MandateLookup:    t.Allows(a, access.MandateLookup),
		DeskSearch:       t.Allows(a, access.DeskSearch),
		DirectoryNotices: t.Allows(a, access.DirectoryNotices),
		PharmacyCalls:    t.Allows(a, access.PharmacyCalls),
		PaymentRun:       t.Allows(a, access.PaymentRun),
		EmployerDecide:   t.Allows(a, access.EmployerDecide),
	}
}

// templates holds one parsed template set per page, each the layout plus
// the page, parsed once at start-up so a broken template stops the server.
type templates map[string]*template.Template

func parseTemplates() (templates, error) {
	funcs := template.FuncMap{
		"euros":   formatEuros,
		"join":    strings.Join,
		"split":   func(s string) []string { return strings.Split(s, ",") },
		"minutes": func(seconds int) int { return (seconds + 59) / 60 },
		"date":    formatDate,
		"when":    formatWhen,
		"kb":      func(n int64) int64 { return (n + 1023) / 1024 },
		"barcode": barcodeImage,
		// iban prints an account number in groups of four, which wrap
		// between groups and never inside one; one that does not parse
		// is printed as it is.
		"iban": func(s string) string {
			if a, err := iban.Parse(s); err == nil {
				return a.Grouped()
			}
			return s
		},
		// clock and minclock print a time of day the Finnish way, 9.00.
		"clock":    func(t time.Time) string { return t.In(civil.Finland).Format("15.04") },
		"minclock": func(m int) string { return fmt.Sprintf("%d.%02d", m/60, m%60) },
		"countries": func(l *i18n.Localizer, codes []string) string {
			names := make([]string, len(codes))
			for i, c := range codes {
				names[i] = c
				if l.Has("country." + c) {
					names[i] = l.T("country." + c)
				}
			}
			return strings.Join(names, ", ")
		},
	}
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	pages, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	ts := templates{}
	for _, p := range pages {
		name := path.Base(p)
		if name == "layout.html" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, p)
		if err != nil {
			return nil, err
		}
		ts[strings.TrimSuffix(name, ".html")] = t
	}
	return ts, nil
}

// render writes a page with its status. It renders into a buffer first so
// that a template error becomes a clean 500, never half a page.
// The buffer comes from a pool: growing a fresh one to a page's size was
// most of what a page view allocated.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	buf, _ := s.buffers.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	defer func() {
		if buf.Cap() <= 1<<20 {
			buf.Reset()
			s.buffers.Put(buf)
		}
	}()
	if err := s.execute(buf, r, name, p); err != nil {
		s.log.Error("render", "template", name, "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	writeHTML(w, status, p.Lang, buf.Bytes())
}

func writeHTML(w http.ResponseWriter, status int, lang string, b []byte) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", lang)
	w.WriteHeader(status)
	w.Write(b)
}

// renderBytes executes a page's template into memory of its own.
func (s *Server) renderBytes(r *http.Request, name string, p *page) ([]byte, error) {
	var buf bytes.Buffer
	if err := s.execute(&buf, r, name, p); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// execute executes a page's template into buf.
func (s *Server) execute(buf *bytes.Buffer, r *http.Request, name string, p *page) error {
	t, ok := s.templates[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	if p.L == nil {
		p.L = s.localizer(r)
	}
	p.Lang = p.L.Lang
	if p.Path == "" {
		p.Path = r.URL.Path
	}
	if p.View == nil {
		p.View = s.viewer(r)
	}
	p.setProblems(name)
	if p.Banner == nil {
		p.Banner = s.banner(r, p.Lang)
	}
	return t.ExecuteTemplate(buf, "layout.html", p)
}

// renderError shows the translated error page for a status and message key.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, key string) {
	s.render(w, r, status, "error", &page{Title: "error.title", Data: errorPage{Status: status, Key: key}})
}

type errorPage struct {
	Status int
	Key    string
}

// fail answers a request that failed: the fault's kind picks the status and
// the message, and only faults of ours are logged, without the request's data.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	k := fault.KindOf(err)
	if k == fault.Internal || k == fault.Unavailable {
		if s.databaseDown(r.Context()) {
			s.log.Warn("database unavailable: outage page", "route", route(r), "err", err)
			s.renderOutage(w, r)
			return
		}
		s.log.Error("request failed", "route", route(r), "kind", k.String(), "err", err)
	}
	s.renderError(w, r, k.Status(), fault.KeyOf(err))
}

// formatWhen prints an instant in Finnish time the Finnish way,
// 2.12.2026 14.05, which Swedish and English texts in Finland use too.
func formatWhen(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(civil.Finland).Format("2.1.2006 15.04")
}

// formatEuros prints cents as euros the Finnish way, 1 234,50 €, which
// the pages use in every language.
func formatEuros(cents int64) string { return i18n.Euros("fi", cents) }
