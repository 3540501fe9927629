package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/store"
)

// auditLog is a database whose audit log holds ten entries keyed with the
// key of dir/audit.hmac, and a checkpoint of them in dir/checkpoints.
type auditLog struct {
	dir, db string
}

func (l auditLog) keyFlags() []string {
	return []string{"--db", l.db, "--audit-key-file", filepath.Join(l.dir, "audit.hmac")}
}

func (l auditLog) verify(t *testing.T, withCheckpoint bool) (int, string, string) {
	args := append([]string{"audit", "verify"}, l.keyFlags()...)
	if withCheckpoint {
		args = append(args, "--checkpoint-file", filepath.Join(l.dir, "checkpoints"), "--verify-key", filepath.Join(l.dir, "checkpoint.pub"))
	}
	return runCmd(t, args...)
}

// exec changes the log behind the application's back, as someone with
// the database's credentials would: the append-only guards dropped first.
func (l auditLog) exec(t *testing.T, stmts ...string) {
	t.Helper()
	db, err := store.Open(context.Background(), l.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range append([]string{`DROP TRIGGER IF EXISTS audit_log_no_update`, `DROP TRIGGER IF EXISTS audit_log_no_delete`}, stmts...) {
		if _, err := db.SQL().Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// rehash recomputes every hash from entry from on with the key (the zero
// Key for plain hashes), as a forger covering a change would.
func (l auditLog) rehash(t *testing.T, from int64, k audit.Key) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, l.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var es []audit.Entry
	db.Scan(ctx, func(e audit.Entry) error { es = append(es, e); return nil })
	prev := audit.Genesis
	for _, e := range es {
		if e.Seq >= from {
			e.PrevHash = prev
			audit.Seal(k, &e)
			if _, err := db.SQL().Exec(`UPDATE audit_log SET prev_hash = $1, hash = $2, key_id = $3 WHERE seq = $4`, e.PrevHash, e.Hash, e.KeyID, e.Seq); err != nil {
				t.Fatal(err)
			}
		}
		prev = e.Hash
	}
}

func newAuditLog(t *testing.T) auditLog {
	t.Helper()
	l := auditLog{dir: t.TempDir()}
	l.db = filepath.Join(l.dir, "etuus.db")
	if code, _, errs := runCmd(t, "audit", "keygen", "--out", l.dir); code != 0 {
		t.Fatalf("keygen: %s", errs)
	}
	if code, _, errs := runCmd(t, append([]string{"migrate"}, l.keyFlags()...)...); code != 0 {
		t.Fatalf("migrate: %s", errs)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, l.db)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(filepath.Join(l.dir, "audit.hmac"))
	keys, err := audit.ReadKeys(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	db.SetAuditKey(keys[0])
	for i := 0; i < 10; i++ {
		if err := db.Append(ctx, audit.Entry{ActorKind: audit.ActorStaff, ActorID: "s1", Action: "staff.view_customer", SubjectID: "p1"}); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	if code, out, errs := runCmd(t, "audit", "checkpoint", "--db", l.db, "--checkpoint-file", filepath.Join(l.dir, "checkpoints"),
		"--signing-key", filepath.Join(l.dir, "checkpoint.key")); code != 0 || !strings.Contains(out, `"seq":10`) {
		t.Fatalf("checkpoint: %d %q %q", code, out, errs)
	}
	return l
}

// TestAuditTampering: each of the security probe's four tamperings — edit,
// delete in the middle, delete the tail, forge and rehash — and a wrong key
// is reported by etuus audit verify, exit 1.
func TestAuditTampering(t *testing.T) {
	if code, out, errs := newAuditLog(t).verify(t, true); code != 0 || !strings.Contains(out, "intact: 10 entries; reaches the checkpoint") {
		t.Fatalf("untouched: %d %q %q", code, out, errs)
	}
	cases := []struct {
		name   string
		tamper func(t *testing.T, l auditLog)
		// noCheckpoint: found by the keyed chain alone.
		noCheckpoint bool
		want         string
	}{
		{"edit", func(t *testing.T, l auditLog) { l.exec(t, `UPDATE audit_log SET actor_id = 's2' WHERE seq = 4`) }, true, "entry 4: content does not match its keyed hash"},
		{"delete in the middle", func(t *testing.T, l auditLog) { l.exec(t, `DELETE FROM audit_log WHERE seq = 4`) }, true, "entry 4: missing"},
		{"delete the tail", func(t *testing.T, l auditLog) { l.exec(t, `DELETE FROM audit_log WHERE seq > 7`) }, false, "entries 8 to 10 were removed"},
		{"forge and rehash without the key", func(t *testing.T, l auditLog) {
			l.exec(t, `UPDATE audit_log SET subject_id = 'p2' WHERE seq = 5`)
			l.rehash(t, 5, audit.Key{})
		}, true, "entry 5: an entry without the key after keyed entries"},
		{"forge and rehash with another key", func(t *testing.T, l auditLog) {
			l.exec(t, `UPDATE audit_log SET subject_id = 'p2' WHERE seq = 5`)
			k, _ := audit.NewKey([]byte(strings.Repeat("k", 32)))
			l.rehash(t, 5, k)
		}, true, "entry 5: hashed with key"},
		{"rewrite with the key, by an insider", func(t *testing.T, l auditLog) {
			f, _ := os.Open(filepath.Join(l.dir, "audit.hmac"))
			keys, _ := audit.ReadKeys(f)
			f.Close()
			l.exec(t, `UPDATE audit_log SET subject_id = 'p2' WHERE seq = 5`)
			l.rehash(t, 5, keys[0])
		}, false, "the chain was rewritten: entry 10's hash differs from the checkpoint"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := newAuditLog(t)
			c.tamper(t, l)
			code, out, errs := l.verify(t, true)
			if code != 1 || !strings.Contains(errs, c.want) {
				t.Errorf("verify with the checkpoint: %d %q %q; want exit 1 with %q", code, out, errs, c.want)
			}
			code, _, errs = l.verify(t, false)
			if c.noCheckpoint && (code != 1 || !strings.Contains(errs, c.want)) {
				t.Errorf("verify without the checkpoint: %d %q; want exit 1 with %q", code, errs, c.want)
			}
			if !c.noCheckpoint && code != 0 {
				t.Errorf("the chain alone should not show this (%d %q): the checkpoint is what finds it", code, errs)
			}
		})
	}
	t.Run("a wrong key", func(t *testing.T) {
		l := newAuditLog(t)
		other := t.TempDir()
		runCmd(t, "audit", "keygen", "--out", other)
		code, _, errs := runCmd(t, "audit", "verify", "--db", l.db, "--audit-key-file", filepath.Join(other, "audit.hmac"))
		if code != 1 || !strings.Contains(errs, "a wrong or missing audit key") {
			t.Errorf("verify with another key: %d %q", code, errs)
		}
	})
	t.Run("a forged checkpoint", func(t *testing.T) {
		l := newAuditLog(t)
		cp := filepath.Join(l.dir, "checkpoints")
		b, _ := os.ReadFile(cp)
		os.WriteFile(cp, []byte(strings.Replace(string(b), `"seq":10`, `"seq":9`, 1)), 0o600)
		if code, _, errs := l.verify(t, true); code != 1 || !strings.Contains(errs, "signature does not match") {
			t.Errorf("verify with a forged checkpoint: %d %q", code, errs)
		}
	})
	t.Run("bad settings", func(t *testing.T) {
		l := newAuditLog(t)
		bad := filepath.Join(l.dir, "short.hmac")
		os.WriteFile(bad, []byte("c2hvcnQ=\n"), 0o600)
		for _, args := range [][]string{
			{"audit", "verify", "--db", l.db, "--audit-key-file", bad},
			{"audit", "verify", "--db", l.db, "--audit-key-file", filepath.Join(l.dir, "missing")},
			{"audit", "verify", "--db", l.db, "--checkpoint-file", filepath.Join(l.dir, "checkpoints")},
			{"audit", "checkpoint", "--db", l.db, "--checkpoint-file", filepath.Join(l.dir, "c2"), "--signing-key", filepath.Join(l.dir, "checkpoint.pub")},
			{"audit", "keygen", "--out", l.dir},
		} {
			if code, _, errs := runCmd(t, args...); code == 0 || errs == "" {
				t.Errorf("%v: exit %d %q; want a refusal naming what is wrong", args, code, errs)
			}
		}
	})
}
