package mandate

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/hetu"
	"github.com/etuus/etuus/internal/fi/ytunnus"
)

// bid is a valid business ID made from a base number.
func bid(t testing.TB, base int) string {
	for ; ; base++ {
		if id, ok := ytunnus.Make(base); ok {
			return id.String()
		}
	}
}

// person is an artificial identity code (individual number 900–999).
func person(t testing.TB, n int) string {
	c, err := hetu.Make(civil.New(1980, 1, 1).AddDays(n), 900+n%100, '-')
	if err != nil {
		t.Fatal(err)
	}
	return c.String()
}

func d(s string) civil.Date { return civil.MustParseISO(s) }

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// fixture is a register that shows every rule: an employer O with its own
// staff, an accounting firm F with clients C1…C6 and employees, and a
// person for each failure.
type fixture struct {
	O, F, F2, C1, C2, C3, C4, C5, C6 string
	P                                []string // P[1]…P[11]
	ms                               []Mandate
}

func newFixture(t testing.TB) fixture {
	f := fixture{O: bid(t, 9000001), F: bid(t, 9000011), F2: bid(t, 9000021),
		C1: bid(t, 9000031), C2: bid(t, 9000041), C3: bid(t, 9000051), C4: bid(t, 9000061), C5: bid(t, 9000071), C6: bid(t, 9000081)}
	for i := 0; i <= 11; i++ {
		f.P = append(f.P, person(t, i))
	}
	y26s, y26e := d("2026-01-01"), d("2026-12-31")
	tr := func(id string, from, to Party, issues []string, s, e civil.Date, restr ...string) Mandate {
		return Mandate{ID: id, Principal: from, Agent: to, Type: Transaction, Issues: issues, Start: s, End: e, Restriction: restr}
	}
	rep := func(id string, from, to Party, issues []string, s, e civil.Date, restr ...string) Mandate {
		m := tr(id, from, to, issues, s, e, restr...)
		m.Type = Representation
		return m
	}
	EB, BP, DE, HC := "employer_benefits", "benefit_payments", "decisions", "occupational_healthcare"
	revoked := tr("own-rev", Org(f.O), Pers(f.P[5]), []string{EB}, y26s, y26e)
	revoked.Revoked = true
	clientRevoked := tr("c6-f", Org(f.C6), Org(f.F), []string{EB}, y26s, y26e)
	clientRevoked.Revoked = true
	f.ms = []Mandate{
		tr("own-1", Org(f.O), Pers(f.P[1]), []string{DE, EB}, y26s, y26e),
		tr("own-1-hc", Org(f.O), Pers(f.P[1]), []string{HC}, y26s, y26e, "123", "456"),
		tr("own-exp", Org(f.O), Pers(f.P[2]), []string{EB}, d("2025-01-01"), d("2026-06-14")),
		tr("own-future", Org(f.O), Pers(f.P[3]), []string{EB}, d("2026-07-01"), d("2027-06-30")),
		rep("own-rep", Org(f.O), Pers(f.P[4]), []string{EB}, y26s, y26e),
		revoked,
		tr("c1-f", Org(f.C1), Org(f.F), []string{BP, EB}, y26s, y26e),
		tr("c2-f", Org(f.C2), Org(f.F), []string{EB}, y26s, y26e),
		rep("c3-f", Org(f.C3), Org(f.F), []string{EB}, y26s, y26e),
		tr("c4-f", Org(f.C4), Org(f.F), []string{EB}, y26s, d("2026-03-31")),
		clientRevoked,
		rep("f-p6", Org(f.F), Pers(f.P[6]), []string{BP, EB}, y26s, y26e),
		tr("c1-p6-old", Org(f.C1), Pers(f.P[6]), []string{EB}, d("2024-01-01"), d("2024-12-31")),
		rep("f-p7", Org(f.F), Pers(f.P[7]), []string{EB}, y26s, y26e, f.C1),
		tr("f-p8", Org(f.F), Pers(f.P[8]), []string{EB}, y26s, y26e),
		rep("f-p9", Org(f.F), Pers(f.P[9]), []string{EB}, y26s, d("2026-06-14")),
		rep("f-p10", Org(f.F), Pers(f.P[10]), []string{HC}, y26s, y26e),
	}
	cat := DefaultCatalogue()
	for i, m := range f.ms {
		c, err := cat.Check(m)
		if err != nil {
			t.Fatalf("fixture mandate %s: %v", m.ID, err)
		}
		f.ms[i] = c
	}
	return f
}

// DecisionCase is one row of the decision table, shared with the HTTP API
// and page tests through Cases.
type DecisionCase struct {
	Name  string
	Class string // direct, chain, chain-restricted, wrong-type, validity, restriction
	Q     Query
	Want  Result
	Codes []string // code/link of each reason, in order
}

func decisionCases(f fixture) []DecisionCase {
	mid := utc("2026-06-15T09:00:00Z")
	EB, BP, DE, HC := "employer_benefits", "benefit_payments", "decisions", "occupational_healthcare"
	q := func(p, org, issue string, at time.Time) Query {
		return Query{Person: p, Org: org, Issue: issue, At: at}
	}
	withFirm := func(x Query, firm string) Query { x.Firm = firm; return x }
	withPlace := func(x Query, w string) Query { x.Workplace = w; return x }
	return []DecisionCase{
		{"own staff, employer benefits", "direct", q(f.P[1], f.O, EB, mid), Allowed, []string{"direct_transaction_mandate/own"}},
		{"own staff, decisions", "direct", q(f.P[1], f.O, DE, mid), Allowed, []string{"direct_transaction_mandate/own"}},
		{"first day, midnight in Helsinki (UTC+2)", "validity", q(f.P[1], f.O, EB, utc("2025-12-31T22:00:00Z")), Allowed, []string{"direct_transaction_mandate/own"}},
		{"last day, 23:59 in Helsinki: the end is inclusive", "validity", q(f.P[1], f.O, EB, utc("2026-12-31T21:59:59Z")), Allowed, []string{"direct_transaction_mandate/own"}},
		{"the day after the end, 00:00 in Helsinki but still 31.12 in UTC", "validity", q(f.P[1], f.O, EB, utc("2026-12-31T22:00:00Z")), Disallowed, []string{"expired/own"}},
		{"the day before the start, 23:59 in Helsinki", "validity", q(f.P[1], f.O, EB, utc("2025-12-31T21:59:59Z")), Disallowed, []string{"not_yet_valid/own"}},
		{"own staff, an issue the mandate lacks", "direct", q(f.P[1], f.O, BP, mid), Disallowed, []string{"issue_not_covered/own"}},
		{"workplace-restricted, the organisation as a whole", "direct", q(f.P[1], f.O, HC, mid), Allowed, []string{"direct_transaction_mandate/own"}},
		{"workplace-restricted, a named workplace", "restriction", withPlace(q(f.P[1], f.O, HC, mid), "123"), Allowed, []string{"direct_transaction_mandate/own"}},
		{"workplace-restricted, another workplace", "restriction", withPlace(q(f.P[1], f.O, HC, mid), "789"), Disallowed, []string{"restricted/own"}},
		{"ended yesterday: last day 23:59 in summer time (UTC+3)", "validity", q(f.P[2], f.O, EB, utc("2026-06-14T20:59:59Z")), Allowed, []string{"direct_transaction_mandate/own"}},
		{"ended yesterday: the next day's first second", "validity", q(f.P[2], f.O, EB, utc("2026-06-14T21:00:00Z")), Disallowed, []string{"expired/own"}},
		{"starts on 1.7: its first second in Helsinki", "validity", q(f.P[3], f.O, EB, utc("2026-06-30T21:00:00Z")), Allowed, []string{"direct_transaction_mandate/own"}},
		{"starts on 1.7: one second before", "validity", q(f.P[3], f.O, EB, utc("2026-06-30T20:59:59Z")), Disallowed, []string{"not_yet_valid/own"}},
		{"representation mandate where the own organisation needs transaction", "wrong-type", q(f.P[4], f.O, EB, mid), Disallowed, []string{"wrong_type/own"}},
		{"revoked", "validity", q(f.P[5], f.O, EB, mid), Disallowed, []string{"revoked/own"}},
		{"a firm's employee with representation only, in the firm's own matters", "wrong-type", q(f.P[6], f.F, EB, mid), Disallowed, []string{"wrong_type/own"}},
		{"no relation at all", "direct", q(f.P[1], f.C1, EB, mid), Disallowed, []string{"no_mandate/"}},
		{"a person the register does not know", "direct", q(f.P[11], f.O, EB, mid), Disallowed, []string{"no_mandate/"}},
		{"firm employee, client 1", "chain", q(f.P[6], f.C1, EB, mid), Allowed, []string{"firm_chain/firm"}},
		{"firm employee, client 1, payment information", "chain", q(f.P[6], f.C1, BP, mid), Allowed, []string{"firm_chain/firm"}},
		{"firm employee, client 2", "chain", q(f.P[6], f.C2, EB, mid), Allowed, []string{"firm_chain/firm"}},
		{"firm employee, client 2 gave the firm no payment information", "chain", q(f.P[6], f.C2, BP, mid), Disallowed, []string{"issue_not_covered/client"}},
		{"firm employee, client 1 asked as the firm's client", "chain", withFirm(q(f.P[6], f.C1, EB, mid), f.F), Allowed, []string{"firm_chain/firm"}},
		{"firm employee, client 1 asked as another firm's client", "chain", withFirm(q(f.P[6], f.C1, EB, mid), f.F2), Disallowed, []string{"no_mandate/"}},
		{"client 3 gave the firm a representation mandate instead of transaction", "wrong-type", q(f.P[6], f.C3, EB, mid), Disallowed, []string{"wrong_type/client"}},
		{"client 4's mandate to the firm expired", "validity", q(f.P[6], f.C4, EB, mid), Disallowed, []string{"expired/client"}},
		{"client 5 gave the firm nothing", "chain", q(f.P[6], f.C5, EB, mid), Disallowed, []string{"no_client_mandate/client"}},
		{"neither the firm's nor the client's mandate names decisions", "chain", q(f.P[6], f.C1, DE, mid), Disallowed, []string{"issue_not_covered/own", "issue_not_covered/client", "issue_not_covered/firm"}},
		{"restricted employee, the client named", "chain-restricted", q(f.P[7], f.C1, EB, mid), Allowed, []string{"firm_chain/firm"}},
		{"restricted employee, the client named, asked through the firm", "chain-restricted", withFirm(q(f.P[7], f.C1, EB, mid), f.F), Allowed, []string{"firm_chain/firm"}},
		{"restricted employee, a client not named", "restriction", q(f.P[7], f.C2, EB, mid), Disallowed, []string{"restricted/firm"}},
		{"restricted employee, a client not named, through the firm", "restriction", withFirm(q(f.P[7], f.C2, EB, mid), f.F), Disallowed, []string{"restricted/firm"}},
		{"restricted employee, an issue the mandate lacks", "chain-restricted", q(f.P[7], f.C1, BP, mid), Disallowed, []string{"issue_not_covered/firm"}},
		{"restricted employee, a client the firm does not have: nothing leaks", "restriction", q(f.P[7], f.C5, EB, mid), Disallowed, []string{"no_mandate/"}},
		{"transaction mandate from the firm where representation is needed", "wrong-type", q(f.P[8], f.C1, EB, mid), Disallowed, []string{"wrong_type/firm"}},
		{"transaction mandate from the firm serves the firm's own matters", "direct", q(f.P[8], f.F, EB, mid), Allowed, []string{"direct_transaction_mandate/own"}},
		{"firm's mandate expired", "validity", q(f.P[9], f.C1, EB, mid), Disallowed, []string{"expired/firm"}},
		{"firm's mandate on its last day, 23:59 in Helsinki", "validity", q(f.P[9], f.C1, EB, utc("2026-06-14T20:59:59Z")), Allowed, []string{"firm_chain/firm"}},
		{"firm's mandate the next day, 00:00 in Helsinki", "validity", q(f.P[9], f.C1, EB, utc("2026-06-14T21:00:00Z")), Disallowed, []string{"expired/firm"}},
		{"firm's mandate for healthcare only, asked for employer benefits", "chain", q(f.P[10], f.C1, EB, mid), Disallowed, []string{"issue_not_covered/firm"}},
		{"client gave the firm no healthcare issue", "chain", q(f.P[10], f.C1, HC, mid), Disallowed, []string{"issue_not_covered/client"}},
		{"client 4 on its last day, summer time", "validity", q(f.P[6], f.C4, EB, utc("2026-03-31T20:59:59Z")), Allowed, []string{"firm_chain/firm"}},
		{"client 4 the next day, summer time", "validity", q(f.P[6], f.C4, EB, utc("2026-03-31T21:00:00Z")), Disallowed, []string{"expired/client"}},
		{"client 6's mandate to the firm revoked", "validity", q(f.P[6], f.C6, EB, mid), Disallowed, []string{"revoked/client"}},
		{"an old own mandate beside a good firm chain: the chain allows", "chain", q(f.P[6], f.C1, EB, mid), Allowed, []string{"firm_chain/firm"}},
		{"an issue not in the catalogue", "direct", q(f.P[1], f.O, "pensions", mid), Disallowed, []string{"issue_not_covered/own"}},
	}
}

func codes(d Decision) []string {
	var out []string
	for _, r := range d.Reasons {
		out = append(out, string(r.Code)+"/"+string(r.Link))
	}
	return out
}

func TestDecideTable(t *testing.T) {
	f := newFixture(t)
	cat := DefaultCatalogue()
	classes := map[string]int{}
	cases := decisionCases(f)
	if len(cases) < 40 {
		t.Fatalf("%d cases, want at least 40", len(cases))
	}
	for _, c := range cases {
		classes[c.Class]++
		t.Run(c.Name, func(t *testing.T) {
			got := Decide(c.Q, f.ms, cat)
			if got.Result != c.Want || !slices.Equal(codes(got), c.Codes) {
				t.Errorf("got %s %v, want %s %v", got.Result, codes(got), c.Want, c.Codes)
			}
			if want := naive(c.Q, f.ms); got.Allowed() != want {
				t.Errorf("the independent evaluator says allowed=%v", want)
			}
			steps := Diagnose(c.Q, got)
			if got.Allowed() != (len(steps) == 0) {
				t.Errorf("diagnosis has %d steps for %s", len(steps), got.Result)
			}
		})
	}
	for _, cl := range []string{"direct", "chain", "chain-restricted", "wrong-type", "validity", "restriction"} {
		if classes[cl] == 0 {
			t.Errorf("no case of class %s", cl)
		}
	}
}

func TestDecideReasonDetails(t *testing.T) {
	f := newFixture(t)
	got := Decide(Query{Person: f.P[8], Org: f.C1, Issue: "employer_benefits", At: utc("2026-06-15T09:00:00Z")}, f.ms, DefaultCatalogue())
	r := got.Reasons[0]
	if r.Have != Transaction || r.Need != Representation || r.Firm != f.F || r.Mandate != "f-p8" {
		t.Errorf("wrong type reason %+v", r)
	}
	steps := Diagnose(Query{Org: f.C1}, got)
	if steps[0].Key != "mandate.advice.wrong_type.firm" || steps[0].Ask == nil || steps[0].Ask.Principal != f.F || steps[0].Ask.Type != Representation {
		t.Errorf("diagnosis %+v", steps[0])
	}
	if steps[len(steps)-1].Key != SupportKey {
		t.Errorf("last step %s", steps[len(steps)-1].Key)
	}
	hc := Decide(Query{Person: f.P[1], Org: f.O, Issue: "occupational_healthcare", At: utc("2026-06-15T09:00:00Z")}, f.ms, DefaultCatalogue())
	if !slices.Equal(hc.Workplaces, []string{"123", "456"}) {
		t.Errorf("workplaces %v", hc.Workplaces)
	}
}

// naive is an independent evaluator written from the rules as stated,
// without Decide's code: validity as instants (the first day's midnight
// in Helsinki to the midnight after the last day), every firm tried.
var hel, _ = time.LoadLocation("Europe/Helsinki")

func naive(q Query, ms []Mandate) bool {
	valid := func(m Mandate) bool {
		from := time.Date(m.Start.Year, m.Start.Month, m.Start.Day, 0, 0, 0, 0, hel)
		until := time.Date(m.End.Year, m.End.Month, m.End.Day+1, 0, 0, 0, 0, hel)
		return !m.Revoked && !q.At.Before(from) && q.At.Before(until)
	}
	has := func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	}
	workplaceOK := func(m Mandate) bool {
		return q.Issue != "occupational_healthcare" || q.Workplace == "" || len(m.Restriction) == 0 || has(m.Restriction, q.Workplace)
	}
	if q.Firm == "" {
		for _, m := range ms {
			if m.Principal.Kind == "organisation" && m.Principal.ID == q.Org && m.Agent.Kind == "person" && m.Agent.ID == q.Person &&
				m.Type == "transaction" && has(m.Issues, q.Issue) && valid(m) && workplaceOK(m) {
				return true
			}
		}
	}
	for _, rep := range ms {
		if rep.Agent.Kind != "person" || rep.Agent.ID != q.Person || rep.Type != "representation" || rep.Principal.Kind != "organisation" ||
			rep.Principal.ID == q.Org || (q.Firm != "" && rep.Principal.ID != q.Firm) || !has(rep.Issues, q.Issue) || !valid(rep) || !workplaceOK(rep) {
			continue
		}
		if q.Issue != "occupational_healthcare" && len(rep.Restriction) > 0 && !has(rep.Restriction, q.Org) {
			continue
		}
		for _, c := range ms {
			if c.Principal.Kind == "organisation" && c.Principal.ID == q.Org && c.Agent.Kind == "organisation" && c.Agent.ID == rep.Principal.ID &&
				c.Type == "transaction" && has(c.Issues, q.Issue) && valid(c) && workplaceOK(c) {
				return true
			}
		}
	}
	return false
}

// randomRegister is a small register of random mandates over few parties,
// so random queries often hit a mandate and its boundaries.
func randomRegister(t testing.TB, rnd *rand.Rand, orgs, people []string, n int) []Mandate {
	cat := DefaultCatalogue()
	keys := cat.Keys()
	var ms []Mandate
	for len(ms) < n {
		m := Mandate{ID: fmt.Sprint("r", len(ms)), Type: Types[rnd.IntN(len(Types))]}
		m.Principal = Org(orgs[rnd.IntN(len(orgs))])
		if rnd.IntN(3) == 0 {
			m.Agent = Org(orgs[rnd.IntN(len(orgs))])
		} else {
			m.Agent = Pers(people[rnd.IntN(len(people))])
		}
		if rnd.IntN(3) > 0 {
			m.Type = []Type{Transaction, Representation}[rnd.IntN(2)]
		}
		for _, k := range keys {
			if rnd.IntN(2) == 0 {
				m.Issues = append(m.Issues, k)
			}
		}
		if len(m.Issues) == 0 {
			m.Issues = []string{keys[rnd.IntN(len(keys))]}
		}
		m.Start = civil.New(2026, 1, 1).AddDays(rnd.IntN(200))
		m.End = m.Start.AddDays(rnd.IntN(200))
		m.Revoked = rnd.IntN(20) == 0
		if rnd.IntN(4) == 0 {
			if slices.Contains(m.Issues, "occupational_healthcare") {
				m.Issues = []string{"occupational_healthcare"}
				m.Restriction = []string{fmt.Sprint(100 + rnd.IntN(3))}
			} else {
				m.Restriction = []string{orgs[rnd.IntN(len(orgs))], orgs[rnd.IntN(len(orgs))]}
			}
		}
		c, err := cat.Check(m)
		if err != nil {
			continue // a combination the register refuses
		}
		ms = append(ms, c)
	}
	return ms
}

// naiveQueries is how many random queries TestDecideAgainstNaive asks,
// 500 over each random register: quick by default; the issue's figure,
// recorded in docs/benchmarks.md, is a million:
//
//	go test ./internal/mandate -run DecideAgainstNaive -naive-queries 1000000 -v
var naiveQueries = flag.Int("naive-queries", 100_000, "random queries TestDecideAgainstNaive checks against the independent evaluator (500 a register)")

func TestDecideAgainstNaive(t *testing.T) {
	cat := DefaultCatalogue()
	rnd := rand.New(rand.NewPCG(1, 2))
	var orgs, people []string
	for i := 0; i < 5; i++ {
		orgs = append(orgs, bid(t, 8100000+i*17))
	}
	for i := 0; i < 4; i++ {
		people = append(people, person(t, i))
	}
	keys := append(DefaultCatalogue().Keys(), "unknown")
	queries, allowed := 0, 0
	registers := max(1, (*naiveQueries+499)/500)
	for reg := 0; reg < registers; reg++ {
		ms := randomRegister(t, rnd, orgs, people, 5+rnd.IntN(40))
		// The same register held in memory (Register), whose candidates
		// must give the same decision as the whole register does.
		// The register gives candidates in ID order, and so does ms
		// (Decide names the first of a client's mandates as a firm
		// chain's basis).
		slices.SortFunc(ms, byID)
		mem := NewRegister(nil, nil)
		for _, m := range ms {
			mem.put(m)
		}
		for i := 0; i < 500; i++ {
			if i == 250 {
				// Halfway, the register changes as a feed changes it:
				// some mandates replaced by others under the same ID
				// (parties, type, dates, restriction changed), some
				// revoked, some added; the memory register learns the
				// same changes one mandate at a time.
				more := randomRegister(t, rnd, orgs, people, 12)
				for k, m := range more {
					switch {
					case k < 6:
						m.ID = ms[rnd.IntN(len(ms))].ID
						ms[slices.IndexFunc(ms, func(x Mandate) bool { return x.ID == m.ID })] = m
					case k < 9:
						n := rnd.IntN(len(ms))
						ms[n].Revoked = true
						m = ms[n]
					default:
						m.ID = fmt.Sprint("new", k)
						ms = append(ms, m)
					}
					mem.put(m)
				}
				slices.SortFunc(ms, byID)
			}
			day := civil.New(2026, 1, 1).AddDays(rnd.IntN(420) - 10)
			// The hours around midnight in Helsinki, in UTC.
			at := day.Time().Add(time.Duration(rnd.IntN(6*60)-4*60) * time.Minute)
			q := Query{Person: people[rnd.IntN(len(people))], Org: orgs[rnd.IntN(len(orgs))], Issue: keys[rnd.IntN(len(keys))], At: at}
			if rnd.IntN(5) == 0 {
				q.Firm = orgs[rnd.IntN(len(orgs))]
			}
			if q.Issue == "occupational_healthcare" && rnd.IntN(2) == 0 {
				q.Workplace = fmt.Sprint(100 + rnd.IntN(3))
			}
			got := Decide(q, ms, cat)
			viaMem := Decide(q, mem.candidates(q.Person, q.Org), cat)
			if !reflect.DeepEqual(got, viaMem) {
				t.Fatalf("query %+v over %d mandates: Decide %s %v, through the memory register %s %v", q, len(ms), got.Result, got.Reasons, viaMem.Result, viaMem.Reasons)
			}
			queries++
			if got.Allowed() {
				allowed++
			}
			if want := naive(q, ms); got.Allowed() != want {
				t.Fatalf("query %+v over %d mandates: Decide %s %v, naive allowed=%v", q, len(ms), got.Result, got.Reasons, want)
			}
			if len(got.Reasons) == 0 {
				t.Fatalf("query %+v: no reasons", q)
			}
			for _, r := range got.Reasons {
				basis := r.Code == DirectMandate || r.Code == FirmChain
				if basis != got.Allowed() {
					t.Fatalf("query %+v: %s decision with reason %s", q, got.Result, r.Code)
				}
			}
		}
	}
	if allowed < queries/50 {
		t.Errorf("only %d of %d random queries allowed: the test barely tests the allowing paths", allowed, queries)
	}
	t.Logf("%d queries over %d random registers, %d allowed, 0 wrong (Decide, the memory register and the independent evaluator agree)", queries, registers, allowed)
}

func TestChoicesAgreeWithDecide(t *testing.T) {
	cat := DefaultCatalogue()
	f := newFixture(t)
	rnd := rand.New(rand.NewPCG(3, 4))
	orgs := []string{f.O, f.F, f.F2, f.C1, f.C2, f.C3, f.C4, f.C5, f.C6}
	check := func(ms []Mandate, people []string, at time.Time) {
		for _, p := range people {
			got := map[string]bool{}
			for _, c := range Choices(p, ms, at, cat) {
				for _, i := range c.Issues {
					got[c.BusinessID+" "+i] = true
				}
			}
			for _, o := range orgs {
				for _, i := range cat.Keys() {
					want := Decide(Query{Person: p, Org: o, Issue: i, At: at}, ms, cat).Allowed()
					if got[o+" "+i] != want {
						t.Fatalf("person %d org %s issue %s at %s: chooser %v, Decide %v", slices.Index(people, p), o, i, at, got[o+" "+i], want)
					}
				}
			}
		}
	}
	check(f.ms, f.P, utc("2026-06-15T09:00:00Z"))
	for reg := 0; reg < 100; reg++ {
		ms := randomRegister(t, rnd, orgs, f.P[:4], 10+rnd.IntN(40))
		check(ms, f.P[:4], civil.New(2026, 1, 1).AddDays(rnd.IntN(400)).Time().Add(time.Duration(rnd.IntN(24))*time.Hour))
	}
}

func TestCheckRefuses(t *testing.T) {
	cat := DefaultCatalogue()
	f := newFixture(t)
	good := Mandate{ID: "x", Principal: Org(f.F), Agent: Pers(f.P[1]), Type: Representation, Issues: []string{"employer_benefits"},
		Start: d("2026-01-01"), End: d("2026-12-31"), Restriction: []string{f.C1}}
	if _, err := cat.Check(good); err != nil {
		t.Fatalf("good mandate refused: %v", err)
	}
	for _, c := range []struct {
		name, key string
		edit      func(m *Mandate)
	}{
		{"end before start", "mandate.error.end_before_start", func(m *Mandate) { m.End = d("2025-12-31") }},
		{"longer than 25 years", "mandate.error.too_long", func(m *Mandate) { m.End = d("2051-01-02") }},
		{"unknown issue", "mandate.error.issue", func(m *Mandate) { m.Issues = []string{"pensions"} }},
		{"no issues", "mandate.error.no_issues", func(m *Mandate) { m.Issues = nil }},
		{"malformed business ID", "mandate.error.business_id", func(m *Mandate) { m.Principal = Org("0737546-1") }},
		{"malformed identity code", "mandate.error.identity_code", func(m *Mandate) { m.Agent = Pers("131052-308U") }},
		{"specifier on a transaction mandate", "mandate.error.specifier_type", func(m *Mandate) { m.Type = Transaction }},
		{"specifier on a right to grant", "mandate.error.specifier_type", func(m *Mandate) { m.Type = Grant }},
		{"specifier not a business ID", "mandate.error.specifier_business_id", func(m *Mandate) { m.Restriction = []string{"abc"} }},
		{"specifier too long", "mandate.error.specifier", func(m *Mandate) { m.Restriction = []string{strings.Repeat("1", 21)} }},
		{"mixed specifier kinds", "mandate.error.specifier_mixed", func(m *Mandate) { m.Issues = []string{"employer_benefits", "occupational_healthcare"} }},
		{"unknown type", "mandate.error.type", func(m *Mandate) { m.Type = "proxy" }},
		{"representation from a person", "mandate.error.representation_principal", func(m *Mandate) { m.Principal = Pers(f.P[2]) }},
		{"to oneself", "mandate.error.self", func(m *Mandate) { m.Agent = Org(f.F) }},
	} {
		m := good
		m.Restriction = slices.Clone(good.Restriction)
		c.edit(&m)
		_, err := cat.Check(m)
		if err == nil || !strings.Contains(err.Error(), c.key) {
			t.Errorf("%s: got %v, want %s", c.name, err, c.key)
		}
	}
	ok := good
	ok.End = d("2051-01-01")
	if _, err := cat.Check(ok); err != nil {
		t.Errorf("exactly 25 years refused: %v", err)
	}
}
