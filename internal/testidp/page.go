package testidp

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
)

//go:embed templates/*.html
var templateFS embed.FS

// templates are parsed once at start-up; a broken template stops the
// program before it serves anything.
var templates = template.Must(template.ParseFS(templateFS, "templates/*.html"))

// page is the data of every page template.
type page struct {
	Lang  string
	Title string // message key of the page's heading, also used in <title>

	// The sign-in page.
	Action   string
	ClientID string
	Hidden   []hiddenField
	Groups   []identityGroup

	// The error page.
	Message string // message key
	Detail  string // untranslated, for developers
}

type hiddenField struct{ Name, Value string }

// T translates key into the page's language.
func (p page) T(key string) (string, error) { return translate(p.Lang, key) }

// KindHeading names a group of identities; a kind without a translation
// is shown as configured rather than failing the page.
func (p page) KindHeading(kind string) string {
	if s, err := translate(p.Lang, "kind_"+kind); err == nil {
		return s
	}
	return kind
}

// render writes a page, or a bare 500 if the template fails: rendering
// into a buffer first keeps a half page from reaching the browser.
func (p *Provider) render(w http.ResponseWriter, status int, name string, data page) {
	var buf bytes.Buffer
	if err := templates.ExecuteTemplate(&buf, name, data); err != nil {
		p.log.Error("test-idp: render page", "page", name, "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	noStore(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// renderError shows a refusal that must not be redirected to the client.
func (p *Provider) renderError(w http.ResponseWriter, r *http.Request, lang, message, detail string) {
	if lang == "" {
		lang = p.pageLang(r, "")
	}
	p.render(w, http.StatusBadRequest, "error", page{Lang: lang, Title: "err_title", Message: message, Detail: detail})
}
