package mandate

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
)

var registerSize = flag.Int("register-mandates", 100_000, "mandates of BenchmarkRegisterMemory's synthetic register")

// BenchmarkRegisterMemory builds a register in memory (no database) of the
// shape of internal/store's benchmark register — 70 % direct mandates
// (an organisation to five of its staff), 25 % through accounting firms
// (five employees, 500 clients a firm), 5 % restricted representation
// mandates naming ten clients — and reports the heap it holds per
// mandate and the cost of one decision's candidates and Decide.
//
//	go test ./internal/mandate -run XXX -bench RegisterMemory -benchtime 100000x -register-mandates 1000000
func BenchmarkRegisterMemory(b *testing.B) {
	n := *registerSize
	rnd := rand.New(rand.NewPCG(7, 7))
	today := civil.Today(time.Now())
	all := []string{"benefit_payments", "decisions", "employer_benefits"}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	r := NewRegister(nil, nil)
	var people, orgs, firms []string
	orgID := func(k int) string { return fmt.Sprintf("%07d-%d", 1_000_000+k, k%10) }
	personID := func(k int) string { return fmt.Sprintf("%06d-%04d", k%1_000_000, 9000+k%1000) }
	put := func(id int, from, to Party, t Type, restr []string) {
		start := today.AddDays(-rnd.IntN(700))
		end := today.AddDays(rnd.IntN(900) - 100)
		if end.Before(start) {
			end = start
		}
		r.put(Mandate{ID: fmt.Sprint("B", id), Principal: from, Agent: to, Type: t, Issues: all[rnd.IntN(2):],
			Start: start, End: end, Restriction: restr})
	}
	direct, viaFirm := n*70/100, n*25/100
	id := 0
	for id < direct {
		org := orgID(len(orgs))
		orgs = append(orgs, org)
		for k := 0; k < 5 && id < direct; k++ {
			p := personID(len(people))
			people = append(people, p)
			put(id, Org(org), Pers(p), Transaction, nil)
			id++
		}
	}
	for id < direct+viaFirm {
		firm := orgID(len(orgs))
		orgs, firms = append(orgs, firm), append(firms, firm)
		for k := 0; k < 5; k++ {
			p := personID(len(people))
			people = append(people, p)
			put(id, Org(firm), Pers(p), Representation, nil)
			id++
		}
		for k := 0; k < 500 && id < direct+viaFirm; k++ {
			put(id, Org(orgs[rnd.IntN(direct/5)]), Org(firm), Transaction, nil)
			id++
		}
	}
	for id < n {
		p := personID(len(people))
		people = append(people, p)
		restr := make([]string, 10)
		for k := range restr {
			restr[k] = orgs[rnd.IntN(direct/5)]
		}
		put(id, Org(firms[rnd.IntN(len(firms))]), Pers(p), Representation, restr)
		id++
	}
	people, firms = nil, nil
	runtime.GC()
	runtime.ReadMemStats(&after)
	perMandate := float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
	b.Logf("%d mandates in memory: %.0f MiB of heap, %.0f bytes a mandate", n, float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), perMandate)
	// The organisations' names (the chooser's), one for each
	// organisation named, as a read of changes applies them.
	for k, o := range orgs {
		r.names[r.orgID(o)] = fmt.Sprintf("Yritys %d Oy", k)
	}
	var named runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&named)
	perName := float64(named.HeapAlloc-after.HeapAlloc) / float64(len(orgs))
	b.Logf("with the names of %d organisations: %.0f MiB more, %.0f bytes a name, %.0f bytes a mandate in all",
		len(orgs), float64(named.HeapAlloc-after.HeapAlloc)/(1<<20), perName, float64(named.HeapAlloc-before.HeapAlloc)/float64(n))
	cat := DefaultCatalogue()
	pick := rand.New(rand.NewPCG(1, 1))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := pick.IntN(n)
		q := Query{Person: personID(k), Org: orgs[pick.IntN(len(orgs))], Issue: "employer_benefits", At: time.Now()}
		Decide(q, r.candidates(q.Person, q.Org), cat)
	}
	b.StopTimer()
	b.ReportMetric(perMandate, "B/mandate")
	runtime.KeepAlive(r)
}
