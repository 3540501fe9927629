package store_test

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/hetu"
	"github.com/etuus/etuus/internal/fi/ytunnus"
	"github.com/etuus/etuus/internal/mandate"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

var (
	benchMandates = flag.Int("mandates", 100_000, "mandates in the benchmark register (the issue's figure is 1,000,000)")
	benchImportDB = flag.String("mandates-db", "sqlite", "the database the import benchmark writes: sqlite or postgres")
	// chooserMandates puts the synthetic register under the demo's in
	// BenchmarkMandateChooser (the issue's figure is 1,000,000).
	chooserMandates = flag.Int("chooser-mandates", 0, "mandates of the synthetic register imported before the demo's in the chooser benchmark (0: the demo's alone)")
)

// benchRegister is a synthetic register: 70 % direct mandates (each
// organisation to its own staff), 25 % through accounting firms (clients'
// transaction mandates to firms, firms' representation mandates to their
// employees) and 5 % restricted representation mandates.
type benchRegister struct {
	people, orgs []string
	firms        []string
}

func benchBusinessID(n int) string {
	for base := 1_000_000 + n*3; ; base++ {
		if id, ok := ytunnus.Make(base); ok {
			return id.String()
		}
	}
}

func benchPerson(n int) string {
	c, err := hetu.Make(civil.New(1950, 1, 1).AddDays(n/100), 900+n%100, '-')
	if err != nil {
		panic(err)
	}
	return c.String()
}

// writeBenchFeed writes an n-mandate feed to path.
func writeBenchFeed(tb testing.TB, path string, n int) benchRegister {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rnd := rand.New(rand.NewPCG(7, 7))
	today := civil.Today(time.Now())
	var r benchRegister
	all := []string{"benefit_payments", "decisions", "employer_benefits"}
	put := func(id int, from, to mandate.Party, t mandate.Type, name string, restr []string) {
		start := today.AddDays(-rnd.IntN(700))
		end := today.AddDays(rnd.IntN(900) - 100) // about one in nine has ended
		if end.Before(start) {
			end = start
		}
		w.Write(mandate.EncodeLine(mandate.Mandate{ID: fmt.Sprint("B", id), Principal: from, Agent: to, Type: t,
			Issues: all[rnd.IntN(2):], Start: start, End: end, Restriction: restr}, name, ""))
		w.WriteByte('\n')
	}
	id := 0
	direct, viaFirm := n*70/100, n*25/100
	for id < direct {
		org := benchBusinessID(len(r.orgs))
		r.orgs = append(r.orgs, org)
		for k := 0; k < 5 && id < direct; k++ {
			p := benchPerson(len(r.people))
			r.people = append(r.people, p)
			put(id, mandate.Org(org), mandate.Pers(p), mandate.Transaction, fmt.Sprint("Yritys ", len(r.orgs), " Oy"), nil)
			id++
		}
	}
	for id < direct+viaFirm {
		firm := benchBusinessID(len(r.orgs))
		r.orgs = append(r.orgs, firm)
		r.firms = append(r.firms, firm)
		for k := 0; k < 5; k++ {
			p := benchPerson(len(r.people))
			r.people = append(r.people, p)
			put(id, mandate.Org(firm), mandate.Pers(p), mandate.Representation, fmt.Sprint("Tilitoimisto ", len(r.firms), " Oy"), nil)
			id++
		}
		for k := 0; k < 500 && id < direct+viaFirm; k++ {
			client := r.orgs[rnd.IntN(direct/5)]
			put(id, mandate.Org(client), mandate.Org(firm), mandate.Transaction, "", nil)
			id++
		}
	}
	for id < n {
		fi := rnd.IntN(len(r.firms))
		p := benchPerson(len(r.people))
		r.people = append(r.people, p)
		restr := make([]string, 10)
		for k := range restr {
			restr[k] = r.orgs[rnd.IntN(direct/5)]
		}
		put(id, mandate.Org(r.firms[fi]), mandate.Pers(p), mandate.Representation, "", restr)
		id++
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	f.Close()
	return r
}

// peakHeap samples the heap in use until stop is closed.
func peakHeap(stop chan struct{}) *atomic.Uint64 {
	var peak atomic.Uint64
	go func() {
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	return &peak
}

// importBench writes and imports the benchmark register into a fresh
// database (-mandates-db), reporting the time and the peak heap.
func importBench(b *testing.B) (*store.DB, benchRegister) {
	db := storetest.SQLite(b)
	if *benchImportDB == "postgres" {
		db = storetest.Postgres(b)
	}
	return db, importBenchInto(b, db, *benchMandates, *benchImportDB)
}

// importBenchInto writes an n-mandate benchmark register and imports it
// into db, reporting the time and the peak heap.
func importBenchInto(b *testing.B, db *store.DB, n int, dbName string) benchRegister {
	path := filepath.Join(b.TempDir(), "feed.jsonl")
	reg := writeBenchFeed(b, path, n)
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	svc, _ := mandate.NewService(db.Mandates(), nil, nil)
	stop := make(chan struct{})
	peak := peakHeap(stop)
	start, cpu0 := time.Now(), storetest.ProcessCPU()
	res, err := svc.Import(context.Background(), access.AsSystem("bench"), f)
	took, cpu := time.Since(start), storetest.ProcessCPU()-cpu0
	close(stop)
	if err != nil || res.Added != n {
		b.Fatalf("import: %+v %v", res, err)
	}
	b.Logf("imported %d mandates into %s in %.1f s (%.0f a second; this process's CPU time %.1f s), peak heap %.0f MiB",
		n, dbName, took.Seconds(), float64(n)/took.Seconds(), cpu.Seconds(), float64(peak.Load())/(1<<20))
	return reg
}

// BenchmarkMandateImport imports the synthetic feed once per run.
//
//	go test ./internal/store -run XXX -bench MandateImport -benchtime 1x -mandates 1000000
func BenchmarkMandateImport(b *testing.B) {
	for i := 0; i < b.N; i++ {
		importBench(b)
	}
}

// BenchmarkMandateDecision: the decision as the service takes it, read of
// the person's and the organisation's mandates from the database and
// Decide, one goroutine, random people and organisations of the register
// (a third of them the person's own, a third a client of the person's
// firm); the audit write is not included (see MandateCheck).
func BenchmarkMandateDecision(b *testing.B) {
	db, reg := importBench(b)
	repo := db.Mandates()
	cat := mandate.DefaultCatalogue()
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(1, 1))
	lat := make([]time.Duration, 0, b.N)
	allowed := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pi := rnd.IntN(len(reg.people))
		org := reg.orgs[rnd.IntN(len(reg.orgs))]
		if i%3 == 0 && pi < len(reg.people)*70/100 {
			org = reg.orgs[pi/5]
		}
		q := mandate.Query{Person: reg.people[pi], Org: org, Issue: "employer_benefits", At: time.Now()}
		t0 := time.Now()
		ms, err := repo.ForDecision(ctx, q.Person, q.Org)
		if err != nil {
			b.Fatal(err)
		}
		if mandate.Decide(q, ms, cat).Allowed() {
			allowed++
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	reportLatency(b, lat)
	b.ReportMetric(float64(allowed)/float64(b.N)*100, "%allowed")
}

// BenchmarkMandateDecide: the pure decision function alone over a
// person's candidates (what Decide costs once the rows are read).
func BenchmarkMandateDecide(b *testing.B) {
	db, reg := importBench(b)
	repo := db.Mandates()
	cat := mandate.DefaultCatalogue()
	var qs []mandate.Query
	var cands [][]mandate.Mandate
	for i := 0; i < 1000; i++ {
		q := mandate.Query{Person: reg.people[i*7%len(reg.people)], Org: reg.orgs[i*13%len(reg.orgs)], Issue: "employer_benefits", At: time.Now()}
		ms, _ := repo.ForDecision(context.Background(), q.Person, q.Org)
		qs, cands = append(qs, q), append(cands, ms)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		mandate.Decide(qs[i%1000], cands[i%1000], cat)
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	reportLatency(b, lat)
}

func reportLatency(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	if len(lat) == 0 {
		return
	}
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1000, "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1000, "p99-µs")
}

// BenchmarkMandateChooser: the chooser of the demo's accounting-firm
// employee with 5,001 client organisations, on SQLite and PostgreSQL
// (over the demo's register alone, or with -chooser-mandates N over the
// synthetic register of N mandates the MandateRegister benchmark uses,
// imported first, the demo's on top),
// with the candidates read from the database and from the register in
// memory (loaded, each page waiting for its read of changes), for the
// first page and for a search by name ("asiakas 12", 100 organisations)
// — one goroutine, p50 and p99 and this process's CPU per page.
//
//	go test ./internal/store -run XXX -bench 'MandateChooser$' -benchtime 200x -v
//	go test ./internal/store -run XXX -bench 'MandateChooser$/postgres' -benchtime 200x -chooser-mandates 1000000 -timeout 60m -v
func BenchmarkMandateChooser(b *testing.B) {
	for _, dbName := range []string{"sqlite", "postgres"} {
		b.Run(dbName, func(b *testing.B) {
			var db *store.DB
			if dbName == "sqlite" {
				db = storetest.SQLite(b)
			} else {
				db = storetest.Postgres(b)
			}
			if *chooserMandates > 0 {
				importBenchInto(b, db, *chooserMandates, dbName)
			}
			seedMandateDemo(b, db)
			fromDB, _ := mandate.NewService(db.Mandates(), nil, nil)
			fromReg, _ := mandate.NewService(db.Mandates(), nil, nil)
			reg := mandate.NewRegister(db.Mandates(), nil)
			start := time.Now()
			if err := reg.Load(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.Logf("register of %d mandates loaded in %.2f s", reg.Stats().Mandates, time.Since(start).Seconds())
			fromReg.SetRegister(reg)
			for _, path := range []struct {
				name string
				svc  *mandate.Service
			}{{"database", fromDB}, {"register", fromReg}} {
				for _, q := range []struct {
					name, search string
					total        int
				}{{"first", "", 5001}, {"search", "asiakas 12", 100}} {
					b.Run(path.name+"/"+q.name, func(b *testing.B) {
						ctx := context.Background()
						lat := make([]time.Duration, 0, b.N)
						cpu := storetest.ProcessCPU()
						b.ResetTimer()
						for i := 0; i < b.N; i++ {
							t0 := time.Now()
							page, err := path.svc.Chooser(ctx, access.AsCustomer("demo-person-tuula"), q.search, 1)
							if err != nil || page.All != 5001 || page.Total != q.total || len(page.Items) != mandate.ChooserSize {
								b.Fatalf("%d %d %d %v", page.All, page.Total, len(page.Items), err)
							}
							lat = append(lat, time.Since(t0))
						}
						b.StopTimer()
						reportLatency(b, lat)
						b.ReportMetric(float64((storetest.ProcessCPU()-cpu).Microseconds())/float64(b.N), "cpu-µs/page")
					})
				}
			}
			if st := reg.Stats(); st.Fallbacks != 0 {
				b.Errorf("the register fell back %d times", st.Fallbacks)
			}
		})
	}
}

// BenchmarkMandateRegister: the decision over the register in memory, as
// the service takes it once the register is loaded — the wait for a read
// of changes begun after the request (shared by the requests waiting),
// the candidates from the indexes, Decide — from 1, 8 and 64 goroutines.
// The audit write is not included (see the API benchmark,
// cmd/etuus BenchmarkAuthorizationsAPI). It reports the register's load
// time and the heap it holds per mandate, then for each goroutine count
// p50 and p99 and decisions per second.
//
//	go test ./internal/store -run XXX -bench 'MandateRegister$' -benchtime 20000x -mandates 1000000 -mandates-db postgres -timeout 60m
func BenchmarkMandateRegister(b *testing.B) {
	db, reg := importBench(b)
	ctx := context.Background()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	mem := mandate.NewRegister(db.Mandates(), nil)
	start := time.Now()
	if err := mem.Load(ctx); err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	perMandate := float64(after.HeapAlloc-before.HeapAlloc) / float64(*benchMandates)
	b.Logf("register of %d mandates (%s) loaded in %.2f s, holding %.0f MiB of heap: %.0f bytes a mandate",
		*benchMandates, *benchImportDB, took.Seconds(), float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), perMandate)
	cat := mandate.DefaultCatalogue()
	for _, goroutines := range []int{1, 8, 64} {
		b.Run(fmt.Sprint("goroutines=", goroutines), func(b *testing.B) {
			lats := make([][]time.Duration, goroutines)
			var allowed atomic.Int64
			reads0 := mem.Stats().Reads
			var wg sync.WaitGroup
			b.ResetTimer()
			t0 := time.Now()
			for g := range goroutines {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rnd := rand.New(rand.NewPCG(uint64(g), 1))
					n := b.N / goroutines
					if g < b.N%goroutines {
						n++
					}
					lat := make([]time.Duration, 0, n)
					for i := 0; i < n; i++ {
						pi := rnd.IntN(len(reg.people))
						org := reg.orgs[rnd.IntN(len(reg.orgs))]
						if i%3 == 0 && pi < len(reg.people)*70/100 {
							org = reg.orgs[pi/5]
						}
						q := mandate.Query{Person: reg.people[pi], Org: org, Issue: "employer_benefits", At: time.Now()}
						s := time.Now()
						ms, err := mem.Candidates(ctx, q.Person, q.Org)
						if err != nil {
							b.Error(err)
							return
						}
						if mandate.Decide(q, ms, cat).Allowed() {
							allowed.Add(1)
						}
						lat = append(lat, time.Since(s))
					}
					lats[g] = lat
				}()
			}
			wg.Wait()
			elapsed := time.Since(t0)
			b.StopTimer()
			reportLatency(b, slices.Concat(lats...))
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "decisions/s")
			b.ReportMetric(float64(b.N)/float64(max(1, mem.Stats().Reads-reads0)), "decisions/read")
			b.ReportMetric(float64(allowed.Load())/float64(b.N)*100, "%allowed")
			b.ReportMetric(perMandate, "B/mandate")
		})
	}
	// The floor under a decision's p99: the reads of changes a request
	// waits for, one goroutine, in turns (twice each, so that a burst of
	// load on a shared machine does not favour one) — a bare prepared
	// SELECT 1 (one round trip), the register's check for changes (its
	// counter row by key), the same under a deadline as the register's
	// shared read takes it, and the two reads of changes each request
	// made before the counter was read first (mandates and names above
	// the last sequences, finding none).
	st, err := db.SQL().PrepareContext(ctx, `SELECT 1`)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	repo := db.Mandates()
	seq := mem.Stats().Seq
	none := func(mandate.Mandate, int64) error { return errors.New("a change during the benchmark") }
	noName := func(string, string, int64) error { return errors.New("a change during the benchmark") }
	for _, rt := range slices.Repeat([]struct {
		name string
		read func() error
	}{
		{"select1", func() error { var one int; return st.QueryRowContext(ctx).Scan(&one) }},
		{"counter", func() error { _, err := repo.RegisterSeq(ctx); return err }},
		// As the register reads it: under the shared read's deadline
		// (a context that can end costs database/sql and pgx a
		// goroutine each to watch it).
		{"counter-deadline", func() error {
			dctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			_, err := repo.RegisterSeq(dctx)
			return err
		}},
		{"since", func() error {
			if err := repo.MandatesSince(ctx, seq, none); err != nil {
				return err
			}
			return repo.OrganisationsSince(ctx, seq, noName)
		}},
	}, 2) {
		b.Run("roundtrip="+rt.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s := time.Now()
				if err := rt.read(); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(s))
			}
			b.StopTimer()
			reportLatency(b, lat)
		})
	}
}
