package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/desk"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/hetu"
	"github.com/etuus/etuus/internal/org"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// TestDeskSearchViewAndAccessLog: a specialist finds a customer each way,
// opens the 360 view with a purpose, and the customer reads that look in
// their access log with unit, role and purpose and never a name.
func TestDeskSearchViewAndAccessLog(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) }
		born := civil.New(1990, 1, 1)
		code := func(n int) string { return must(hetu.Make(born, n, '-')).String() }
		matti := customer.Person{HETU: code(990), GivenName: "Matti Juhani", FamilyName: "Virtanen", BirthDate: born}
		maija := customer.Person{HETU: code(991), GivenName: "Maija", FamilyName: "Virtanen-Korhonen", BirthDate: born}
		other := customer.Person{HETU: "100871-998D", GivenName: "Matti", FamilyName: "Virtanen", BirthDate: civil.New(1971, 8, 10)}
		kati := customer.Person{EIDASCountry: "EE", EIDASID: "EE/FI/49001010099", GivenName: "Kati", FamilyName: "Tamm", BirthDate: born}
		for _, p := range []*customer.Person{&matti, &maija, &other, &kati} {
			exMust(t, db.CreatePerson(ctx, p))
		}
		claim := recovery.Claim{PersonID: matti.ID, Kind: recovery.Overpayment, Principal: 50000, DueDate: civil.New(2026, 4, 1)}
		exMust(t, db.CreateClaim(ctx, &claim))
		units, contacts, err := org.Reference()
		exMust(t, err)
		exMust(t, db.SeedReference(ctx, units, contacts))
		exMust(t, db.UpsertStaff(ctx, &org.Staff{ID: "staff-1", Subject: "s1", GivenName: "Anna", FamilyName: "Asiantuntija", UnitID: "recovery", Role: "specialist"}))

		svc := desk.NewService(db.Desk(), nil)
		search := func(text, birth string) []string {
			t.Helper()
			q, err := desk.ParseQuery(text, birth, 0)
			if err != nil {
				t.Fatalf("ParseQuery(%q): %v", text, err)
			}
			res, err := svc.Search(ctx, specialist, q)
			if err != nil {
				t.Fatalf("Search(%q): %v", text, err)
			}
			var names []string
			for _, m := range res.Matches {
				names = append(names, m.Name)
			}
			return names
		}
		for _, c := range []struct{ text, birth, want string }{
			{matti.HETU, "", "Matti Juhani Virtanen"},
			{strings.ToLower(matti.HETU), "", "Matti Juhani Virtanen"},
			{"virtanen", "1.1.1990", "Matti Juhani Virtanen,Maija Virtanen-Korhonen"},
			{"Matti Virt", "1990-01-01", "Matti Juhani Virtanen"},
			{"korhonen", "1.1.1990", "Maija Virtanen-Korhonen"},
			{"Nobody", "1.1.1990", ""},
			{"EE/FI/49001010099", "", "Kati Tamm"},
			{claim.Reference.String(), "", "Matti Juhani Virtanen"},
			{claim.ID, "", "Matti Juhani Virtanen"},
			{code(992), "", ""},
		} {
			if got := strings.Join(search(c.text, c.birth), ","); got != c.want {
				t.Errorf("search %q %q = %q, want %q", c.text, c.birth, got, c.want)
			}
		}

		// A linked eIDAS identity finds the customer record it acts for.
		exMust(t, db.Customers().InTx(ctx, func(tx customer.Tx) error { return tx.LinkEIDAS(ctx, kati.ID, other.ID) }))
		if got := strings.Join(search("EE/FI/49001010099", ""), ","); got != "Matti Virtanen" {
			t.Errorf("linked eIDAS search = %q", got)
		}

		// Without a purpose nothing is read or written.
		if _, err := svc.Open(ctx, specialist, matti.ID, desk.Purpose{}); fault.FieldOf(err) != "purpose" {
			t.Fatalf("Open without purpose = %v", err)
		}
		if _, err := svc.Open(ctx, specialist, matti.ID, desk.Purpose{Topic: "other"}); fault.FieldOf(err) != "purpose_text" {
			t.Fatalf("Open other without text = %v", err)
		}
		v, err := svc.Open(ctx, specialist, matti.ID, desk.Purpose{Topic: "phone"})
		if err != nil {
			t.Fatal(err)
		}
		if !v.ClaimsShown || len(v.Claims) != 1 || v.Claims[0].ID != claim.ID || v.Reach != desk.ReachNoChannel || v.Masked != matti.HETU[:7]+"****" {
			t.Errorf("view = %+v", v)
		}
		// A unit whose role shows no claims sees the section hidden.
		cc := access.AsStaff("staff-3", "cs-helsinki", "specialist")
		if v, err := svc.Open(ctx, cc, matti.ID, desk.Purpose{Topic: "other", Text: "  asked   about a letter "}); err != nil || v.ClaimsShown || v.Claims != nil || v.Purpose.Text != "asked about a letter" {
			t.Errorf("cs-helsinki view = %+v, %v", v, err)
		}
		if _, err := svc.Open(ctx, access.AsStaff("staff-4", "shared-services", "operations"), matti.ID, desk.Purpose{Topic: "phone"}); !fault.Is(err, fault.Forbidden) {
			t.Errorf("operations Open = %v", err)
		}
		if _, err := svc.Open(ctx, specialist, "no-such-person", desk.Purpose{Topic: "phone"}); !fault.Is(err, fault.NotFound) {
			t.Errorf("Open of nobody = %v", err)
		}

		// The customer's log: newest first, unit, role, purpose.
		log, err := svc.AccessLog(ctx, access.AsCustomer(matti.ID), matti.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range log.Entries {
			got = append(got, e.Action+" "+e.Unit+" "+e.Role+" "+e.Purpose.Topic+" "+e.Purpose.Text)
		}
		want := []string{
			"desk.view_customer cs-helsinki specialist other asked about a letter",
			"desk.view_customer recovery specialist phone ",
			"desk.search_match recovery specialist search_reference ",
			"desk.search_match recovery specialist search_reference ",
			"desk.search_match recovery specialist search_name ",
			"desk.search_match recovery specialist search_name ",
			"desk.search_match recovery specialist search_hetu ",
			"desk.search_match recovery specialist search_hetu ",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("access log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		// Views of many customers (a queue page) are in the log too, and
		// the log pages through entries and views without loss or repeat.
		for i := 0; i < 30; i++ {
			if err := db.Append(ctx, audit.View(audit.ActorStaff, "staff-1", "staff.view_recovery_queue", []string{matti.ID, other.ID})); err != nil {
				t.Fatal(err)
			}
			if err := db.Append(ctx, audit.Entry{ActorKind: audit.ActorStaff, ActorID: "staff-1", Action: "thread.read", SubjectID: matti.ID}); err != nil {
				t.Fatal(err)
			}
		}
		seen, pages, cursor := map[string]int{}, 0, ""
		for {
			lp, err := svc.AccessLog(ctx, access.AsCustomer(matti.ID), matti.ID, cursor)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, e := range lp.Entries {
				seen[e.Action]++
			}
			if lp.Next == "" || pages > 5 {
				break
			}
			cursor = lp.Next
		}
		if seen["staff.view_recovery_queue"] != 30 || seen["thread.read"] != 30 || seen["desk.view_customer"] != 2 || pages != 2 {
			t.Errorf("paging the log with views: %v in %d pages", seen, pages)
		}
		for _, bad := range []string{"x", "1.2", "-1.0.", "1.5.", "1.0.v"} {
			if _, err := svc.AccessLog(ctx, access.AsCustomer(matti.ID), matti.ID, bad); !fault.Is(err, fault.NotFound) {
				t.Errorf("cursor %q: %v", bad, err)
			}
		}
		if _, err := svc.AccessLog(ctx, access.AsCustomer(other.ID), matti.ID, ""); !fault.Is(err, fault.NotFound) {
			t.Errorf("another customer's log = %v", err)
		}
		if _, err := svc.AccessLog(ctx, specialist, matti.ID, ""); !fault.Is(err, fault.NotFound) {
			t.Errorf("staff reading the log = %v", err)
		}
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
