package audit

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestKeyedHash(t *testing.T) {
	k1, err := NewKey([]byte(strings.Repeat("a", 32)))
	if err != nil {
		t.Fatal(err)
	}
	k2, _ := NewKey([]byte(strings.Repeat("b", 32)))
	if _, err := NewKey([]byte("short")); err == nil {
		t.Error("a 5-byte key was accepted")
	}
	e := Entry{Seq: 1, At: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC), ActorKind: ActorStaff, ActorID: "s1", Action: "x", PrevHash: Genesis}
	plain := e
	Seal(Key{}, &plain)
	if plain.KeyID != "" || plain.Hash != Sum(e) {
		t.Errorf("Seal without a key = %+v", plain)
	}
	a, b := e, e
	Seal(k1, &a)
	Seal(k2, &b)
	if a.KeyID != k1.ID || a.Hash == b.Hash || a.Hash == plain.Hash || len(k1.ID) != 16 {
		t.Errorf("keyed hashes: %+v %+v", a, b)
	}
}

func TestReadKeys(t *testing.T) {
	good := "# current first\n" + strings.Repeat("QUFB", 11) + "\n\n" + strings.Repeat("QkJC", 11) + "==\n"
	keys, err := ReadKeys(strings.NewReader(good))
	if err != nil || len(keys) != 2 || keys[0].ID == keys[1].ID {
		t.Fatalf("ReadKeys = %v %v", keys, err)
	}
	for _, bad := range []string{"", "# only a comment\n", "not base64!\n", "c2hvcnQ=\n"} {
		if _, err := ReadKeys(strings.NewReader(bad)); err == nil {
			t.Errorf("ReadKeys(%q) accepted", bad)
		}
	}
}

func TestCheckpoint(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	cp := Sign(priv, 10, "abc", time.Now())
	line, _ := json.Marshal(cp)
	got, err := LastCheckpoint(strings.NewReader(`{"seq":1,"hash":"x","at":"2026-01-01T00:00:00Z","sig":"AA=="}` + "\n" + string(line) + "\n"))
	if err != nil || got.Seq != 10 || got.VerifySignature(pub) != nil {
		t.Fatalf("LastCheckpoint = %+v %v", got, err)
	}
	got.Seq = 11
	if got.VerifySignature(pub) == nil {
		t.Error("a changed checkpoint kept its signature")
	}
	hashAt := func(int64) (string, error) { return "abc", nil }
	if err := CheckAgainst(cp, 10, hashAt); err != nil {
		t.Errorf("the head at the checkpoint: %v", err)
	}
	if err := CheckAgainst(cp, 12, hashAt); err != nil {
		t.Errorf("a longer chain: %v", err)
	}
	if err := CheckAgainst(cp, 9, hashAt); err == nil {
		t.Error("a shorter chain passed")
	}
	if err := CheckAgainst(cp, 10, func(int64) (string, error) { return "abd", nil }); err == nil {
		t.Error("another hash at the checkpoint passed")
	}
}

func FuzzReadKeys(f *testing.F) {
	f.Add("# c\n" + strings.Repeat("QUFB", 11) + "\n")
	f.Add("=\n\n")
	f.Fuzz(func(t *testing.T, s string) {
		keys, err := ReadKeys(strings.NewReader(s))
		if err == nil && len(keys) == 0 {
			t.Error("no error and no key")
		}
		for _, k := range keys {
			if len(k.secret) < 32 || len(k.ID) != 16 {
				t.Errorf("a weak key was accepted: %d bytes", len(k.secret))
			}
		}
	})
}

func FuzzLastCheckpoint(f *testing.F) {
	f.Add(`{"seq":1,"hash":"x","at":"2026-01-01T00:00:00Z","sig":"AA=="}`)
	f.Add(`{"seq":-1}`)
	f.Fuzz(func(t *testing.T, s string) {
		cp, err := LastCheckpoint(strings.NewReader(s))
		if err == nil && (cp.Seq < 0 || cp.Sig == "") {
			t.Errorf("accepted %+v", cp)
		}
	})
}
