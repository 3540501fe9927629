package storetest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"iter"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
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

// SeedPharmacyPeople writes n people on PostgreSQL in one statement each for
// persons, rights and years: every one with the basic right, one in ten
// with diabetes, one in seven with asthma, half with purchases this year
// (the deductible paid, up to 599 € towards the ceiling). Identity codes
// are artificial (individual numbers 900–999). It returns a sample of the
// codes. (The pharmacy benchmarks, in process and over HTTP.)
func SeedPharmacyPeople(b testing.TB, db *store.DB, n int) []string {
	b.Helper()
	ctx := context.Background()
	const code = `to_char(1 + i % 28, 'FM00') || to_char(1 + i / 28 % 12, 'FM00') || to_char(40 + i / 336 % 60, 'FM00')`
	const ind = `to_char(900 + i / 20160 % 100, 'FM000')`
	const num = `((1 + i % 28) * 10000000 + (1 + i / 28 % 12) * 100000 + (40 + i / 336 % 60) * 1000 + 900 + i / 20160 % 100)`
	for _, q := range []string{
		`INSERT INTO persons (id, hetu, given_name, family_name, birth_date, created_at)
		 SELECT 'bench-' || i, ` + code + ` || '-' || ` + ind + ` || substr('0123456789ABCDEFHJKLMNPRSTUVWXY', (` + num + ` % 31)::int + 1, 1),
		   'Bench', 'Person', make_date(1940 + i / 336 % 60, 1 + i / 28 % 12, 1 + i % 28), now()
		 FROM generate_series(0, $1 - 1) i`,
		`INSERT INTO pharmacy_rights (person_id, kind, valid_from) SELECT 'bench-' || i, 'basic', DATE '2000-01-01' FROM generate_series(0, $1 - 1) i`,
		`INSERT INTO pharmacy_rights (person_id, kind, valid_from) SELECT 'bench-' || i, 'diabetes', DATE '2020-01-01' FROM generate_series(0, $1 - 1) i WHERE i % 10 = 0`,
		`INSERT INTO pharmacy_rights (person_id, kind, valid_from) SELECT 'bench-' || i, 'asthma', DATE '2020-01-01' FROM generate_series(0, $1 - 1) i WHERE i % 7 = 0`,
		`INSERT INTO pharmacy_years (person_id, year, deductible_paid, ceiling_counted)
		 SELECT 'bench-' || i, 2026, 7033, 7033 + (i % 530) * 100 FROM generate_series(0, $1 - 1) i WHERE i % 2 = 0`,
		// Vacuumed as well as analysed, so that autovacuum does not come
		// to the freshly written tables in the middle of a measurement.
		`VACUUM ANALYZE`,
	} {
		args := []any{n}
		if q == `VACUUM ANALYZE` {
			args = nil
		}
		if _, err := db.SQL().ExecContext(ctx, q, args...); err != nil {
			b.Fatalf("%.60s: %v", q, err)
		}
	}
	rows, err := db.SQL().QueryContext(ctx, `SELECT hetu FROM persons WHERE id LIKE 'bench-%' ORDER BY random() LIMIT 20000`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var codes []string
	for rows.Next() {
		var c string
		rows.Scan(&c)
		codes = append(codes, c)
	}
	return codes
}

// OpenLoop calls fn at rate per second, each call in its own goroutine
// (as requests arrive whether or not the last was answered), n times, and
// returns every call's latency sorted.
func OpenLoop(n, rate int, fn func(i int)) []time.Duration {
	lat := make([]time.Duration, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < n; i++ {
		due := start.Add(time.Duration(i) * time.Second / time.Duration(rate))
		time.Sleep(time.Until(due))
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			t0 := time.Now()
			fn(i)
			lat[i] = time.Since(t0)
		}(i)
	}
	wg.Wait()
	slices.Sort(lat)
	return lat
}
