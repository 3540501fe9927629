package storetest

import (
	"bufio"
	"context"
	"fmt"
	"iter"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/iso20022"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/store"
)

// SeedClaims writes n open claims straight through SQL, as fast as SQLite
// takes them, and returns their references.
func SeedClaims(b testing.TB, db *store.DB, n int) []string {
	return SeedClaimsFor(b, db, n, "010403A998U", 1)
}

// SeedClaimsFor is SeedClaims for a new person with the identity code,
// numbering the claims from first (so that they can sit beside the demo's).
func SeedClaimsFor(b testing.TB, db *store.DB, n int, hetu string, first int64) []string {
	b.Helper()
	ctx := context.Background()
	p := customer.Person{HETU: hetu, GivenName: "Bench", FamilyName: "Mark"}
	if err := db.CreatePerson(ctx, &p); err != nil {
		b.Fatal(err)
	}
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	st, err := tx.PrepareContext(ctx, `INSERT INTO claims (id, person_id, kind, number, reference, principal, due_date, status, created_at, updated_at)
		VALUES ($1, $2, 'overpayment', $3, $4, 1000000, $5, 'open', $6, $6)`)
	if err != nil {
		b.Fatal(err)
	}
	refs := make([]string, n)
	now := time.Now().UTC()
	due := civil.Of(now).AddDays(30)
	for i := range refs {
		ref, err := recovery.ClaimReference(recovery.Overpayment, first+int64(i))
		if err != nil {
			b.Fatal(err)
		}
		refs[i] = ref.String()
		if _, err := st.ExecContext(ctx, fmt.Sprintf("bench-%d", first+int64(i)), p.ID, first+int64(i), refs[i], due, now); err != nil {
			b.Fatal(err)
		}
	}
	st.Close()
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return refs
}

// WriteCamt054 writes a camt.054 to path with one credit entry paying each
// reference, for benchmarks of bank imports.
func WriteCamt054(b testing.TB, path, acct string, refs []string) {
	b.Helper()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	h := iso20022.Header{Message: iso20022.Camt054, MessageID: "BENCH", CreatedAt: time.Now().UTC(), AccountIBAN: acct, Currency: "EUR"}
	entries := iter.Seq[iso20022.Entry](func(yield func(iso20022.Entry) bool) {
		for i, ref := range refs {
			cents := int64(1000 + i%5000)
			e := iso20022.Entry{AccountIBAN: acct, AcctSvcrRef: "A" + strconv.Itoa(i), CreditDebit: iso20022.Credit,
				Status: iso20022.StatusBooked, BookingDate: "2026-11-20", ValueDate: "2026-11-20", AmountCents: cents, Currency: "EUR",
				Transactions: []iso20022.Transaction{{AmountCents: cents, Reference: ref, ReferenceType: "SCOR", DebtorName: "Payer"}}}
			if !yield(e) {
				return
			}
		}
	})
	if err := iso20022.WriteCamt054(w, h, entries); err != nil {
		b.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
}

// ProcessCPU is the CPU time this process has used, user and system, the
// garbage collector's included: on a shared machine a steadier measure
// than the wall clock (it leaves out a PostgreSQL server's own time).
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
