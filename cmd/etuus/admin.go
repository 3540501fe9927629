package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/audit"
)

func usageError(fs *flagSet, format string, args ...any) error {
	fs.Usage()
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c config
	fs := newFlagSet("migrate", "Brings the database schema up to date and writes the reference data.\nserve does the same at start; run this before rolling out several servers.", stderr)
	storageFlags(fs, &c)
	status := fs.Bool("status", false, "only list the migrations and whether each is applied")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log, err := c.logger(stderr)
	if err != nil {
		return err
	}
	if *status {
		db, err := c.openExisting(ctx)
		if err != nil {
			return err
		}
		defer db.Close()
		lines, err := db.MigrationStatus(ctx)
		if err != nil {
			return err
		}
		for _, l := range lines {
			fmt.Fprintln(stdout, l)
		}
		return nil
	}
	db, err := openDB(ctx, &c, log)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintln(stdout, "database is up to date:", db.String())
	return nil
}

func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c config
	fs := newFlagSet("seed", "Writes the institution's reference data (units and contact points) and,\nwith --demo, the demo people, organisations and staff, once. With --scale N\nit adds N synthetic customers for load tests; each run adds another batch.", stderr)
	storageFlags(fs, &c)
	fs.autoVar(&c.Demo, "demo", "ETUUS_DEMO", "write demo data: auto (only on SQLite), true or false")
	scaleN := fs.Int("scale", 0, "also write this many synthetic customers (artificial identity codes) with claims, messages, notices and audit entries; a second run adds a second batch")
	seedValue := fs.Uint64("seed-value", 1, "with --scale: the seed the synthetic customers are made from; the same seed on the same day gives the same customers")
	fs.stringVar(&c.Topics, "message-topics", "ETUUS_MESSAGE_TOPICS", "", "with --scale: JSON topic catalogue that routes the synthetic threads")
	fs.stringVar(&c.RecoveryRules, "recovery-rules", "ETUUS_RECOVERY_RULES", "", "with --scale: JSON rule table the synthetic claims follow")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *scaleN < 0 {
		return usageError(fs, "--scale must not be negative")
	}
	log, err := c.logger(stderr)
	if err != nil {
		return err
	}
	wantDemo, err := c.demo()
	if err != nil {
		return err
	}
	db, err := openDB(ctx, &c, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if wantDemo {
		if err := seedDemo(ctx, db, log); err != nil {
			return err
		}
	}
	if *scaleN > 0 {
		if err := seedScale(ctx, &c, db, *scaleN, *seedValue, stdout, log); err != nil {
			return err
		}
	}
	fmt.Fprintln(stdout, "seeded:", db.String())
	return nil
}

func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const usage = "Usage: etuus audit verify|checkpoint|keygen [flags]"
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return &exitError{code: 2, err: errors.New("name an audit command: verify, checkpoint or keygen")}
	}
	switch args[0] {
	case "verify":
		return runAuditVerify(ctx, args[1:], stdout, stderr)
	case "checkpoint":
		return runAuditCheckpoint(ctx, args[1:], stdout, stderr)
	case "keygen":
		return runAuditKeygen(args[1:], stdout, stderr)
	case "-h", "--help":
		fmt.Fprintln(stderr, usage)
		return flag.ErrHelp
	}
	fmt.Fprintln(stderr, usage)
	return &exitError{code: 2, err: fmt.Errorf("unknown audit command %q: use verify, checkpoint or keygen", args[0])}
}

func runAuditVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c config
	fs := newFlagSet("audit verify", "Checks the audit log's hash chain from the first entry to the last, with the\nkeys of --audit-key-file, and against the last checkpoint of --checkpoint-file;\nnames the first entry that was changed, removed or inserted, the entries cut\nfrom the end, a rewritten chain or a wrong key (exit 1).", stderr)
	storageFlags(fs, &c)
	cpFile := fs.String("checkpoint-file", "", "the file `etuus audit checkpoint` appends to; the chain must reach its last checkpoint with the same hash")
	pubFile := fs.String("verify-key", "", "with --checkpoint-file: the checkpoints' public key (the .pub file of etuus audit keygen)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*cpFile == "") != (*pubFile == "") {
		return usageError(fs, "--checkpoint-file and --verify-key go together")
	}
	var cp *audit.Checkpoint
	if *cpFile != "" {
		pub, err := readEd25519Public(*pubFile)
		if err != nil {
			return &exitError{code: 2, err: fmt.Errorf("--verify-key: %w", err)}
		}
		f, err := os.Open(*cpFile)
		if err != nil {
			return &exitError{code: 2, err: fmt.Errorf("--checkpoint-file: %w", err)}
		}
		last, err := audit.LastCheckpoint(f)
		f.Close()
		if err != nil {
			return &exitError{code: 2, err: fmt.Errorf("--checkpoint-file: %w", err)}
		}
		if err := last.VerifySignature(pub); err != nil {
			return &exitError{code: 1, err: fmt.Errorf("checkpoint of entry %d: %w", last.Seq, err)}
		}
		cp = &last
	}
	keys, err := c.auditKeys()
	if err != nil {
		return err
	}
	db, err := c.openExisting(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := audit.Verify(ctx, db, keys...)
	if err == nil && cp != nil {
		err = audit.CheckAgainst(*cp, n, func(seq int64) (string, error) { return db.AuditHash(ctx, seq) })
	}
	var broken *audit.BrokenError
	if errors.As(err, &broken) {
		return &exitError{code: 1, err: err}
	}
	if err != nil {
		return err
	}
	if cp != nil {
		fmt.Fprintf(stdout, "audit log intact: %d entries; reaches the checkpoint of %s (entry %d)\n", n, cp.At.Format("2006-01-02T15:04:05Z"), cp.Seq)
		return nil
	}
	fmt.Fprintf(stdout, "audit log intact: %d entries\n", n)
	return nil
}

// runAuditCheckpoint signs the chain's head and appends the checkpoint to
// a file kept outside the database (and logs it), from a timer.
func runAuditCheckpoint(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c config
	fs := newFlagSet("audit checkpoint", "Signs the audit log's entry count and newest hash with an Ed25519 key and\nappends the checkpoint to --checkpoint-file (and prints it). Run it from a\ntimer, e.g. hourly, and keep the file where the database's administrators\ncannot write.", stderr)
	storageFlags(fs, &c)
	cpFile := fs.String("checkpoint-file", "", "the file to append the checkpoint to (created if missing)")
	keyFile := fs.String("signing-key", "", "the Ed25519 private key (the .key file of etuus audit keygen)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpFile == "" || *keyFile == "" {
		return usageError(fs, "--checkpoint-file and --signing-key are required")
	}
	priv, err := readEd25519Private(*keyFile)
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("--signing-key: %w", err)}
	}
	db, err := c.openExisting(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	seq, hash, err := db.AuditHead(ctx)
	if err != nil {
		return err
	}
	cp := audit.Sign(priv, seq, hash, time.Now())
	line, _ := json.Marshal(cp)
	f, err := os.OpenFile(*cpFile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("--checkpoint-file: %w", err)}
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, string(line))
	return nil
}

// runAuditKeygen writes a new HMAC key for the chain and an Ed25519 key
// pair for checkpoints.
func runAuditKeygen(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("audit keygen", "Writes audit.hmac (a key for --audit-key-file), checkpoint.key (the\nsigning key of etuus audit checkpoint) and checkpoint.pub (the key\nverify checks checkpoints with) into --out, refusing to overwrite.", stderr)
	out := fs.String("out", "", "the folder to write the keys into")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return usageError(fs, "--out is required")
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	enc := base64.StdEncoding.EncodeToString
	files := []struct {
		name, text string
	}{
		{"audit.hmac", "# etuus audit HMAC key: the current key first; keep old keys below it after a rotation\n" + enc(secret) + "\n"},
		{"checkpoint.key", enc(priv) + "\n"},
		{"checkpoint.pub", enc(pub) + "\n"},
	}
	for _, f := range files {
		fh, err := os.OpenFile(filepath.Join(*out, f.name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return &exitError{code: 1, err: err}
		}
		_, err = fh.WriteString(f.text)
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, filepath.Join(*out, f.name))
	}
	return nil
}

func readEd25519Private(path string) (ed25519.PrivateKey, error) {
	b, err := readBase64File(path)
	if err != nil {
		return nil, err
	}
	// The private key as Go writes it: the seed and the public key.
	if len(b) != ed25519.PrivateKeySize || !bytes.Equal(ed25519.NewKeyFromSeed(b[:ed25519.SeedSize]), b) {
		return nil, fmt.Errorf("%s: not an Ed25519 private key (%d bytes, base64, as etuus audit keygen writes)", path, ed25519.PrivateKeySize)
	}
	return ed25519.PrivateKey(b), nil
}

func readEd25519Public(path string) (ed25519.PublicKey, error) {
	b, err := readBase64File(path)
	if err != nil {
		return nil, err
	}
	if len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%s: not an Ed25519 public key (want %d bytes, base64)", path, ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

func readBase64File(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		return nil, fmt.Errorf("%s: not base64", path)
	}
	return b, nil
}
