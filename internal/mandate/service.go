package mandate

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/hetu"
	"github.com/etuus/etuus/internal/fi/ytunnus"
)

// Service is the mandate capability's use cases.
type Service struct {
	repo        Repo
	cat         *Catalogue
	access      *access.Table
	requestsURL string // the requests page, linked from notices
	wake        func()
	reg         *Register // nil: decisions read their candidates from the database
}

// SetRegister has decisions take their candidates from the register held
// in memory once it is loaded (Register.Load), and from the database
// before that or whenever the register cannot say it is up to date.
func (s *Service) SetRegister(r *Register) { s.reg = r }

// NewService is the service over the repository with the catalogue and
// permission table (nil: the built-in ones).
func NewService(repo Repo, cat *Catalogue, table *access.Table) (*Service, error) {
	if repo == nil {
		return nil, errors.New("mandate: NewService needs a Repo")
	}
	if cat == nil {
		cat = DefaultCatalogue()
	}
	if table == nil {
		table = access.Default()
	}
	return &Service{repo: repo, cat: cat, access: table}, nil
}

// Catalogue is the service's issue catalogue.
func (s *Service) Catalogue() *Catalogue { return s.cat }

// ImportResult counts what a feed did.
type ImportResult struct {
	Lines, Added, Changed, Unchanged, Revoked, UnknownRevoked int
	SHA256                                                    string
}

// importBatch is how many feed lines one transaction writes.
const importBatch = 2000

// Import loads a feed of the national register (JSON Lines,
// docs/mandate-feed.md). The whole file is read and checked first: a bad
// line, or an organisation neither known nor named in the feed, refuses
// the file with the line's number and reason and writes nothing. Then it
// is written in transactions of 2,000 lines; a line that repeats what is
// stored changes nothing, so importing a file again (or after a cut) is
// safe. Changes and revocations take effect at the next decision.
func (s *Service) Import(ctx context.Context, a access.Actor, r io.ReadSeeker) (ImportResult, error) {
	if a.Kind != access.System {
		if err := s.access.Check(a, access.MandateImport); err != nil {
			return ImportResult{}, err
		}
	}
	var res ImportResult
	h := sha256.New()
	named := map[string]bool{}
	unnamed := map[string]int{} // business ID → first line naming it without a name
	err := s.cat.ScanFeed(io.TeeReader(r, h), func(n int, l Line) error {
		res.Lines++
		for id := range l.Names {
			named[id] = true
		}
		for _, p := range []Party{l.Mandate.Principal, l.Mandate.Agent} {
			if p.Kind == Organisation && !named[p.ID] && unnamed[p.ID] == 0 {
				unnamed[p.ID] = n
			}
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	res.SHA256 = hex.EncodeToString(h.Sum(nil))
	var ask []string
	for id := range unnamed {
		if !named[id] {
			ask = append(ask, id)
		}
	}
	if len(ask) > 0 {
		var missing []string
		err := s.repo.InTx(ctx, func(tx Tx) error {
			var err error
			missing, err = tx.MissingOrganisations(ctx, ask)
			return err
		})
		if err != nil {
			return res, err
		}
		if len(missing) > 0 {
			first := unnamed[missing[0]]
			for _, id := range missing {
				first = min(first, unnamed[id])
			}
			return res, lineFault(first, fault.InvalidField("principal", "mandate.error.unknown_organisation", nil))
		}
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return res, err
	}
	var batch []Line
	written := map[string]string{}
	flush := func() error {
		var c ImportResult
		err := s.repo.InTx(ctx, func(tx Tx) error {
			var err error
			c, err = s.applyBatch(ctx, tx, batch, written)
			return err
		})
		if err != nil {
			return err
		}
		res.Added += c.Added
		res.Changed += c.Changed
		res.Unchanged += c.Unchanged
		res.Revoked += c.Revoked
		res.UnknownRevoked += c.UnknownRevoked
		batch = batch[:0]
		return nil
	}
	err = s.cat.ScanFeed(r, func(_ int, l Line) error {
		batch = append(batch, l)
		if len(batch) == importBatch {
			return flush()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	if err != nil {
		return res, err
	}
	err = s.repo.InTx(ctx, func(tx Tx) error {
		return tx.Audit(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, Action: "mandate.import",
			Object: "feed:" + res.SHA256[:16], Detail: fmt.Sprintf("lines=%d added=%d changed=%d unchanged=%d revoked=%d unknown_revoked=%d",
				res.Lines, res.Added, res.Changed, res.Unchanged, res.Revoked, res.UnknownRevoked)})
	})
	return res, err
}

// applyBatch writes a batch of feed lines in the transaction: the stored
// hashes of every mandate the batch names are read (and locked) at once,
// the lines applied in order to what they say, and each mandate's final
// state written once. written holds the organisation names stored so far
// (by business ID), for the names to be written once.
func (s *Service) applyBatch(ctx context.Context, tx Tx, batch []Line, written map[string]string) (ImportResult, error) {
	var c ImportResult
	ids := make([]string, 0, len(batch))
	for _, l := range batch {
		ids = append(ids, l.Mandate.ID)
		for id, name := range l.Names {
			if written[id] == name {
				continue
			}
			if err := tx.PutOrganisation(ctx, id, name); err != nil {
				return c, err
			}
			written[id] = name
		}
	}
	hashes, err := tx.MandateHashesForUpdate(ctx, ids)
	if err != nil {
		return c, err
	}
	var (
		puts      []Mandate
		putHashes []string
		putAt     = map[string]int{}  // ID → index in puts
		revoke    = map[string]bool{} // stored mandates revoked, not put again
	)
	for _, l := range batch {
		id := l.Mandate.ID
		old, known := hashes[id]
		h := revokedHash
		if l.Op == Revoke {
			switch {
			case !known:
				c.UnknownRevoked++
				continue
			case old == revokedHash:
				c.Unchanged++
				continue
			}
			c.Revoked++
		} else {
			h = Hash(l.Mandate)
			switch {
			case !known:
				c.Added++
			case old == h:
				c.Unchanged++
				continue
			default:
				c.Changed++
			}
		}
		hashes[id] = h
		i, put := putAt[id]
		switch {
		case put:
			if l.Op == Revoke {
				puts[i].Revoked = true
			} else {
				puts[i] = l.Mandate
			}
			putHashes[i] = h
		case l.Op == Revoke:
			revoke[id] = true
		default:
			delete(revoke, id)
			putAt[id] = len(puts)
			puts = append(puts, l.Mandate)
			putHashes = append(putHashes, h)
		}
	}
	if err := tx.PutMandates(ctx, puts, putHashes); err != nil {
		return c, err
	}
	return c, tx.RevokeMandates(ctx, slices.Sorted(maps.Keys(revoke)))
}

// revokedHash is the content hash a revoked mandate is stored with, so
// that a later line putting it back in force is a change.
const revokedHash = "revoked"

// RevokedHash is the content hash a store writes with a revocation.
func RevokedHash() string { return revokedHash }

// personCode is the identity code the actor acts as: a customer's own.
func (s *Service) personCode(ctx context.Context, a access.Actor) (string, error) {
	if a.Kind != access.Customer || a.ID == "" {
		return "", fault.New(fault.Forbidden, "mandate.error.customer_only")
	}
	code, err := s.repo.PersonCode(ctx, a.ID)
	if err != nil {
		return "", err
	}
	if code == "" {
		// An eIDAS identity holds no Suomi.fi mandates.
		return "", nil
	}
	return code, nil
}

// Check is the authorisation decision for an employer-side request or a
// partner system, audited with its reasons. A customer asks about
// themselves (q.Person is theirs, whatever was given); the system (the
// API, on behalf of a client with the scope) about anyone. The
// organisation and issue are checked first: a malformed business ID or an
// issue not in the catalogue is refused as invalid input.
func (s *Service) Check(ctx context.Context, a access.Actor, q Query) (Decision, error) {
	switch a.Kind {
	case access.Customer:
		code, err := s.personCode(ctx, a)
		if err != nil {
			return Decision{}, err
		}
		q.Person = code
	case access.System:
		c, err := hetu.Parse(strings.TrimSpace(q.Person))
		if err != nil {
			return Decision{}, fault.InvalidField("agent", "mandate.error.identity_code", nil)
		}
		q.Person = c.String()
	default:
		return Decision{}, fault.New(fault.Forbidden, "mandate.error.customer_only")
	}
	if err := s.checkQuery(&q); err != nil {
		return Decision{}, err
	}
	if q.At.IsZero() {
		q.At = s.repo.Now()
	}
	d, err := s.decide(ctx, q)
	if err != nil {
		return d, err
	}
	return d, s.auditDecision(ctx, a, q, d)
}

func (s *Service) checkQuery(q *Query) error {
	org, err := ytunnus.Parse(strings.TrimSpace(q.Org))
	if err != nil {
		return fault.InvalidField("principal", "mandate.error.business_id", nil)
	}
	q.Org = org.String()
	if q.Firm != "" {
		firm, err := ytunnus.Parse(strings.TrimSpace(q.Firm))
		if err != nil {
			return fault.InvalidField("client", "mandate.error.business_id", nil)
		}
		q.Firm = firm.String()
	}
	if _, ok := s.cat.Issue(q.Issue); !ok {
		return fault.InvalidField("issue", "mandate.error.issue", map[string]any{"Issue": q.Issue})
	}
	if len(q.Workplace) > 20 || strings.Trim(q.Workplace, "0123456789") != "" {
		return fault.InvalidField("workplace", "mandate.error.specifier_workplace", nil)
	}
	return nil
}

func (s *Service) decide(ctx context.Context, q Query) (Decision, error) {
	if q.Person == "" {
		return Decision{Result: Disallowed, Reasons: []Reason{{Code: NoMandate, Issue: q.Issue}}}, nil
	}
	ms, err := s.candidates(ctx, q.Person, q.Org)
	if err != nil {
		return Decision{}, err
	}
	return Decide(q, ms, s.cat), nil
}

// candidates is what a decision needs, from the register when it can say
// it is up to date as of a read begun after this call, else read from the
// database.
func (s *Service) candidates(ctx context.Context, person, org string) ([]Mandate, error) {
	if s.reg != nil {
		ms, err := s.reg.Candidates(ctx, person, org)
		if err == nil {
			return ms, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		s.reg.fellBack(err)
	}
	return s.repo.ForDecision(ctx, person, org)
}

// auditDecision writes the decision with its reasons: the person by the
// customer ID when a customer asked (an identity code never reaches the
// log), the organisation by business ID.
func (s *Service) auditDecision(ctx context.Context, a access.Actor, q Query, d Decision) error {
	var b strings.Builder
	fmt.Fprintf(&b, "issue=%s result=%s", q.Issue, d.Result)
	if q.Firm != "" {
		fmt.Fprintf(&b, " firm=%s", q.Firm)
	}
	for _, r := range d.Reasons {
		fmt.Fprintf(&b, " reason=%s/%s", r.Code, r.Link)
		if r.Mandate != "" {
			b.WriteString(":" + r.Mandate)
		}
	}
	e := audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, Action: "mandate.decide", Object: "org:" + q.Org, Detail: b.String()}
	if a.Kind == access.Customer {
		e.SubjectID = a.ID
	} else if q.Person != "" {
		// A partner system asked about a person: the entry names them
		// when they are a customer, by ID as always.
		ids, err := s.repo.CustomerIDs(ctx, []string{q.Person})
		if err != nil {
			return err
		}
		e.SubjectID = ids[q.Person]
	}
	// In a transaction shared with other decisions' entries: one
	// transaction a decision would hold the API to one commit (and, on a
	// durable database, one disk flush) at a time on the chain's lock.
	return s.repo.AuditShared(ctx, e)
}

// ChooserPage is one page of the organisation chooser.
type ChooserPage struct {
	Items       []Choice
	Total       int // organisations matching the search
	All         int // organisations the person may act for at all
	Page, Pages int
}

// ChooserSize is how many organisations one chooser page shows.
const ChooserSize = 20

// Chooser lists the organisations the signed-in person may act for now,
// with the issues allowed for each, those whose name or business ID holds
// the search text, one page (from 1) at a time.
func (s *Service) Chooser(ctx context.Context, a access.Actor, search string, page int) (ChooserPage, error) {
	code, err := s.personCode(ctx, a)
	if err != nil || code == "" {
		return ChooserPage{Page: 1, Pages: 1}, err
	}
	ms, names, err := s.chooserCandidates(ctx, code)
	if err != nil {
		return ChooserPage{}, err
	}
	// The organisations are found and sorted by name without building
	// their choices; only the page's are built (Choices' rule, chooser).
	ch := newChooser(code, ms, s.repo.Now(), s.cat)
	spans := ch.spans()
	ids := make([]string, len(spans))
	for i, sp := range spans {
		ids[i] = sp.org
	}
	type hit struct {
		sp          span
		name, lower string
	}
	search = strings.ToLower(strings.TrimSpace(search))
	hits := make([]hit, 0, len(spans))
	for i, name := range names(ids) {
		lower := strings.ToLower(name)
		if search == "" || strings.Contains(lower, search) || strings.Contains(spans[i].org, search) {
			hits = append(hits, hit{spans[i], name, lower})
		}
	}
	// By name in lower case, then business ID.
	slices.SortFunc(hits, func(a, b hit) int {
		return cmp.Or(strings.Compare(a.lower, b.lower), strings.Compare(a.sp.org, b.sp.org))
	})
	res := ChooserPage{All: len(spans), Total: len(hits)}
	res.Pages = max(1, (len(hits)+ChooserSize-1)/ChooserSize)
	res.Page = min(max(page, 1), res.Pages)
	from := (res.Page - 1) * ChooserSize
	for _, h := range hits[from:min(from+ChooserSize, len(hits))] {
		c := ch.choice(h.sp)
		c.Name = h.name
		res.Items = append(res.Items, c)
	}
	return res, nil
}

// chooserCandidates is what the chooser and the entry diagnosis read —
// Repo.ForChooser's mandates, and a look-up of organisations' names by
// business ID — from the register when it can say it is up to date as of
// a read begun after this call (as decisions' candidates), else from the
// database.
func (s *Service) chooserCandidates(ctx context.Context, person string) ([]Mandate, func([]string) []string, error) {
	if s.reg != nil {
		ms, err := s.reg.ChooserCandidates(ctx, person)
		if err == nil {
			return ms, s.reg.Names, nil
		}
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		s.reg.fellBack(err)
	}
	ms, byID, err := s.repo.ForChooser(ctx, person)
	return ms, func(ids []string) []string {
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = byID[id]
		}
		return out
	}, err
}

// Diagnosis is the access diagnosis of one of seed 004's failure cases.
type Diagnosis struct {
	Case    Case
	Org     string // business ID, for cases 2 and 3
	OrgName string // "" when the person may learn nothing of it
	Issue   string // case 3
	Allowed []string
	Steps   []Step
}

// Diagnose runs the diagnosis of a failure case for the signed-in person:
// CannotEnter looks at every mandate the person holds; OrgMissing asks
// about the organisation for every issue ("Why can't I find my
// organisation?"); Refused about one issue. A person learns nothing of an
// organisation beyond "no mandate" unless a mandate links them to it.
// Each decision it takes is audited.
func (s *Service) Diagnose(ctx context.Context, a access.Actor, c Case, org, issue string) (Diagnosis, error) {
	return s.diagnose(ctx, a, c, org, issue, "")
}

// DiagnoseWorkplace is case 3 for one workplace of an issue restricted by
// workplace (occupational healthcare): a mandate restricted to other
// workplaces is named as such, where the organisation as a whole would be
// allowed. A workplace that is not 1–20 digits is fault.Invalid.
func (s *Service) DiagnoseWorkplace(ctx context.Context, a access.Actor, org, issue, workplace string) (Diagnosis, error) {
	return s.diagnose(ctx, a, Refused, org, issue, workplace)
}

func (s *Service) diagnose(ctx context.Context, a access.Actor, c Case, org, issue, workplace string) (Diagnosis, error) {
	code, err := s.personCode(ctx, a)
	if err != nil {
		return Diagnosis{}, err
	}
	now := s.repo.Now()
	dg := Diagnosis{Case: c}
	if c == CannotEnter {
		var ms []Mandate
		if code != "" {
			if ms, _, err = s.chooserCandidates(ctx, code); err != nil {
				return dg, err
			}
		}
		dg.Steps = DiagnoseEntry(code, ms, now, s.cat)
		return dg, nil
	}
	q := Query{Person: code, Org: org, Issue: issue, At: now, Workplace: workplace}
	keys := []string{issue}
	if c == OrgMissing {
		q.Issue = s.cat.Keys()[0]
		keys = s.cat.Keys()
	}
	if err := s.checkQuery(&q); err != nil {
		return dg, err
	}
	dg.Org, dg.Issue = q.Org, issue
	seen := map[string]bool{}
	own := false // a mandate from the organisation itself names it
	for _, k := range keys {
		q.Issue = k
		d, err := s.decide(ctx, q)
		if err != nil {
			return dg, err
		}
		if err := s.auditDecision(ctx, a, q, d); err != nil {
			return dg, err
		}
		if d.Allowed() {
			dg.Allowed = append(dg.Allowed, k)
			continue
		}
		for _, r := range d.Reasons {
			own = own || r.Link == Own
		}
		for _, st := range Diagnose(q, d) {
			if st.Key == SupportKey {
				continue
			}
			key := fmt.Sprintf("%s|%s|%s|%s", st.Key, st.Firm, st.Have, st.Issue)
			if !seen[key] {
				seen[key] = true
				dg.Steps = append(dg.Steps, st)
			}
		}
	}
	if len(dg.Allowed) > 0 || own {
		// The organisation gave the person a mandate: its name may be
		// shown. Through a firm, the person sees its business ID only.
		dg.OrgName, _ = s.repo.OrganisationName(ctx, q.Org)
	}
	if len(dg.Allowed) == 0 || c == Refused {
		dg.Steps = append(dg.Steps, Step{Key: SupportKey})
	}
	return dg, nil
}

// DiagnoseEntry explains why a person has no organisation to choose:
// every mandate they hold, and why it gives nothing now.
func DiagnoseEntry(person string, ms []Mandate, at time.Time, cat *Catalogue) []Step {
	day := civil.Today(at)
	var steps []Step
	me := Pers(person)
	if len(Choices(person, ms, at, cat)) > 0 {
		return nil
	}
	for _, m := range ms {
		if m.Agent != me || m.Principal.Kind != Organisation {
			continue
		}
		link := Own
		if m.Type == Representation {
			link = ByFirm
		}
		st := Step{Org: m.Principal.ID, Firm: m.Principal.ID, Start: m.Start, End: m.End, Issue: m.Issues[0]}
		r := Reason{Link: link}
		switch {
		case m.Revoked:
			r.Code = Revoked
		case day.After(m.End):
			r.Code = Expired
		case day.Before(m.Start):
			r.Code = NotYetValid
		case m.Type == Representation:
			r.Code = NoClientMandate
		default:
			r.Code = WrongType
			st.Have, st.Need = m.Type, Transaction
		}
		st.Key = adviceKey(r)
		if r.Code != NotYetValid && r.Code != NoClientMandate {
			t := Transaction
			if link == ByFirm {
				t = Representation
			}
			st.Ask = &Ask{Principal: m.Principal.ID, Type: t, Issue: m.Issues[0]}
		}
		steps = append(steps, st)
	}
	if len(steps) == 0 {
		steps = append(steps, Step{Key: "mandate.advice.entry_none"})
	}
	return append(steps, Step{Key: SupportKey})
}

// MayLookUp says whether the actor may look mandates up (fault.Forbidden
// when not).
func (s *Service) MayLookUp(a access.Actor) error { return s.access.Check(a, access.MandateLookup) }

// Lookup is the staff look-up of mandates by register ID, business ID or
// identity code, audited as a read of personal data (mandates name people
// by identity code).
func (s *Service) Lookup(ctx context.Context, a access.Actor, text string) ([]Mandate, error) {
	if err := s.access.Check(a, access.MandateLookup); err != nil {
		return nil, err
	}
	text = strings.TrimSpace(text)
	var out []Mandate
	var err error
	var object string
	if id, e := ytunnus.Parse(text); e == nil {
		out, err = s.repo.MandatesOf(ctx, Org(id.String()), 200)
		object = "org:" + id.String()
	} else if c, e := hetu.Parse(text); e == nil {
		out, err = s.repo.MandatesOf(ctx, Pers(c.String()), 200)
		object = "person-mandates"
	} else if text != "" && len(text) <= 64 {
		var m Mandate
		m, err = s.repo.Mandate(ctx, text)
		// Only a mandate found is named: what staff typed stays out of
		// the audit log, which never holds personal data.
		object = "mandate:unknown"
		if err == nil {
			out, object = []Mandate{m}, "mandate:"+m.ID
		} else if fault.Is(err, fault.NotFound) {
			err = nil
		}
	} else {
		return nil, fault.InvalidField("q", "mandate.error.lookup", nil)
	}
	if err != nil {
		return nil, err
	}
	// The read is audited twice in one transaction: what was looked up
	// (without personal data), and a view of every customer it showed
	// (the persons among the mandates' parties), so each finds it in
	// their access log.
	var codes []string
	for _, m := range out {
		for _, p := range []Party{m.Principal, m.Agent} {
			if p.Kind == Person {
				codes = append(codes, p.ID)
			}
		}
	}
	ids, err := s.repo.CustomerIDs(ctx, codes)
	if err != nil {
		return nil, err
	}
	subjects := make([]string, 0, len(ids))
	for _, id := range ids {
		subjects = append(subjects, id)
	}
	es := []audit.Entry{{ActorKind: a.AuditKind(), ActorID: a.ID, Action: "staff.mandate_lookup",
		Object: object, Detail: fmt.Sprintf("found=%d", len(out))}}
	if len(subjects) > 0 {
		es = append(es, audit.View(a.AuditKind(), a.ID, "staff.mandate_lookup", subjects))
	}
	err = s.repo.InTx(ctx, func(tx Tx) error { return tx.Audit(ctx, es...) })
	return out, err
}

// MaxPersonMandates bounds the mandates a person's record lists.
const MaxPersonMandates = 200

// PersonRecord is what the register holds about one person: the mandates
// they hold or give (by register ID, at most MaxPersonMandates), and the
// mandate requests they sent, newest first.
type PersonRecord struct {
	Mandates []Mandate
	Requests []Request
}

// StaffRecord is a customer's mandates and mandate requests for staff
// whose role shows mandates in the 360 view (access.DeskMandates). It
// writes no audit entry of its own: the desk calls it for a view it has
// audited. A person without an identity code (an eIDAS identity) holds no
// mandates of the register.
func (s *Service) StaffRecord(ctx context.Context, a access.Actor, personID string) (PersonRecord, error) {
	var r PersonRecord
	if err := s.access.Check(a, access.DeskMandates); err != nil {
		return r, err
	}
	code, err := s.repo.PersonCode(ctx, personID)
	if err != nil {
		return r, err
	}
	if code != "" {
		if r.Mandates, err = s.repo.MandatesOf(ctx, Pers(code), MaxPersonMandates); err != nil {
			return r, err
		}
	}
	r.Requests, err = s.repo.RequestsBy(ctx, personID)
	return r, err
}

// ErrNoMandate is the refusal of an employer-side request the decision
// did not allow; the pages link it to the access diagnosis (case 3).
var ErrNoMandate = fault.New(fault.Forbidden, "employer.error.no_mandate")

// Authorise is the decision for the signed-in customer acting for the
// organisation on an issue, audited with its reasons (Check): the one
// gate of every employer-side request. A malformed business ID is
// fault.NotFound (there is nothing at such an address); a refusal is
// ErrNoMandate. It returns the business ID as the register writes it.
func (s *Service) Authorise(ctx context.Context, a access.Actor, org, issue string) (string, error) {
	if a.Kind != access.Customer {
		return "", fault.New(fault.Forbidden, "mandate.error.customer_only")
	}
	id, err := ytunnus.Parse(strings.TrimSpace(org))
	if err != nil {
		return "", fault.New(fault.NotFound, "")
	}
	org = id.String()
	d, err := s.Check(ctx, a, Query{Org: org, Issue: issue})
	if err != nil {
		return "", err
	}
	if !d.Allowed() {
		return "", ErrNoMandate
	}
	return org, nil
}
