package store_test

import (
	"testing"
	"time"

	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// bankImportStatement is one of the bank import's PostgreSQL statements
// that read a table growing with the database, with arguments for n
// claims: references, claim IDs or transaction identities.
type bankImportStatement struct {
	name  string
	query string
	args  func(refs, ids []string) []any
}

var bankImportStatements = []bankImportStatement{
	{"ClaimsByReferenceForUpdate", store.ClaimsByReferencePostgresSQL, func(refs, _ []string) []any { return []any{refs} }},
	{"SaveClaims", store.SaveClaimsPostgresSQL, func(_, ids []string) []any {
		n := len(ids)
		cents, texts, dates := make([]int64, n), make([]string, n), make([]*string, n)
		return []any{ids, cents, cents, cents, cents, cents, texts, dates, dates, dates, cents, texts, time.Now()}
	}},
	{"BankEntriesByKey", store.BankEntriesByKeyPostgresSQL, func(refs, _ []string) []any { return []any{refs} }},
	{"BatchTotals", store.BatchTotalsPostgresSQL, func(refs, _ []string) []any { return []any{refs} }},
}

// The bank import's look-ups and its claims' update on PostgreSQL read
// claims by primary key or reference and bank transactions by identity or
// batch: for a chunk, what the chunk names, never a scan of a table that
// grows with the database (the planner discouraged from scans, as it would
// be at scale; BenchmarkReconcile checks the plans at its size).
func TestBankImportPlansReadTheIndexes(t *testing.T) {
	db := storetest.Postgres(t)
	refs, ids := make([]string, 2000), make([]string, 2000)
	for i := range refs {
		refs[i], ids[i] = "RF"+time.Duration(i).String(), "id-"+time.Duration(i).String()
	}
	for _, s := range bankImportStatements {
		for _, r := range storetest.GrowingReads(t, db, []string{"claims", "bank_entries"}, s.query, s.args(refs, ids)...) {
			t.Errorf("%s: %v", s.name, r)
		}
	}
}
