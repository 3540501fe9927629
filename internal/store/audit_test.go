package store_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func TestAuditChain(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for i := 0; i < 5; i++ {
			err := db.Append(ctx, audit.Entry{ActorKind: audit.ActorStaff, ActorID: "s1", Action: "staff.view_customer", SubjectID: "p1", Object: "person:p1"})
			if err != nil {
				t.Fatal(err)
			}
		}
		n, err := audit.Verify(ctx, db)
		if err != nil || n != 5 {
			t.Fatalf("Verify = %d, %v; want 5, nil", n, err)
		}
		got, err := db.AuditForSubject(ctx, "p1", 10)
		if err != nil || len(got) != 5 || got[0].Seq != 5 {
			t.Fatalf("AuditForSubject = %d entries (first %+v), %v", len(got), got, err)
		}

		// The log refuses changes through SQL, so a tamperer must first
		// remove the guard; Verify must still notice.
		if _, err := db.SQL().Exec(`UPDATE audit_log SET detail = 'x' WHERE seq = 3`); err == nil {
			t.Fatal("UPDATE on audit_log succeeded; want append-only refusal")
		}
		if _, err := db.SQL().Exec(`DELETE FROM audit_log WHERE seq = 3`); err == nil {
			t.Fatal("DELETE on audit_log succeeded; want append-only refusal")
		}
		dropGuards(t, db)
		if _, err := db.SQL().Exec(`UPDATE audit_log SET actor_id = 'someone-else' WHERE seq = 3`); err != nil {
			t.Fatal(err)
		}
		_, err = audit.Verify(ctx, db)
		var broken *audit.BrokenError
		if !errors.As(err, &broken) || broken.Seq != 3 {
			t.Fatalf("Verify after tampering = %v; want broken at 3", err)
		}
	})
}

func TestAuditDetectsMissingEntry(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for i := 0; i < 4; i++ {
			if err := db.Append(ctx, audit.Entry{ActorKind: audit.ActorSystem, ActorID: "x", Action: "test"}); err != nil {
				t.Fatal(err)
			}
		}
		dropGuards(t, db)
		if _, err := db.SQL().Exec(`DELETE FROM audit_log WHERE seq = 2`); err != nil {
			t.Fatal(err)
		}
		_, err := audit.Verify(ctx, db)
		var broken *audit.BrokenError
		if !errors.As(err, &broken) || broken.Seq != 2 {
			t.Fatalf("Verify after deletion = %v; want broken at 2", err)
		}
	})
}

func dropGuards(t *testing.T, db *store.DB) {
	t.Helper()
	stmts := []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`}
	if db.Dialect() == "postgres" {
		stmts = []string{`DROP TRIGGER audit_log_no_change ON audit_log`}
	}
	for _, s := range stmts {
		if _, err := db.SQL().Exec(s); err != nil {
			t.Fatal(err)
		}
	}
}
