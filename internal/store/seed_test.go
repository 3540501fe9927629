package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/demo"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/org"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

func TestSeedReferenceAndDemo(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		units, contacts, err := org.Reference()
		if err != nil {
			t.Fatal(err)
		}
		// Twice: the second run updates in place.
		for i := 0; i < 2; i++ {
			if err := db.SeedReference(ctx, units, contacts); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.Units(ctx)
		if err != nil || len(got) != len(units) {
			t.Fatalf("Units = %d, %v; want %d", len(got), err, len(units))
		}
		if got[0].ID != units[0].ID || got[0].Name("sv") != units[0].Names["sv"] {
			t.Errorf("first unit = %+v; want %+v", got[0], units[0])
		}
		gotContacts, err := db.Contacts(ctx)
		if err != nil || len(gotContacts) != len(contacts) {
			t.Fatalf("Contacts = %d, %v; want %d", len(gotContacts), err, len(contacts))
		}
		if gotContacts[0] != contacts[0] {
			t.Errorf("first contact = %+v; want %+v", gotContacts[0], contacts[0])
		}

		d, err := demo.Set()
		if err != nil {
			t.Fatal(err)
		}
		seeded, err := db.SeedDemo(ctx, d)
		if err != nil || !seeded {
			t.Fatalf("SeedDemo = %v, %v; want true", seeded, err)
		}
		again, _ := demo.Set()
		seeded, err = db.SeedDemo(ctx, again)
		if err != nil || seeded {
			t.Fatalf("second SeedDemo = %v, %v; want false, nil", seeded, err)
		}
		p, err := db.PersonByHETU(ctx, d.Persons[0].HETU)
		if err != nil {
			t.Fatal(err)
		}
		if p.ID != d.Persons[0].ID || p.BirthDate != d.Persons[0].BirthDate || !p.Demo {
			t.Errorf("PersonByHETU = %+v; want %+v", p, d.Persons[0])
		}
		if _, err := db.PersonByHETU(ctx, "131052-308T"); !fault.Is(err, fault.NotFound) {
			t.Errorf("unknown person: err = %v; want NotFound", err)
		}
		dup := customer.Person{HETU: d.Persons[0].HETU, GivenName: "X", FamilyName: "Y"}
		if err := db.CreatePerson(ctx, &dup); !fault.Is(err, fault.Conflict) {
			t.Errorf("duplicate identity code: err = %v; want Conflict", err)
		}
		s, err := db.StaffBySubject(ctx, "test-staff:staff-anna")
		if err != nil || s.UnitID != "recovery" {
			t.Errorf("StaffBySubject = %+v, %v", s, err)
		}
		o, err := db.OrganisationByBusinessID(ctx, d.Organisations[0].BusinessID)
		if err != nil || o.Name != d.Organisations[0].Name {
			t.Errorf("OrganisationByBusinessID = %+v, %v", o, err)
		}
	})
}

// A folder name with '#' or '%' (Go's fuzzing names temp folders with
// '#') is a path, not the end of one: the database is the file there.
func TestOpenPathWithHash(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a#b%20c")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), filepath.Join(dir, "etuus.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "etuus.db")); err != nil {
		t.Errorf("the database is not where it was asked to be: %v", err)
	}
}

// The work queue's counts are the lists' lengths, capped at the limit
// given; the page lists the oldest of each and says how many wait.
func TestWaitingCounts(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC) }
		rec := recoveryOn(db)
		for i, code := range []string{"010403A998U", "100871-998D", "211190-998C"} {
			p := customer.Person{HETU: code, GivenName: "P", FamilyName: strconv.Itoa(i)}
			exMust(t, db.CreatePerson(ctx, &p))
			c := recovery.Claim{PersonID: p.ID, Kind: recovery.Overpayment, Principal: 50000, DueDate: civil.New(2026, 12, 20)}
			exMust(t, db.CreateClaim(ctx, &c))
			_, err := rec.ProposePlan(ctx, access.AsCustomer(p.ID), c.ID, recovery.PlanRequest{MonthlyCents: 5000, FirstDue: civil.New(2026, 12, 15)}, "")
			exMust(t, err)
			if i == 0 {
				cs := recovery.Claim{PersonID: p.ID, Kind: recovery.ChildSupport, Principal: 85000, DueDate: civil.New(2026, 12, 20)}
				exMust(t, db.CreateClaim(ctx, &cs))
				_, err := rec.ApplyExemption(ctx, access.AsCustomer(p.ID), cs.ID, recovery.ExemptionRequest{Kind: recovery.ExemptStateShare,
					MonthlyIncomeCents: 90000, Children: 2, From: civil.New(2026, 9, 1), Reason: "Out of work."})
				exMust(t, err)
			}
		}
		w, err := db.Recovery().WaitingCounts(ctx, 1000)
		if err != nil || w != (recovery.Waiting{Proposals: 3, Exemptions: 1}) {
			t.Errorf("WaitingCounts(1000) = %+v %v; want 3 proposals and 1 application", w, err)
		}
		w, err = db.Recovery().WaitingCounts(ctx, 2)
		if err != nil || w != (recovery.Waiting{Proposals: 2, Exemptions: 1}) {
			t.Errorf("WaitingCounts(2) = %+v %v; want the proposals capped at 2", w, err)
		}
		q, err := rec.WorkQueue(ctx, specialist, 1)
		if err != nil || len(q.Proposals) != 1 || q.Waiting.Proposals != 3 {
			t.Errorf("WorkQueue(1) = %d proposals of %d waiting, %v; want 1 of 3", len(q.Proposals), q.Waiting.Proposals, err)
		}
	})
}
