package audit

import (
	"bufio"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Key is a secret the chain's hashes are keyed with (HMAC-SHA256), kept in
// the configuration and never in the database: whoever can write the
// database but lacks the key cannot forge an entry and recompute the hashes
// after it.
type Key struct {
	// ID names the key in each entry it hashed: the first 16 hex digits of
	// the SHA-256 of the secret, which tells keys apart without revealing
	// them.
	ID     string
	secret []byte
}

// NewKey is the key with the secret, which must be at least 32 bytes.
func NewKey(secret []byte) (Key, error) {
	if len(secret) < 32 {
		return Key{}, fmt.Errorf("an audit key needs at least 32 bytes, got %d", len(secret))
	}
	h := sha256.Sum256(secret)
	return Key{ID: hex.EncodeToString(h[:8]), secret: append([]byte(nil), secret...)}, nil
}

// ReadKeys reads an audit key file: one key per line, base64 (standard or
// URL alphabet, padded or not) of at least 32 bytes; blank lines and lines
// starting with # are skipped. The first key hashes new entries; the others
// are earlier keys that verification still accepts (rotation: put the new
// key first and keep the old ones below it).
func ReadKeys(r io.Reader) ([]Key, error) {
	var keys []Key
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		b, err := decodeBase64(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: not base64", n)
		}
		k, err := NewKey(b)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		keys = append(keys, k)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, errors.New("no key in the file")
	}
	return keys, nil
}

func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if b, err := base64.RawStdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawURLEncoding.DecodeString(s)
}

// SumKeyed is the entry's hash under the key: HMAC-SHA256 over the same
// fields as Sum and the key's ID.
func SumKeyed(k Key, e Entry) string {
	m := hmac.New(sha256.New, k.secret)
	io.WriteString(m, canonical(e))
	io.WriteString(m, strconv.Itoa(len(k.ID))+":"+k.ID+"\n")
	return hex.EncodeToString(m.Sum(nil))
}

// Seal sets the entry's hash: keyed with k when k has an ID, else plain.
func Seal(k Key, e *Entry) {
	if k.ID == "" {
		e.KeyID, e.Hash = "", Sum(*e)
		return
	}
	e.KeyID, e.Hash = k.ID, SumKeyed(k, *e)
}

// Checkpoint is a signed statement of the chain's length and head at a
// moment, kept outside the database: verification against it finds entries
// removed from the end (the chain is shorter than the checkpoint) and a
// chain rewritten from some entry on (the checkpoint's entry has another
// hash), which the chain alone cannot show.
type Checkpoint struct {
	Seq  int64     `json:"seq"`
	Hash string    `json:"hash"`
	At   time.Time `json:"at"`
	// Sig is the Ed25519 signature of the other fields (Message), base64.
	Sig string `json:"sig"`
}

// Message is what a checkpoint's signature covers.
func (c Checkpoint) Message() []byte {
	return []byte(fmt.Sprintf("etuus audit checkpoint v1\n%d\n%s\n%s\n", c.Seq, c.Hash, c.At.UTC().Format(time.RFC3339Nano)))
}

// Sign makes the checkpoint of the head with the private key.
func Sign(priv ed25519.PrivateKey, seq int64, hash string, at time.Time) Checkpoint {
	c := Checkpoint{Seq: seq, Hash: hash, At: at.UTC()}
	c.Sig = base64.StdEncoding.EncodeToString(ed25519.Sign(priv, c.Message()))
	return c
}

// ErrBadSignature is a checkpoint whose signature the public key refuses.
var ErrBadSignature = errors.New("the checkpoint's signature does not match the public key")

// VerifySignature checks the checkpoint's signature.
func (c Checkpoint) VerifySignature(pub ed25519.PublicKey) error {
	sig, err := base64.StdEncoding.DecodeString(c.Sig)
	if err != nil || !ed25519.Verify(pub, c.Message(), sig) {
		return ErrBadSignature
	}
	return nil
}

// LastCheckpoint reads a checkpoint file (one JSON checkpoint per line,
// appended) and returns its last checkpoint.
func LastCheckpoint(r io.Reader) (Checkpoint, error) {
	var last Checkpoint
	found := false
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var c Checkpoint
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil || c.Seq < 0 || c.Sig == "" {
			return Checkpoint{}, fmt.Errorf("checkpoint file line %d: not a checkpoint", n)
		}
		last, found = c, true
	}
	if err := sc.Err(); err != nil {
		return Checkpoint{}, err
	}
	if !found {
		return Checkpoint{}, errors.New("the checkpoint file holds no checkpoint")
	}
	return last, nil
}

// CheckAgainst compares the chain's head (as Verify found it, with the
// hash of each entry looked up by hashAt) with a checkpoint: a shorter
// chain was cut, another hash at the checkpoint's entry was rewritten.
func CheckAgainst(c Checkpoint, headSeq int64, hashAt func(seq int64) (string, error)) error {
	if headSeq < c.Seq {
		return &BrokenError{Seq: headSeq + 1, Reason: fmt.Sprintf("entries %d to %d were removed: the checkpoint of %s counted %d entries",
			headSeq+1, c.Seq, c.At.Format(time.RFC3339), c.Seq)}
	}
	if c.Seq == 0 {
		return nil
	}
	h, err := hashAt(c.Seq)
	if err != nil {
		return err
	}
	if h != c.Hash {
		return &BrokenError{Seq: c.Seq, Reason: fmt.Sprintf("the chain was rewritten: entry %d's hash differs from the checkpoint of %s", c.Seq, c.At.Format(time.RFC3339))}
	}
	return nil
}
