package web

import (
	"bytes"
	"html/template"
	"net/http"
	"strings"
	"sync"
)

// The layout around a kept content (renderContentCached) is kept too, as
// html/template rendered it: the bytes before the content and after it.
// The layout was a third of a staff queue page's CPU and of a citizen's
// payments page's once their content was kept (twenty translated texts and
// the viewer's name, through reflection, for every request).
//
// A frame is rendered from its key alone (frameKey.page), never from the
// request's page, so two requests with the same key get the same bytes by
// construction: a field of the layout left out of the key renders empty in
// every frame rather than one viewer's value in another's page. Nothing is
// escaped, replaced or spliced here: html/template renders the layout with
// a marker in the content's place, and the frame is its output cut at that
// marker, where html/template would have written the content.

// frameKey is everything the layout reads: the page's language, title and
// path, and the viewer's name, kind of session and idle timeouts, and the
// disruption notices shown.
type frameKey struct {
	template, lang, title, path string
	signedIn, staff             bool
	name                        string
	idle, warn                  int
	banner                      string // the notices, each ended by "\x00"
}

// frameKeyOf is p's key; ok is false for a page the frame does not serve
// (a refusal on it: the error summary is the layout's).
func frameKeyOf(name string, p *page) (frameKey, bool) {
	if p.HasError() {
		return frameKey{}, false
	}
	k := frameKey{template: name, lang: p.Lang, title: p.Title, path: p.Path}
	if v := p.View; v != nil {
		k.signedIn, k.staff, k.name, k.idle, k.warn = true, v.Staff, v.Name, v.IdleSeconds, v.WarnSeconds
	}
	var b strings.Builder
	for _, n := range p.Banner {
		b.WriteString(n)
		b.WriteByte(0)
	}
	k.banner = b.String()
	return k, true
}

// page is the page the frame is rendered from: the key's fields and the
// marker as its content, in language l (the page's own localizer).
func (k frameKey) page(p *page) *page {
	f := &page{L: p.L, Lang: k.lang, Title: k.title, Path: k.path, Content: frameMarker}
	if k.signedIn {
		f.View = &viewer{Name: k.name, Staff: k.staff, IdleSeconds: k.idle, WarnSeconds: k.warn}
	}
	if k.banner != "" {
		f.Banner = strings.Split(strings.TrimSuffix(k.banner, "\x00"), "\x00")
	} else {
		f.Banner = []string{}
	}
	return f
}

// frameMarker stands where the content goes; it contains nothing
// html/template changes, and no text of the layout contains it.
const frameMarker template.HTML = "<!--etuus-content-ebf27c1d-->"

type frame struct{ head, tail []byte }

// frameCache keeps frames by key; past maxFrames it lets one go (any: a
// map's order), so that citizens' frames, one each, do not sweep away the
// staff queues' few.
type frameCache struct {
	mu sync.Mutex
	m  map[frameKey]frame
}

const maxFrames = 4096

func (c *frameCache) get(k frameKey) (frame, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.m[k]
	return f, ok
}

func (c *frameCache) put(k frameKey, f frame) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[frameKey]frame{}
	}
	for old := range c.m {
		if len(c.m) < maxFrames {
			break
		}
		delete(c.m, old)
	}
	c.m[k] = f
}

// renderFramed writes a page whose content is rendered (p.Content) inside
// its kept frame, rendering the frame first when it is not kept; a page the
// frame does not serve is rendered as usual.
func (s *Server) renderFramed(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
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
	if p.Banner == nil {
		p.Banner = s.banner(r, p.Lang)
	}
	k, ok := frameKeyOf(name, p)
	if !ok {
		s.render(w, r, status, name, p)
		return
	}
	f, ok := s.frames.get(k)
	if !ok {
		var buf bytes.Buffer
		if err := s.execute(&buf, r, name, k.page(p)); err != nil {
			s.log.Error("render", "template", name, "err", err)
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		head, tail, found := bytes.Cut(buf.Bytes(), []byte(frameMarker))
		if !found || bytes.Contains(tail, []byte(frameMarker)) {
			s.render(w, r, status, name, p)
			return
		}
		f = frame{head: head, tail: tail}
		s.frames.put(k, f)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", p.Lang)
	w.WriteHeader(status)
	w.Write(f.head)
	w.Write([]byte(p.Content))
	w.Write(f.tail)
}
