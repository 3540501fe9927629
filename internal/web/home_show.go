package web

import (
	"net/http"

	"github.com/etuus/etuus/internal/org"
)

type homeData struct {
	Centres []centre
}

// centre is a public unit with its contact points, grouped as the front
// page shows them.
type centre struct {
	Unit   org.Unit
	Name   string
	Phones []org.Contact
	Emails []org.Contact
	Postal []org.Contact
	Faxes  []org.Contact
	Sites  []string // where a contact centre operates (seed 001)
}

// homeShow is the front page: the services and the institution's contact
// points.
func (s *Server) homeShow(w http.ResponseWriter, r *http.Request) {
	units, contacts, err := s.directory(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l := s.localizer(r)
	anonymous := s.viewer(r) == nil
	if anonymous {
		if b := s.cachedHome(l.Lang); b != nil {
			writeHTML(w, http.StatusOK, l.Lang, b)
			return
		}
	}
	var d homeData
	for _, u := range units {
		if !u.Public {
			continue
		}
		c := centre{Unit: u, Name: u.Name(l.Lang)}
		for _, site := range org.Children(units, u.ID) {
			c.Sites = append(c.Sites, site.Name(l.Lang))
		}
		for _, ct := range contacts {
			if ct.Unit != u.ID {
				continue
			}
			switch ct.Kind {
			case "phone":
				c.Phones = append(c.Phones, ct)
			case "email":
				c.Emails = append(c.Emails, ct)
			case "postal":
				c.Postal = append(c.Postal, ct)
			case "fax":
				c.Faxes = append(c.Faxes, ct)
			}
		}
		d.Centres = append(d.Centres, c)
	}
	p := &page{L: l, Title: "home.title", Data: d}
	b, err := s.renderBytes(r, "home", p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if anonymous {
		s.orgMu.Lock()
		s.homePages[l.Lang] = b
		s.orgMu.Unlock()
	}
	writeHTML(w, http.StatusOK, l.Lang, b)
}

func (s *Server) cachedHome(lang string) []byte {
	s.orgMu.Lock()
	defer s.orgMu.Unlock()
	return s.homePages[lang]
}
