package store_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/scale"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// growing are the tables that grow with the number of customers: a query
// of a page or a run should never read one whole.
var growing = []string{"persons", "claims", "claim_events", "plan_proposals", "exemption_applications", "bank_entries",
	"threads", "thread_messages", "attachments", "notification_consents", "consent_codes", "outbox", "audit_log", "sessions"}

// pageQueries are the queries behind the pages measured at scale
// (docs/benchmarks.md), as the store runs them. They are copies: when a
// store method changes its SQL, change it here too.
var pageQueries = []struct {
	name  string
	query string
	args  func(p planParams) []any
}{
	{"session (every page): SessionByToken", `SELECT s.id, s.kind, COALESCE(s.person_id, ''), COALESCE(s.staff_id, ''), s.provider, s.id_token,
			s.created_at, s.last_seen_at, s.expires_at,
			COALESCE(p.given_name || ' ' || p.family_name, st.given_name || ' ' || st.family_name, ''),
			COALESCE(st.unit_id, ''), COALESCE(st.role, '')
		FROM sessions s
		LEFT JOIN persons p ON p.id = s.person_id
		LEFT JOIN staff st ON st.id = s.staff_id
		WHERE s.token_hash = $1`, func(p planParams) []any { return []any{"0000"} }},
	{"/my: PersonByID", `SELECT id, hetu FROM persons WHERE id = $1`, func(p planParams) []any { return []any{p.person} }},
	{"/my/claims: ClaimsOf", `SELECT id FROM claims WHERE person_id = $1 ORDER BY created_at DESC, id DESC`,
		func(p planParams) []any { return []any{p.person} }},
	{"/my/claims/{id}: claimEvents", `SELECT on_date, kind, cents, fees, interest, principal, note, at
		FROM claim_events WHERE claim_id = $1 ORDER BY at, id`, func(p planParams) []any { return []any{p.claim} }},
	{"/my/messages: PartyCounts", `SELECT count(*), COALESCE(sum(unread_customer), 0) FROM threads WHERE party_kind = $1 AND party_id = $2`,
		func(p planParams) []any { return []any{"customer", p.person} }},
	{"/my/messages: PartyThreads inbox", `SELECT t.id, t.unit_id, t.subject, t.specification, t.title, t.status, t.last_message_at, t.unread_customer
		FROM threads t WHERE t.party_kind = $1 AND t.party_id = $2
		ORDER BY t.last_message_at DESC, t.id DESC LIMIT $3 OFFSET $4`, func(p planParams) []any { return []any{"customer", p.person, 21, 0} }},
	{"/my/messages?box=sent: PartyThreads sent", `SELECT t.id, t.unit_id, t.subject, t.specification, t.title, t.status, t.last_message_at, t.unread_customer
		FROM threads t
		JOIN (SELECT thread_id, max(created_at) AS at FROM thread_messages WHERE author_kind = 'customer' GROUP BY thread_id) s
		ON s.thread_id = t.id
		WHERE t.party_kind = $1 AND t.party_id = $2
		ORDER BY s.at DESC, t.id DESC LIMIT $3 OFFSET $4`, func(p planParams) []any { return []any{"customer", p.person, 21, 0} }},
	{"/staff/messages: UnitThreads (open)", `SELECT t.id, t.party_kind, t.party_id, t.unit_id, t.subject, t.specification, t.title, t.status,
	COALESCE(t.assigned_to, ''), t.created_at, t.last_message_at, t.waiting_since, t.unread_customer, t.unread_staff, t.email,
	CASE t.party_kind WHEN 'customer' THEN p.given_name || ' ' || p.family_name
		WHEN 'organisation' THEN o.name ELSE t.email END,
	COALESCE(s.given_name || ' ' || s.family_name, '')
	FROM threads t LEFT JOIN persons p ON t.party_kind = 'customer' AND p.id = t.party_id
	LEFT JOIN organisations o ON t.party_kind = 'organisation' AND o.id = t.party_id
	LEFT JOIN staff s ON s.id = t.assigned_to
	WHERE t.unit_id = $1 AND t.status <> 'closed' ORDER BY t.last_message_at DESC, t.id DESC LIMIT $2`,
		func(p planParams) []any { return []any{"recovery", 200} }},
	{"/staff/messages: UnitWaiting count", `SELECT count(*) FROM threads WHERE unit_id = $1 AND waiting_since IS NOT NULL AND status <> 'closed'`,
		func(p planParams) []any { return []any{"recovery"} }},
	{"/staff/messages: UnitWaiting oldest", `SELECT waiting_since FROM threads WHERE unit_id = $1 AND waiting_since IS NOT NULL AND status <> 'closed'
		ORDER BY waiting_since LIMIT 1`, func(p planParams) []any { return []any{"recovery"} }},
	{"audit append (every audited page): head", `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`,
		func(p planParams) []any { return nil }},
	{"/staff/recovery: PendingProposals", `SELECT pp.id FROM plan_proposals pp
		JOIN claims c ON c.id = pp.claim_id JOIN persons p ON p.id = pp.person_id WHERE pp.status = $1 ORDER BY pp.created_at LIMIT $2`,
		func(p planParams) []any { return []any{"pending", 200} }},
	{"/staff/recovery: QueuedEntries", `SELECT e.id, f.name, e.line, e.amount_cents, e.reference, e.value_date, e.reason
		FROM bank_entries e JOIN bank_files f ON f.id = e.file_id
		WHERE e.status = $1 ORDER BY e.created_at, e.entry_index LIMIT $2`, func(p planParams) []any { return []any{"queued", 200} }},
	{"/staff/recovery: PendingExemptions", `SELECT x.id FROM exemption_applications x
		JOIN claims c ON c.id = x.claim_id JOIN persons p ON p.id = x.person_id WHERE x.status = $1 ORDER BY x.created_at LIMIT $2`,
		func(p planParams) []any { return []any{"pending", 200} }},
	{"/staff/recovery: DueForCollection", `SELECT id FROM claims
		WHERE status IN ('open', 'in_plan', 'reminded') AND due_date < $1 ORDER BY due_date, id LIMIT $2`,
		func(p planParams) []any { return []any{p.today, 500} }},
	{"etuus collect: collectingClaims", `SELECT id FROM claims WHERE status IN ('open', 'in_plan', 'reminded') AND id > $1
		ORDER BY id LIMIT $2`, func(p planParams) []any { return []any{"", 500} }},
	{"outbox worker: claim", `WITH due AS MATERIALIZED (SELECT id FROM outbox
			WHERE status = 'pending' AND next_at <= $3 AND (locked_until IS NULL OR locked_until <= $3)
			ORDER BY next_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
		UPDATE outbox SET locked_by = $1, locked_until = $2, attempts = attempts + 1
		WHERE id IN (SELECT id FROM due)
		AND status = 'pending' AND (locked_until IS NULL OR locked_until <= $3)
		RETURNING id`,
		func(p planParams) []any { return []any{"w", time.Now(), time.Now(), 50} }},
}

type planParams struct {
	person, claim string
	today         civil.Date
}

// TestPagePlansAtScale explains the queries of the pages measured at
// scale and reports the reads in their plans that grow with the customers
// (storetest.GrowingReads). It runs on PostgreSQL only: on a fresh database with a hundred
// synthetic customers, or on the database ETUUS_BENCH_PG names
// (loaded with `etuus seed --scale`), unchanged. It reports the offenders
// and does not fail on them yet; it fails when a query cannot be planned.
func TestPagePlansAtScale(t *testing.T) {
	ctx := context.Background()
	var db *store.DB
	if url := os.Getenv("ETUUS_BENCH_PG"); url != "" {
		var err error
		if db, err = store.Open(ctx, url); err != nil {
			t.Fatal(err)
		}
		defer db.Close()
	} else {
		db = storetest.Postgres(t)
		scaleDB(t, db, 100)
		if _, err := db.SQL().ExecContext(ctx, `ANALYZE`); err != nil {
			t.Fatal(err)
		}
	}
	code, err := scale.Code(0)
	if err != nil {
		t.Fatal(err)
	}
	heavy, err := db.PersonByHETU(ctx, code.String())
	if err != nil {
		t.Fatalf("the first synthetic customer: %v", err)
	}
	p := planParams{person: heavy.ID, today: civil.Today(time.Now())}
	if err := db.SQL().QueryRowContext(ctx, `SELECT id FROM claims WHERE person_id = $1 LIMIT 1`, heavy.ID).Scan(&p.claim); err != nil {
		t.Fatal(err)
	}
	offenders := 0
	for _, q := range pageQueries {
		reads := storetest.GrowingReads(t, db, growing, q.query, q.args(p)...)
		for _, r := range reads {
			offenders++
			t.Logf("%s: %s", q.name, r)
		}
	}
	t.Logf("%d reads that grow with the customers in %d queries", offenders, len(pageQueries))
}
