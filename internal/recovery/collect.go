package recovery

import (
	"context"
	"errors"
	"fmt"

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
// Each claim is its own transaction with the claim locked, so a run cut
// short resumes where it stopped, two runs at once cannot both remind, and
// a payment booked meanwhile is never overwritten; a second run on the
// same day changes nothing, because every decision reads the claim's
// history and every claim looked at gets a later day. Only the system
// collects.
func (s *Service) Collect(ctx context.Context, a access.Actor, today civil.Date) (CollectReport, error) {
	return s.collect(ctx, a, today, false)
}

// CollectDryRun is Collect without writing anything: each claim's
// transaction does all Collect would and is rolled back, so the report
// lists, claim by claim, exactly what a run would do and why (Actions).
func (s *Service) CollectDryRun(ctx context.Context, a access.Actor, today civil.Date) (CollectReport, error) {
	return s.collect(ctx, a, today, true)
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

func (s *Service) collect(ctx context.Context, a access.Actor, today civil.Date, dry bool) (CollectReport, error) {
	var rep CollectReport
	if a.Kind != access.System {
		return rep, fault.New(fault.Forbidden, "staff.error.unit")
	}
	var after CollectPos
	for {
		ps, err := s.repo.CollectingClaimIDs(ctx, today, after, 500)
		if err != nil {
			return rep, err
		}
		if len(ps) == 0 {
			return rep, nil
		}
		for _, p := range ps {
			id := p.ID
			var one CollectReport
			err := s.repo.InTx(ctx, func(tx Tx) error {
				one = CollectReport{}
				if err := s.collectOne(ctx, tx, a, id, today, &one); err != nil || !dry {
					return err
				}
				return errDryRun
			})
			if err != nil && !(dry && errors.Is(err, errDryRun)) {
				return rep, fmt.Errorf("claim %s: %w", id, err)
			}
			if !dry {
				one.Actions = nil
			}
			rep.add(one)
			rep.Claims++
		}
		after = ps[len(ps)-1]
	}
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

func (s *Service) collectOne(ctx context.Context, tx Tx, a access.Actor, id string, today civil.Date, rep *CollectReport) error {
	c, err := tx.ClaimForUpdate(ctx, id)
	if err != nil {
		return err
	}
	if !c.Status.Collecting() {
		return nil // changed since it was listed
	}
	was := c
	history, err := tx.ClaimEvents(ctx, c.ID)
	if err != nil {
		return err
	}
	act, err := NextAction(c, history, today, s.cfg.Rules)
	if err != nil {
		return err
	}
	paused, held := false, act.Kind
	var resume civil.Date // the day after the pause
	if act.Kind == ActReminder || act.Kind == ActEnforcement {
		if resume, err = s.pausedUntil(ctx, tx, c, today); err != nil {
			return err
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
	// The day to look again; written after SaveClaim, which clears it.
	next, err := collectNext(c, append(history, events...), today, resume, s.cfg.Rules)
	if err != nil {
		return err
	}
	if len(events) == 0 && entry.Action == "" && !c.InterestTo.After(was.InterestTo) {
		return tx.SetCollectOn(ctx, c.ID, next)
	}
	rep.Acted++
	if err := tx.SaveClaim(ctx, &c); err != nil {
		return err
	}
	if err := tx.SetCollectOn(ctx, c.ID, next); err != nil {
		return err
	}
	for _, e := range events {
		if err := tx.AddEvent(ctx, &c, e); err != nil {
			return err
		}
	}
	if l, ok := collectLetter(act, c, append(history, events...), today, s.cfg.Rules); ok {
		if err := s.sendLetter(ctx, tx, &c, l); err != nil {
			return err
		}
	}
	if entry.Action != "" {
		return tx.Audit(ctx, entry)
	}
	return nil
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
