package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/fi/hetu"
	"github.com/etuus/etuus/internal/scale"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// TestDeskPlansAtScale is TestPagePlansAtScale for customer service's
// desk: the staff search (each kind), the 360 view's reads and the
// customer's access log must read index ranges, not the register. It runs
// on PostgreSQL with a hundred synthetic customers and fails on any read
// that grows with the customers.
func TestDeskPlansAtScale(t *testing.T) {
	ctx := context.Background()
	db := storetest.Postgres(t)
	scaleDB(t, db, 100)
	if _, err := db.SQL().ExecContext(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	heavy := firstSynthetic(t, db)
	code, _ := hetu.Parse(heavy.HETU)
	var claimRef string
	if err := db.SQL().QueryRowContext(ctx, `SELECT reference FROM claims WHERE person_id = $1 LIMIT 1`, heavy.ID).Scan(&claimRef); err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct {
		name  string
		query string
		args  []any
	}{
		{"search by identity code", `SELECT id FROM persons WHERE hetu = $1`, []any{code.String()}},
		{"search by name: people born on the day", store.PersonsBornOnSQL, []any{heavy.BirthDate, 2001}},
		{"search by eIDAS identifier", store.PersonByEIDASSQL, []any{"EE", "EE/FI/49001010099"}},
		{"search by claim reference or ID", store.ClaimPersonSQL, []any{claimRef}},
		{"search by thread ID", store.ThreadPersonSQL, []any{"0191a2b3-0000-7000-8000-000000000001"}},
		{"360 view: claims", store.DeskClaimsSQL, []any{heavy.ID, 50}},
		{"360 view: threads", store.DeskThreadsSQL, []any{heavy.ID, 20}},
		{"access log", store.AccessLogSQL, []any{heavy.ID, int64(1) << 62, 51}},
		{"access log, a later page", store.AccessLogSQL, []any{heavy.ID, int64(1000), 51}},
		{"access log: views", store.AccessLogViewsSQL, []any{heavy.ID, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), "~", 51}},
	} {
		for _, r := range storetest.GrowingReads(t, db, growing, q.query, q.args...) {
			if customersLists(r) {
				continue
			}
			t.Errorf("%s: %s", q.name, r)
		}
	}
}

// customersLists reports whether r is the sort of the views that listed a
// customer (AuditViewsSQL, the desk's access log): the lists of customers
// the customer is on, and a LIMIT of each list's views. It grows with how
// many different lists showed the customer, not with the views of them nor
// with other customers, and is allowed.
func customersLists(r storetest.Read) bool {
	return r.Node == "Sort" && r.Relation == "audit_subject_sets" && r.PerRow == "audit_views"
}

// firstSynthetic is the first synthetic customer, the one with many
// claims and threads.
func firstSynthetic(t testing.TB, db *store.DB) customer.Person { return synthetic(t, db, 0) }

// synthetic is the k-th synthetic customer of `etuus seed --scale`.
func synthetic(t testing.TB, db *store.DB, k int64) customer.Person {
	t.Helper()
	code, err := scale.Code(k)
	if err != nil {
		t.Fatal(err)
	}
	p, err := db.PersonByHETU(context.Background(), code.String())
	if err != nil {
		t.Fatalf("synthetic customer %d: %v", k, err)
	}
	return p
}
