package storetest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"iter"
	"os"
	"strconv"
	"strings"
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

// ServerCPU is the CPU time the PostgreSQL cluster serving db has used, its
// postmaster's and every process under it (backends, WAL writer,
// checkpointer, and those that have exited), read from /proc: with
// ProcessCPU, what a benchmark on PostgreSQL costs in all on a machine
// whose wall clock others share. 0 on SQLite or where /proc cannot tell.
func ServerCPU(db *store.DB) time.Duration {
	if db.Dialect() != "postgres" {
		return 0
	}
	var backend int
	if err := db.SQL().QueryRow(`SELECT pg_backend_pid()`).Scan(&backend); err != nil {
		return 0
	}
	f, ok := procStat(backend)
	if !ok {
		return 0
	}
	postmaster := f[1]
	pm, ok := procStat(atoi(postmaster))
	if !ok {
		return 0
	}
	// utime, stime, then cutime, cstime: the children it has reaped.
	ticks := atoi(pm[11]) + atoi(pm[12]) + atoi(pm[13]) + atoi(pm[14])
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid := atoi(d.Name())
		if pid == 0 {
			continue
		}
		if f, ok := procStat(pid); ok && f[1] == postmaster {
			ticks += atoi(f[11]) + atoi(f[12])
		}
	}
	return time.Duration(ticks) * (time.Second / 100) // USER_HZ
}

// procStat is /proc/pid/stat's fields after the command's name: state,
// ppid, … (utime is [11]).
func procStat(pid int) ([]string, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil, false
	}
	f := strings.Fields(string(b[i+1:]))
	return f, len(f) > 14
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
