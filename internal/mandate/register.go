package mandate

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
)

// Register is the mandate register held in memory for decisions: every
// mandate of the table, indexed by its agent (a person) and by its
// principal and organisation agent (a client's mandate to a firm), so that
// a decision's candidates (Repo.ForDecision's) are found without a read of
// the database.
//
// Freshness: changes and revocations take effect at the next request.
// Before it answers, Candidates waits for a read of the register's changes
// that began after the request arrived, and applies what it found. A read
// of changes first reads the register's counter (Repo.RegisterSeq, one
// row by its key); only when it has moved since the last read does it read
// the mandates and the organisations' names stamped after the last
// sequences applied (Repo.MandatesSince, Repo.OrganisationsSince). So the
// common case, nothing changed, is one indexed read of one row. One such
// read is shared by every request that arrived before it began
// (coalesce), so under load a request costs a share of it, not a read of
// its own. A
// register not loaded yet, or a read that fails, is no answer: the caller
// reads the candidates from the database instead (never a stale answer).
type Register struct {
	repo Repo
	log  *slog.Logger

	// loaded is set once Load has finished; until then Candidates
	// answers at once that it cannot (Load holds mu for writing).
	loaded atomic.Bool
	mu     sync.RWMutex
	// seen is the register's counter as the last read of changes found
	// it: every write stamped at or below it has been applied.
	seen     int64
	last     int64   // the highest mandate sequence applied
	entries  []entry // by slot; a mandate keeps its slot for good
	byID     map[string]int32
	byAgent  map[string][]int32 // person's identity code → slots
	byClient map[pair][]int32   // (principal, organisation agent) → slots
	byFirm   map[string][]int32 // organisation agent → slots (the chooser's firm clients)
	// names are the organisations' names by business ID, read along
	// their own sequence (Repo.OrganisationsSince): lastOrg is the
	// highest applied.
	names   map[string]string
	lastOrg int64
	// lists are the interned issue lists and restriction specifiers
	// (slot 0 is the empty list); listAt finds a list by its text.
	lists  [][]string
	listAt map[string]uint32
	// orgIDs interns business IDs, named by many mandates each.
	orgIDs map[string]string

	fresh coalesce

	fallbacks atomic.Int64 // decisions and chooser pages read from the database instead
	reads     atomic.Int64 // reads of changes
	changed   atomic.Int64 // reads of changes that found the counter moved
	applied   atomic.Int64 // mandates applied from those reads
	loggedAt  atomic.Int64 // unix nanoseconds of the last warning
}

type pair struct{ principal, agent string }

// entry is one mandate in 56 bytes plus its ID's text: parties by ID with
// their kinds as flags, lists by interned slot, dates packed.
type entry struct {
	id, principal, agent string
	issues, restriction  uint32
	start, end           uint32
	typ                  uint8
	flags                uint8
}

const (
	orgPrincipal = 1 << iota
	orgAgent
	revoked
)

func packDate(d civil.Date) uint32 {
	return uint32(d.Year)<<9 | uint32(d.Month)<<5 | uint32(d.Day)
}

func unpackDate(v uint32) civil.Date {
	return civil.Date{Year: int(v >> 9), Month: time.Month(v >> 5 & 15), Day: int(v & 31)}
}

func typeCode(t Type) uint8 {
	if i := slices.Index(Types, t); i >= 0 {
		return uint8(i)
	}
	return 255
}

// NewRegister is an empty register over the repository; Load fills it.
// log hears of loads and of reads that failed (never of personal data);
// nil discards.
func NewRegister(repo Repo, log *slog.Logger) *Register {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Register{repo: repo, log: log}
	r.reset()
	r.fresh.read = r.refresh
	return r
}

// reset empties the register.
func (r *Register) reset() {
	r.seen, r.last, r.lastOrg, r.entries = -1, -1, -1, nil
	r.byID, r.byAgent, r.byClient, r.byFirm = map[string]int32{}, map[string][]int32{}, map[pair][]int32{}, map[string][]int32{}
	r.lists, r.listAt, r.orgIDs, r.names = [][]string{nil}, map[string]uint32{"": 0}, map[string]string{}, map[string]string{}
}

// Load reads the whole register from the database (one consistent read,
// streamed) and from then on lets Candidates answer. Called once, at
// start-up; decisions read the database until it returns.
func (r *Register) Load(ctx context.Context) error {
	start := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.loaded.Load() || r.last != -1 {
		return errors.New("mandate: register loaded twice")
	}
	n := 0
	// The counter first: the reads after it see every write stamped at
	// or below it (and perhaps later ones, read again harmlessly).
	seen, err := r.repo.RegisterSeq(ctx)
	if err == nil {
		err = r.repo.MandatesSince(ctx, -1, func(m Mandate, seq int64) error {
			r.put(m)
			r.last = max(r.last, seq)
			n++
			return nil
		})
	}
	if err == nil {
		err = r.repo.OrganisationsSince(ctx, -1, func(id, name string, seq int64) error {
			r.names[r.orgID(id)] = name
			r.lastOrg = max(r.lastOrg, seq)
			return nil
		})
	}
	if err != nil {
		r.reset()
		return err
	}
	r.seen, r.last, r.lastOrg = seen, max(r.last, 0), max(r.lastOrg, 0)
	r.loaded.Store(true)
	r.log.Info("mandate register loaded", "mandates", n, "organisations", len(r.names), "seq", seen, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// RegisterStats is what a register has done, for metrics.
type RegisterStats struct {
	Loaded    bool
	Mandates  int
	Seq       int64 // the register's counter as the last read of changes found it
	Fallbacks int64 // decisions and chooser pages whose candidates were read from the database instead
	Reads     int64 // reads of changes (each shared by the requests waiting)
	Changed   int64 // those of them that found the counter moved and read what changed
	Applied   int64 // mandates applied from those reads
}

// Stats reports the register's state and counters.
func (r *Register) Stats() RegisterStats {
	st := RegisterStats{Fallbacks: r.fallbacks.Load(), Reads: r.reads.Load(), Changed: r.changed.Load(), Applied: r.applied.Load()}
	if r.loaded.Load() {
		r.mu.RLock()
		st.Loaded, st.Mandates, st.Seq = true, len(r.entries), r.seen
		r.mu.RUnlock()
	}
	return st
}

// errNotLoaded is Candidates' answer before Load has finished.
var errNotLoaded = errors.New("mandate: register not loaded")

// Candidates is what Repo.ForDecision reads, from memory, as of a read of
// the register's changes that began after the call: every mandate whose
// agent is the person, and every mandate from the organisation to an
// organisation the person holds a mandate from. An error means no answer
// (not loaded, or the read of changes failed): read the database.
func (r *Register) Candidates(ctx context.Context, person, org string) ([]Mandate, error) {
	if !r.loaded.Load() {
		return nil, errNotLoaded
	}
	if err := r.fresh.wait(ctx); err != nil {
		return nil, err
	}
	return r.candidates(person, org), nil
}

// fellBack counts a decision read from the database instead, and logs a
// failed read of changes at most every ten seconds (the error names no
// person: the read's only argument is a sequence).
func (r *Register) fellBack(err error) {
	r.fallbacks.Add(1)
	if errors.Is(err, errNotLoaded) {
		return
	}
	now := time.Now().UnixNano()
	if last := r.loggedAt.Load(); now-last > int64(10*time.Second) && r.loggedAt.CompareAndSwap(last, now) {
		r.log.Warn("mandate register: the read of changes failed; decisions read the database", "err", err,
			"fallbacks", r.fallbacks.Load())
	}
}

// candidates reads the indexes as they are now.
func (r *Register) candidates(person, org string) []Mandate {
	r.mu.RLock()
	defer r.mu.RUnlock()
	own := r.byAgent[person]
	out := make([]Mandate, 0, len(own)+2)
	var seen []string
	for _, i := range own {
		out = append(out, r.mandate(i))
	}
	for _, i := range own {
		p := r.entries[i].principal
		if slices.Contains(seen, p) {
			continue
		}
		seen = append(seen, p)
		for _, j := range r.byClient[pair{org, p}] {
			out = append(out, r.mandate(j))
		}
	}
	// In ID order, so that a decision does not depend on the order the
	// register learnt its mandates in (Decide names the first of a
	// client's mandates as a firm chain's basis).
	slices.SortFunc(out, byID)
	return out
}

func byID(a, b Mandate) int { return strings.Compare(a.ID, b.ID) }

// mandate is the slot's mandate; its lists are shared, never to be
// changed by the caller (Decide only reads them).
func (r *Register) mandate(i int32) Mandate {
	e := &r.entries[i]
	m := Mandate{ID: e.id, Principal: Pers(e.principal), Agent: Pers(e.agent),
		Issues: r.lists[e.issues], Start: unpackDate(e.start), End: unpackDate(e.end), Revoked: e.flags&revoked != 0}
	if int(e.typ) < len(Types) {
		// A type the register does not know (never written by this
		// version) stays empty: a wrong type for every link.
		m.Type = Types[e.typ]
	}
	if e.flags&orgPrincipal != 0 {
		m.Principal.Kind = Organisation
	}
	if e.flags&orgAgent != 0 {
		m.Agent.Kind = Organisation
	}
	if e.restriction != 0 {
		m.Restriction = r.lists[e.restriction]
	}
	return m
}

func (r *Register) list(l []string) uint32 {
	if len(l) == 0 {
		return 0
	}
	key := strings.Join(l, ",")
	if i, ok := r.listAt[key]; ok {
		return i
	}
	c := make([]string, len(l))
	for n, s := range l {
		c[n] = r.orgID(s)
	}
	r.lists = append(r.lists, c)
	r.listAt[key] = uint32(len(r.lists) - 1)
	return uint32(len(r.lists) - 1)
}

func (r *Register) orgID(s string) string {
	if v, ok := r.orgIDs[s]; ok {
		return v
	}
	s = strings.Clone(s)
	r.orgIDs[s] = s
	return s
}

// put adds a mandate or replaces the one with its ID; the caller holds mu
// for writing.
func (r *Register) put(m Mandate) {
	e := entry{id: m.ID, principal: m.Principal.ID, agent: m.Agent.ID, issues: r.list(m.Issues),
		start: packDate(m.Start), end: packDate(m.End), typ: typeCode(m.Type)}
	if m.Principal.Kind == Organisation {
		e.flags |= orgPrincipal
		e.principal = r.orgID(m.Principal.ID)
	}
	if m.Agent.Kind == Organisation {
		e.flags |= orgAgent
		e.agent = r.orgID(m.Agent.ID)
	}
	if m.Revoked {
		e.flags |= revoked
	}
	i, known := r.byID[m.ID]
	if len(m.Restriction) > 0 {
		// A restriction names one mandate's clients: a list of its own,
		// not interned, kept in the slot the mandate had, if any.
		c := make([]string, len(m.Restriction))
		for n, s := range m.Restriction {
			c[n] = r.orgID(s)
		}
		if known && r.entries[i].restriction != 0 {
			e.restriction = r.entries[i].restriction
			r.lists[e.restriction] = c
		} else {
			r.lists = append(r.lists, c)
			e.restriction = uint32(len(r.lists) - 1)
		}
	} else if known && r.entries[i].restriction != 0 {
		r.lists[r.entries[i].restriction] = nil
	}
	if !known {
		i = int32(len(r.entries))
		r.entries = append(r.entries, e)
		r.byID[e.id] = i
		r.index(i)
		return
	}
	old := &r.entries[i]
	e.id = old.id
	same := old.principal == e.principal && old.agent == e.agent && old.flags&(orgPrincipal|orgAgent) == e.flags&(orgPrincipal|orgAgent)
	if !same {
		r.unindex(i)
	}
	*old = e
	if !same {
		r.index(i)
	}
}

func (r *Register) index(i int32) {
	e := &r.entries[i]
	if e.flags&orgAgent == 0 {
		r.byAgent[e.agent] = append(r.byAgent[e.agent], i)
	} else {
		k := pair{e.principal, e.agent}
		r.byClient[k] = append(r.byClient[k], i)
		r.byFirm[e.agent] = append(r.byFirm[e.agent], i)
	}
}

func (r *Register) unindex(i int32) {
	e := &r.entries[i]
	drop := func(l []int32) []int32 { return slices.DeleteFunc(l, func(j int32) bool { return j == i }) }
	if e.flags&orgAgent == 0 {
		if l := drop(r.byAgent[e.agent]); len(l) > 0 {
			r.byAgent[e.agent] = l
		} else {
			delete(r.byAgent, e.agent)
		}
	} else {
		k := pair{e.principal, e.agent}
		if l := drop(r.byClient[k]); len(l) > 0 {
			r.byClient[k] = l
		} else {
			delete(r.byClient, k)
		}
		if l := drop(r.byFirm[e.agent]); len(l) > 0 {
			r.byFirm[e.agent] = l
		} else {
			delete(r.byFirm, e.agent)
		}
	}
}

// refresh reads the register's counter and, only when it has moved since
// the last read, the changes since the last sequences applied — mandates,
// then organisations' names, each along its own sequence (two reads, so
// each keeps its own last: a name read may see a later transaction than
// the mandate read did) — and applies them; it runs one at a time
// (coalesce), so seen, last and lastOrg are not written by another.
//
// The counter is enough to know that nothing changed: every writer
// updates its row in the transaction that stamps its rows, so a counter
// unmoved since the last read means no write has committed since, and a
// counter read as n means every write stamped up to n has committed and is
// seen by the reads that follow.
func (r *Register) refresh(ctx context.Context) error {
	r.mu.RLock()
	seen, after, afterOrg := r.seen, r.last, r.lastOrg
	r.mu.RUnlock()
	now, err := r.repo.RegisterSeq(ctx)
	r.reads.Add(1)
	if err != nil {
		return err
	}
	if now == seen {
		return nil
	}
	r.changed.Add(1)
	type change struct {
		m   Mandate
		seq int64
	}
	type named struct {
		id, name string
		seq      int64
	}
	var cs []change
	var ns []named
	err = r.repo.MandatesSince(ctx, after, func(m Mandate, seq int64) error {
		cs = append(cs, change{m, seq})
		return nil
	})
	if err == nil {
		err = r.repo.OrganisationsSince(ctx, afterOrg, func(id, name string, seq int64) error {
			ns = append(ns, named{id, name, seq})
			return nil
		})
	}
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	// Every write stamped up to now is applied (the reads began after
	// the counter read).
	r.seen = now
	for _, c := range cs {
		r.put(c.m)
		r.last = max(r.last, c.seq)
	}
	for _, n := range ns {
		r.names[r.orgID(n.id)] = n.name
		r.lastOrg = max(r.lastOrg, n.seq)
	}
	r.applied.Add(int64(len(cs)))
	return nil
}

// ChooserCandidates is what Repo.ForChooser reads, from memory, as of a
// read of the register's changes that began after the call (the rule of
// Candidates): every mandate whose agent is the person, and every
// transaction mandate to an organisation the person holds a
// representation mandate from. An error means no answer: read the
// database. Names gives the organisations' names.
func (r *Register) ChooserCandidates(ctx context.Context, person string) ([]Mandate, error) {
	if !r.loaded.Load() {
		return nil, errNotLoaded
	}
	if err := r.fresh.wait(ctx); err != nil {
		return nil, err
	}
	rep, tr := typeCode(Representation), typeCode(Transaction)
	r.mu.RLock()
	defer r.mu.RUnlock()
	own := r.byAgent[person]
	n := len(own)
	var firms []string
	for _, i := range own {
		if e := &r.entries[i]; e.typ == rep && !slices.Contains(firms, e.principal) {
			firms = append(firms, e.principal)
			n += len(r.byFirm[e.principal])
		}
	}
	out := make([]Mandate, 0, n)
	for _, i := range own {
		out = append(out, r.mandate(i))
	}
	for _, f := range firms {
		for _, j := range r.byFirm[f] {
			if r.entries[j].typ == tr {
				out = append(out, r.mandate(j))
			}
		}
	}
	return out, nil
}

// Names is the organisations' names by business ID, in the order asked
// ("" for one the register does not know), as of the last read of
// changes.
func (r *Register) Names(businessIDs []string) []string {
	out := make([]string, len(businessIDs))
	r.mu.RLock()
	defer r.mu.RUnlock()
	for i, id := range businessIDs {
		out[i] = r.names[id]
	}
	return out
}

// coalesce runs read for waiters: a waiter is answered by the first read
// that begins after it arrived, and every waiter that arrived while a read
// was under way shares the next one. At most one read is under way.
type coalesce struct {
	read func(context.Context) error

	mu      sync.Mutex
	running bool
	next    *round // the round that begins when the running one ends
}

type round struct {
	done    chan struct{}
	err     error
	waiters int // requests that joined it while the read before it was under way
}

// readTimeout bounds one shared read: it serves many requests, so no one
// request's context may cut it short. It is long enough for a read of a
// large part of the register (after a big import, a read of changes
// carries every mandate it wrote), which a request waits for only as long
// as its own context lets it.
const readTimeout = 60 * time.Second

func (c *coalesce) wait(ctx context.Context) error {
	c.mu.Lock()
	if !c.running {
		// Nothing under way: this request's read begins now.
		c.running = true
		r := &round{done: make(chan struct{})}
		c.mu.Unlock()
		c.run(r)
		return r.err
	}
	if c.next == nil {
		c.next = &round{done: make(chan struct{})}
	}
	r := c.next
	r.waiters++
	c.mu.Unlock()
	select {
	case <-r.done:
		return r.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run reads for a round and then starts the round that gathered behind
// it, if any, in a goroutine of its own (the caller has its answer).
func (c *coalesce) run(r *round) {
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	r.err = c.read(ctx)
	cancel()
	close(r.done)
	c.mu.Lock()
	next := c.next
	c.next = nil
	if next == nil {
		c.running = false
	}
	c.mu.Unlock()
	if next != nil {
		go c.run(next)
	}
}
