package main

import (
	"context"
	"errors"

	"github.com/etuus/etuus/internal/fi/iban"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/store"

	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// config is every setting, parsed once here and passed down as values.
type config struct {
	Addr      string
	Data      string
	DB        string
	BaseURL   string
	Demo      string // "auto", "true" or "false"
	LogFormat string
	LogLevel  string
	AccessLog bool
	Shutdown  time.Duration

	TestIDP          string // auto, true or false
	OIDCConfig       string
	EIDASCountries   string
	StaffGroupPrefix string
	SessionIdle      time.Duration
	SessionMax       time.Duration

	CreditorIBAN  string
	CreditorName  string
	AutoApprove   bool
	RecoveryRules string

	SMTP    string
	DevSMTP string

	DevSMS       string
	SMSURL       string
	SMSToken     string
	SMSFrom      string
	Clamd        string
	OutboxWorker bool

	Topics         string
	AttachTypes    string
	AttachMaxMB    int
	AttachMaxFiles int
}

func newFlagSet(name, summary string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: etuus %s [flags]\n\n%s\n\nFlags:\n", name, summary)
		fs.PrintDefaults()
	}
	return fs
}

// env returns the ETUUS_* variable's value, or def.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func envBool(name string, def bool) bool {
	if v, ok := os.LookupEnv(name); ok {
		b, err := strconv.ParseBool(v)
		if err == nil {
			return b
		}
	}
	return def
}

func envInt(name string, def int) int {
	if v, ok := os.LookupEnv(name); ok {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if v, ok := os.LookupEnv(name); ok {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

// openExisting opens the database for the tools that read it, without
// migrating or writing anything.
func (c *config) openExisting(ctx context.Context) (*store.DB, error) {
	url, err := c.dbURL()
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, url)
}

// recoveryFlags are the Overpayment Recovery Centre's settings.
func recoveryFlags(fs *flag.FlagSet, c *config) {
	fs.StringVar(&c.CreditorIBAN, "creditor-iban", env("ETUUS_CREDITOR_IBAN", "FI37 1590 3000 0007 76"), "the account customers pay recovered amounts to; the default is a demo account (ETUUS_CREDITOR_IBAN)")
	fs.StringVar(&c.CreditorName, "creditor-name", env("ETUUS_CREDITOR_NAME", "Kela"), "the payee's name shown with the payment details (ETUUS_CREDITOR_NAME)")
	fs.BoolVar(&c.AutoApprove, "auto-approve-plans", envBool("ETUUS_AUTO_APPROVE_PLANS", false), "approve payment plan proposals inside the rules at once, without staff (ETUUS_AUTO_APPROVE_PLANS)")
	fs.StringVar(&c.RecoveryRules, "recovery-rules", env("ETUUS_RECOVERY_RULES", ""), "JSON rule table for recovery (plan limits, interest, reminders, fees); default: the built-in table (ETUUS_RECOVERY_RULES)")
}

// recovery reads the recovery settings.
func (c *config) recovery() (iban.IBAN, *recovery.Rules, error) {
	acct, err := iban.Parse(c.CreditorIBAN)
	if err != nil {
		return iban.IBAN{}, nil, fmt.Errorf("--creditor-iban: %w", err)
	}
	rules, err := c.rules()
	return acct, rules, err
}

// rules reads the recovery rule table of --recovery-rules, or the built-in one.
func (c *config) rules() (*recovery.Rules, error) {
	if c.RecoveryRules == "" {
		return recovery.DefaultRules(), nil
	}
	f, err := os.Open(c.RecoveryRules)
	if err != nil {
		return nil, fmt.Errorf("--recovery-rules: %w", err)
	}
	defer f.Close()
	rules, err := recovery.LoadRules(f)
	if err != nil {
		return nil, fmt.Errorf("--recovery-rules %s: %w", c.RecoveryRules, err)
	}
	return rules, nil
}

// storageFlags are shared by every command that opens the database.
func storageFlags(fs *flag.FlagSet, c *config) {
	fs.StringVar(&c.Data, "data", env("ETUUS_DATA", "./data"), "data folder for the embedded database and files (ETUUS_DATA)")
	fs.StringVar(&c.DB, "db", env("ETUUS_DB", ""), "database: postgres://user:pass@host/db, or an SQLite file; default: etuus.db in the data folder (ETUUS_DB)")
	fs.StringVar(&c.LogFormat, "log-format", env("ETUUS_LOG_FORMAT", "text"), "log format: text or json (ETUUS_LOG_FORMAT)")
	fs.StringVar(&c.LogLevel, "log-level", env("ETUUS_LOG_LEVEL", "info"), "log level: debug, info, warn or error (ETUUS_LOG_LEVEL)")
}

// dbURL is the database to open: --db, or the SQLite file in the data
// folder, which it creates.
func (c *config) dbURL() (string, error) {
	if c.DB != "" {
		return c.DB, nil
	}
	if err := os.MkdirAll(c.Data, 0o750); err != nil {
		return "", fmt.Errorf("data folder: %w", err)
	}
	return filepath.Join(c.Data, "etuus.db"), nil
}

func (c *config) postgres() bool {
	return strings.HasPrefix(c.DB, "postgres://") || strings.HasPrefix(c.DB, "postgresql://")
}

// demo reports whether to seed demo data: by default only on the embedded
// SQLite database, never silently into a production PostgreSQL.
func (c *config) demo() (bool, error) { return c.autoSQLite("--demo", c.Demo) }

// autoSQLite reads a flag that is auto, true or false, where auto means
// "only on the embedded SQLite database".
func (c *config) autoSQLite(flag, v string) (bool, error) {
	switch v {
	case "auto", "":
		return !c.postgres(), nil
	case "true", "1", "yes":
		return true, nil
	case "false", "0", "no":
		return false, nil
	}
	return false, fmt.Errorf("%s must be auto, true or false, not %q", flag, v)
}

func (c *config) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.LogFormat {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text", "":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", c.LogFormat)
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
