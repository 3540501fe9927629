package recovery

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/bankday"
	"github.com/etuus/etuus/internal/fi/civil"
)

// CollectReport is what a collection run did.
type CollectReport struct {
	Claims       int   // claims looked at
	Acted        int   // claims charged, reminded or moved on
	InterestRuns int   // claims charged interest
	Interest     int64 // cents of interest charged
	Reminders    int
	Fees         int64 // cents of reminder fees charged
	Enforcement  int
	PlansBroken  int
	PlansDone    int
	// Paused counts claims whose reminder, fee or enforcement waits for a
	// decision on the customer's plan proposal or exemption application.
	Paused int
	// Actions lists, on a dry run, what each claim would get (claims with
	// nothing to do are left out).
	Actions []ClaimAction
}

// Collect runs the Centre's daily collection on the claims it still
// collects whose day has come: it sends the reminder, breaks the plan or
// hands over to enforcement that the rules call for (NextAction), each
// with its letter, and charges interest up to the day when it acts and on
// the claim's monthly interest day (Claim.InterestDay). It then writes the
// day it must look at the claim next (SetCollectOn): the earliest of the
// rules' next step and the next interest day. A claim changed by anything
// else (a payment booked, a plan, an exemption, a decision) has no day and
// is looked at on the next run; so is every claim on the first run after
// migration 00034. A run therefore touches the claims that are due, not
// every claim every day.
//
// The claims are decided in transactions of up to CollectBatch claims,
// all locked before any is decided (in reference order, as bank imports
// lock them), so a run cut short resumes where it stopped (every
// committed batch has its days), two runs at once
// cannot both remind (the second waits for the locks and finds the
// reminder in the history), and a payment booked meanwhile is never
// overwritten (it waits for the batch, or the batch reads it); a second
// run on the same day changes nothing, because every decision reads the
// claim's history and every claim looked at gets a later day. Only the
// system collects.
func (s *Service) Collect(ctx context.Context, a access.Actor, today civil.Date) (CollectReport, error) {
	return s.collect(ctx, a, today, CollectOptions{})
}

// CollectDryRun is Collect without writing anything: each batch's
// transaction does all Collect would and is rolled back, so the report
// lists, claim by claim, exactly what a run would do and why (Actions).
func (s *Service) CollectDryRun(ctx context.Context, a access.Actor, today civil.Date) (CollectReport, error) {
	return s.collect(ctx, a, today, CollectOptions{DryRun: true})
}

// CollectOptions are the ways to run the collection beside the daily one.
type CollectOptions struct {
	// DryRun is CollectDryRun.
	DryRun bool
	// All looks at every claim still collected, whatever its collection
	// day, and gives each a new one: for after the rule table's reminder
	// or plan rules change, since the days already written were computed
	// under the old rules (interest rates do not move them).
	All bool
}

// CollectWith is Collect (or CollectDryRun) with the options.
func (s *Service) CollectWith(ctx context.Context, a access.Actor, today civil.Date, o CollectOptions) (CollectReport, error) {
	return s.collect(ctx, a, today, o)
}

// ClaimAction is what a collection run does to one claim, as a dry run
// lists it.
type ClaimAction struct {
	ClaimID   string
	Reference string
	Interest  int64      // cents of interest charged
	Action    ActionKind // what the rules call for, or ActNone
	Note      string     // why (an i18n key)
	FeeCents  int64
	Paused    bool // the action waits for a decision on the customer's application
}

func (s *Service) collect(ctx context.Context, a access.Actor, today civil.Date, o CollectOptions) (CollectReport, error) {
	var rep CollectReport
	if a.Kind != access.System {
		return rep, fault.New(fault.Forbidden, "staff.error.unit")
	}
	dry, upTo := o.DryRun, today
	if o.All {
		upTo = civil.Date{} // every claim, by ID
	}
	var after CollectPos
	for {
		ps, err := s.repo.CollectingClaimIDs(ctx, upTo, after, 500)
		if err != nil {
			return rep, err
		}
		if len(ps) == 0 {
			return rep, nil
		}
		for batch := range slices.Chunk(ps, CollectBatch) {
			ids := make([]string, len(batch))
			for i, p := range batch {
				ids[i] = p.ID
			}
			var one CollectReport
			err := s.repo.InTx(ctx, func(tx Tx) error {
				one = CollectReport{}
				if err := s.collectBatch(ctx, tx, a, ids, today, &one); err != nil || !dry {
					return err
				}
				return errDryRun
			})
			if err != nil && !(dry && errors.Is(err, errDryRun)) {
				return rep, err
			}
			if !dry {
				one.Actions = nil
			}
			rep.add(one)
			rep.Claims += len(batch)
		}
		after = ps[len(ps)-1]
	}
}

// CollectBatch is how many claims a collection run decides in one
// transaction: locked together, in reference order as bank imports and
// the payment run's offsets lock claims, before any is decided, their
// histories read in one query, the claims, their new history and their
// days written in a statement each (SaveClaims, AddEvents, SetCollectOn),
// and their audit entries appended in one as the transaction's last write,
// so the audit chain's lock is held for the commit only, not while the
// claims are decided.
const CollectBatch = 50

// collectBatch decides the claims with the IDs in the transaction.
func (s *Service) collectBatch(ctx context.Context, tx Tx, a access.Actor, ids []string, today civil.Date, rep *CollectReport) error {
	cs, err := tx.ClaimsForUpdate(ctx, ids)
	if err != nil {
		return err
	}
	// Claims no longer collected (changed since they were listed) are
	// left alone.
	cs = slices.DeleteFunc(cs, func(c Claim) bool { return !c.Status.Collecting() })
	collecting := make([]string, len(cs))
	for i, c := range cs {
		collecting[i] = c.ID
	}
	histories, err := tx.ClaimHistories(ctx, collecting)
	if err != nil {
		return err
	}
	var (
		d    decided
		days = make([]CollectPos, 0, len(cs))
	)
	for _, c := range cs {
		next, err := s.collectOne(ctx, tx, a, c, histories[c.ID], today, rep, &d)
		if err != nil {
			return fmt.Errorf("claim %s: %w", c.ID, err)
		}
		days = append(days, CollectPos{On: next, ID: c.ID})
	}
	// The claims and their history in a few statements; then the days,
	// after SaveClaims, which clears them; the audit entries last.
	if err := tx.SaveClaims(ctx, d.claims); err != nil {
		return err
	}
	if err := tx.AddEvents(ctx, d.events); err != nil {
		return err
	}
	if err := tx.SetCollectOn(ctx, days); err != nil || len(d.audit) == 0 {
		return err
	}
	return tx.Audit(ctx, d.audit...)
}

// decided is what collectOne changed, for collectBatch to write.
type decided struct {
	claims []*Claim
	events []ClaimEvent
	audit  []audit.Entry
}

// CollectPos is a position in a collection run's list of claims: the
// claims with no collection day (zero On) come first by ID, then those
// whose day has come by day and ID.
type CollectPos struct {
	On civil.Date
	ID string
}

func (r *CollectReport) add(o CollectReport) {
	r.Acted += o.Acted
	r.InterestRuns += o.InterestRuns
	r.Interest += o.Interest
	r.Reminders += o.Reminders
	r.Fees += o.Fees
	r.Enforcement += o.Enforcement
	r.PlansBroken += o.PlansBroken
	r.PlansDone += o.PlansDone
	r.Paused += o.Paused
	r.Actions = append(r.Actions, o.Actions...)
}

// collectOne decides one claim, locked by the transaction, with its
// history: it sends the letter, adds the claim, its new history and audit
// entry to d for collectBatch to write, and returns the day to look at the
// claim again.
func (s *Service) collectOne(ctx context.Context, tx Tx, a access.Actor, c Claim, history []Event, today civil.Date, rep *CollectReport, d *decided) (civil.Date, error) {
	var none civil.Date
	was := c
	act, err := NextAction(c, history, today, s.cfg.Rules)
	if err != nil {
		return none, err
	}
	paused, held := false, act.Kind
	var resume civil.Date // the day after the pause
	if act.Kind == ActReminder || act.Kind == ActEnforcement {
		if resume, err = s.pausedUntil(ctx, tx, c, today); err != nil {
			return none, err
		} else if paused = !resume.IsZero(); paused {
			act = Action{}
			rep.Paused++
		}
	}
	// Interest is charged up to the day when the run acts (a reminder
	// states the amount), and on the claim's monthly interest day; a
	// payment's booking charges it up to the value date. Whether the rules
	// act does not depend on the interest (NextAction reads the balance
	// only as more than zero, which interest alone never changes).
	var events []Event
	if act.Kind != ActNone || !today.Before(c.InterestDay()) {
		if ev, _ := c.AccrueInterest(today, s.cfg.Rules); ev.Kind != "" {
			events = append(events, ev)
			rep.InterestRuns++
			rep.Interest += ev.Cents
		}
	}
	entry := audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, SubjectID: c.PersonID, Object: "claim:" + c.ID}
	switch act.Kind {
	case ActReminder:
		c.Fees += act.FeeCents
		if c.Status != InPlan {
			c.Status = Reminded
		}
		events = append(events, Event{On: today, Kind: EventReminder, Cents: act.FeeCents, Note: act.Note})
		rep.Reminders++
		rep.Fees += act.FeeCents
		entry.Action, entry.Detail = "recovery.reminder", fmt.Sprintf("n=%d fee=%d", act.Reminder, act.FeeCents)
	case ActEnforcement:
		c.Status = Enforcement
		events = append(events, Event{On: today, Kind: EventToEnforcement, Note: act.Note})
		rep.Enforcement++
		entry.Action = "recovery.to_enforcement"
	case ActBreakPlan:
		c.Plan, c.Status = nil, Open
		events = append(events, Event{On: today, Kind: EventPlanBroken, Note: act.Note})
		rep.PlansBroken++
		entry.Action = "recovery.plan_broken"
	case ActPlanComplete:
		// The instalments are paid; what accrued meanwhile falls due in
		// two weeks like any invoice.
		c.Plan, c.Status = nil, Open
		c.DueDate = bankday.NextOrSame(today.AddDays(14))
		rep.PlansDone++
		entry.Action = "recovery.plan_complete"
	}
	if len(events) > 0 || entry.Action != "" || paused {
		ca := ClaimAction{ClaimID: c.ID, Reference: c.Reference.String(), Action: act.Kind, Note: act.Note, FeeCents: act.FeeCents, Paused: paused}
		if paused {
			ca.Action, ca.Note = held, "recovery.action.paused"
		}
		for _, e := range events {
			if e.Kind == EventInterestAccrued {
				ca.Interest += e.Cents
			}
		}
		rep.Actions = append(rep.Actions, ca)
	}
	// The day to look again.
	next, err := collectNext(c, append(history, events...), today, resume, s.cfg.Rules)
	if err != nil {
		return none, err
	}
	if len(events) == 0 && entry.Action == "" && !c.InterestTo.After(was.InterestTo) {
		return next, nil
	}
	rep.Acted++
	if l, ok := collectLetter(act, c, append(history, events...), today, s.cfg.Rules); ok {
		if err := s.sendLetter(ctx, tx, &c, l); err != nil {
			return none, err
		}
	}
	d.claims = append(d.claims, &c)
	for _, e := range events {
		d.events = append(d.events, ClaimEvent{Claim: &c, Event: e})
	}
	if entry.Action != "" {
		d.audit = append(d.audit, entry)
	}
	return next, nil
}

// collectLetter is the letter a collection action sends: a reminder, the
// notice that a plan lapsed, or of the transfer to enforcement, with the
// day the rules take the next step.
func collectLetter(act Action, c Claim, history []Event, today civil.Date, rules *Rules) (Letter, bool) {
	var l Letter
	switch act.Kind {
	case ActReminder:
		l = letterBase(LetterReminder, c)
		l.FeeCents, l.Reminder = act.FeeCents, act.Reminder
	case ActBreakPlan:
		l = letterBase(LetterPlanLapsed, c)
	case ActEnforcement:
		l = letterBase(LetterEnforcement, c)
	default:
		return l, false
	}
	l.ReasonKey = act.Note
	if next, err := NextAction(c, history, today, rules); err == nil {
		l.NextStep = next.Next
	}
	return l, true
}

// pausedUntil reports whether the claim's reminders and enforcement
// wait, on the day, for a decision on a plan proposal or exemption
// application the customer sent — for at most the rule's pause from when
// the oldest one waiting was sent — by returning the first day after the
// pause; zero when nothing waits.
func (s *Service) pausedUntil(ctx context.Context, tx Tx, c Claim, today civil.Date) (civil.Date, error) {
	since, ok, err := tx.PendingApplicationSince(ctx, c.ID)
	if err != nil || !ok {
		return civil.Date{}, err
	}
	rule, err := s.cfg.Rules.RemindersAt(c.Kind, today)
	if err != nil {
		return civil.Date{}, err
	}
	if end := civil.Of(since).AddDays(rule.PauseWhilePendingDays); !today.After(end) {
		return end.AddDays(1), nil
	}
	return civil.Date{}, nil
}

// collectNext is the day the collection must look at the claim again,
// after it looked at it today (c and history as they are after the run's
// changes): the earliest of the day the rules' answer may change
// (NextAction's Next, the day after a pause ends) and the next interest
// day, and never today, nor a day before it. Anything else that changes
// the claim or its applications clears the day (SaveClaim), so the rules'
// answer cannot change earlier without the claim being looked at on the
// next run.
func collectNext(c Claim, history []Event, today, resume civil.Date, rules *Rules) (civil.Date, error) {
	next := c.InterestDay()
	if end := rules.InterestEnd(c.Kind); !end.IsZero() && !c.InterestTo.IsZero() && !c.InterestTo.Before(end) {
		// Interest waits for the table's next rate (AccrueInterest): the
		// claim is looked at on its monthly day after today, not every
		// day; `etuus collect --all` after the table is completed.
		waiting := c
		waiting.InterestTo = today
		next = waiting.InterestDay()
	}
	earliest := func(d civil.Date) {
		if !d.IsZero() && (next.IsZero() || d.Before(next)) {
			next = d
		}
	}
	earliest(resume)
	act, err := NextAction(c, history, today, rules)
	if err != nil {
		return civil.Date{}, err
	}
	switch {
	case act.Kind == ActNone:
		earliest(act.Next)
	case resume.IsZero():
		// Still due after acting (a rule with zero days between two
		// steps): tomorrow, as a daily run would.
		earliest(today.AddDays(1))
	}
	if !next.After(today) {
		next = today.AddDays(1)
	}
	return next, nil
}
