package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"html/template"
	"net/http"
	"sync"
)

// contentCache keeps the content of pages that staff load over and over —
// the unit's message queue, the Recovery Centre's work queue — as the
// page's "content" template rendered it, by a digest of everything that
// content shows: the template, the language and the page's data as JSON.
// A kept content is therefore never stale: a thread answered, a minute
// more of waiting, a proposal decided changes the data and so the key.
// What it saves is html/template's work (every text still escaped by it,
// once), which was most of these pages' cost; the reads and their audit
// entries are done for every request, and the layout around the content
// is kept by what it shows (renderFramed).
type contentCache struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]template.HTML
}

// maxContents bounds the contents kept (some 20-60 KiB each); past it the
// cache starts over.
const maxContents = 512

func (c *contentCache) get(k [sha256.Size]byte) (template.HTML, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.m[k]
	return h, ok
}

func (c *contentCache) put(k [sha256.Size]byte, h template.HTML) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxContents {
		c.m = map[[sha256.Size]byte]template.HTML{}
	}
	c.m[k] = h
}

// renderContentCached renders a page whose "content" template reads only
// the page's language and its Data (every field that matters exported, so
// that it is in the JSON), keeping the content by a digest of both. A page
// with a refusal or a message on it is rendered as usual.
func (s *Server) renderContentCached(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t, ok := s.templates[name]
	if p.Err != nil || p.Error != "" || p.Message != "" || !ok {
		s.render(w, r, status, name, p)
		return
	}
	data, err := json.Marshal(p.Data)
	if err != nil {
		s.render(w, r, status, name, p)
		return
	}
	if p.L == nil {
		p.L = s.localizer(r)
	}
	h := sha256.New()
	for _, part := range [][]byte{[]byte(name), {0}, []byte(p.L.Lang), {0}, data} {
		h.Write(part)
	}
	var key [sha256.Size]byte
	h.Sum(key[:0])
	content, ok := s.contents.get(key)
	if !ok {
		var b bytes.Buffer
		p.Lang = p.L.Lang
		if err := t.ExecuteTemplate(&b, "content", p); err != nil {
			s.log.Error("render", "template", name, "err", err)
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		content = template.HTML(b.String())
		s.contents.put(key, content)
	}
	p.Content = content
	s.renderFramed(w, r, status, name, p)
}
