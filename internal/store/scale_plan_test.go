package store_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// growing are the tables that grow with the number of customers: a query
// of a page or a run should never read one whole.
var growing = []string{"persons", "claims", "claim_events", "plan_proposals", "exemption_applications", "bank_entries",
	"threads", "thread_messages", "attachments", "notification_consents", "consent_codes", "outbox", "audit_log", "audit_views", "audit_subject_sets", "sessions"}

type pageQuery struct {
	name  string
	query string
	args  func(p planParams) []any
}

// pageQueries are the queries behind the pages measured at scale
// (docs/benchmarks.md). Those the store exports (export_test.go) are the
// SQL it runs; the rest are copies: when a store method changes its SQL,
// change it here too.
var pageQueries = []pageQuery{
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
	{"/my/payments, /my/claims/{id}: ClaimsPendingOf", store.ClaimsPendingOfSQL,
		func(p planParams) []any { return []any{p.person, recovery.Pending} }},
	{"/my/claims/{id}: claimEvents", store.ClaimEventsSQL, func(p planParams) []any { return []any{p.claim} }},
	{"/my/messages: PartyCounts", `SELECT count(*), COALESCE(sum(unread_customer), 0) FROM threads WHERE party_kind = $1 AND party_id = $2`,
		func(p planParams) []any { return []any{"customer", p.person} }},
	{"/my/messages: PartyThreads inbox", store.PartyInboxSQL, func(p planParams) []any { return []any{"customer", p.person, 21, 0} }},
	{"/my/messages?box=sent: PartyThreads sent", store.PartySentSQL, func(p planParams) []any { return []any{"customer", p.person, 21, 0} }},
	unitQueue("/staff/messages: UnitThreads (open)", message.QueueFilter{}),
	unitQueue("/staff/messages: UnitThreads (open, unread)", message.QueueFilter{Unread: true}),
	unitQueue("/staff/messages: UnitThreads (closed)", message.QueueFilter{Closed: true}),
	unitQueue("/staff/messages: UnitThreads (waiting)", message.QueueFilter{Waiting: true}),
	unitQueue("/staff/messages: UnitThreads (open, a later page)", message.QueueFilter{After: laterPage}),
	unitQueue("/staff/messages: UnitThreads (closed, a later page)", message.QueueFilter{Closed: true, After: laterPage}),
	unitQueue("/staff/messages: UnitThreads (waiting, a later page)", message.QueueFilter{Waiting: true, After: laterPage}),
	{"/staff/messages: UnitWaiting", store.UnitWaitingSQL,
		func(p planParams) []any { return []any{"recovery", message.WaitingCap + 1} }},
	{"access log: AuditForSubject own", store.AuditOwnSQL, func(p planParams) []any { return []any{p.typical, 50} }},
	{"access log: AuditForSubject views", store.AuditViewsSQL, func(p planParams) []any { return []any{p.person, 50} }},
	{"audit append (every audited page): head", `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`,
		func(p planParams) []any { return nil }},
	{"/staff/recovery: PendingProposals", `SELECT pp.id FROM plan_proposals pp
		JOIN claims c ON c.id = pp.claim_id JOIN persons p ON p.id = pp.person_id WHERE pp.status = $1 ORDER BY pp.created_at LIMIT $2`,
		func(p planParams) []any { return []any{"pending", recovery.QueuePage} }},
	{"/staff/recovery: QueuedEntries", store.QueuedEntriesSQL, func(p planParams) []any { return []any{recovery.QueuePage} }},
	{"/staff/recovery: WaitingCounts", store.WaitingCountsSQL, func(p planParams) []any { return []any{"pending", recovery.WaitingCap + 1} }},
	{"/staff/recovery: PendingExemptions", `SELECT x.id FROM exemption_applications x
		JOIN claims c ON c.id = x.claim_id JOIN persons p ON p.id = x.person_id WHERE x.status = $1 ORDER BY x.created_at LIMIT $2`,
		func(p planParams) []any { return []any{"pending", recovery.QueuePage} }},
	{"/staff/recovery: OverdueClaims", store.OverdueClaimsSQL, func(p planParams) []any { return []any{p.today, 500} }},
	{"/staff/recovery: ClaimHistories", store.ClaimHistoriesSQL(3), func(p planParams) []any { return []any{p.claim, "a", "b"} }},
	{"etuus collect: CollectingClaimIDs (not looked at since changed)", store.CollectNullSQL, func(p planParams) []any { return []any{"", 500} }},
	{"etuus collect: CollectingClaimIDs (due)", store.CollectDueSQL,
		func(p planParams) []any { return []any{p.today, civil.New(1, 1, 1), "", 500} }},
	{"outbox worker: claim", store.ClaimOutboxSQL(), func(p planParams) []any { return []any{"w", time.Now(), time.Now(), 50} }},
}

// laterPage is a cursor into the middle of a queue.
var laterPage = message.QueueCursor{At: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC), ID: "01900000-0000-7000-8000-000000000000"}

// unitQueue is the staff queue's query for a view, as the store builds it.
func unitQueue(name string, f message.QueueFilter) pageQuery {
	f.UnitID, f.Limit = "recovery", message.DefaultQueueLimit+1
	q, args := store.UnitThreadsSQL(f, time.Time{})
	return pageQuery{name, q, func(planParams) []any { return args }}
}

type planParams struct {
	person, claim string
	// typical is a customer with an ordinary amount of data: on the small
	// test database the heavy one owns half the audit log, where a
	// planner rightly reads the log in order instead of by customer.
	typical string
	today   civil.Date
}

// TestPagePlansAtScale explains the queries of the pages measured at
// scale and reports the reads in their plans that grow with the customers
// (storetest.GrowingReads). It runs on PostgreSQL only: on a fresh database with a hundred
// synthetic customers, or on the database ETUUS_BENCH_PG names
// (loaded with `etuus seed --scale`), unchanged. It fails on every such
// read, and when a query cannot be planned.
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
		// The generator writes only notices already sent; a worker's
		// backlog is what the claim's plan must not grow with.
		if _, err := db.SQL().ExecContext(ctx, `UPDATE outbox SET status = 'pending', next_at = created_at, sent_at = NULL`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().ExecContext(ctx, `ANALYZE`); err != nil {
			t.Fatal(err)
		}
	}
	heavy := firstSynthetic(t, db)
	typical := synthetic(t, db, 1)
	p := planParams{person: heavy.ID, typical: typical.ID, today: civil.Today(time.Now())}
	if err := db.SQL().QueryRowContext(ctx, `SELECT id FROM claims WHERE person_id = $1 LIMIT 1`, heavy.ID).Scan(&p.claim); err != nil {
		t.Fatal(err)
	}
	offenders := 0
	for _, q := range pageQueries {
		reads := storetest.GrowingReads(t, db, growing, q.query, q.args(p)...)
		for _, r := range reads {
			if customersLists(r) {
				continue
			}
			offenders++
			t.Errorf("%s: %s", q.name, r)
		}
	}
	if offenders > 0 {
		t.Errorf("%d reads that grow with the customers in %d queries", offenders, len(pageQueries))
	}
}
