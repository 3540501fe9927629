package web

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/directory"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/org"
)

// The directory's public pages, the disruption notices' banner, status
// page and staff form. All public parts answer from memory when the
// database does not: the last notices read, the units last read (or those
// built into the binary) and the exceptions built in.

// boardTTL is how long the notices read are shown before they are read
// again; boardTimeout bounds that read, so that a database that hangs
// does not hold up every page.
const (
	boardTTL     = 15 * time.Second
	boardTimeout = time.Second
)

// noticeBoard is the notices last read from the database.
type noticeBoard struct {
	mu      sync.Mutex
	notices []directory.Notice
	read    time.Time
}

// notices is the board, read again when older than boardTTL; when the
// read fails, the last board read stays (the database may be down).
func (s *Server) notices(ctx context.Context) []directory.Notice {
	if s.cfg.Directory == nil {
		return nil
	}
	b := &s.board
	b.mu.Lock()
	defer b.mu.Unlock()
	now := s.now()
	if !b.read.IsZero() && now.Sub(b.read) < boardTTL {
		return b.notices
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), boardTimeout)
	defer cancel()
	ns, err := s.cfg.Directory.Board(ctx, now)
	b.read = now // a failed read is not retried on every request either
	if err != nil {
		s.log.Warn("disruption notices not read; showing the last read", "err", err)
		return b.notices
	}
	b.notices = ns
	// The front page kept for anonymous visitors shows the banner.
	s.orgMu.Lock()
	s.homePages = map[string][]byte{}
	s.orgMu.Unlock()
	return ns
}

// forgetNotices makes the next page read the board again.
func (s *Server) forgetNotices() {
	s.board.mu.Lock()
	s.board.read = time.Time{}
	s.board.mu.Unlock()
}

// banner is the texts of the notices running now, in the language.
func (s *Server) banner(r *http.Request, lang string) []string {
	var out []string
	now := s.now()
	for _, n := range s.notices(r.Context()) {
		if n.ActiveAt(now) {
			out = append(out, n.Text(lang))
		}
	}
	return out
}

type statusItem struct {
	Notice  directory.Notice
	Text    string
	Current bool
	Coming  bool
}

func (s *Server) statusItems(r *http.Request, lang string) []statusItem {
	now := s.now()
	ns := s.notices(r.Context())
	out := make([]statusItem, 0, len(ns))
	for _, n := range ns {
		out = append(out, statusItem{Notice: n, Text: n.Text(lang), Current: n.ActiveAt(now), Coming: n.Withdrawn.IsZero() && now.Before(n.Starts)})
	}
	return out
}

// statusShow is the public status page: current, coming and past notices.
func (s *Server) statusShow(w http.ResponseWriter, r *http.Request) {
	l := s.localizer(r)
	s.render(w, r, http.StatusOK, "status", &page{L: l, Title: "directory.status.title", Data: s.statusItems(r, l.Lang)})
}

// statusJSON is the notices as JSON (GET /api/v1/status).
func (s *Server) statusJSON(w http.ResponseWriter, r *http.Request) {
	now := s.now()
	type item struct {
		directory.Notice
		Active bool `json:"active"`
	}
	ns := s.notices(r.Context())
	out := struct {
		Notices []item `json:"notices"`
	}{Notices: make([]item, 0, len(ns))}
	for _, n := range ns {
		out.Notices = append(out.Notices, item{Notice: n, Active: n.ActiveAt(now)})
	}
	w.Header().Set("Cache-Control", "no-cache")
	writeJSON(w, http.StatusOK, out)
}

// dirLine is a contact line with its status now.
type dirLine struct {
	Contact org.Contact
	Status  directory.Status
	Days    []dirDay // the coming days whose hours differ from the week's
}

type dirDay struct {
	Date civil.Date
	Day  directory.Day
}

type dirUnit struct {
	Unit  org.Unit
	Name  string
	Lines []dirLine
	Other []org.Contact // addresses without hours
}

// directoryUnits is every public unit with its lines' status at now.
func (s *Server) directoryUnits(ctx context.Context, lang string) ([]dirUnit, error) {
	units, contacts, err := s.directory(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	today := civil.Of(now.In(civil.Finland))
	var out []dirUnit
	for _, u := range units {
		if !u.Public {
			continue
		}
		du := dirUnit{Unit: u, Name: u.Name(lang)}
		for _, c := range contacts {
			if c.Unit != u.ID {
				continue
			}
			if c.Opens == "" {
				du.Other = append(du.Other, c)
				continue
			}
			line := dirLine{Contact: c, Status: directory.StatusAt(c, now, s.exceptions)}
			for i := 0; i < 14; i++ {
				d := today.AddDays(i)
				if h := directory.HoursOn(c, d, s.exceptions); h.Exception || h.Holiday != "" {
					line.Days = append(line.Days, dirDay{Date: d, Day: h})
				}
			}
			du.Lines = append(du.Lines, line)
		}
		out = append(out, du)
	}
	return out, nil
}

// directoryShow is the public directory: units, lines, open now or when
// they open, and the coming holidays and exceptions.
// Anonymous visitors get the page rendered once a minute (its "open now"
// changes on the minute), kept with the front page's and dropped with it.
func (s *Server) directoryShow(w http.ResponseWriter, r *http.Request) {
	l := s.localizer(r)
	key := ""
	if s.viewer(r) == nil {
		key = "directory " + l.Lang + " " + s.now().Truncate(time.Minute).Format(time.RFC3339)
		if b := s.cachedHome(key); b != nil {
			writeHTML(w, http.StatusOK, l.Lang, b)
			return
		}
	}
	us, err := s.directoryUnits(r.Context(), l.Lang)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	b, err := s.renderBytes(r, "directory", &page{L: l, Title: "directory.title", Data: us})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if key != "" {
		s.orgMu.Lock()
		s.homePages[key] = b
		s.orgMu.Unlock()
	}
	writeHTML(w, http.StatusOK, l.Lang, b)
}

// directoryJSON is the directory as JSON (GET /api/v1/directory), names
// in every language.
func (s *Server) directoryJSON(w http.ResponseWriter, r *http.Request) {
	us, err := s.directoryUnits(r.Context(), "fi")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type line struct {
		org.Contact
		OpenNow bool      `json:"open_now"`
		Closes  time.Time `json:"closes,omitzero"`
		Opens   time.Time `json:"opens,omitzero"`
	}
	type unit struct {
		org.Unit
		Lines []line        `json:"lines"`
		Other []org.Contact `json:"other"`
	}
	out := struct {
		Units []unit `json:"units"`
	}{}
	for _, u := range us {
		x := unit{Unit: u.Unit, Other: u.Other}
		for _, ln := range u.Lines {
			x.Lines = append(x.Lines, line{Contact: ln.Contact, OpenNow: ln.Status.Open, Closes: ln.Status.Closes, Opens: ln.Status.Opens})
		}
		out.Units = append(out.Units, x)
	}
	w.Header().Set("Cache-Control", "no-cache")
	writeJSON(w, http.StatusOK, out)
}

type noticeForm struct {
	Services []string
	Chosen   map[string]bool
	Starts   string
	Ends     string
	Texts    map[string]string
	Board    []statusItem
}

// noticesForm is the staff page to publish and withdraw notices.
func (s *Server) noticesForm(w http.ResponseWriter, r *http.Request) {
	if s.requireStaffMay(w, r, access.DirectoryNotices) == nil {
		return
	}
	s.renderNotices(w, r, http.StatusOK, noticeForm{}, nil)
}

func (s *Server) renderNotices(w http.ResponseWriter, r *http.Request, status int, f noticeForm, err error) {
	l := s.localizer(r)
	s.forgetNotices()
	f.Services, f.Board = directory.Services, s.statusItems(r, l.Lang)
	s.render(w, r, status, "staff_notices", &page{L: l, Title: "directory.notices.title", Data: f, Err: err})
}

// localTime reads a datetime-local input as Finnish time.
func localTime(v string) time.Time {
	t, err := time.ParseInLocation("2006-01-02T15:04", strings.TrimSpace(v), civil.Finland)
	if err != nil {
		return time.Time{}
	}
	return t
}

// noticePublish publishes a notice from the form.
func (s *Server) noticePublish(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaff(w, r)
	if sess == nil || !s.parseForm(w, r) {
		return
	}
	f := noticeForm{Chosen: map[string]bool{}, Starts: r.PostForm.Get("starts"), Ends: r.PostForm.Get("ends"), Texts: map[string]string{}}
	n := directory.Notice{Starts: localTime(f.Starts), Ends: localTime(f.Ends), Texts: f.Texts}
	for _, sv := range r.PostForm["services"] {
		f.Chosen[sv] = true
		n.Services = append(n.Services, sv)
	}
	for _, lang := range directory.Langs {
		f.Texts[lang] = r.PostForm.Get("text_" + lang)
	}
	if _, err := s.cfg.Directory.Publish(r.Context(), actorOf(sess), n); err != nil {
		if fault.Is(err, fault.Invalid) {
			s.renderNotices(w, r, http.StatusUnprocessableEntity, f, err)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.forgetNotices()
	http.Redirect(w, r, "/staff/notices", http.StatusSeeOther)
}

// noticeWithdraw ends a notice now.
func (s *Server) noticeWithdraw(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaff(w, r)
	if sess == nil {
		return
	}
	if err := s.cfg.Directory.Withdraw(r.Context(), actorOf(sess), r.PathValue("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	s.forgetNotices()
	http.Redirect(w, r, "/staff/notices", http.StatusSeeOther)
}
