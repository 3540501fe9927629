package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/viite"
	"github.com/etuus/etuus/internal/recovery"
)

const claimColumns = `id, person_id, kind, number, reference, principal, interest, fees,
	paid_fees, paid_interest, paid_principal, due_date, status, benefit_key, decision_id, term,
	interest_to, plan, created_at`

func scanClaim(row interface{ Scan(...any) error }) (recovery.Claim, error) {
	var c recovery.Claim
	var kind, ref, status, term string
	var plan sql.NullString
	err := row.Scan(&c.ID, &c.PersonID, &kind, &c.Number, &ref, &c.Principal, &c.Interest, &c.Fees,
		&c.Paid.Fees, &c.Paid.Interest, &c.Paid.Principal, &c.DueDate, &status, &c.BenefitKey, &c.DecisionID, &term,
		&c.InterestTo, &plan, &c.CreatedAt)
	if err != nil {
		return c, err
	}
	c.Kind, c.Status, c.CreatedAt = recovery.Kind(kind), recovery.Status(status), c.CreatedAt.UTC()
	if c.Reference, err = viite.Parse(ref); err != nil {
		return c, err
	}
	if term != "" {
		if c.Term, err = recovery.ParseTerm(term); err != nil {
			return c, err
		}
	}
	if plan.Valid && plan.String != "" {
		c.Plan = new(recovery.Plan)
		if err := json.Unmarshal([]byte(plan.String), c.Plan); err != nil {
			return c, err
		}
	}
	return c, nil
}

// nullDate stores the zero date as NULL.
func nullDate(d civil.Date) any {
	if d.IsZero() {
		return nil
	}
	return d
}

func planJSON(p *recovery.Plan) (any, error) {
	if p == nil {
		return nil, nil
	}
	b, err := json.Marshal(p)
	return string(b), err
}

// CreateClaim stores a new claim with the next number of its kind and the
// reference made from it, and its first history entry.
func (db *DB) CreateClaim(ctx context.Context, c *recovery.Claim) error {
	return db.inTx(ctx, func(tx *Tx) error { return tx.createClaim(ctx, c) })
}

func (tx *Tx) createClaim(ctx context.Context, c *recovery.Claim) error {
	if !c.Kind.Valid() {
		return fault.New(fault.Invalid, "recovery.error.kind")
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO claim_numbers (kind, next) VALUES ($1, 2)
		ON CONFLICT (kind) DO UPDATE SET next = claim_numbers.next + 1
		RETURNING next - 1`, string(c.Kind)).Scan(&c.Number); err != nil {
		return err
	}
	ref, err := recovery.ClaimReference(c.Kind, c.Number)
	if err != nil {
		return err
	}
	c.ID, c.Reference, c.CreatedAt = NewID(), ref, tx.now
	if c.Status == "" {
		c.Status = recovery.Open
	}
	term := ""
	if !c.Term.IsZero() {
		term = c.Term.String()
	}
	plan, err := planJSON(c.Plan)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO claims (`+claimColumns+`, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19)`,
		c.ID, c.PersonID, string(c.Kind), c.Number, c.Reference.String(), c.Principal, c.Interest, c.Fees,
		c.Paid.Fees, c.Paid.Interest, c.Paid.Principal, c.DueDate, string(c.Status), c.BenefitKey, c.DecisionID, term,
		nullDate(c.InterestTo), plan, c.CreatedAt)
	if err != nil {
		return err
	}
	return tx.addEvent(ctx, c, recovery.Event{On: civil.Of(tx.now), Kind: recovery.EventCreated, Cents: c.Principal, Note: "recovery.event.created"})
}

func (tx *Tx) addEvent(ctx context.Context, c *recovery.Claim, e recovery.Event) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO claim_events (id, claim_id, person_id, on_date, kind, cents, fees, interest, principal, note, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		NewID(), c.ID, c.PersonID, e.On, string(e.Kind), e.Cents, e.Parts.Fees, e.Parts.Interest, e.Parts.Principal, e.Note, tx.now)
	return err
}

// saveClaim writes a claim's amounts, status and plan back.
func (tx *Tx) saveClaim(ctx context.Context, c *recovery.Claim) error {
	plan, err := planJSON(c.Plan)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE claims SET interest = $1, fees = $2, paid_fees = $3, paid_interest = $4,
		paid_principal = $5, status = $6, interest_to = $7, plan = $8, due_date = $9, updated_at = $10 WHERE id = $11`,
		c.Interest, c.Fees, c.Paid.Fees, c.Paid.Interest, c.Paid.Principal, string(c.Status), nullDate(c.InterestTo), plan, c.DueDate, tx.now, c.ID)
	return err
}

// ClaimsOf lists a customer's claims, newest first.
func (db *DB) ClaimsOf(ctx context.Context, personID string) ([]recovery.Claim, error) {
	rows, err := db.query(ctx, `SELECT `+claimColumns+` FROM claims WHERE person_id = $1 ORDER BY created_at DESC, id DESC`, personID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanClaim)
}

// ClaimOf returns one of a customer's claims with its history. Another
// customer's claim is not found: the ID alone gives nothing away.
func (db *DB) ClaimOf(ctx context.Context, personID, claimID string) (recovery.Claim, []recovery.Event, error) {
	c, err := scanClaim(db.sql.QueryRowContext(ctx, `SELECT `+claimColumns+` FROM claims WHERE id = $1 AND person_id = $2`, claimID, personID))
	if err != nil {
		return c, nil, db.mapErr(err)
	}
	evs, err := db.claimEvents(ctx, db.sql, c.ID)
	return c, evs, err
}

type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

func (db *DB) claimEvents(ctx context.Context, q querier, claimID string) ([]recovery.Event, error) {
	rows, err := q.QueryContext(ctx, `SELECT on_date, kind, cents, fees, interest, principal, note, at
		FROM claim_events WHERE claim_id = $1 ORDER BY at, id`, claimID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []recovery.Event
	for rows.Next() {
		var e recovery.Event
		var kind string
		if err := rows.Scan(&e.On, &kind, &e.Cents, &e.Parts.Fees, &e.Parts.Interest, &e.Parts.Principal, &e.Note, &e.At); err != nil {
			return nil, err
		}
		e.Kind, e.At = recovery.EventKind(kind), e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// Proposal is a customer's payment plan proposal and its decision.
type Proposal struct {
	ID         string
	ClaimID    string
	PersonID   string
	Status     string // proposed, approved, rejected
	Plan       recovery.Plan
	Message    string
	ReasonKey  string
	DecidedBy  string
	DecidedAt  time.Time
	CreatedAt  time.Time
	PersonName string // for staff queues
	Kind       recovery.Kind
	Reference  string
}

// AutoApprover decides plans inside the rules when the Centre has switched
// automatic approval on.
const AutoApprover = "auto-approval"

// Proposal statuses.
const (
	ProposalPending  = "proposed"
	ProposalApproved = "approved"
	ProposalRejected = "rejected"
)

// ProposePlan stores a customer's plan proposal for one of their claims.
// A claim has at most one proposal waiting for a decision.
func (db *DB) ProposePlan(ctx context.Context, personID, claimID string, p recovery.Plan, message string) (Proposal, error) {
	var pr Proposal
	err := db.inTx(ctx, func(tx *Tx) error {
		c, err := scanClaim(tx.QueryRowContext(ctx, `SELECT `+claimColumns+` FROM claims WHERE id = $1 AND person_id = $2`, claimID, personID))
		if err != nil {
			return err
		}
		if !c.Status.Collecting() || c.Status == recovery.InPlan {
			return fault.New(fault.Conflict, "recovery.plan.not_open")
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM plan_proposals WHERE claim_id = $1 AND status = $2`, claimID, ProposalPending).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fault.New(fault.Conflict, "recovery.plan.pending")
		}
		b, err := json.Marshal(p)
		if err != nil {
			return err
		}
		pr = Proposal{ID: NewID(), ClaimID: claimID, PersonID: personID, Status: ProposalPending, Plan: p, Message: message, CreatedAt: tx.now}
		_, err = tx.ExecContext(ctx, `INSERT INTO plan_proposals (id, claim_id, person_id, status, monthly_cents, months, first_due, plan, message, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			pr.ID, claimID, personID, ProposalPending, p.MonthlyCents, p.Months(), p.FirstDue, string(b), message, tx.now)
		if err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Entry{ActorKind: audit.ActorCustomer, ActorID: personID, SubjectID: personID,
			Action: "recovery.plan_proposed", Object: "claim:" + claimID})
	})
	return pr, err
}

const proposalColumns = `pp.id, pp.claim_id, pp.person_id, pp.status, pp.plan, pp.message, pp.reason_key,
	COALESCE(pp.decided_by, ''), pp.decided_at, pp.created_at, p.given_name || ' ' || p.family_name, c.kind, c.reference`

func scanProposal(row interface{ Scan(...any) error }) (Proposal, error) {
	var pr Proposal
	var plan, kind string
	var decided sql.NullTime
	err := row.Scan(&pr.ID, &pr.ClaimID, &pr.PersonID, &pr.Status, &plan, &pr.Message, &pr.ReasonKey,
		&pr.DecidedBy, &decided, &pr.CreatedAt, &pr.PersonName, &kind, &pr.Reference)
	if err != nil {
		return pr, err
	}
	pr.Kind, pr.CreatedAt = recovery.Kind(kind), pr.CreatedAt.UTC()
	if decided.Valid {
		pr.DecidedAt = decided.Time.UTC()
	}
	return pr, json.Unmarshal([]byte(plan), &pr.Plan)
}

// ProposalsOf lists the plan proposals of a customer's claim, newest first.
func (db *DB) ProposalsOf(ctx context.Context, personID, claimID string) ([]Proposal, error) {
	return db.proposals(ctx, `WHERE pp.person_id = $1 AND pp.claim_id = $2 ORDER BY pp.created_at DESC`, personID, claimID)
}

// PendingProposals is the staff queue of proposals waiting for a decision,
// oldest first.
func (db *DB) PendingProposals(ctx context.Context, limit int) ([]Proposal, error) {
	return db.proposals(ctx, `WHERE pp.status = $1 ORDER BY pp.created_at LIMIT $2`, ProposalPending, limit)
}

func (db *DB) proposals(ctx context.Context, where string, args ...any) ([]Proposal, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+proposalColumns+` FROM plan_proposals pp
		JOIN claims c ON c.id = pp.claim_id JOIN persons p ON p.id = pp.person_id `+where, args...)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanProposal)
}

// DecideProposal approves or rejects a pending proposal. Approval puts the
// claim in the plan; a rejection carries the reason the customer is shown.
func (db *DB) DecideProposal(ctx context.Context, staffID, proposalID string, approve bool, reasonKey string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		pr, err := scanProposal(tx.QueryRowContext(ctx, `SELECT `+proposalColumns+` FROM plan_proposals pp
			JOIN claims c ON c.id = pp.claim_id JOIN persons p ON p.id = pp.person_id WHERE pp.id = $1`, proposalID))
		if err != nil {
			return err
		}
		if pr.Status != ProposalPending {
			return fault.New(fault.Conflict, "recovery.plan.decided")
		}
		status := ProposalRejected
		if approve {
			status = ProposalApproved
			c, err := scanClaim(tx.QueryRowContext(ctx, `SELECT `+claimColumns+` FROM claims WHERE id = $1`, pr.ClaimID))
			if err != nil {
				return err
			}
			if !c.Status.Collecting() || c.Balance() <= 0 {
				return fault.New(fault.Conflict, "recovery.plan.not_open")
			}
			ev := c.ApprovePlan(civil.Of(tx.now), pr.Plan)
			if err := tx.saveClaim(ctx, &c); err != nil {
				return err
			}
			if err := tx.addEvent(ctx, &c, ev); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE plan_proposals SET status = $1, reason_key = $2, decided_by = $3, decided_at = $4 WHERE id = $5`,
			status, reasonKey, staffID, tx.now, proposalID)
		if err != nil {
			return err
		}
		actor := audit.ActorStaff
		if staffID == AutoApprover {
			actor = audit.ActorSystem
		}
		return tx.Audit(ctx, audit.Entry{ActorKind: actor, ActorID: staffID, SubjectID: pr.PersonID,
			Action: "recovery.plan_" + status, Object: "claim:" + pr.ClaimID, Detail: reasonKey})
	})
}

// CreateClaims stores new claims in one transaction: all or none.
func (db *DB) CreateClaims(ctx context.Context, cs []recovery.Claim) (int, error) {
	err := db.inTx(ctx, func(tx *Tx) error {
		for i := range cs {
			if err := tx.createClaim(ctx, &cs[i]); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, audit.Entry{ActorKind: audit.ActorSystem, ActorID: "cli", Action: "recovery.claims_created",
			Detail: fmt.Sprintf("count=%d", len(cs))})
	})
	return len(cs), err
}
