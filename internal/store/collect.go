package store

import (
	"context"
	"fmt"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fi/bankday"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/recovery"
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
}

// Collect runs the Centre's daily collection on every claim it still
// collects: it charges interest up to today, and sends the reminder,
// breaks the plan or hands over to enforcement that the rules call for
// (recovery.NextAction). Each claim is its own transaction, so a run cut
// short resumes where it stopped; a second run on the same day changes
// nothing, because every decision reads the claim's history.
func (db *DB) Collect(ctx context.Context, today civil.Date, rules *recovery.Rules) (CollectReport, error) {
	var rep CollectReport
	after := ""
	for {
		ids, err := db.collectingClaims(ctx, after, 500)
		if err != nil {
			return rep, err
		}
		if len(ids) == 0 {
			return rep, nil
		}
		for _, id := range ids {
			if err := db.inTx(ctx, func(tx *Tx) error { return tx.collectOne(ctx, id, today, rules, &rep) }); err != nil {
				return rep, fmt.Errorf("claim %s: %w", id, err)
			}
			rep.Claims++
		}
		after = ids[len(ids)-1]
	}
}

func (db *DB) collectingClaims(ctx context.Context, after string, limit int) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id FROM claims WHERE status IN ('open', 'in_plan', 'reminded') AND id > $1
		ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func (tx *Tx) collectOne(ctx context.Context, id string, today civil.Date, rules *recovery.Rules, rep *CollectReport) error {
	// Locked, so that two runs at once cannot both remind.
	c, err := scanClaim(tx.QueryRowContext(ctx, `SELECT `+claimColumns+` FROM claims WHERE id = $1`+tx.db.dialect.forUpdate(), id))
	if err != nil {
		return err
	}
	if !c.Status.Collecting() {
		return nil // changed since it was listed
	}
	var events []recovery.Event
	if ev, _ := c.AccrueInterest(today, rules); ev.Kind != "" {
		events = append(events, ev)
		rep.InterestRuns++
		rep.Interest += ev.Cents
	}
	history, err := tx.db.claimEvents(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	a, err := recovery.NextAction(c, history, today, rules)
	if err != nil {
		return err
	}
	entry := audit.Entry{ActorKind: audit.ActorSystem, ActorID: "collect", SubjectID: c.PersonID, Object: "claim:" + c.ID}
	switch a.Kind {
	case recovery.ActReminder:
		c.Fees += a.FeeCents
		if c.Status != recovery.InPlan {
			c.Status = recovery.Reminded
		}
		events = append(events, recovery.Event{On: today, Kind: recovery.EventReminder, Cents: a.FeeCents, Note: a.Note})
		rep.Reminders++
		rep.Fees += a.FeeCents
		entry.Action, entry.Detail = "recovery.reminder", fmt.Sprintf("n=%d fee=%d", a.Reminder, a.FeeCents)
	case recovery.ActEnforcement:
		c.Status = recovery.Enforcement
		events = append(events, recovery.Event{On: today, Kind: recovery.EventToEnforcement, Note: a.Note})
		rep.Enforcement++
		entry.Action = "recovery.to_enforcement"
	case recovery.ActBreakPlan:
		c.Plan, c.Status = nil, recovery.Open
		events = append(events, recovery.Event{On: today, Kind: recovery.EventPlanBroken, Note: a.Note})
		rep.PlansBroken++
		entry.Action = "recovery.plan_broken"
	case recovery.ActPlanComplete:
		// The instalments are paid; what accrued meanwhile falls due in
		// two weeks like any invoice.
		c.Plan, c.Status = nil, recovery.Open
		c.DueDate = bankday.NextOrSame(today.AddDays(14))
		rep.PlansDone++
		entry.Action = "recovery.plan_complete"
	}
	if len(events) == 0 && entry.Action == "" {
		return nil
	}
	if err := tx.saveClaim(ctx, &c); err != nil {
		return err
	}
	for _, e := range events {
		if err := tx.addEvent(ctx, &c, e); err != nil {
			return err
		}
	}
	if entry.Action != "" {
		return tx.Audit(ctx, entry)
	}
	return nil
}

// DueClaim is a claim the next collection run will act on.
type DueClaim struct {
	Claim      recovery.Claim
	Action     recovery.Action
	PersonName string
}

// DueForCollection lists, for the staff queue, the overdue claims that the
// next collection run would remind, break or hand over, oldest due first.
func (db *DB) DueForCollection(ctx context.Context, today civil.Date, rules *recovery.Rules, limit int) ([]DueClaim, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+claimColumns+` FROM claims
		WHERE status IN ('open', 'in_plan', 'reminded') AND due_date < $1 ORDER BY due_date, id LIMIT $2`, today, 10*limit)
	if err != nil {
		return nil, err
	}
	cs, err := scanAll(rows, scanClaim)
	if err != nil {
		return nil, err
	}
	var out []DueClaim
	for _, c := range cs {
		history, err := db.claimEvents(ctx, db.sql, c.ID)
		if err != nil {
			return nil, err
		}
		a, err := recovery.NextAction(c, history, today, rules)
		if err != nil || a.Kind == recovery.ActNone {
			continue
		}
		p, err := db.PersonByID(ctx, c.PersonID)
		if err != nil {
			return nil, err
		}
		out = append(out, DueClaim{Claim: c, Action: a, PersonName: p.Name()})
		if len(out) == limit {
			break
		}
	}
	return out, nil
}
