package recovery

import (
	"context"
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
}

// Collect runs the Centre's daily collection on every claim it still
// collects: it charges interest up to the day, and sends the reminder,
// breaks the plan or hands over to enforcement that the rules call for
// (NextAction). Each claim is its own transaction with the claim locked, so
// a run cut short resumes where it stopped, two runs at once cannot both
// remind, and a payment booked meanwhile is never overwritten; a second run
// on the same day changes nothing, because every decision reads the
// claim's history. Only the system collects.
func (s *Service) Collect(ctx context.Context, a access.Actor, today civil.Date) (CollectReport, error) {
	var rep CollectReport
	if a.Kind != access.System {
		return rep, fault.New(fault.Forbidden, "staff.error.unit")
	}
	after := ""
	for {
		ids, err := s.repo.CollectingClaimIDs(ctx, after, 500)
		if err != nil {
			return rep, err
		}
		if len(ids) == 0 {
			return rep, nil
		}
		for _, id := range ids {
			var one CollectReport
			err := s.repo.InTx(ctx, func(tx Tx) error {
				one = CollectReport{}
				return s.collectOne(ctx, tx, a, id, today, &one)
			})
			if err != nil {
				return rep, fmt.Errorf("claim %s: %w", id, err)
			}
			rep.add(one)
			rep.Claims++
		}
		after = ids[len(ids)-1]
	}
}

func (r *CollectReport) add(o CollectReport) {
	r.InterestRuns += o.InterestRuns
	r.Interest += o.Interest
	r.Reminders += o.Reminders
	r.Fees += o.Fees
	r.Enforcement += o.Enforcement
	r.PlansBroken += o.PlansBroken
	r.PlansDone += o.PlansDone
	r.Paused += o.Paused
}

func (s *Service) collectOne(ctx context.Context, tx Tx, a access.Actor, id string, today civil.Date, rep *CollectReport) error {
	c, err := tx.ClaimForUpdate(ctx, id)
	if err != nil {
		return err
	}
	if !c.Status.Collecting() {
		return nil // changed since it was listed
	}
	var events []Event
	if ev, _ := c.AccrueInterest(today, s.cfg.Rules); ev.Kind != "" {
		events = append(events, ev)
		rep.InterestRuns++
		rep.Interest += ev.Cents
	}
	history, err := tx.ClaimEvents(ctx, c.ID)
	if err != nil {
		return err
	}
	act, err := NextAction(c, history, today, s.cfg.Rules)
	if err != nil {
		return err
	}
	if act.Kind == ActReminder || act.Kind == ActEnforcement {
		if paused, err := s.waitsForDecision(ctx, tx, c, today); err != nil {
			return err
		} else if paused {
			act = Action{}
			rep.Paused++
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
	if len(events) == 0 && entry.Action == "" {
		return nil
	}
	if err := tx.SaveClaim(ctx, &c); err != nil {
		return err
	}
	for _, e := range events {
		if err := tx.AddEvent(ctx, &c, e); err != nil {
			return err
		}
	}
	if entry.Action != "" {
		return tx.Audit(ctx, entry)
	}
	return nil
}

// waitsForDecision reports whether the claim's reminders and enforcement
// wait, on the day, for a decision on a plan proposal or exemption
// application the customer sent: for at most the rule's pause from when
// the oldest one waiting was sent.
func (s *Service) waitsForDecision(ctx context.Context, tx Tx, c Claim, today civil.Date) (bool, error) {
	since, ok, err := tx.PendingApplicationSince(ctx, c.ID)
	if err != nil || !ok {
		return false, err
	}
	rule, err := s.cfg.Rules.RemindersAt(c.Kind, today)
	if err != nil {
		return false, err
	}
	return !today.After(civil.Of(since).AddDays(rule.PauseWhilePendingDays)), nil
}
