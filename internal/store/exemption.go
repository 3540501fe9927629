package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/recovery"
)

// Exemption is an application for exemption from a claim and its decision.
type Exemption struct {
	ID         string
	ClaimID    string
	PersonID   string
	Status     string // proposed, approved, rejected (as proposals)
	Request    recovery.ExemptionRequest
	ReasonKey  string
	DecidedBy  string
	DecidedAt  time.Time
	CreatedAt  time.Time
	PersonName string // for staff queues
	ClaimKind  recovery.Kind
}

// ApplyExemption stores a customer's application for one of their claims;
// a claim has at most one application waiting for a decision.
func (db *DB) ApplyExemption(ctx context.Context, personID, claimID string, req recovery.ExemptionRequest) (Exemption, error) {
	var x Exemption
	err := db.inTx(ctx, func(tx *Tx) error {
		c, err := scanClaim(tx.QueryRowContext(ctx, `SELECT `+claimColumns+` FROM claims WHERE id = $1 AND person_id = $2`, claimID, personID))
		if err != nil {
			return err
		}
		if err := recovery.CheckExemption(c.Kind, req, civil.Today(tx.now)); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM exemption_applications WHERE claim_id = $1 AND status = $2`, claimID, ProposalPending).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fault.New(fault.Conflict, "exemption.error.pending")
		}
		x = Exemption{ID: NewID(), ClaimID: claimID, PersonID: personID, Status: ProposalPending, Request: req, CreatedAt: tx.now, ClaimKind: c.Kind}
		_, err = tx.ExecContext(ctx, `INSERT INTO exemption_applications
			(id, claim_id, person_id, status, monthly_income_cents, children, reason, kind, period_from, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			x.ID, claimID, personID, ProposalPending, req.MonthlyIncomeCents, req.Children, req.Reason, string(req.Kind), req.From, tx.now)
		if err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Entry{ActorKind: audit.ActorCustomer, ActorID: personID, SubjectID: personID,
			Action: "recovery.exemption_applied", Object: "claim:" + claimID})
	})
	return x, err
}

const exemptionColumns = `x.id, x.claim_id, x.person_id, x.status, x.kind, x.monthly_income_cents, x.children, x.period_from, x.reason,
	x.reason_key, COALESCE(x.decided_by, ''), x.decided_at, x.created_at, p.given_name || ' ' || p.family_name, c.kind`

func scanExemption(row interface{ Scan(...any) error }) (Exemption, error) {
	var x Exemption
	var kind, claimKind string
	var decided sql.NullTime
	err := row.Scan(&x.ID, &x.ClaimID, &x.PersonID, &x.Status, &kind, &x.Request.MonthlyIncomeCents, &x.Request.Children,
		&x.Request.From, &x.Request.Reason, &x.ReasonKey, &x.DecidedBy, &decided, &x.CreatedAt, &x.PersonName, &claimKind)
	if err != nil {
		return x, err
	}
	x.Request.Kind, x.ClaimKind, x.CreatedAt = recovery.ExemptionKind(kind), recovery.Kind(claimKind), x.CreatedAt.UTC()
	if decided.Valid {
		x.DecidedAt = decided.Time.UTC()
	}
	return x, nil
}

func (db *DB) exemptions(ctx context.Context, where string, args ...any) ([]Exemption, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+exemptionColumns+` FROM exemption_applications x
		JOIN claims c ON c.id = x.claim_id JOIN persons p ON p.id = x.person_id `+where, args...)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanExemption)
}

// ExemptionsOf lists the applications of a customer's claim, newest first.
func (db *DB) ExemptionsOf(ctx context.Context, personID, claimID string) ([]Exemption, error) {
	return db.exemptions(ctx, `WHERE x.person_id = $1 AND x.claim_id = $2 ORDER BY x.created_at DESC`, personID, claimID)
}

// PendingExemptions is the staff queue of applications waiting for a
// decision, oldest first.
func (db *DB) PendingExemptions(ctx context.Context, limit int) ([]Exemption, error) {
	return db.exemptions(ctx, `WHERE x.status = $1 ORDER BY x.created_at LIMIT $2`, ProposalPending, limit)
}

// DecideExemption approves or rejects a pending application; the decision
// and its reason are what the customer sees. Approving records the
// decision: the amount it takes off the debt is the Centre's next step.
func (db *DB) DecideExemption(ctx context.Context, staffID, id string, approve bool, reasonKey string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		x, err := scanExemption(tx.QueryRowContext(ctx, `SELECT `+exemptionColumns+` FROM exemption_applications x
			JOIN claims c ON c.id = x.claim_id JOIN persons p ON p.id = x.person_id WHERE x.id = $1`+tx.db.dialect.forUpdate(), id))
		if err != nil {
			return err
		}
		if x.Status != ProposalPending {
			return fault.New(fault.Conflict, "exemption.error.decided")
		}
		status := ProposalRejected
		if approve {
			status = ProposalApproved
		}
		if _, err := tx.ExecContext(ctx, `UPDATE exemption_applications SET status = $1, reason_key = $2, decided_by = $3, decided_at = $4 WHERE id = $5`,
			status, reasonKey, staffID, tx.now, id); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Entry{ActorKind: audit.ActorStaff, ActorID: staffID, SubjectID: x.PersonID,
			Action: "recovery.exemption_" + status, Object: "claim:" + x.ClaimID, Detail: reasonKey})
	})
}
