package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/auth"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/org"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

func TestSignInService(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		units, contacts, err := org.Reference()
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SeedReference(ctx, units, contacts); err != nil {
			t.Fatal(err)
		}
		svc := auth.NewService(db, auth.Timeouts{Idle: 30 * time.Minute, Absolute: 12 * time.Hour, Warn: 2 * time.Minute})
		svc.SetClock(func() time.Time { return now })

		citizen := auth.Identity{Provider: "test-citizen", Kind: auth.Citizen, Subject: "s1", HETU: "010403A998U", GivenName: "Maija", FamilyName: "M"}
		first, err := svc.SignIn(ctx, citizen, "hash-1", "")
		if err != nil {
			t.Fatal(err)
		}
		again, err := svc.SignIn(ctx, citizen, "hash-2", "")
		if err != nil || again.PersonID != first.PersonID || again.ID == first.ID {
			t.Fatalf("second sign-in: %+v %v; want the same person, a new session", again, err)
		}
		got, err := svc.Session(ctx, "hash-1")
		if err != nil || got.PersonID != first.PersonID || got.Name != "Maija M" {
			t.Fatalf("session by token: %+v %v", got, err)
		}

		// An eIDAS identity linked by staff acts for the linked record.
		eidas := auth.Identity{Provider: "test-eidas", Kind: auth.EIDAS, Subject: "e1", EIDASCountry: "EE", EIDASID: "EE/FI/1", GivenName: "Kati", FamilyName: "T"}
		e1, err := svc.SignIn(ctx, eidas, "hash-3", "")
		if err != nil || e1.PersonID == first.PersonID {
			t.Fatalf("eIDAS: %+v %v", e1, err)
		}
		if _, err := db.SQL().ExecContext(ctx, `UPDATE persons SET linked_person_id = $1 WHERE id = $2`, first.PersonID, e1.PersonID); err != nil {
			t.Fatal(err)
		}
		if e2, err := svc.SignIn(ctx, eidas, "hash-4", ""); err != nil || e2.PersonID != first.PersonID {
			t.Fatalf("linked eIDAS sign-in acts for %q (%v); want %q", e2.PersonID, err, first.PersonID)
		}

		// A new family name at the provider is the customer's from this
		// sign-in on, audited without the names; a linked eIDAS sign-in
		// with other names leaves the linked record alone.
		married := citizen
		married.FamilyName = "Virtanen"
		if s, err := svc.SignIn(ctx, married, "hash-4b", ""); err != nil || s.Name != "Maija Virtanen" {
			t.Fatalf("after a name change: %+v %v", s, err)
		}
		eidas.FamilyName = "Tamm"
		if s, err := svc.SignIn(ctx, eidas, "hash-4c", ""); err != nil || s.Name != "Maija Virtanen" {
			t.Fatalf("linked sign-in renamed the record: %+v %v", s, err)
		}
		var n int
		var detail string
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*), MAX(detail) FROM audit_log WHERE action = 'person.names-refreshed' AND subject_id = $1`, first.PersonID).Scan(&n, &detail); err != nil {
			t.Fatal(err)
		}
		if n != 1 || detail != "provider=test-citizen changed=family_name" {
			t.Errorf("name refresh audited %d times, detail %q", n, detail)
		}

		// Staff take the unit and role of each sign-in.
		staff := auth.Identity{Provider: "test-staff", Kind: auth.Staff, Subject: "anna", GivenName: "Anna", FamilyName: "A", UnitID: "recovery", Role: "specialist"}
		s1, err := svc.SignIn(ctx, staff, "hash-5", "")
		if err != nil {
			t.Fatal(err)
		}
		staff.UnitID, staff.Role = "international", "manager"
		s2, err := svc.SignIn(ctx, staff, "hash-6", "")
		if err != nil || s2.StaffID != s1.StaffID || s2.UnitID != "international" || s2.Role != "manager" {
			t.Fatalf("staff moved: %+v %v", s2, err)
		}

		// Idle past the timeout: the session ends.
		now = now.Add(31 * time.Minute)
		if _, err := svc.Session(ctx, "hash-1"); !fault.Is(err, fault.NotFound) {
			t.Errorf("idle session: %v; want NotFound", err)
		}
		// A sign-in flow is taken once, and not after it expired.
		f := auth.LoginFlow{Provider: "test-citizen", State: "st", ExpiresAt: now.Add(time.Minute)}
		if err := svc.StartLogin(ctx, "flow-1", f); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.TakeLogin(ctx, "flow-1"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.TakeLogin(ctx, "flow-1"); !fault.Is(err, fault.NotFound) {
			t.Errorf("flow taken twice: %v", err)
		}
		svc.StartLogin(ctx, "flow-2", f)
		now = now.Add(2 * time.Minute)
		if _, err := svc.TakeLogin(ctx, "flow-2"); !fault.Is(err, fault.NotFound) {
			t.Errorf("expired flow: %v", err)
		}
	})
}

// A sign-in Replacing the browser's previous token ends that session in
// its own transaction, whoever it belonged to.
func TestSignInReplacing(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		units, contacts, err := org.Reference()
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SeedReference(ctx, units, contacts); err != nil {
			t.Fatal(err)
		}
		svc := auth.NewService(db, auth.Timeouts{Idle: 30 * time.Minute, Absolute: 12 * time.Hour, Warn: 2 * time.Minute})
		maija := auth.Identity{Provider: "test-citizen", Kind: auth.Citizen, Subject: "s1", HETU: "010403A998U", GivenName: "Maija", FamilyName: "M"}
		matti := auth.Identity{Provider: "test-citizen", Kind: auth.Citizen, Subject: "s2", HETU: "131052-308T", GivenName: "Matti", FamilyName: "M"}
		if _, err := svc.SignIn(ctx, maija, "old", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SignIn(ctx, matti, "new", "", auth.Replacing("old")); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Session(ctx, "old"); !fault.Is(err, fault.NotFound) {
			t.Errorf("the replaced session: %v; want NotFound", err)
		}
		if _, err := svc.Session(ctx, "new"); err != nil {
			t.Errorf("the new session: %v", err)
		}
		// Replacing a token that names no session is no error.
		if _, err := svc.SignIn(ctx, maija, "newer", "", auth.Replacing("never-issued")); err != nil {
			t.Errorf("replacing nothing: %v", err)
		}
	})
}

// Anonymous sign-in starts cannot fill login_flows: each save deletes a
// bounded batch of expired flows first, without anyone signing out.
func TestLoginFlowsPurgedOnSave(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		flow := func(i int, expires time.Time) auth.LoginFlow {
			return auth.LoginFlow{Provider: "p", State: fmt.Sprint("s", i), Nonce: "n", Verifier: "v", Next: "/", ExpiresAt: expires}
		}
		count := func() int {
			var n int
			if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM login_flows`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		// 40 flows started and abandoned ten minutes before now.
		db.Now = func() time.Time { return now.Add(-10 * time.Minute) }
		for i := range 40 {
			if err := db.SaveLoginFlow(ctx, fmt.Sprintf("old-%d", i), flow(i, now.Add(-time.Second))); err != nil {
				t.Fatal(err)
			}
		}
		db.Now = func() time.Time { return now }
		if err := db.SaveLoginFlow(ctx, "live-0", flow(0, now.Add(10*time.Minute))); err != nil {
			t.Fatal(err)
		}
		if n := count(); n >= 41 || n <= 1 {
			t.Errorf("after one save, %d flows; want some but not all 40 expired ones deleted (a bounded batch)", n)
		}
		for i := 1; i < 5; i++ {
			if err := db.SaveLoginFlow(ctx, fmt.Sprintf("live-%d", i), flow(i, now.Add(10*time.Minute))); err != nil {
				t.Fatal(err)
			}
		}
		if n := count(); n != 5 {
			t.Errorf("after five saves, %d flows; want the 5 live ones", n)
		}
		if _, err := db.TakeLoginFlow(ctx, "live-3"); err != nil {
			t.Errorf("a live flow was deleted: %v", err)
		}
	})
}
