package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/mandate"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// registerSvc is the mandate service with its register loaded, as serve
// runs it.
func registerSvc(t testing.TB, db *store.DB) (*mandate.Service, *mandate.Register) {
	t.Helper()
	svc := mandateSvc(t, db)
	reg := mandate.NewRegister(db.Mandates(), nil)
	svc.SetRegister(reg)
	if err := reg.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	return svc, reg
}

func feedLine(id, principal, principalKind, agent, agentKind, typ string, start, end civil.Date, extra string) string {
	return fmt.Sprintf(`{"id":%q,"principal":{"kind":%q,"id":%q,"name":"Oy %s"},"agent":{"kind":%q,"id":%q%s},"type":%q,"issues":["employer_benefits"],"start":%q,"end":%q}`,
		id, principalKind, principal, principal, agentKind, agent, extra, typ, start.String(), end.String())
}

// TestMandateRegisterFollowsImports: with the register in memory, a
// decision after an import sees it — the very next decision after a
// revocation feed is DISALLOWED — and none of them read the database's
// mandates (the register never fell back).
func TestMandateRegisterFollowsImports(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		today := civil.Today(db.Now())
		from, until := today.AddDays(-10), today.AddDays(10)
		const person, employer, firm, client = "010403A998U", "2077474-0", "1572860-0", "0112038-9"
		cli := access.AsSystem("cli")
		imp := func(svc *mandate.Service, lines ...string) {
			t.Helper()
			if _, err := svc.Import(ctx, cli, strings.NewReader(strings.Join(lines, "\n")+"\n")); err != nil {
				t.Fatal(err)
			}
		}
		// Before the register is loaded: a mandate it must find there.
		imp(mandateSvc(t, db), feedLine("M-1", employer, "organisation", person, "person", "transaction", from, until, ""))
		svc, reg := registerSvc(t, db)
		decide := func(org string) mandate.Decision {
			t.Helper()
			d, err := svc.Check(ctx, access.AsSystem("api-client:c-1"), mandate.Query{Person: person, Org: org, Issue: "employer_benefits"})
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		if d := decide(employer); !d.Allowed() {
			t.Fatalf("loaded mandate: %+v", d)
		}
		// Nothing written since the load: each decision reads the
		// counter only, never what changed.
		decide(employer)
		if st := reg.Stats(); st.Reads != 2 || st.Changed != 0 {
			t.Fatalf("two decisions with nothing written: %+v", st)
		}
		imp(svc, `{"id":"M-1","op":"revoke"}`)
		if d := decide(employer); d.Allowed() || d.Reasons[0].Code != mandate.Revoked {
			t.Fatalf("the decision after the revocation feed: %+v", d)
		}
		if st := reg.Stats(); st.Reads != 3 || st.Changed != 1 {
			t.Fatalf("the decision after a write reads what changed: %+v", st)
		}
		// A firm chain learnt after loading: the client's mandate to the
		// firm and the firm's representation mandate to the person.
		imp(svc, feedLine("M-2", client, "organisation", firm, "organisation", "transaction", from, until, `,"name":"Tilitoimisto"`),
			feedLine("M-3", firm, "organisation", person, "person", "representation", from, until, ""))
		if d := decide(client); !d.Allowed() || d.Reasons[0].Code != mandate.FirmChain {
			t.Fatalf("firm chain: %+v", d)
		}
		imp(svc, `{"id":"M-2","op":"revoke"}`)
		if d := decide(client); d.Allowed() || d.Reasons[0].Code != mandate.Revoked || d.Reasons[0].Link != mandate.Client {
			t.Fatalf("after the client's revocation: %+v", d)
		}
		// Put back in force, with the firm's mandate moved to another
		// person: the register follows a change of parties.
		imp(svc, feedLine("M-2", client, "organisation", firm, "organisation", "transaction", from, until, ""),
			feedLine("M-3", firm, "organisation", "010403A999V", "person", "representation", from, until, ""))
		if d := decide(client); d.Allowed() || d.Reasons[0].Code != mandate.NoMandate {
			t.Fatalf("after the firm's mandate moved: %+v", d)
		}
		st := reg.Stats()
		var seq int64
		if err := db.SQL().QueryRowContext(ctx, `SELECT seq FROM mandate_register`).Scan(&seq); err != nil {
			t.Fatal(err)
		}
		if !st.Loaded || st.Fallbacks != 0 || st.Mandates != 3 || st.Seq != seq || st.Applied == 0 {
			t.Errorf("register %+v, database sequence %d", st, seq)
		}
	})
}

// TestMandateRegisterRacingImports (PostgreSQL): decisions race a stream
// of revocations, each its own import; a decision asked after a
// revocation's import returned never allows that mandate.
func TestMandateRegisterRacingImports(t *testing.T) {
	db := storetest.Postgres(t)
	ctx := context.Background()
	today := civil.Today(db.Now())
	const org, n = "2077474-0", 40
	people := make([]string, n)
	var lines []string
	for i := range people {
		people[i] = benchPerson(i)
		lines = append(lines, feedLine(fmt.Sprint("M-", i), org, "organisation", people[i], "person", "transaction", today.AddDays(-10), today.AddDays(10), ""))
	}
	cli := access.AsSystem("cli")
	if _, err := mandateSvc(t, db).Import(ctx, cli, strings.NewReader(strings.Join(lines, "\n")+"\n")); err != nil {
		t.Fatal(err)
	}
	svc, reg := registerSvc(t, db)
	var revoked atomic.Int64 // revocations whose import has returned
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range n {
			if _, err := svc.Import(ctx, cli, strings.NewReader(fmt.Sprintf(`{"id":"M-%d","op":"revoke"}`+"\n", i))); err != nil {
				t.Error(err)
				return
			}
			revoked.Store(int64(i + 1))
		}
	}()
	var wg sync.WaitGroup
	var decisions, stale atomic.Int64
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(uint64(g), 9))
			for {
				select {
				case <-done:
					return
				default:
				}
				k := int(revoked.Load())
				// The revocation that has just committed, or any before
				// it; before the first, the last mandate (not checked).
				i := k - 1
				if k == 0 {
					i = n - 1
				} else if rnd.IntN(2) == 0 {
					i = rnd.IntN(k)
				}
				q := mandate.Query{Person: people[i], Org: org, Issue: "employer_benefits", At: db.Now()}
				var d mandate.Decision
				var err error
				if g%4 == 0 {
					d, err = svc.Check(ctx, access.AsSystem("api-client:c-1"), q)
				} else {
					// The decision without its audit entry: many more
					// of them, so that a read of changes is nearly
					// always under way when a revocation commits.
					var ms []mandate.Mandate
					ms, err = reg.Candidates(ctx, q.Person, q.Org)
					d = mandate.Decide(q, ms, svc.Catalogue())
				}
				if err != nil {
					t.Error(err)
					return
				}
				decisions.Add(1)
				if k > 0 && d.Allowed() {
					stale.Add(1)
					t.Errorf("mandate M-%d allowed after its revocation committed (%d committed)", i, k)
				}
			}
		}()
	}
	wg.Wait()
	st := reg.Stats()
	if st.Fallbacks != 0 || decisions.Load() == 0 {
		t.Errorf("%d decisions, register %+v", decisions.Load(), st)
	}
	t.Logf("%d decisions racing %d revocations, %d stale; %d shared reads of changes", decisions.Load(), n, stale.Load(), st.Reads)
}

// TestMandateRegisterFallsBack: before the register is loaded, and when
// its read of changes fails, a decision reads the database — the right
// answer, counted, never the register's stale one.
func TestMandateRegisterFallsBack(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		today := civil.Today(db.Now())
		const person, employer = "010403A998U", "2077474-0"
		svc := mandateSvc(t, db)
		reg := mandate.NewRegister(db.Mandates(), nil)
		svc.SetRegister(reg)
		cli := access.AsSystem("cli")
		if _, err := svc.Import(ctx, cli, strings.NewReader(feedLine("M-1", employer, "organisation", person, "person", "transaction", today.AddDays(-1), today.AddDays(1), "")+"\n")); err != nil {
			t.Fatal(err)
		}
		decide := func() mandate.Decision {
			t.Helper()
			d, err := svc.Check(ctx, access.AsSystem("api-client:c-1"), mandate.Query{Person: person, Org: employer, Issue: "employer_benefits"})
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		if d := decide(); !d.Allowed() || reg.Stats().Fallbacks != 1 {
			t.Fatalf("before the load: %+v %+v", d, reg.Stats())
		}
		if err := reg.Load(ctx); err != nil {
			t.Fatal(err)
		}
		if d := decide(); !d.Allowed() || reg.Stats().Fallbacks != 1 {
			t.Fatalf("loaded: %+v %+v", d, reg.Stats())
		}
		// The register's read of changes fails from now on (its column
		// is gone); the revocation must still take effect at once.
		if _, err := svc.Import(ctx, cli, strings.NewReader(`{"id":"M-1","op":"revoke"}`+"\n")); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().ExecContext(ctx, `ALTER TABLE mandates RENAME COLUMN seq TO seq_gone`); err != nil {
			t.Fatal(err)
		}
		if d := decide(); d.Allowed() || reg.Stats().Fallbacks != 2 {
			t.Fatalf("read of changes failing: %+v %+v", d, reg.Stats())
		}
	})
}
