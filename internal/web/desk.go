package web

import (
	"net/http"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/desk"
	"github.com/etuus/etuus/internal/fault"
)

// Customer service's desk: the staff search and the 360 view (POST, so that
// no identity code or name is ever in a URL), and the customer's access log.

type deskSearchData struct {
	Q, Birth string
	Result   *desk.Result
	Page     int // 1-based page shown
	Next     int
}

// deskSearchForm is the empty search form.
func (s *Server) deskSearchForm(w http.ResponseWriter, r *http.Request) {
	if s.requireStaffMay(w, r, access.DeskSearch) == nil {
		return
	}
	s.render(w, r, http.StatusOK, "desk_search", &page{Title: "desk.search.title", Data: deskSearchData{}})
}

// deskSearch runs a search: by identity code, name with date of birth,
// eIDAS identifier or reference; one page of matches, each audited.
func (s *Server) deskSearch(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaffMay(w, r, access.DeskSearch)
	if sess == nil || !s.parseForm(w, r) {
		return
	}
	d := deskSearchData{Q: r.PostForm.Get("q"), Birth: r.PostForm.Get("birth"), Page: pageParam(r.PostForm)}
	d.Next = d.Page + 1
	q, err := desk.ParseQuery(d.Q, d.Birth, d.Page-1)
	if err == nil {
		var res desk.Result
		res, err = s.cfg.Desk.Search(r.Context(), actorOf(sess), q)
		d.Result = &res
	}
	if fault.Is(err, fault.Invalid) {
		s.render(w, r, http.StatusUnprocessableEntity, "desk_search", &page{Title: "desk.search.title", Data: d, Err: err})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "desk_search", &page{Title: "desk.search.title", Data: d})
}

type deskOpenData struct {
	ID       string
	Topic    string
	Text     string
	Purposes []desk.Topic
}

// deskOpenForm asks why the staff member opens the customer; nothing of
// the customer is read until they say.
func (s *Server) deskOpenForm(w http.ResponseWriter, r *http.Request) {
	if s.requireStaffMay(w, r, access.DeskSearch) == nil {
		return
	}
	s.render(w, r, http.StatusOK, "desk_open", &page{Title: "desk.open.title", Data: deskOpenData{ID: r.PathValue("id"), Purposes: desk.Purposes}})
}

type deskViewData struct {
	View  desk.View
	Units map[string]string // unit names in the page's language
}

// deskOpen opens the 360 view for the purpose given; the read is audited.
func (s *Server) deskOpen(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaff(w, r)
	if sess == nil || !s.parseForm(w, r) {
		return
	}
	d := deskOpenData{ID: r.PathValue("id"), Topic: r.PostForm.Get("purpose"), Text: r.PostForm.Get("purpose_text"), Purposes: desk.Purposes}
	v, err := s.cfg.Desk.Open(r.Context(), actorOf(sess), d.ID, desk.Purpose{Topic: d.Topic, Text: d.Text})
	if fault.Is(err, fault.Invalid) {
		s.render(w, r, http.StatusUnprocessableEntity, "desk_open", &page{Title: "desk.open.title", Data: d, Err: err})
		return
	}
	s.renderUnits(w, r, err, "desk_view", "desk.view.title", func(units map[string]string) any { return deskViewData{View: v, Units: units} })
}

// renderUnits answers a service's error, or renders a page whose data
// names units, with their names in the page's language.
func (s *Server) renderUnits(w http.ResponseWriter, r *http.Request, err error, name, title string, data func(units map[string]string) any) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l := s.localizer(r)
	units, err := s.unitNames(r, l.Lang)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, name, &page{L: l, Title: title, Data: data(units)})
}

// unitNames names every unit in a language, by ID.
func (s *Server) unitNames(r *http.Request, lang string) (map[string]string, error) {
	units, _, err := s.directory(r.Context())
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(units))
	for _, u := range units {
		names[u.ID] = u.Name(lang)
	}
	return names, nil
}

type accessLogData struct {
	Log   desk.LogPage
	Units map[string]string
}

// accessLog is the customer's own log of who looked at their data: unit,
// role, when and why, never the staff member's name.
func (s *Server) accessLog(w http.ResponseWriter, r *http.Request) {
	sess := s.requireCustomer(w, r)
	if sess == nil {
		return
	}
	lp, err := s.cfg.Desk.AccessLog(r.Context(), actorOf(sess), sess.PersonID, r.URL.Query().Get("before"))
	s.renderUnits(w, r, err, "access_log", "desk.log.title", func(units map[string]string) any { return accessLogData{Log: lp, Units: units} })
}
