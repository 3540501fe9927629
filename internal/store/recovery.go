package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"iter"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/viite"
	"github.com/etuus/etuus/internal/iso20022"
	"github.com/etuus/etuus/internal/recovery"
)

// RecoveryRepo is the recovery service's storage: the SQL of its use cases,
// deciding nothing.
type RecoveryRepo struct{ db *DB }

// Recovery returns the recovery service's repository on the database.
func (db *DB) Recovery() *RecoveryRepo { return &RecoveryRepo{db: db} }

var (
	_ recovery.Repo = (*RecoveryRepo)(nil)
	_ recovery.Tx   = recoveryTx{}
)

// recoveryTx is a transaction of the recovery service.
type recoveryTx struct{ *Tx }

// InTx runs fn in one transaction, retried on a busy or serialization
// failure.
func (r *RecoveryRepo) InTx(ctx context.Context, fn func(recovery.Tx) error) error {
	return r.db.inTx(ctx, func(tx *Tx) error { return fn(recoveryTx{tx}) })
}

// InTxOnce runs fn in one transaction without retrying.
func (r *RecoveryRepo) InTxOnce(ctx context.Context, fn func(recovery.Tx) error) error {
	return r.db.mapErr(r.db.tryTx(ctx, func(tx *Tx) error { return fn(recoveryTx{tx}) }))
}

const claimColumns = `id, person_id, kind, number, reference, principal, interest, fees,
	paid_fees, paid_interest, paid_principal, due_date, status, benefit_key, decision_id, term,
	interest_to, plan, created_at, interest_free, period_from, period_to`

func scanClaim(row interface{ Scan(...any) error }) (recovery.Claim, error) {
	var c recovery.Claim
	var kind, ref, status, term string
	var plan sql.NullString
	var free string
	err := row.Scan(&c.ID, &c.PersonID, &kind, &c.Number, &ref, &c.Principal, &c.Interest, &c.Fees,
		&c.Paid.Fees, &c.Paid.Interest, &c.Paid.Principal, &c.DueDate, &status, &c.BenefitKey, &c.DecisionID, &term,
		&c.InterestTo, &plan, &c.CreatedAt, &free, &c.PeriodFrom, &c.PeriodTo)
	if err != nil {
		return c, err
	}
	if free != "" {
		if err := json.Unmarshal([]byte(free), &c.InterestFree); err != nil {
			return c, err
		}
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

// claimJSON is a claim's plan and interest-free periods as stored.
func claimJSON(c *recovery.Claim) (plan any, free string, err error) {
	if plan, err = planJSON(c.Plan); err != nil {
		return nil, "", err
	}
	free, err = freeJSON(c.InterestFree)
	return plan, free, err
}

// freeJSON stores a claim's interest-free periods; none is ”.
func freeJSON(ps []recovery.FreePeriod) (string, error) {
	if len(ps) == 0 {
		return "", nil
	}
	b, err := json.Marshal(ps)
	return string(b), err
}

// CreateClaim stores a new claim (demo data and tests); the recovery
// service's CreateClaims is the use case.
func (db *DB) CreateClaim(ctx context.Context, c *recovery.Claim) error {
	return db.inTx(ctx, func(tx *Tx) error { return tx.createClaim(ctx, c) })
}

func (t recoveryTx) CreateClaim(ctx context.Context, c *recovery.Claim) error {
	return t.createClaim(ctx, c)
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
	plan, free, err := claimJSON(c)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO claims (`+claimColumns+`, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $19)`,
		c.ID, c.PersonID, string(c.Kind), c.Number, c.Reference.String(), c.Principal, c.Interest, c.Fees,
		c.Paid.Fees, c.Paid.Interest, c.Paid.Principal, c.DueDate, string(c.Status), c.BenefitKey, c.DecisionID, term,
		nullDate(c.InterestTo), plan, c.CreatedAt, free, nullDate(c.PeriodFrom), nullDate(c.PeriodTo))
	if err != nil {
		return err
	}
	return tx.addEvent(ctx, c, recovery.Event{On: civil.Of(tx.now), Kind: recovery.EventCreated, Cents: c.Principal, Note: "recovery.event.created"})
}

func (t recoveryTx) AddEvent(ctx context.Context, c *recovery.Claim, e recovery.Event) error {
	return t.addEvent(ctx, c, e)
}

func (tx *Tx) addEvent(ctx context.Context, c *recovery.Claim, e recovery.Event) error {
	_, err := tx.exec(ctx, `INSERT INTO claim_events (id, claim_id, person_id, on_date, kind, cents, fees, interest, principal, note, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		NewID(), c.ID, c.PersonID, e.On, string(e.Kind), e.Cents, e.Parts.Fees, e.Parts.Interest, e.Parts.Principal, e.Note, tx.now)
	return err
}

// SaveClaim writes a claim's amounts, status, due date, plan and
// interest-free periods back, and sets collect_on to NULL: a claim changed
// by anything is looked at by the next collection run (SetCollectOn).
func (t recoveryTx) SaveClaim(ctx context.Context, c *recovery.Claim) error {
	plan, free, err := claimJSON(c)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `UPDATE claims SET interest = $1, fees = $2, paid_fees = $3, paid_interest = $4,
		paid_principal = $5, status = $6, interest_to = $7, plan = $8, due_date = $9, updated_at = $10,
		principal = $11, interest_free = $12, collect_on = NULL WHERE id = $13`,
		c.Interest, c.Fees, c.Paid.Fees, c.Paid.Interest, c.Paid.Principal, string(c.Status), nullDate(c.InterestTo), plan, c.DueDate, t.now,
		c.Principal, free, c.ID)
	return err
}

// claimUpdateTypes are the types of a claim's values in SaveClaims, in
// VALUES column order: column1 is the ID.
var claimUpdateTypes = []string{"text", "bigint", "bigint", "bigint", "bigint", "bigint", "text", "date", "text", "date",
	"timestamptz", "bigint", "text"}

// SaveClaims writes the claims back like SaveClaim (collect_on NULL), many in one UPDATE …
// FROM (VALUES …) statement (VALUES names its columns column1, column2, …
// on both databases).
func (t recoveryTx) SaveClaims(ctx context.Context, cs []*recovery.Claim) error {
	if t.db.dialect == postgresDialect {
		return t.saveClaimsPostgres(ctx, cs)
	}
	per := t.db.dialect.bulkRows(len(claimUpdateTypes))
	for part := range slices.Chunk(cs, per) {
		var q strings.Builder
		q.WriteString(`UPDATE claims SET interest = v.column2, fees = v.column3, paid_fees = v.column4, paid_interest = v.column5,
		paid_principal = v.column6, status = v.column7, interest_to = v.column8, plan = v.column9, due_date = v.column10,
		updated_at = v.column11, principal = v.column12, interest_free = v.column13, collect_on = NULL FROM (VALUES `)
		args := make([]any, 0, len(part)*len(claimUpdateTypes))
		for i, c := range part {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(")
			for j, typ := range claimUpdateTypes {
				if j > 0 {
					q.WriteString(", ")
				}
				q.WriteString(t.db.dialect.typed(t.db.dialect.bulkParam(i*len(claimUpdateTypes)+j+1), typ))
			}
			q.WriteString(")")
			plan, free, err := claimJSON(c)
			if err != nil {
				return err
			}
			args = append(args, c.ID, c.Interest, c.Fees, c.Paid.Fees, c.Paid.Interest, c.Paid.Principal, string(c.Status),
				nullDate(c.InterestTo), plan, c.DueDate, t.now, c.Principal, free)
		}
		q.WriteString(`) AS v WHERE claims.id = v.column1`)
		if _, err := t.exec(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// saveClaimsPostgresSQL is SaveClaims on PostgreSQL: the claims' values
// one array a column, unnested and joined to claims by ID. The id =
// ANY($1) condition is the join's said again, so that the planner can read
// claims by its primary key for the IDs given rather than join to the
// whole table.
const saveClaimsPostgresSQL = `UPDATE claims SET interest = v.interest, fees = v.fees, paid_fees = v.paid_fees,
	paid_interest = v.paid_interest, paid_principal = v.paid_principal, status = v.status, interest_to = v.interest_to::date,
	plan = v.plan, due_date = v.due_date::date, updated_at = $13, principal = v.principal, interest_free = v.interest_free,
	collect_on = NULL
	FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[], $8::text[],
		$9::text[], $10::text[], $11::bigint[], $12::text[])
		AS v(id, interest, fees, paid_fees, paid_interest, paid_principal, status, interest_to, plan, due_date, principal, interest_free)
	WHERE claims.id = v.id AND claims.id = ANY($1::text[])`

// saveClaimsPostgres is SaveClaims in one statement of 13 parameters
// rather than 13 a claim (which pgx encoded one by one); PostgreSQL only,
// SQLite has no arrays.
func (t recoveryTx) saveClaimsPostgres(ctx context.Context, cs []*recovery.Claim) error {
	if len(cs) == 0 {
		return nil
	}
	n := len(cs)
	var (
		ids, statuses, frees                    = make([]string, n), make([]string, n), make([]string, n)
		interests, fees, paidFees, paidInterest = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		paidPrincipal, principals               = make([]int64, n), make([]int64, n)
		interestTo, plans, dues                 = make([]*string, n), make([]*string, n), make([]*string, n)
	)
	for i, c := range cs {
		plan, free, err := claimJSON(c)
		if err != nil {
			return err
		}
		if plan != nil {
			p := plan.(string)
			plans[i] = &p
		}
		ids[i], statuses[i], frees[i] = c.ID, string(c.Status), free
		interests[i], fees[i], paidFees[i], paidInterest[i] = c.Interest, c.Fees, c.Paid.Fees, c.Paid.Interest
		paidPrincipal[i], principals[i] = c.Paid.Principal, c.Principal
		interestTo[i], dues[i] = dateText(c.InterestTo), dateText(c.DueDate)
	}
	_, err := t.ExecContext(ctx, saveClaimsPostgresSQL, ids, interests, fees, paidFees, paidInterest, paidPrincipal,
		statuses, interestTo, plans, dues, principals, frees, t.now)
	return err
}

// dateText is a date as an array element of text (cast to date in the
// statement), the zero date NULL as civil.Date's Value has it.
func dateText(d civil.Date) *string {
	if d.IsZero() {
		return nil
	}
	s := d.String()
	return &s
}

// textOrNull is an array element of text, the empty string NULL as
// nullIfEmpty has it.
func textOrNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

const eventArgs = 11

// AddEvents writes history entries like AddEvent, many rows an INSERT.
func (t recoveryTx) AddEvents(ctx context.Context, es []recovery.ClaimEvent) error {
	if t.db.dialect == postgresDialect {
		return t.addEventsPostgres(ctx, es)
	}
	for part := range slices.Chunk(es, t.db.dialect.bulkRows(eventArgs)) {
		var q strings.Builder
		q.WriteString(`INSERT INTO claim_events (id, claim_id, person_id, on_date, kind, cents, fees, interest, principal, note, at) VALUES `)
		args := make([]any, 0, len(part)*eventArgs)
		for i, ce := range part {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(" + t.db.dialect.bulkPlaceholders(i*eventArgs+1, eventArgs) + ")")
			c, e := ce.Claim, ce.Event
			args = append(args, NewID(), c.ID, c.PersonID, e.On, string(e.Kind), e.Cents, e.Parts.Fees, e.Parts.Interest,
				e.Parts.Principal, e.Note, t.now)
		}
		if _, err := t.exec(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// addEventsPostgres is AddEvents on PostgreSQL: all the entries in one
// INSERT … SELECT FROM unnest(arrays), 11 parameters rather than 11 a row.
func (t recoveryTx) addEventsPostgres(ctx context.Context, es []recovery.ClaimEvent) error {
	if len(es) == 0 {
		return nil
	}
	n := len(es)
	var (
		ids, claims, persons, ons, kinds, notes = make([]string, n), make([]string, n), make([]string, n), make([]*string, n), make([]string, n), make([]string, n)
		cents, fees, interests, principals      = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	)
	for i, ce := range es {
		c, e := ce.Claim, ce.Event
		ids[i], claims[i], persons[i], ons[i], kinds[i], notes[i] = NewID(), c.ID, c.PersonID, dateText(e.On), string(e.Kind), e.Note
		cents[i], fees[i], interests[i], principals[i] = e.Cents, e.Parts.Fees, e.Parts.Interest, e.Parts.Principal
	}
	_, err := t.ExecContext(ctx, `INSERT INTO claim_events (id, claim_id, person_id, on_date, kind, cents, fees, interest, principal, note, at)
		SELECT v.id, v.claim_id, v.person_id, v.on_date::date, v.kind, v.cents, v.fees, v.interest, v.principal, v.note, $11
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[],
			$9::bigint[], $10::text[]) AS v(id, claim_id, person_id, on_date, kind, cents, fees, interest, principal, note)`,
		ids, claims, persons, ons, kinds, cents, fees, interests, principals, notes, t.now)
	return err
}

func (t recoveryTx) ClaimForUpdate(ctx context.Context, id string) (recovery.Claim, error) {
	c, err := scanClaim(t.queryRow(ctx, `SELECT `+claimColumns+` FROM claims WHERE id = $1`+t.db.dialect.forUpdate(), id))
	return c, t.db.mapErr(err)
}

func (t recoveryTx) CustomerClaimForUpdate(ctx context.Context, personID, id string) (recovery.Claim, error) {
	c, err := scanClaim(t.queryRow(ctx, `SELECT `+claimColumns+` FROM claims WHERE id = $1 AND person_id = $2`+t.db.dialect.forUpdate(), id, personID))
	return c, t.db.mapErr(err)
}

// ClaimsForUpdate locks the claims in one statement, in reference order:
// the order bank imports (ClaimsByReferenceForUpdate) and the payment
// run's offsets (OffsetClaimsForUpdate) lock claims in, so that none of
// them waits for another in a cycle. The collection passes at most
// recovery.CollectBatch IDs.
func (t recoveryTx) ClaimsForUpdate(ctx context.Context, ids []string) ([]recovery.Claim, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := t.QueryContext(ctx, `SELECT `+claimColumns+` FROM claims WHERE id IN (`+placeholders(1, len(ids))+`)
		ORDER BY reference`+t.db.dialect.forUpdate(), anys(ids)...)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanClaim)
}

func (t recoveryTx) ClaimsByReferenceForUpdate(ctx context.Context, refs []string) ([]recovery.Claim, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	if t.db.dialect == postgresDialect {
		// One statement for all of them, the references as one array: the
		// same rows locked in the same order (LockRows takes them as the
		// sort returns them).
		rows, err := t.QueryContext(ctx, claimsByReferencePostgres, refs)
		if err != nil {
			return nil, err
		}
		return scanAll(rows, scanClaim)
	}
	var out []recovery.Claim
	// refs are sorted, and so are the parts: the locks are taken in
	// reference order across them.
	for part := range slices.Chunk(refs, t.db.dialect.bulkRows(1)) {
		rows, err := t.QueryContext(ctx, `SELECT `+claimColumns+` FROM claims WHERE reference IN (`+t.db.dialect.bulkPlaceholders(1, len(part))+`)
			ORDER BY reference`+t.db.dialect.forUpdate(), anys(part)...)
		if err != nil {
			return nil, err
		}
		cs, err := scanAll(rows, scanClaim)
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
	}
	return out, nil
}

// claimsByReferencePostgres is ClaimsByReferenceForUpdate on PostgreSQL:
// the references as one array; the rows are locked as the sort returns
// them, in reference order.
const claimsByReferencePostgres = `SELECT ` + claimColumns + ` FROM claims WHERE reference = ANY($1::text[])
	ORDER BY reference FOR UPDATE`

// placeholders is "$from, $from+1, …" for n values.
func placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(from+i))
	}
	return b.String()
}

// bulkPlaceholders is placeholders for a bulk statement (dialect.bulkParam):
// its values must appear in the text in their order.
func (d dialect) bulkPlaceholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(d.bulkParam(from + i))
	}
	return b.String()
}

func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

func (t recoveryTx) ClaimEvents(ctx context.Context, claimID string) ([]recovery.Event, error) {
	return claimEvents(ctx, t.Tx, claimID)
}

// ClaimsOf lists a customer's claims, newest first.
func (r *RecoveryRepo) ClaimsOf(ctx context.Context, personID string) ([]recovery.Claim, error) {
	rows, err := r.db.query(ctx, `SELECT `+claimColumns+` FROM claims WHERE person_id = $1 ORDER BY created_at DESC, id DESC`, personID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanClaim)
}

// claimsPendingOfSQL is ClaimsOf's query with whether a plan proposal or
// an exemption application of the claim waits ($2 the pending status),
// each an index lookup by claim (plan_proposals_claim,
// exemption_applications_claim).
const claimsPendingOfSQL = `SELECT ` + claimColumns + `,
	EXISTS (SELECT 1 FROM plan_proposals pp WHERE pp.claim_id = claims.id AND pp.person_id = claims.person_id AND pp.status = $2)
	OR EXISTS (SELECT 1 FROM exemption_applications x WHERE x.claim_id = claims.id AND x.person_id = claims.person_id AND x.status = $2)
	FROM claims WHERE person_id = $1 ORDER BY created_at DESC, id DESC`

// ClaimsPendingOf lists a customer's claims, newest first, and which of
// them have an application waiting for a decision.
func (r *RecoveryRepo) ClaimsPendingOf(ctx context.Context, personID string) ([]recovery.Claim, map[string]bool, error) {
	rows, err := r.db.query(ctx, claimsPendingOfSQL, personID, recovery.Pending)
	if err != nil {
		return nil, nil, err
	}
	pending := map[string]bool{}
	cs, err := scanAll(rows, scanClaimPending(pending))
	if err != nil {
		return nil, nil, err
	}
	return cs, pending, nil
}

// scanClaimPending scans a row of claimsPendingOfSQL, adding the claim's
// ID to pending when an application of it waits.
func scanClaimPending(pending map[string]bool) func(row interface{ Scan(...any) error }) (recovery.Claim, error) {
	return func(row interface{ Scan(...any) error }) (recovery.Claim, error) {
		var waits bool
		c, err := scanClaim(scanTailOf(row, &waits))
		if err == nil && waits {
			pending[c.ID] = true
		}
		return c, err
	}
}

// ClaimOf returns one of a customer's claims with its history. Another
// customer's claim is not found: the ID alone gives nothing away.
func (r *RecoveryRepo) ClaimOf(ctx context.Context, personID, claimID string) (recovery.Claim, []recovery.Event, error) {
	c, err := scanClaim(r.db.queryRow(ctx, `SELECT `+claimColumns+` FROM claims WHERE id = $1 AND person_id = $2`, claimID, personID))
	if err != nil {
		return c, nil, r.db.mapErr(err)
	}
	evs, err := claimEvents(ctx, r.db.sql, c.ID)
	return c, evs, err
}

// ClaimEvents is a claim's history.
func (r *RecoveryRepo) ClaimEvents(ctx context.Context, claimID string) ([]recovery.Event, error) {
	return claimEvents(ctx, r.db.sql, claimID)
}

type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

const (
	eventColumns   = `on_date, kind, cents, fees, interest, principal, note, at`
	claimEventsSQL = `SELECT ` + eventColumns + ` FROM claim_events WHERE claim_id = $1 ORDER BY at, id`
)

// claimEvents reads a claim's history in the order it was written.
func claimEvents(ctx context.Context, q querier, claimID string) ([]recovery.Event, error) {
	rows, err := q.QueryContext(ctx, claimEventsSQL, claimID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []recovery.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func scanEvent(row interface{ Scan(...any) error }, more ...any) (recovery.Event, error) {
	var e recovery.Event
	var kind string
	if err := row.Scan(append([]any{&e.On, &kind, &e.Cents, &e.Parts.Fees, &e.Parts.Interest, &e.Parts.Principal, &e.Note, &e.At}, more...)...); err != nil {
		return e, err
	}
	e.Kind, e.At = recovery.EventKind(kind), e.At.UTC()
	return e, nil
}

// claimHistoriesSQL reads the histories of n claims in one query, each in
// the order it was written (claim_events_claim gives each claim's range in
// that order).
func claimHistoriesSQL(n int) string {
	var b strings.Builder
	b.WriteString(`SELECT ` + eventColumns + `, claim_id FROM claim_events WHERE claim_id IN (`)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(i+1))
	}
	b.WriteString(`) ORDER BY claim_id, at, id`)
	return b.String()
}

// ClaimHistories reads the histories of the claims in one query, by claim
// ID; a claim with no history (or no such claim) has none in the map.
func (r *RecoveryRepo) ClaimHistories(ctx context.Context, claimIDs []string) (map[string][]recovery.Event, error) {
	return claimHistories(ctx, r.db.sql, claimIDs)
}

func (t recoveryTx) ClaimHistories(ctx context.Context, claimIDs []string) (map[string][]recovery.Event, error) {
	return claimHistories(ctx, t, claimIDs)
}

func claimHistories(ctx context.Context, q querier, claimIDs []string) (map[string][]recovery.Event, error) {
	out := make(map[string][]recovery.Event, len(claimIDs))
	if len(claimIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(claimIDs))
	for i, id := range claimIDs {
		args[i] = id
	}
	rows, err := q.QueryContext(ctx, claimHistoriesSQL(len(claimIDs)), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		e, err := scanEvent(rows, &id)
		if err != nil {
			return nil, err
		}
		out[id] = append(out[id], e)
	}
	return out, rows.Err()
}

// collectNullSQL and collectDueSQL read claims_collect, the partial index
// on (collect_on, id) of the claims still collected: first those with no
// day (NULL: changed since the collection last looked, or never looked
// at), by ID; then those whose day has come, by day and ID. Each is one
// range of the index, so a run reads what is due, not every claim. The
// NULLs are ordered by (collect_on, id) too, though collect_on is NULL in
// all of them: ordered by id alone, PostgreSQL may walk the primary key and
// filter, which reads every claim when few have no day and the statistics
// still say most have none (just after the first run).
const (
	collectNullSQL = `SELECT id FROM claims WHERE status IN ('open', 'in_plan', 'reminded') AND collect_on IS NULL AND id > $1
		ORDER BY collect_on, id LIMIT $2`
	collectDueSQL = `SELECT collect_on, id FROM claims WHERE status IN ('open', 'in_plan', 'reminded')
		AND collect_on <= $1 AND (collect_on, id) > ($2, $3) ORDER BY collect_on, id LIMIT $4`
)

// collectAllSQL lists every claim still collected, by ID, whatever its
// collection day (collect --all).
const collectAllSQL = `SELECT id FROM claims WHERE status IN ('open', 'in_plan', 'reminded') AND id > $1 ORDER BY id LIMIT $2`

// CollectingClaimIDs lists, after the position, the claims still collected
// that the collection looks at on the day: collect_on NULL, then up to the
// day (see collectNullSQL); on the zero day, every one by ID.
func (r *RecoveryRepo) CollectingClaimIDs(ctx context.Context, today civil.Date, after recovery.CollectPos, limit int) ([]recovery.CollectPos, error) {
	var out []recovery.CollectPos
	if today.IsZero() || after.On.IsZero() {
		q := collectNullSQL
		if today.IsZero() {
			q = collectAllSQL
		}
		rows, err := r.db.sql.QueryContext(ctx, q, after.ID, limit)
		if err != nil {
			return nil, err
		}
		ids, err := scanAll(rows, func(row interface{ Scan(...any) error }) (string, error) {
			var id string
			return id, row.Scan(&id)
		})
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			out = append(out, recovery.CollectPos{ID: id})
		}
		if len(out) == limit || today.IsZero() {
			return out, nil
		}
		// The days start before any real one.
		after = recovery.CollectPos{On: civil.New(1, 1, 1)}
	}
	rows, err := r.db.sql.QueryContext(ctx, collectDueSQL, today, after.On, after.ID, limit-len(out))
	if err != nil {
		return nil, err
	}
	due, err := scanAll(rows, func(row interface{ Scan(...any) error }) (recovery.CollectPos, error) {
		var p recovery.CollectPos
		return p, row.Scan(&p.On, &p.ID)
	})
	return append(out, due...), err
}

// overdueClaimsSQL reads the first entries of claims_due, the partial
// index of the claims still collected in this order.
const overdueClaimsSQL = `SELECT ` + claimColumns + `,
		(SELECT p.given_name || ' ' || p.family_name FROM persons p WHERE p.id = claims.person_id)
		FROM claims WHERE status IN ('open', 'in_plan', 'reminded') AND due_date < $1 ORDER BY due_date, id LIMIT $2`

// OverdueClaims lists claims still collected and due before the day, oldest
// due first, with their holders' names.
func (r *RecoveryRepo) OverdueClaims(ctx context.Context, before civil.Date, limit int) ([]recovery.DueClaim, error) {
	rows, err := r.db.sql.QueryContext(ctx, overdueClaimsSQL, before, limit)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(row interface{ Scan(...any) error }) (recovery.DueClaim, error) {
		var d recovery.DueClaim
		var err error
		d.Claim, err = scanClaim(scanTail{row, &d.PersonName})
		return d, err
	})
}

// scanTail scans a claim's columns followed by one more.
type scanTail struct {
	row  interface{ Scan(...any) error }
	more *string
}

func (s scanTail) Scan(dest ...any) error { return s.row.Scan(append(dest, s.more)...) }

// Plan proposals.

const proposalColumns = `pp.id, pp.claim_id, pp.person_id, pp.status, pp.plan, pp.message, pp.reason_key,
	COALESCE(pp.decided_by, ''), pp.decided_at, pp.created_at, p.given_name || ' ' || p.family_name, c.kind, c.reference`

const proposalFrom = ` FROM plan_proposals pp JOIN claims c ON c.id = pp.claim_id JOIN persons p ON p.id = pp.person_id `

func scanProposal(row interface{ Scan(...any) error }) (recovery.Proposal, error) {
	var pr recovery.Proposal
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
func (r *RecoveryRepo) ProposalsOf(ctx context.Context, personID, claimID string) ([]recovery.Proposal, error) {
	return r.proposals(ctx, `WHERE pp.person_id = $1 AND pp.claim_id = $2 ORDER BY pp.created_at DESC, pp.id DESC`, personID, claimID)
}

// PendingProposals lists the proposals waiting for a decision, oldest first.
func (r *RecoveryRepo) PendingProposals(ctx context.Context, limit int) ([]recovery.Proposal, error) {
	// The limit in the text, not a parameter: see pageLimit.
	return r.proposals(ctx, `WHERE pp.status = $1 ORDER BY pp.created_at`+pageLimit(limit), recovery.Pending)
}

func (r *RecoveryRepo) proposals(ctx context.Context, where string, args ...any) ([]recovery.Proposal, error) {
	rows, err := r.db.sql.QueryContext(ctx, `SELECT `+proposalColumns+proposalFrom+where, args...)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanProposal)
}

func (t recoveryTx) HasPendingProposal(ctx context.Context, claimID string) (bool, error) {
	var n int
	err := t.queryRow(ctx, `SELECT count(*) FROM plan_proposals WHERE claim_id = $1 AND status = $2`, claimID, recovery.Pending).Scan(&n)
	return n > 0, err
}

func (t recoveryTx) InsertProposal(ctx context.Context, pr *recovery.Proposal) error {
	b, err := json.Marshal(pr.Plan)
	if err != nil {
		return err
	}
	pr.ID, pr.CreatedAt = NewID(), t.now
	_, err = t.exec(ctx, `INSERT INTO plan_proposals (id, claim_id, person_id, status, monthly_cents, months, first_due, plan, message, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		pr.ID, pr.ClaimID, pr.PersonID, pr.Status, pr.Plan.MonthlyCents, pr.Plan.Months(), pr.Plan.FirstDue, string(b), pr.Message, t.now)
	return err
}

func (t recoveryTx) ProposalForUpdate(ctx context.Context, id string) (recovery.Proposal, error) {
	// Only the proposal is locked here; its claim is locked after, by
	// ClaimForUpdate.
	pr, err := scanProposal(t.queryRow(ctx, `SELECT `+proposalColumns+proposalFrom+`WHERE pp.id = $1`+t.db.dialect.forUpdateOf("pp"), id))
	return pr, t.db.mapErr(err)
}

// SaveProposalDecision writes the decision, and sets the claim's
// collect_on to NULL: a rejection ends the pause of its reminders, so the
// next collection run looks at the claim.
func (t recoveryTx) SaveProposalDecision(ctx context.Context, pr recovery.Proposal) error {
	if _, err := t.exec(ctx, `UPDATE plan_proposals SET status = $1, reason_key = $2, decided_by = $3, decided_at = $4 WHERE id = $5`,
		pr.Status, pr.ReasonKey, pr.DecidedBy, pr.DecidedAt, pr.ID); err != nil {
		return err
	}
	return t.lookAtNextRun(ctx, pr.ClaimID)
}

// lookAtNextRun sets the claim's collect_on to NULL (see SaveClaim).
func (t recoveryTx) lookAtNextRun(ctx context.Context, claimID string) error {
	_, err := t.exec(ctx, `UPDATE claims SET collect_on = NULL WHERE id = $1`, claimID)
	return err
}

// SetCollectOn writes the days the collection next looks at the claims,
// many in one UPDATE … FROM (VALUES …) statement; only the collection
// calls it, after it has looked at the claims.
func (t recoveryTx) SetCollectOn(ctx context.Context, days []recovery.CollectPos) error {
	for part := range slices.Chunk(days, t.db.dialect.bulkRows(2)) {
		var q strings.Builder
		q.WriteString(`UPDATE claims SET collect_on = v.column2 FROM (VALUES `)
		args := make([]any, 0, 2*len(part))
		for i, d := range part {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(" + t.db.dialect.typed(t.db.dialect.bulkParam(2*i+1), "text") + ", " +
				t.db.dialect.typed(t.db.dialect.bulkParam(2*i+2), "date") + ")")
			args = append(args, d.ID, nullDate(d.On))
		}
		q.WriteString(`) AS v WHERE claims.id = v.column1`)
		if _, err := t.exec(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// Exemption applications.

const exemptionColumns = `x.id, x.claim_id, x.person_id, x.status, x.kind, x.monthly_income_cents, x.children, x.period_from, x.reason,
	x.reason_key, COALESCE(x.decided_by, ''), x.decided_at, x.created_at, p.given_name || ' ' || p.family_name, c.kind`

const exemptionFrom = ` FROM exemption_applications x JOIN claims c ON c.id = x.claim_id JOIN persons p ON p.id = x.person_id `

func scanExemption(row interface{ Scan(...any) error }) (recovery.Exemption, error) {
	var x recovery.Exemption
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

func (r *RecoveryRepo) exemptions(ctx context.Context, where string, args ...any) ([]recovery.Exemption, error) {
	rows, err := r.db.sql.QueryContext(ctx, `SELECT `+exemptionColumns+exemptionFrom+where, args...)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanExemption)
}

// ExemptionsOf lists the applications of a customer's claim, newest first.
func (r *RecoveryRepo) ExemptionsOf(ctx context.Context, personID, claimID string) ([]recovery.Exemption, error) {
	return r.exemptions(ctx, `WHERE x.person_id = $1 AND x.claim_id = $2 ORDER BY x.created_at DESC, x.id DESC`, personID, claimID)
}

// PendingExemptions lists the applications waiting for a decision, oldest
// first.
func (r *RecoveryRepo) PendingExemptions(ctx context.Context, limit int) ([]recovery.Exemption, error) {
	return r.exemptions(ctx, `WHERE x.status = $1 ORDER BY x.created_at`+pageLimit(limit), recovery.Pending)
}

func (t recoveryTx) HasPendingExemption(ctx context.Context, claimID string) (bool, error) {
	var n int
	err := t.queryRow(ctx, `SELECT count(*) FROM exemption_applications WHERE claim_id = $1 AND status = $2`, claimID, recovery.Pending).Scan(&n)
	return n > 0, err
}

func (t recoveryTx) PendingApplicationSince(ctx context.Context, claimID string) (time.Time, bool, error) {
	var since time.Time
	found := false
	for _, table := range []string{"plan_proposals", "exemption_applications"} {
		var at time.Time
		err := t.queryRow(ctx, `SELECT created_at FROM `+table+` WHERE claim_id = $1 AND status = $2 ORDER BY created_at LIMIT 1`,
			claimID, recovery.Pending).Scan(&at)
		if isNoRows(err) {
			continue
		}
		if err != nil {
			return since, false, err
		}
		if !found || at.Before(since) {
			since, found = at.UTC(), true
		}
	}
	return since, found, nil
}

func (t recoveryTx) InsertExemption(ctx context.Context, x *recovery.Exemption) error {
	x.ID, x.CreatedAt = NewID(), t.now
	req := x.Request
	_, err := t.exec(ctx, `INSERT INTO exemption_applications
		(id, claim_id, person_id, status, monthly_income_cents, children, reason, kind, period_from, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		x.ID, x.ClaimID, x.PersonID, x.Status, req.MonthlyIncomeCents, req.Children, req.Reason, string(req.Kind), req.From, t.now)
	return err
}

func (t recoveryTx) ExemptionForUpdate(ctx context.Context, id string) (recovery.Exemption, error) {
	x, err := scanExemption(t.queryRow(ctx, `SELECT `+exemptionColumns+exemptionFrom+`WHERE x.id = $1`+t.db.dialect.forUpdateOf("x"), id))
	return x, t.db.mapErr(err)
}

// SaveExemptionDecision writes the decision and, like
// SaveProposalDecision, sets the claim's collect_on to NULL.
func (t recoveryTx) SaveExemptionDecision(ctx context.Context, x recovery.Exemption) error {
	if _, err := t.exec(ctx, `UPDATE exemption_applications SET status = $1, reason_key = $2, decided_by = $3, decided_at = $4 WHERE id = $5`,
		x.Status, x.ReasonKey, x.DecidedBy, x.DecidedAt, x.ID); err != nil {
		return err
	}
	return t.lookAtNextRun(ctx, x.ClaimID)
}

func (t recoveryTx) Audit(ctx context.Context, es ...audit.Entry) error {
	return t.Tx.Audit(ctx, es...)
}

// Bank files.

const bankFileColumns = `id, sha256, name, message, message_id, imported_by, status, progress, entries,
	booked, queued, refused, reported_again, reversed, booked_cents`

func scanBankFile(row interface{ Scan(...any) error }) (recovery.BankFileRecord, error) {
	var f recovery.BankFileRecord
	r := &f.Report
	err := row.Scan(&f.ID, &f.SHA256, &f.Name, &f.Message, &f.MessageID, &f.ImportedBy, &f.Status, &f.Progress, &f.Entries,
		&r.Booked, &r.Queued, &r.Refused, &r.ReportedAgain, &r.Reversed, &r.BookedCents)
	r.FileID, r.Entries = f.ID, f.Entries
	return f, err
}

// BankFileBySHA is the imported file with the hash.
func (r *RecoveryRepo) BankFileBySHA(ctx context.Context, sha string) (recovery.BankFileRecord, error) {
	f, err := scanBankFile(r.db.sql.QueryRowContext(ctx, `SELECT `+bankFileColumns+` FROM bank_files WHERE sha256 = $1`, sha))
	return f, r.db.mapErr(err)
}

func (t recoveryTx) BankFileBySHA(ctx context.Context, sha string) (recovery.BankFileRecord, error) {
	f, err := scanBankFile(t.QueryRowContext(ctx, `SELECT `+bankFileColumns+` FROM bank_files WHERE sha256 = $1`, sha))
	return f, t.db.mapErr(err)
}

func (t recoveryTx) BankFileForUpdate(ctx context.Context, id string) (recovery.BankFileRecord, error) {
	f, err := scanBankFile(t.queryRow(ctx, `SELECT `+bankFileColumns+` FROM bank_files WHERE id = $1`+t.db.dialect.forUpdate(), id))
	return f, t.db.mapErr(err)
}

func (t recoveryTx) StartBankFile(ctx context.Context, f *recovery.BankFileRecord) error {
	f.ID = NewID()
	_, err := t.ExecContext(ctx, `INSERT INTO bank_files (id, sha256, name, message, message_id, imported_by, status, progress, entries,
		booked, queued, refused, reported_again, reversed, booked_cents, imported_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, 0, 0, 0, 0, 0, 0, $9)`,
		f.ID, f.SHA256, f.Name, f.Message, f.MessageID, f.ImportedBy, f.Status, f.Entries, t.now)
	if t.db.dialect.uniqueViolation(err) {
		return fault.Wrap(fault.Conflict, "bank.error.already_imported", err)
	}
	return err
}

func (t recoveryTx) SaveBankFile(ctx context.Context, f recovery.BankFileRecord) error {
	r := f.Report
	_, err := t.exec(ctx, `UPDATE bank_files SET status = $1, progress = $2, booked = $3, queued = $4, refused = $5,
		reported_again = $6, reversed = $7, booked_cents = $8 WHERE id = $9`,
		f.Status, f.Progress, r.Booked, r.Queued, r.Refused, r.ReportedAgain, r.Reversed, r.BookedCents, f.ID)
	return err
}

const bankEntryColumns = `id, file_id, line, entry_index, tx_index, account, booking_date, archive_id, COALESCE(tx_key, ''), batch_key,
	direction, reversal, amount_cents, reference, raw_reference, value_date, status, reason, COALESCE(claim_id, ''), COALESCE(person_id, ''),
	COALESCE(original_id, ''), alloc_fees, alloc_interest, alloc_principal, resolution`

func scanBankEntry(row interface{ Scan(...any) error }) (*recovery.BankEntry, error) {
	var e recovery.BankEntry
	var dir string
	var reversal int
	var booking, value sql.NullTime
	err := row.Scan(&e.ID, &e.FileID, &e.Line, &e.EntryIndex, &e.TxIndex, &e.Account, &booking, &e.ArchiveID, &e.Key, &e.BatchKey,
		&dir, &reversal, &e.AmountCents, &e.Reference, &e.RawReference, &value, &e.Status, &e.Reason, &e.ClaimID, &e.PersonID,
		&e.OriginalID, &e.Alloc.Fees, &e.Alloc.Interest, &e.Alloc.Principal, &e.Resolution)
	e.Direction, e.Reversal = iso20022.CreditDebit(dir), reversal != 0
	if booking.Valid {
		e.BookingDate = civil.Of(booking.Time)
	}
	if value.Valid {
		e.ValueDate = civil.Of(value.Time)
	}
	return &e, err
}

func (t recoveryTx) BankEntriesByKey(ctx context.Context, keys []string) (map[string]*recovery.BankEntry, error) {
	out := make(map[string]*recovery.BankEntry, len(keys))
	for part := range t.lookupParts(keys) {
		q, args := t.db.dialect.anyOf(bankEntriesByKey, part)
		rows, err := t.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		es, err := scanAll(rows, scanBankEntry)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			out[e.Key] = e
		}
	}
	return out, nil
}

func (t recoveryTx) BatchTotals(ctx context.Context, keys []string) (map[string]int64, error) {
	out := map[string]int64{}
	for part := range t.lookupParts(keys) {
		// batch_key <> '' lets the partial index serve the query.
		q, args := t.db.dialect.anyOf(batchTotals, part)
		rows, err := t.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		sums, err := scanAll(rows, func(row interface{ Scan(...any) error }) (struct {
			k string
			n int64
		}, error) {
			var v struct {
				k string
				n int64
			}
			return v, row.Scan(&v.k, &v.n)
		})
		if err != nil {
			return nil, err
		}
		for _, v := range sums {
			out[v.k] = v.n
		}
	}
	return out, nil
}

// The look-ups of earlier transactions by identity (BankEntriesByKey) and
// of the batches a statement's lump sums itemise (BatchTotals), for anyOf.
var (
	bankEntriesByKey = lookup{
		query: `SELECT ` + bankEntryColumns + ` FROM bank_entries WHERE tx_key IS NOT NULL`,
		col:   `tx_key`, forUpdate: true,
	}
	batchTotals = lookup{
		query: `SELECT batch_key, SUM(amount_cents) FROM bank_entries WHERE batch_key <> ''
			AND status IN ('booked', 'queued', 'refused', 'reversed')
			AND reason NOT IN ('bank.reason.not_booked', 'bank.reason.id_reused')
			GROUP BY batch_key`,
		col: `batch_key`,
	}
)

// lookup is a query of the rows of bank_entries whose col is one of a
// list: query's first WHERE takes the list's condition before its own;
// forUpdate locks the rows read (on PostgreSQL).
type lookup struct {
	query, col string
	forUpdate  bool
}

// where is l's query with cond first in its WHERE.
func (l lookup) where(cond string) string {
	return strings.Replace(l.query, ` WHERE `, ` WHERE `+cond+` AND `, 1)
}

// lookupParts splits the values of a look-up (anyOf) into the parts one
// statement takes: on PostgreSQL all of them (one array parameter), on
// SQLite as many as bulkRows gives a statement.
func (t recoveryTx) lookupParts(vs []string) iter.Seq[[]string] {
	if t.db.dialect == postgresDialect {
		return func(yield func([]string) bool) {
			if len(vs) > 0 {
				yield(vs)
			}
		}
	}
	return slices.Chunk(vs, t.db.dialect.bulkRows(1))
}

// anyOf is the look-up l of the rows whose column is one of vs, with its
// arguments: on PostgreSQL "col = ANY($1::text[])" and vs as one array;
// on SQLite, which has no arrays, "col IN (?, ?, …)" and a parameter a
// value.
func (d dialect) anyOf(l lookup, vs []string) (string, []any) {
	if d == postgresDialect {
		q := l.where(l.col + ` = ANY($1::text[])`)
		if l.forUpdate {
			q += d.forUpdate()
		}
		return q, []any{vs}
	}
	return l.where(l.col + ` IN (` + d.bulkPlaceholders(1, len(vs)) + `)`), anys(vs)
}

// reversibleCreditSQL finds the payment a reversal takes back, skipping n
// rows; its status condition is bank_entries_reversible's, so that the
// index serves it (migration 00039).
func reversibleCreditSQL(skip int) string {
	not := ""
	if skip > 0 {
		not = ` AND id NOT IN (` + placeholders(4, skip) + `)`
	}
	return `SELECT ` + bankEntryColumns + ` FROM bank_entries
		WHERE reference = $1 AND amount_cents = $2 AND account = $3 AND direction = 'CRDT' AND reversal = 0
		  AND status IN ('booked', 'queued')` + not + ` ORDER BY value_date DESC, created_at DESC LIMIT 1`
}

func (t recoveryTx) ReversibleCredit(ctx context.Context, account, reference string, cents int64, skip []string) (recovery.BankEntry, error) {
	e, err := scanBankEntry(t.QueryRowContext(ctx, reversibleCreditSQL(len(skip))+t.db.dialect.forUpdate(),
		append([]any{reference, cents, account}, anys(skip)...)...))
	if err != nil {
		return recovery.BankEntry{}, t.db.mapErr(err)
	}
	return *e, nil
}

// bankEntryInsert is the column list a multi-row insert writes.
const bankEntryInsert = `INSERT INTO bank_entries (id, file_id, line, entry_index, tx_index, account, booking_date, archive_id, tx_key, batch_key,
	direction, reversal, amount_cents, reference, raw_reference, value_date, status, reason, claim_id, person_id, original_id,
	alloc_fees, alloc_interest, alloc_principal, resolution, created_at) VALUES `

const bankEntryArgs = 26

func (t recoveryTx) InsertBankEntries(ctx context.Context, es []*recovery.BankEntry) error {
	if t.db.dialect == postgresDialect {
		return t.insertBankEntriesPostgres(ctx, es)
	}
	for len(es) > 0 {
		n := min(len(es), t.db.dialect.bulkRows(bankEntryArgs))
		var q strings.Builder
		q.WriteString(bankEntryInsert)
		args := make([]any, 0, n*bankEntryArgs)
		for i, e := range es[:n] {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(" + t.db.dialect.bulkPlaceholders(i*bankEntryArgs+1, bankEntryArgs) + ")")
			e.ID = NewID()
			reversal := 0
			if e.Reversal {
				reversal = 1
			}
			args = append(args, e.ID, e.FileID, e.Line, e.EntryIndex, e.TxIndex, e.Account, nullDate(e.BookingDate), e.ArchiveID,
				nullIfEmpty(heldKey(e)), e.BatchKey, string(e.Direction), reversal, e.AmountCents, e.Reference, e.RawReference,
				nullDate(e.ValueDate), e.Status, e.Reason, nullIfEmpty(e.ClaimID), nullIfEmpty(e.PersonID), nullIfEmpty(e.OriginalID),
				e.Alloc.Fees, e.Alloc.Interest, e.Alloc.Principal, e.Resolution, t.now)
		}
		if _, err := t.exec(ctx, q.String(), args...); err != nil {
			return err
		}
		es = es[n:]
	}
	return nil
}

// insertBankEntriesPostgres is InsertBankEntries on PostgreSQL: the same
// rows in one INSERT … SELECT FROM unnest(arrays), 26 parameters rather
// than 26 a row (which pgx encoded one by one, in statements of about 300
// rows). PostgreSQL only; SQLite has no arrays.
func (t recoveryTx) insertBankEntriesPostgres(ctx context.Context, es []*recovery.BankEntry) error {
	if len(es) == 0 {
		return nil
	}
	n := len(es)
	var (
		ids, files, accounts, archives, batches, dirs = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		refs, raws, statuses, reasons, resolutions    = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		bookings, values, keys                        = make([]*string, n), make([]*string, n), make([]*string, n)
		claims, persons, originals                    = make([]*string, n), make([]*string, n), make([]*string, n)
		lines, entries, txs, reversals                = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		amounts, fees, interests, principals          = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	)
	for i, e := range es {
		e.ID = NewID()
		if e.Reversal {
			reversals[i] = 1
		}
		ids[i], files[i], accounts[i], archives[i], batches[i], dirs[i] = e.ID, e.FileID, e.Account, e.ArchiveID, e.BatchKey, string(e.Direction)
		refs[i], raws[i], statuses[i], reasons[i], resolutions[i] = e.Reference, e.RawReference, e.Status, e.Reason, e.Resolution
		bookings[i], values[i], keys[i] = dateText(e.BookingDate), dateText(e.ValueDate), textOrNull(heldKey(e))
		claims[i], persons[i], originals[i] = textOrNull(e.ClaimID), textOrNull(e.PersonID), textOrNull(e.OriginalID)
		lines[i], entries[i], txs[i] = int64(e.Line), int64(e.EntryIndex), int64(e.TxIndex)
		amounts[i], fees[i], interests[i], principals[i] = e.AmountCents, e.Alloc.Fees, e.Alloc.Interest, e.Alloc.Principal
	}
	_, err := t.ExecContext(ctx, `INSERT INTO bank_entries (id, file_id, line, entry_index, tx_index, account, booking_date, archive_id,
		tx_key, batch_key, direction, reversal, amount_cents, reference, raw_reference, value_date, status, reason, claim_id, person_id,
		original_id, alloc_fees, alloc_interest, alloc_principal, resolution, created_at)
		SELECT v.id, v.file_id, v.line, v.entry_index, v.tx_index, v.account, v.booking_date::date, v.archive_id,
			v.tx_key, v.batch_key, v.direction, v.reversal, v.amount_cents, v.reference, v.raw_reference, v.value_date::date, v.status,
			v.reason, v.claim_id, v.person_id, v.original_id, v.alloc_fees, v.alloc_interest, v.alloc_principal, v.resolution, $26
		FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::text[],
			$9::text[], $10::text[], $11::text[], $12::bigint[], $13::bigint[], $14::text[], $15::text[], $16::text[], $17::text[],
			$18::text[], $19::text[], $20::text[], $21::text[], $22::bigint[], $23::bigint[], $24::bigint[], $25::text[])
			AS v(id, file_id, line, entry_index, tx_index, account, booking_date, archive_id, tx_key, batch_key, direction, reversal,
				amount_cents, reference, raw_reference, value_date, status, reason, claim_id, person_id, original_id,
				alloc_fees, alloc_interest, alloc_principal, resolution)`,
		ids, files, lines, entries, txs, accounts, bookings, archives, keys, batches, dirs, reversals, amounts, refs, raws, values,
		statuses, reasons, claims, persons, originals, fees, interests, principals, resolutions, t.now)
	return err
}

func heldKey(e *recovery.BankEntry) string {
	if e.HoldsKey() {
		return e.Key
	}
	return ""
}

func (t recoveryTx) UpdateBankEntry(ctx context.Context, e *recovery.BankEntry) error {
	_, err := t.exec(ctx, `UPDATE bank_entries SET status = $1, resolution = $2, tx_key = $3 WHERE id = $4`,
		e.Status, e.Resolution, nullIfEmpty(e.Key), e.ID)
	return err
}

// queuedEntriesSQL reads bank_entries_queued in its order (the status is
// written out, not a parameter, so that SQLite uses the partial index).
const queuedEntriesSQL = `SELECT e.id, e.file_id, f.name, e.line, e.archive_id, e.amount_cents, e.raw_reference, e.value_date, e.reason,
			COALESCE(of.name, ''), COALESCE(o.line, 0)
		FROM bank_entries e JOIN bank_files f ON f.id = e.file_id
		LEFT JOIN bank_entries o ON o.id = e.original_id LEFT JOIN bank_files of ON of.id = o.file_id
		WHERE e.status = 'queued' ORDER BY e.created_at, e.entry_index LIMIT $1`

// waitingCountsSQL counts what waits in each of the work queue's lists, at
// most $2+1 of each (a capped count reads at most that many entries of the
// list's index, however long the backlog).
const waitingCountsSQL = `SELECT
	(SELECT count(*) FROM (SELECT 1 FROM plan_proposals WHERE status = $1 LIMIT $2) a),
	(SELECT count(*) FROM (SELECT 1 FROM exemption_applications WHERE status = $1 LIMIT $2) b),
	(SELECT count(*) FROM (SELECT 1 FROM bank_entries WHERE status = 'queued' LIMIT $2) c)`

// WaitingCounts counts the plan proposals and exemption applications
// waiting and the queued bank payments, each up to limit.
func (r *RecoveryRepo) WaitingCounts(ctx context.Context, limit int) (recovery.Waiting, error) {
	var w recovery.Waiting
	err := r.db.sql.QueryRowContext(ctx, waitingCountsSQL, recovery.Pending, limit).Scan(&w.Proposals, &w.Exemptions, &w.Entries)
	return w, err
}

// QueuedEntries is the staff queue of payments not booked by themselves,
// oldest first, with the file and line of each and of the transaction an
// archive ID used twice was first used for.
func (r *RecoveryRepo) QueuedEntries(ctx context.Context, limit int) ([]recovery.QueuedEntry, error) {
	rows, err := r.db.sql.QueryContext(ctx, queuedEntriesSQL, limit)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(row interface{ Scan(...any) error }) (recovery.QueuedEntry, error) {
		var q recovery.QueuedEntry
		var value sql.NullTime
		err := row.Scan(&q.ID, &q.FileID, &q.FileName, &q.Line, &q.ArchiveID, &q.AmountCents, &q.Reference, &value, &q.Reason,
			&q.OriginalFile, &q.OriginalLine)
		if value.Valid {
			q.ValueDate = civil.Of(value.Time)
		}
		return q, err
	})
}

// FileEntries is an imported file with a page of its transactions.
func (r *RecoveryRepo) FileEntries(ctx context.Context, fileID string, limit, offset int) (recovery.BankFileRecord, []recovery.BankEntry, error) {
	f, err := scanBankFile(r.db.sql.QueryRowContext(ctx, `SELECT `+bankFileColumns+` FROM bank_files WHERE id = $1`, fileID))
	if err != nil {
		return f, nil, r.db.mapErr(err)
	}
	rows, err := r.db.sql.QueryContext(ctx, `SELECT `+bankEntryColumns+` FROM bank_entries WHERE file_id = $1
		ORDER BY file_id, entry_index, tx_index LIMIT $2 OFFSET $3`, fileID, limit, offset)
	if err != nil {
		return f, nil, err
	}
	es, err := scanAll(rows, scanBankEntry)
	out := make([]recovery.BankEntry, len(es))
	for i, e := range es {
		out[i] = *e
	}
	return f, out, err
}

func (t recoveryTx) BankEntryForUpdate(ctx context.Context, id string) (*recovery.BankEntry, error) {
	e, err := scanBankEntry(t.queryRow(ctx, `SELECT `+bankEntryColumns+` FROM bank_entries WHERE id = $1`+t.db.dialect.forUpdate(), id))
	return e, t.db.mapErr(err)
}

func (t recoveryTx) ResolveBankEntry(ctx context.Context, e *recovery.BankEntry, staffID string) error {
	_, err := t.exec(ctx, `UPDATE bank_entries SET status = $1, reason = $2, claim_id = $3, person_id = $4, alloc_fees = $5,
		alloc_interest = $6, alloc_principal = $7, resolution = $8, resolved_by = $9, resolved_at = $10 WHERE id = $11`,
		e.Status, e.Reason, nullIfEmpty(e.ClaimID), nullIfEmpty(e.PersonID), e.Alloc.Fees, e.Alloc.Interest, e.Alloc.Principal,
		e.Resolution, staffID, t.now, e.ID)
	return err
}

// TuneForImport sets the garbage collector for a process that does nothing
// but import a big bank file: collect less often (the XML reader makes a lot
// of short-lived garbage, and the live heap is small), but never let the heap
// pass 256 MiB. It returns a function that restores the settings. Only a
// process of its own (etuus reconcile) should call it: the settings are
// process-wide.
func TuneForImport() (restore func()) {
	gc := debug.SetGCPercent(400)
	limit := debug.SetMemoryLimit(256 << 20)
	return func() {
		debug.SetGCPercent(gc)
		debug.SetMemoryLimit(limit)
	}
}

// RecordViews appends a staff read's audit entries in a shared transaction
// and returns once they have committed (DB.RecordViews).
func (r *RecoveryRepo) RecordViews(ctx context.Context, es ...audit.Entry) error {
	return r.db.RecordViews(ctx, es...)
}
