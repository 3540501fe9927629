package desk

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/mandate"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/payment"
	"github.com/etuus/etuus/internal/recovery"
)

// Action is an audit action the customer's log names.
type Action string

// The audit actions of the desk, and those of other capabilities (or their
// prefixes) that the customer's log names in its own words.
const (
	ActionView   Action = "desk.view_customer" // a staff member opened the 360 view
	ActionSearch Action = "desk.search_match"  // the customer was listed in a staff search

	actionLink      Action = "staff.link_eidas"
	actionUnlink    Action = "staff.unlink_eidas"
	actionPlan      Action = "recovery.plan_"
	actionExemption Action = "recovery.exemption_"
	actionThread    Action = "thread."
	actionStaffRead Action = "staff.view_"
)

// How much of each section the view shows: the newest.
const (
	ViewClaims  = 50
	ViewThreads = 20
	LogPageSize = 50
)

// Repo is the desk's storage; a missing row is fault.NotFound.
type Repo interface {
	// AccessLog lists the staff entries of the audit log about the person
	// and the staff views that listed them (audit.View), older than before
	// (zero: from the newest), newest first, read from indexes by person.
	AccessLog(ctx context.Context, personID string, before LogCursor, limit int) ([]LogRow, error)
	InTx(ctx context.Context, fn func(Tx) error) error
	// RecordViews appends the audit entries of a staff read that changes
	// nothing else, and returns once they have committed — possibly in one
	// transaction with other reads' entries (a group commit), so reads do
	// not queue one by one for the audit chain's lock.
	RecordViews(ctx context.Context, es ...audit.Entry) error
}

// LogRow is a staff entry of the audit log about a person, with the unit
// and role the staff member has now (for entries that do not say theirs).
type LogRow struct {
	Seq       int64
	At        time.Time
	Action    string
	Detail    string
	StaffUnit string
	StaffRole string
	// View is the view's ID for a row of a view (Seq 0).
	View string
}

// Tx is one transaction of the desk: the reads of a search or a view, one
// snapshot. Their audit entries are written after (Repo.RecordViews) and
// nothing read is returned until they have committed.
type Tx interface {
	PersonByID(ctx context.Context, id string) (customer.Person, error)
	PersonByHETU(ctx context.Context, code string) (customer.Person, error)
	// PersonByEIDAS is the person with the eIDAS identity, or the customer
	// record staff linked it to.
	PersonByEIDAS(ctx context.Context, country, id string) (customer.Person, error)
	// PersonsBornOn lists at most limit people born on the day, by ID.
	PersonsBornOn(ctx context.Context, d civil.Date, limit int) ([]customer.Person, error)
	// PersonByReference is the customer whose claim has the reference or
	// ID, or whose own message thread has the ID.
	PersonByReference(ctx context.Context, ref string) (customer.Person, error)
	// ClaimsOf lists the person's newest claims.
	ClaimsOf(ctx context.Context, personID string, limit int) ([]recovery.Claim, error)
	// ThreadsOf lists the person's newest message threads.
	ThreadsOf(ctx context.Context, personID string, limit int) ([]message.Thread, error)
	Consent(ctx context.Context, personID string) (message.Consent, error)
	Audit(ctx context.Context, es ...audit.Entry) error
}

// Sources are the services of the capabilities that own the rest of a
// customer's record: the 360 view and the customer's decisions page read
// through their methods, never their tables. A nil source is a section
// not shown.
type Sources struct {
	Recovery RecoveryReader
	Payments PaymentReader
	Mandates MandateReader
}

// RecoveryReader is what the desk reads of recovery.Service.
type RecoveryReader interface {
	Record(ctx context.Context, a access.Actor) (recovery.Record, error)
	StaffRecord(ctx context.Context, a access.Actor, personID string) (recovery.Record, error)
}

// PaymentReader is what the desk reads of payment.Service.
type PaymentReader interface {
	Payments(ctx context.Context, a access.Actor) (payment.Overview, error)
	StaffOverview(ctx context.Context, a access.Actor, personID string) (payment.Overview, error)
}

// MandateReader is what the desk reads of mandate.Service.
type MandateReader interface {
	Requests(ctx context.Context, a access.Actor) (mine, toAnswer []mandate.Request, err error)
	StaffRecord(ctx context.Context, a access.Actor, personID string) (mandate.PersonRecord, error)
}

// Service is the desk's use cases.
type Service struct {
	repo   Repo
	access *access.Table
	src    Sources
}

// NewService returns the service; a nil table is the built-in one.
func NewService(repo Repo, t *access.Table) *Service {
	if t == nil {
		t = access.Default()
	}
	return &Service{repo: repo, access: t}
}

// SetSources gives the desk the other capabilities' services; call it
// while wiring, before serving.
func (s *Service) SetSources(src Sources) { s.src = src }

// Search finds customers for staff who may search. Every person listed is
// audited as found by this staff member (their name and date of birth are
// read); the result is returned only once those entries have committed.
func (s *Service) Search(ctx context.Context, a access.Actor, q Query) (Result, error) {
	res := Result{Query: q}
	if err := s.access.Check(a, access.DeskSearch); err != nil {
		return res, err
	}
	var es []audit.Entry
	err := s.repo.InTx(ctx, func(tx Tx) error {
		ps, more, err := find(ctx, tx, q)
		if err != nil {
			return err
		}
		res.Matches, res.More = make([]Match, len(ps)), more
		es = make([]audit.Entry, len(ps))
		for i, p := range ps {
			res.Matches[i] = matchOf(p)
			es[i] = audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, Action: string(ActionSearch), SubjectID: p.ID,
				Object: "person:" + p.ID, Detail: detail(a.Unit, a.Role, Purpose{Topic: "search_" + string(q.By)})}
		}
		return nil
	})
	if err == nil {
		err = s.repo.RecordViews(ctx, es...)
	}
	if err != nil {
		return Result{Query: q}, err
	}
	return res, nil
}

// find runs the query: one person by a unique key, or one page of the
// people born on the day whose names match.
func find(ctx context.Context, tx Tx, q Query) ([]customer.Person, bool, error) {
	var p customer.Person
	var err error
	switch q.By {
	case ByHETU:
		p, err = tx.PersonByHETU(ctx, q.HETU.String())
	case ByEIDAS:
		p, err = tx.PersonByEIDAS(ctx, q.Country, q.EIDASID)
	case ByReference:
		p, err = tx.PersonByReference(ctx, q.Reference)
	case ByName:
		born, err := tx.PersonsBornOn(ctx, q.Birth, MaxBorn+1)
		if err != nil {
			return nil, false, err
		}
		if len(born) > MaxBorn {
			return nil, false, fault.InvalidField("q", "desk.error.too_many", nil)
		}
		var all []customer.Person
		for _, b := range born {
			if NameMatches(b, q.Words) {
				all = append(all, b)
			}
		}
		from := min(q.Page*PageSize, len(all))
		to := min(from+PageSize, len(all))
		return all[from:to], to < len(all), nil
	default:
		return nil, false, fault.InvalidField("q", "desk.error.empty", nil)
	}
	if fault.Is(err, fault.NotFound) || (err == nil && q.Page > 0) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return []customer.Person{p}, false, nil
}

func matchOf(p customer.Person) Match {
	m := Match{PersonID: p.ID, Name: p.Name(), Birth: p.BirthDate, EIDAS: p.EIDASCountry}
	if p.HETU != "" && len(p.HETU) == 11 {
		m.Masked = p.HETU[:7] + "****"
	}
	return m
}

// Open is the customer's 360 view for a staff member who may search, with
// the sections their role shows. The purpose is required. The desk's own
// reads come first, in one transaction; then the one audit entry of the
// view (unit, role, purpose and the sections shown) is committed, with
// other reads' entries (Repo.RecordViews); only then are the sections
// other capabilities own (applications and letters, payments, mandates)
// read, through their services, each checking its own permission — so
// nothing of the view is shown, or read beyond the desk's own rows, before
// its entry is written.
func (s *Service) Open(ctx context.Context, a access.Actor, personID string, purpose Purpose) (View, error) {
	var v View
	if err := s.access.Check(a, access.DeskSearch); err != nil {
		return v, err
	}
	purpose, err := CheckPurpose(purpose)
	if err != nil {
		return v, err
	}
	v.Purpose = purpose
	v.ClaimsShown = s.access.Allows(a, access.DeskClaims)
	v.MessagesShown = s.access.Allows(a, access.DeskMessages)
	v.PaymentsShown = s.src.Payments != nil && s.access.Allows(a, access.DeskPayments)
	v.MandatesShown = s.src.Mandates != nil && s.access.Allows(a, access.DeskMandates)
	err = s.repo.InTx(ctx, func(tx Tx) error {
		p, err := tx.PersonByID(ctx, personID)
		if err != nil {
			return err
		}
		v.Person, v.Masked = p, matchOf(p).Masked
		if v.ClaimsShown {
			if v.Claims, err = tx.ClaimsOf(ctx, p.ID, ViewClaims); err != nil {
				return err
			}
		}
		if v.MessagesShown {
			if v.Threads, err = tx.ThreadsOf(ctx, p.ID, ViewThreads); err != nil {
				return err
			}
		}
		if v.Consent, err = tx.Consent(ctx, p.ID); err != nil {
			return err
		}
		v.Reach = NoticeReach(v.Consent)
		return nil
	})
	if err == nil {
		err = s.repo.RecordViews(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, Action: string(ActionView),
			SubjectID: v.Person.ID, Object: "person:" + v.Person.ID, Detail: viewDetail(a.Unit, a.Role, purpose, v.Sections())})
	}
	if err != nil {
		return View{}, err
	}
	if v.ClaimsShown && s.src.Recovery != nil {
		if v.Record, err = s.src.Recovery.StaffRecord(ctx, a, v.Person.ID); err != nil {
			return v, err
		}
	}
	if v.PaymentsShown {
		if v.Payments, err = s.src.Payments.StaffOverview(ctx, a, v.Person.ID); err != nil {
			return v, err
		}
	}
	if v.MandatesShown {
		if v.Mandates, err = s.src.Mandates.StaffRecord(ctx, a, v.Person.ID); err != nil {
			return v, err
		}
	}
	return v, nil
}

// LogCursor is where a page of the access log starts: below the entry
// with sequence number Seq and the views before At (zero: from the newest).
type LogCursor struct {
	Seq int64
	At  time.Time
	// View is the last view shown at At (views at one moment go by ID).
	View string
}

// String is the cursor as a URL carries it: "SEQ.UNIXNANO.VIEW".
func (c LogCursor) String() string {
	var at int64
	if !c.At.IsZero() {
		at = c.At.UnixNano()
	}
	return strconv.FormatInt(c.Seq, 10) + "." + strconv.FormatInt(at, 10) + "." + c.View
}

// ParseLogCursor reads a cursor; "" is the newest page.
func ParseLogCursor(s string) (LogCursor, bool) {
	if s == "" {
		return LogCursor{}, true
	}
	parts := strings.SplitN(s, ".", 3)
	if len(parts) != 3 || len(parts[2]) > 64 {
		return LogCursor{}, false
	}
	seq, err1 := strconv.ParseInt(parts[0], 10, 64)
	at, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || seq < 0 || at < 0 || (at > 0) != (parts[2] != "") {
		return LogCursor{}, false
	}
	c := LogCursor{Seq: seq, View: parts[2]}
	if at > 0 {
		c.At = time.Unix(0, at).UTC()
	}
	return c, true
}

// AccessLog is the customer's own log of staff who read their data: unit,
// role, when and why, newest first, a page at a time from the cursor of
// the page before (LogPage.Next; "" for the newest). Only the customer
// reads it; it never names the staff member.
func (s *Service) AccessLog(ctx context.Context, a access.Actor, personID string, cursor string) (LogPage, error) {
	var lp LogPage
	if !a.IsCustomer(personID) {
		return lp, fault.New(fault.NotFound, "")
	}
	c, ok := ParseLogCursor(cursor)
	if !ok {
		return lp, fault.New(fault.NotFound, "")
	}
	rows, err := s.repo.AccessLog(ctx, personID, c, LogPageSize+1)
	if err != nil {
		return lp, err
	}
	if len(rows) > LogPageSize {
		rows = rows[:LogPageSize]
		// The next page goes on below the last entry and the last view
		// shown, each in its own order.
		next := c
		for _, r := range rows {
			if r.Seq > 0 {
				next.Seq = r.Seq
			} else {
				next.At, next.View = r.At, r.View
			}
		}
		lp.Next = next.String()
	}
	lp.Entries = make([]Access, len(rows))
	for i, r := range rows {
		unit, role, p := parseDetail(r.Detail)
		if unit == "" {
			unit, role = r.StaffUnit, r.StaffRole
		}
		lp.Entries[i] = Access{Seq: r.Seq, At: r.At, Action: r.Action, Unit: unit, Role: role, Purpose: p}
	}
	return lp, nil
}

// Applications is the customer's own page of applications and decisions:
// their plan proposals and exemption applications with the letters of
// the decisions (recovery), their unemployment status reports (payment)
// and the mandate requests they sent (mandate), each with its status.
type Applications struct {
	Record   recovery.Record
	Reports  []payment.StatusReport
	Requests []mandate.Request
}

// MyApplications is the signed-in customer's own applications and
// decision letters, read through the services that own them; anyone else
// is fault.NotFound.
func (s *Service) MyApplications(ctx context.Context, a access.Actor) (Applications, error) {
	var out Applications
	if a.Kind != access.Customer || a.ID == "" {
		return out, fault.New(fault.NotFound, "")
	}
	var err error
	if s.src.Recovery != nil {
		if out.Record, err = s.src.Recovery.Record(ctx, a); err != nil {
			return out, err
		}
	}
	if s.src.Payments != nil {
		o, err := s.src.Payments.Payments(ctx, a)
		if err != nil {
			return out, err
		}
		out.Reports = o.Reports
	}
	if s.src.Mandates != nil {
		if out.Requests, _, err = s.src.Mandates.Requests(ctx, a); err != nil {
			return out, err
		}
	}
	return out, nil
}
