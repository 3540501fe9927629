// Package scale generates synthetic customers at the institution's size —
// people with artificial identity codes and their claims, message threads,
// notification choices, notices and audit trail — deterministically from a
// seed, for load tests and benchmarks.
package scale

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/fi/bankday"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/org"
	"github.com/etuus/etuus/internal/outbox"
	"github.com/etuus/etuus/internal/recovery"
)

// HeavyThreads is how many threads the first person of every batch has: a
// customer with a long inbox, for measuring the message pages at their
// worst. Everyone else has about one.
const HeavyThreads = 400

// Options say what to generate. The same options give the same customers.
type Options struct {
	// Seed picks names, amounts, topics and times.
	Seed uint64
	// Now is when the data is made: it is as of the start of Now's day
	// (UTC), and every date lies before that, so that the same seed gives
	// the same customers all day.
	Now time.Time
	// First is the index of the batch's first person among all synthetic
	// people ever written to the database; identity codes follow from it,
	// so a second batch continues where the first stopped.
	First int64
	// Batch numbers the batch (1–4095); it keeps the IDs of batches apart.
	Batch int
	// Catalogue routes the message topics to units.
	Catalogue *message.Catalogue
	// Rules are the reminder rules and healthcare fees claims follow.
	Rules *recovery.Rules
}

// Generator makes the customers of one batch. It is safe for concurrent
// use: Customer(i) depends only on the options and i.
type Generator struct {
	o      Options
	now    time.Time
	today  civil.Date
	topics map[string][]topic // by subject key
	staff  map[string][]string
}

type topic struct{ subject, spec, unit string }

// Claim is a claim with its history.
type Claim struct {
	recovery.Claim
	UpdatedAt time.Time
	Events    []recovery.Event
	EventIDs  []string // the history rows' IDs, one for each event
	// Proposal and Exemption, when set, are the customer's plan proposal
	// or exemption application waiting for the Centre's decision.
	Proposal  *recovery.Proposal
	Exemption *recovery.Exemption
}

// The shares of claims still collected that have an application waiting:
// about 2 % a plan proposal, and of child support claims 1 % an exemption
// application, so that the Centre's work queue has a backlog to page
// through at scale (8,000-odd proposals at 1,000,000 customers).
const (
	proposalShare  = 0.02
	exemptionShare = 0.01
)

// Thread is a message thread with its messages, oldest first.
type Thread struct {
	message.Thread
	Lang         string
	WaitingSince time.Time // zero when nothing waits for staff
	Messages     []message.Message
}

// Consent is a notification choice and when it was made.
type Consent struct {
	message.Consent
	UpdatedAt time.Time
}

// Customer is one synthetic person and everything that is theirs. Claim
// numbers and references are left for the store to assign, and the audit
// entries' Seq and hashes for the store to chain.
type Customer struct {
	Person  customer.Person
	Claims  []Claim
	Threads []Thread
	Consent *Consent // nil: never chose
	Notices []outbox.Item
	Audit   []audit.Entry // in time order
}

// New checks the options and makes a generator.
func New(o Options) (*Generator, error) {
	switch {
	case o.Batch < 1 || o.Batch > 0xfff:
		return nil, fmt.Errorf("scale: batch %d out of range 1–4095", o.Batch)
	case o.First < 0:
		return nil, errors.New("scale: negative first index")
	case o.Catalogue == nil || o.Rules == nil:
		return nil, errors.New("scale: a topic catalogue and recovery rules are needed")
	case o.Now.IsZero():
		return nil, errors.New("scale: no Now")
	}
	g := &Generator{o: o, now: o.Now.UTC().Truncate(24 * time.Hour), topics: map[string][]topic{}, staff: map[string][]string{}}
	g.today = civil.Today(g.now)
	// The generator writes customers' threads: the topics a customer's form
	// offers.
	for _, s := range o.Catalogue.Offered(message.PartyCustomer) {
		for _, sp := range s.Specifications {
			g.topics[s.Key] = append(g.topics[s.Key], topic{s.Key, sp.Key, sp.Unit})
		}
	}
	for _, k := range []string{"recovery", "international", "general"} {
		if len(g.topics[k]) == 0 {
			return nil, fmt.Errorf("scale: the catalogue offers no %q topic", k)
		}
	}
	for _, s := range g.Staff() {
		g.staff[s.UnitID] = append(g.staff[s.UnitID], s.ID)
	}
	return g, nil
}

// Staff are the synthetic specialists who answer the synthetic threads:
// ten in each unit the catalogue routes to. They cannot sign in (their
// subject names no provider).
func (g *Generator) Staff() []org.Staff {
	var units []string
	for _, k := range []string{"recovery", "international", "general"} {
		for _, t := range g.topics[k] {
			if !slices.Contains(units, t.unit) {
				units = append(units, t.unit)
			}
		}
	}
	var out []org.Staff
	for _, u := range units {
		for i := 1; i <= 10; i++ {
			n := fmt.Sprintf("%s-%02d", u, i)
			out = append(out, org.Staff{ID: "scale-staff-" + n, Subject: "scale:" + n, GivenName: maleFi[i%len(maleFi)],
				FamilyName: familyFi[(i*7)%len(familyFi)], UnitID: u, Role: org.RoleSpecialist})
		}
	}
	return out
}

// ids makes a customer's row IDs: UUIDv7 text whose time is the batch's
// Now and whose other bits are the batch, the person and a counter, so
// that IDs are unique, repeatable and ascending in the order rows are
// written (which keeps index inserts at the right edge).
type ids struct {
	ms    uint64
	batch uint64
	base  uint64
	n     uint64
}

func (g *Generator) ids(i int) *ids {
	return &ids{ms: uint64(g.now.UnixMilli()), batch: uint64(g.o.Batch), base: uint64(i) << 14}
}

func (x *ids) next() string {
	var u uuid.UUID
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], x.ms<<16)
	copy(u[0:6], b[0:6])
	u[6] = 0x70 | byte(x.batch>>8)
	u[7] = byte(x.batch)
	binary.BigEndian.PutUint64(b[:], x.base+x.n)
	x.n++
	b[0] = 0x80 | b[0]&0x3f
	copy(u[8:16], b[:])
	return u.String()
}

// Customer is the batch's i-th person (0 ≤ i) with their data.
func (g *Generator) Customer(i int) (Customer, error) {
	k := g.o.First + int64(i)
	code, err := Code(k)
	if err != nil {
		return Customer{}, err
	}
	r := rand.New(rand.NewPCG(g.o.Seed, uint64(k)))
	id := g.ids(i)
	var c Customer
	p := &c.Person
	p.ID, p.HETU, p.BirthDate = id.next(), code.String(), code.BirthDate()
	switch x := r.Float64(); {
	case x < 0.86:
		p.Lang = "fi"
	case x < 0.92:
		p.Lang = "sv"
	default:
		p.Lang = "en"
	}
	given, family := femaleFi, familyFi
	if !code.Female() {
		given = maleFi
	}
	if p.Lang == "sv" {
		given, family = femaleSv, familySv
		if !code.Female() {
			given = maleSv
		}
	}
	p.GivenName, p.FamilyName = pick(r, given), pick(r, family)
	p.Email = ascii(p.GivenName) + "." + ascii(p.FamilyName) + "." + strconv.FormatInt(k, 10) + "@scale.example"
	p.Phone = fmt.Sprintf("+358500%07d", k%10_000_000)
	p.CreatedAt = g.before(r, g.now, 10*365*24*time.Hour)

	heavy := i == 0
	if heavy {
		p.CreatedAt = g.now.Add(-5 * 365 * 24 * time.Hour)
	}
	g.claims(r, id, &c, heavy)
	g.consent(r, id, &c)
	g.threads(r, id, &c, heavy)
	g.signins(r, id, &c)
	slices.SortStableFunc(c.Audit, func(a, b audit.Entry) int { return a.At.Compare(b.At) })
	return c, nil
}

// before is an instant up to span before t, more often recent than not.
func (g *Generator) before(r *rand.Rand, t time.Time, span time.Duration) time.Time {
	u := r.Float64()
	return t.Add(-time.Duration(u * u * float64(span))).Truncate(time.Second)
}

func between(r *rand.Rand, a, b time.Duration) time.Duration {
	return a + time.Duration(r.Int64N(int64(b-a)+1)).Truncate(time.Second)
}

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

var toASCII = strings.NewReplacer("ä", "a", "ö", "o", "å", "a", "Ä", "a", "Ö", "o", "Å", "a")

func ascii(s string) string { return strings.ToLower(toASCII.Replace(s)) }

// overpaidPeriod is the period an overpayment decided on the day
// concerns: whole months, one to twelve of them, ending one to six months
// before the decision (a benefit is paid, found too much later, decided).
func overpaidPeriod(r *rand.Rand, decided civil.Date) (from, to civil.Date) {
	end := monthStart(decided, -1-r.IntN(6))
	from = monthStart(end, -r.IntN(12))
	return from, civil.New(end.Year, end.Month, civil.DaysIn(end.Year, end.Month))
}

// monthStart is the first day of the month n months from d's.
func monthStart(d civil.Date, n int) civil.Date {
	m := d.Year*12 + int(d.Month) - 1 + n
	return civil.New(m/12, time.Month(m%12+1), 1)
}

// claims gives about half the people one to a few claims of the four
// kinds, with the history the daily collection would have written up to
// yesterday: reminders, hand-over to enforcement, payments.
func (g *Generator) claims(r *rand.Rand, id *ids, c *Customer, heavy bool) {
	n := 0
	switch x := r.Float64(); {
	case heavy:
		n = 8
	case x < 0.5:
	case x < 0.8:
		n = 1
	case x < 0.93:
		n = 2
	case x < 0.98:
		n = 3
	default:
		n = 4 + r.IntN(3)
	}
	terms := map[recovery.Term]bool{}
	for range n {
		created := g.before(r, g.now, 3*365*24*time.Hour)
		if created.Before(c.Person.CreatedAt) {
			created = c.Person.CreatedAt
		}
		cl := Claim{Claim: recovery.Claim{ID: id.next(), PersonID: c.Person.ID, CreatedAt: created}}
		day := civil.Of(created)
		switch x := r.Float64(); {
		case x < 0.5:
			cl.Kind, cl.Principal = recovery.Overpayment, cents(r, 50_00, 5000_00)
			cl.BenefitKey = pick(r, benefits)
			cl.DecisionID = fmt.Sprintf("SC-%d-%06d", day.Year, r.IntN(1_000_000))
			cl.PeriodFrom, cl.PeriodTo = overpaidPeriod(r, day)
		case x < 0.7:
			cl.Kind, cl.Principal = recovery.StudentLoan, cents(r, 1000_00, 15000_00)
		case x < 0.85:
			cl.Kind, cl.Principal = recovery.ChildSupport, cents(r, 200_00, 8000_00)
		default:
			cl.Kind = recovery.HealthcareFee
			cl.Term = recovery.Term{Year: day.Year, Autumn: day.Month >= 7}
			fee, err := g.o.Rules.HealthcareFeeFor(cl.Term)
			if terms[cl.Term] || err != nil {
				cl.Kind, cl.Term, cl.Principal = recovery.Overpayment, recovery.Term{}, cents(r, 50_00, 5000_00)
				cl.BenefitKey = pick(r, benefits)
				cl.PeriodFrom, cl.PeriodTo = overpaidPeriod(r, day)
				break
			}
			terms[cl.Term] = true
			cl.Principal = fee
		}
		cl.DueDate = bankday.NextOrSame(day.AddDays(30))
		cl.Status = recovery.Open
		cl.Events = []recovery.Event{{On: day, Kind: recovery.EventCreated, Cents: cl.Principal, Note: "recovery.event.created", At: created}}
		g.history(r, &cl)
		g.application(r, id, &cl)
		cl.UpdatedAt = cl.Events[len(cl.Events)-1].At
		for range cl.Events {
			cl.EventIDs = append(cl.EventIDs, id.next())
		}
		for _, e := range cl.Events {
			entry := audit.Entry{At: e.At, ActorKind: audit.ActorSystem, ActorID: "collect", SubjectID: c.Person.ID, Object: "claim:" + cl.ID}
			switch e.Kind {
			case recovery.EventReminder:
				entry.Action, entry.Detail = "recovery.reminder", fmt.Sprintf("n=1 fee=%d", e.Cents)
			case recovery.EventToEnforcement:
				entry.Action = "recovery.to_enforcement"
			default:
				continue
			}
			c.Audit = append(c.Audit, entry)
		}
		c.Claims = append(c.Claims, cl)
	}
}

// application gives some claims still collected (not in a plan) a plan
// proposal or exemption application, made in the last two weeks and not
// yet decided, computed by the same rules the e-service applies.
func (g *Generator) application(r *rand.Rand, id *ids, cl *Claim) {
	if !cl.Status.Collecting() || cl.Status == recovery.InPlan || cl.Balance() <= 0 {
		return
	}
	x := r.Float64()
	made := g.before(r, g.now, 14*24*time.Hour)
	if made.Before(cl.CreatedAt) {
		return
	}
	day := civil.Of(made)
	switch {
	case x < proposalShare:
		req := recovery.PlanRequest{MonthlyCents: max(cl.Balance()/int64(2+r.IntN(10)), 20_00), FirstDue: day.AddDays(14 + r.IntN(14))}
		plan, err := recovery.ProposePlan(cl.Balance(), req, day, g.o.Rules)
		if err != nil {
			return
		}
		cl.Proposal = &recovery.Proposal{ID: id.next(), ClaimID: cl.ID, PersonID: cl.PersonID, Status: recovery.Pending,
			Plan: plan, CreatedAt: made}
	case x < proposalShare+exemptionShare && cl.Kind == recovery.ChildSupport:
		cl.Exemption = &recovery.Exemption{ID: id.next(), ClaimID: cl.ID, PersonID: cl.PersonID, Status: recovery.Pending,
			CreatedAt: made, Request: recovery.ExemptionRequest{Kind: recovery.ExemptStateShare,
				MonthlyIncomeCents: cents(r, 500_00, 2500_00), Children: r.IntN(4), From: civil.New(day.Year, day.Month, 1),
				Reason: "Income fell."}}
	}
}

// cents is an amount between lo and hi, more often small than large.
func cents(r *rand.Rand, lo, hi int64) int64 {
	u := r.Float64()
	return lo + int64(u*u*float64(hi-lo))
}

// history plays the claim forward to yesterday as the reminder rules and
// a payment (full for most, partial for some, none for the rest) would.
func (g *Generator) history(r *rand.Rand, cl *Claim) {
	yesterday := g.today.AddDays(-1)
	created := cl.Events[0].On
	var pay civil.Date
	full := false
	switch x := r.Float64(); {
	case x < 0.55:
		pay, full = created.AddDays(5+r.IntN(85)), true
	case x < 0.65:
		pay = created.AddDays(5 + r.IntN(55))
	}
	if pay.After(yesterday) {
		pay = civil.Date{}
	}
	rule, err := g.o.Rules.RemindersAt(cl.Kind, cl.DueDate)
	if err != nil {
		rule = recovery.ReminderRule{}
	}
	at := func(d civil.Date) time.Time {
		return d.Time().Add(4*time.Hour + time.Duration(r.IntN(3600))*time.Second)
	}
	payment := func() {
		amount := cl.Balance()
		if !full {
			amount = amount * int64(30+r.IntN(41)) / 100
		}
		ev, _ := cl.ApplyPayment(pay, amount)
		ev.At = at(pay)
		cl.Events = append(cl.Events, ev)
		pay = civil.Date{}
	}
	reminders, last := 0, civil.Date{}
	for {
		var next civil.Date
		switch {
		case reminders < rule.Count && reminders == 0:
			next = cl.DueDate.AddDays(rule.DaysAfterDue)
		case reminders < rule.Count:
			next = last.AddDays(rule.DaysBetween)
		case reminders == 0:
			next = cl.DueDate.AddDays(rule.DaysAfterDue)
		default:
			next = last.AddDays(rule.DaysToEnforcement)
		}
		if !pay.IsZero() && !pay.After(next) {
			payment()
		}
		if next.After(yesterday) || !cl.Status.Collecting() || cl.Balance() == 0 || rule == (recovery.ReminderRule{}) {
			break
		}
		if reminders < rule.Count {
			reminders, last = reminders+1, next
			cl.Fees += rule.FeeCents
			cl.Status = recovery.Reminded
			cl.Events = append(cl.Events, recovery.Event{On: next, Kind: recovery.EventReminder, Cents: rule.FeeCents,
				Note: "recovery.action.reminder", At: at(next)})
			continue
		}
		cl.Status = recovery.Enforcement
		cl.Events = append(cl.Events, recovery.Event{On: next, Kind: recovery.EventToEnforcement,
			Note: "recovery.action.enforcement", At: at(next)})
		break
	}
	if !pay.IsZero() && cl.Status.Collecting() {
		payment()
	}
}

// consent gives most people a notification choice, mostly by e-mail and
// verified, with the audit entries and verification code it took.
func (g *Generator) consent(r *rand.Rand, id *ids, c *Customer) {
	if r.Float64() >= 0.6 {
		return
	}
	p := c.Person
	cs := &Consent{UpdatedAt: p.CreatedAt.Add(between(r, time.Minute, 400*24*time.Hour))}
	if cs.UpdatedAt.After(g.now) {
		cs.UpdatedAt = g.now.Add(-time.Minute)
	}
	cs.AllowMessages = r.Float64() < 0.8
	switch x := r.Float64(); {
	case x < 0.7:
		cs.Channel, cs.Address = message.ChannelEmail, p.Email
	case x < 0.95:
		cs.Channel, cs.Address = message.ChannelSMS, p.Phone
	default:
		cs.Channel = message.ChannelNone
	}
	cs.Verified = cs.Channel == message.ChannelNone || r.Float64() < 0.95
	c.Consent = cs
	set := cs.UpdatedAt.Add(-between(r, time.Minute, 10*time.Minute))
	c.Audit = append(c.Audit, audit.Entry{At: set, ActorKind: audit.ActorCustomer, ActorID: p.ID, SubjectID: p.ID,
		Action: "consent.set", Object: "person:" + p.ID, Detail: "channel=" + string(cs.Channel)})
	if cs.Channel == message.ChannelNone {
		return
	}
	c.Notices = append(c.Notices, g.notice(r, id, c, message.NoticeVerifyCode, "", set))
	if cs.Verified {
		c.Audit = append(c.Audit, audit.Entry{At: cs.UpdatedAt, ActorKind: audit.ActorCustomer, ActorID: p.ID, SubjectID: p.ID,
			Action: "consent.verified", Object: "person:" + p.ID, Detail: "channel=" + string(cs.Channel)})
	}
}

// notice is a notice as the worker leaves it: sent, or for a few failed.
func (g *Generator) notice(r *rand.Rand, id *ids, c *Customer, kind outbox.Kind, threadID string, at time.Time) outbox.Item {
	it := outbox.Item{ID: id.next(), Channel: outbox.Channel(c.Consent.Channel), Recipient: c.Consent.Address, Lang: c.Person.Lang, Kind: kind,
		PersonID: c.Person.ID, ThreadID: threadID, Status: outbox.Sent, Attempts: 1, NextAt: at, CreatedAt: at}
	it.MessageID = it.ID + "@etuus"
	if r.Float64() < 0.02 {
		it.Status, it.Attempts, it.LastError = outbox.Failed, 8, pick(r, failures)
	} else {
		it.SentAt = at.Add(between(r, time.Second, time.Minute))
	}
	return it
}

// threads gives a person about one thread on average (the heavy person
// HeavyThreads), three messages each: the customer's, the unit's answer and
// a last one from either side. Threads whose customer wrote last wait for
// staff if recent, else staff have closed them.
func (g *Generator) threads(r *rand.Rand, id *ids, c *Customer, heavy bool) {
	n := 0
	switch x := r.Float64(); {
	case heavy:
		n = HeavyThreads
	case x < 0.4:
	case x < 0.75:
		n = 1
	case x < 0.9:
		n = 2
	default:
		n = 3 + r.IntN(3)
	}
	p := c.Person
	if g.now.Sub(p.CreatedAt) < 3*time.Hour {
		return // too new a customer to have written and been answered
	}
	for range n {
		subject := "general"
		switch x := r.Float64(); {
		case len(c.Claims) > 0 && x < 0.5, x < 0.15:
			subject = "recovery"
		case x < 0.4:
			subject = "international"
		}
		tp := pick(r, g.topics[subject])
		last := g.before(r, g.now, 2*365*24*time.Hour)
		answered := last.Add(-between(r, time.Hour, 10*24*time.Hour))
		first := answered.Add(-between(r, time.Hour, 5*24*time.Hour))
		if first.Before(p.CreatedAt) {
			// A thread starts after its customer became one.
			first = p.CreatedAt
			answered, last = first.Add(time.Hour), first.Add(2*time.Hour)
		}
		staff := pick(r, g.staff[tp.unit])
		t := Thread{Lang: p.Lang, Thread: message.Thread{ID: id.next(), PartyKind: message.PartyCustomer, PartyID: p.ID,
			UnitID: tp.unit, Subject: tp.subject, Specification: tp.spec, Title: pick(r, titles[subject]),
			CreatedAt: first, LastMessageAt: last, AssignedTo: staff}}
		age := g.now.Sub(last)
		lastByCustomer := r.Float64() < 0.4
		t.Messages = []message.Message{
			{ID: id.next(), ThreadID: t.ID, Author: message.AuthorCustomer, AuthorID: p.ID, Body: pick(r, customerBodies), CreatedAt: first},
			{ID: id.next(), ThreadID: t.ID, Author: message.AuthorStaff, AuthorID: staff, Body: pick(r, staffBodies), CreatedAt: answered},
		}
		c.Audit = append(c.Audit,
			audit.Entry{At: first, ActorKind: audit.ActorCustomer, ActorID: p.ID, SubjectID: p.ID, Action: "thread.started",
				Object: "thread:" + t.ID, Detail: "unit=" + t.UnitID},
			audit.Entry{At: answered.Add(-between(r, time.Minute, 30*time.Minute)), ActorKind: audit.ActorStaff, ActorID: staff,
				SubjectID: p.ID, Action: "thread.read", Object: "thread:" + t.ID},
			audit.Entry{At: answered, ActorKind: audit.ActorStaff, ActorID: staff, SubjectID: p.ID, Action: "thread.staff_reply",
				Object: "thread:" + t.ID})
		if c.Consent != nil && c.Consent.Notifies() {
			c.Notices = append(c.Notices, g.notice(r, id, c, message.NoticeNewMessage, t.ID, answered))
		}
		if lastByCustomer {
			t.Messages = append(t.Messages, message.Message{ID: id.next(), ThreadID: t.ID, Author: message.AuthorCustomer,
				AuthorID: p.ID, Body: pick(r, customerBodies), CreatedAt: last})
			c.Audit = append(c.Audit, audit.Entry{At: last, ActorKind: audit.ActorCustomer, ActorID: p.ID, SubjectID: p.ID,
				Action: "thread.customer_reply", Object: "thread:" + t.ID})
			if age < 30*24*time.Hour {
				t.Status, t.WaitingSince = message.StatusOpen, last
				if r.Float64() < 0.7 {
					t.UnreadByStaff = 1
				}
				if r.Float64() < 0.5 {
					t.AssignedTo = ""
				}
			} else {
				t.Status = message.StatusClosed
			}
		} else {
			t.Messages = append(t.Messages, message.Message{ID: id.next(), ThreadID: t.ID, Author: message.AuthorStaff,
				AuthorID: staff, Body: pick(r, staffBodies), CreatedAt: last})
			c.Audit = append(c.Audit, audit.Entry{At: last, ActorKind: audit.ActorStaff, ActorID: staff, SubjectID: p.ID,
				Action: "thread.staff_reply", Object: "thread:" + t.ID})
			if c.Consent != nil && c.Consent.Notifies() {
				c.Notices = append(c.Notices, g.notice(r, id, c, message.NoticeNewMessage, t.ID, last))
			}
			t.Status = message.StatusClosed
			if age < 90*24*time.Hour {
				t.Status = message.StatusAnswered
			}
			if age < 14*24*time.Hour && r.Float64() < 0.5 {
				t.UnreadByCustomer = 1
			}
		}
		c.Threads = append(c.Threads, t)
	}
}

// signins are the person's sign-ins (one to five) and some sign-outs, which
// bring the audit log to about ten entries a person.
func (g *Generator) signins(r *rand.Rand, id *ids, c *Customer) {
	p := c.Person
	for range 1 + r.IntN(5) {
		at := g.before(r, g.now, g.now.Sub(p.CreatedAt))
		session := "session:" + id.next()
		c.Audit = append(c.Audit, audit.Entry{At: at, ActorKind: audit.ActorCustomer, ActorID: p.ID, SubjectID: p.ID,
			Action: "signin", Object: session, Detail: "provider=suomifi"})
		if r.Float64() < 0.4 {
			c.Audit = append(c.Audit, audit.Entry{At: at.Add(between(r, time.Minute, 20*time.Minute)), ActorKind: audit.ActorCustomer,
				ActorID: p.ID, SubjectID: p.ID, Action: "signout", Object: session})
		}
	}
}
