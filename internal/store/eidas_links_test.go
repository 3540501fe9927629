package store_test

import (
	"context"
	"testing"

	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// TestLinksBeforeFourEyes: migration 00020 turns each link made by one
// person before four eyes into an approved link, which staff can list and
// undo.
func TestLinksBeforeFourEyes(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.MigrateTo(ctx, 19); err != nil {
			t.Fatal(err)
		}
		matti := customer.Person{HETU: "100871-998D", GivenName: "Matti", FamilyName: "Virtanen", BirthDate: civil.New(1971, 8, 10)}
		kati := customer.Person{EIDASCountry: "EE", EIDASID: "EE/FI/49001010099", GivenName: "Kati", FamilyName: "Tamm", BirthDate: civil.New(1990, 1, 1)}
		lone := customer.Person{EIDASCountry: "ES", EIDASID: "ES/FI/99999999R", GivenName: "Lucía", FamilyName: "García", BirthDate: civil.New(1985, 5, 12)}
		for _, p := range []*customer.Person{&matti, &kati, &lone} {
			if err := db.CreatePerson(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		err := db.Customers().InTx(ctx, func(tx customer.Tx) error { return tx.LinkEIDAS(ctx, kati.ID, matti.ID) })
		if err != nil {
			t.Fatal(err)
		}
		if err := db.MigrateTo(ctx, 20); err != nil {
			t.Fatal(err)
		}
		ls, err := db.Customers().Links(ctx, customer.LinkApproved, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ls) != 1 || ls[0].EIDASPersonID != kati.ID || ls[0].PersonID != matti.ID || ls[0].Target.Name() != "Matti Virtanen" {
			t.Fatalf("links after the migration: %+v", ls)
		}
		if err := db.MigrateTo(ctx, 1<<40); err != nil {
			t.Fatal(err)
		}
	})
}
