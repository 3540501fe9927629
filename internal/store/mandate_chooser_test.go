package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/mandate"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// referenceChooser is the chooser as it was before it built only the
// page's choices: every choice by Choices over the database's candidates,
// named, sorted by name in lower case (stable over business IDs),
// filtered, paged.
func referenceChooser(t *testing.T, db *store.DB, code, search string, page int) mandate.ChooserPage {
	t.Helper()
	ms, names, err := db.Mandates().ForChooser(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	all := mandate.Choices(code, ms, db.Now(), mandate.DefaultCatalogue())
	for i := range all {
		all[i].Name = names[all[i].BusinessID]
	}
	slices.SortStableFunc(all, func(a, b mandate.Choice) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	search = strings.ToLower(strings.TrimSpace(search))
	var hits []mandate.Choice
	for _, c := range all {
		if search == "" || strings.Contains(strings.ToLower(c.Name), search) || strings.Contains(c.BusinessID, search) {
			hits = append(hits, c)
		}
	}
	res := mandate.ChooserPage{All: len(all), Total: len(hits)}
	res.Pages = max(1, (len(hits)+mandate.ChooserSize-1)/mandate.ChooserSize)
	res.Page = min(max(page, 1), res.Pages)
	from := (res.Page - 1) * mandate.ChooserSize
	res.Items = hits[from:min(from+mandate.ChooserSize, len(hits))]
	return res
}

// TestMandateChooserRegisterAgreesWithDatabase: the chooser over the
// register in memory and over the database give the same pages — and the
// same as every choice built and then paged — for the demo register
// changed at random (new mandates to the demo people and firm, clients'
// mandates revoked, organisations renamed, in feeds imported one after
// another) and random searches, with the register never falling back.
func TestMandateChooserRegisterAgreesWithDatabase(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d, orgs := seedMandateDemo(t, db)
		dbSvc := mandateSvc(t, db)
		regSvc, reg := registerSvc(t, db)
		code := map[string]string{}
		for _, p := range d.Persons {
			code[p.ID] = p.HETU
		}
		people := []string{"demo-person-tuula", "demo-person-raili", "demo-person-eeva", "demo-person-teemu"}
		pool := make([]string, 30) // organisations of the random mandates
		for i := range pool {
			pool[i] = benchBusinessID(50_000 + i)
		}
		firms := []string{orgs.Firm, pool[0], pool[1]}
		// Names that tie in lower case, and letters ToLower changes.
		names := []string{"Alfa Oy", "alfa oy", "ÄIJÄ AB", "Beta", "beta", "Öljy Oy", "Asiakas 0001 Oy", ""}
		issues := mandate.DefaultCatalogue().Keys()
		today := civil.Today(db.Now())
		rnd := rand.New(rand.NewPCG(12, 3))
		var ids []string // mandates that may be revoked
		for i := 1; i <= 40; i++ {
			ids = append(ids, fmt.Sprintf("DEMO-CLIENT-%04d", i*97))
		}
		n := 0
		for round := range 3 {
			var feed strings.Builder
			put := func(m mandate.Mandate, principalName, agentName string) {
				feed.Write(mandate.EncodeLine(m, principalName, agentName))
				feed.WriteByte('\n')
			}
			name := func() string { return names[rnd.IntN(len(names)-1)] + fmt.Sprint(" ", rnd.IntN(3)) }
			for range 40 {
				n++
				id := fmt.Sprintf("R-%d", n)
				start := today.AddDays(-rnd.IntN(60))
				m := mandate.Mandate{ID: id, Issues: issues[rnd.IntN(len(issues)):], Start: start, End: start.AddDays(rnd.IntN(120))}
				if m.End.Before(today) {
					m.End = m.End.AddDays(60)
				}
				var agentName string
				switch rnd.IntN(3) {
				case 0: // a client to a firm
					m.Principal, m.Agent, m.Type = mandate.Org(pool[2+rnd.IntN(len(pool)-2)]), mandate.Org(firms[rnd.IntN(len(firms))]), mandate.Transaction
					agentName = "Tilitoimisto " + name()
				case 1: // an organisation to a person
					m.Principal, m.Agent, m.Type = mandate.Org(pool[2+rnd.IntN(len(pool)-2)]), mandate.Pers(code[people[rnd.IntN(len(people))]]), mandate.Transaction
				default: // a firm to a person, restricted at times
					m.Principal, m.Agent, m.Type = mandate.Org(firms[rnd.IntN(len(firms))]), mandate.Pers(code[people[rnd.IntN(len(people))]]), mandate.Representation
					if rnd.IntN(3) == 0 {
						m.Restriction = []string{pool[2+rnd.IntN(len(pool)-2)], orgs.Clients[rnd.IntN(50)]}
						m.Issues = slices.DeleteFunc(slices.Clone(m.Issues), func(k string) bool { return k == "occupational_healthcare" })
						if len(m.Issues) == 0 {
							m.Issues = []string{"employer_benefits"}
						}
					}
				}
				put(m, name(), agentName)
				ids = append(ids, id)
			}
			if round > 0 {
				// A revocation feed: clients' and random mandates.
				for range 15 {
					feed.WriteString(fmt.Sprintf(`{"id":%q,"op":"revoke"}`+"\n", ids[rnd.IntN(len(ids))]))
				}
			}
			if _, err := dbSvc.Import(ctx, access.AsSystem("cli"), strings.NewReader(feed.String())); err != nil {
				t.Fatal(err)
			}
			for _, p := range people {
				for _, search := range []string{"", " OY ", "äijä", pool[2+rnd.IntN(len(pool)-2)][:5], "asiakas 00"} {
					first, err := regSvc.Chooser(ctx, access.AsCustomer(p), search, 1)
					if err != nil {
						t.Fatal(err)
					}
					for _, page := range []int{1, 1 + rnd.IntN(first.Pages), first.Pages + 1} {
						want := referenceChooser(t, db, code[p], search, page)
						fromDB, err := dbSvc.Chooser(ctx, access.AsCustomer(p), search, page)
						if err != nil {
							t.Fatal(err)
						}
						fromReg, err := regSvc.Chooser(ctx, access.AsCustomer(p), search, page)
						if err != nil {
							t.Fatal(err)
						}
						if !reflect.DeepEqual(fromDB, want) {
							t.Fatalf("round %d, %s, %q, page %d: database path\n%+v\nwant\n%+v", round, p, search, page, fromDB, want)
						}
						if !reflect.DeepEqual(fromReg, want) {
							t.Fatalf("round %d, %s, %q, page %d: register path\n%+v\nwant\n%+v", round, p, search, page, fromReg, want)
						}
					}
				}
			}
		}
		if st := reg.Stats(); st.Fallbacks != 0 || st.Reads == 0 {
			t.Errorf("register %+v: the chooser fell back or never read changes", st)
		}
	})
}
