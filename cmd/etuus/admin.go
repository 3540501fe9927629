package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

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
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(stderr, "Usage: etuus audit verify [flags]")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return flag.ErrHelp
		}
		return &exitError{code: 2, err: errors.New("the only audit command is 'verify'")}
	}
	var c config
	fs := newFlagSet("audit verify", "Checks the audit log's hash chain from the first entry to the last and\nnames the first entry that was changed, removed or inserted (exit 1).", stderr)
	storageFlags(fs, &c)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	db, err := c.openExisting(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := audit.Verify(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "audit log intact: %d entries\n", n)
	return nil
}
