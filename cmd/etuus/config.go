package main

import (
	"context"
	"errors"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fi/iban"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/web"

	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// config is every setting, parsed once here and passed down as values.
type config struct {
	Addr string
	Data string
	DB   string
	// AuditKeyFile holds the audit chain's HMAC keys (audit.ReadKeys).
	AuditKeyFile string
	BaseURL      string
	Demo         string // "auto", "true" or "false"
	LogFormat    string
	LogLevel     string
	AccessLog    bool
	Shutdown     time.Duration
	// dbOptions are how a subcommand wants its database opened
	// (reconcile: store.ForImport); no flag.
	dbOptions []store.Option

	TestIDP          string // auto, true or false
	OIDCConfig       string
	EIDASCountries   string
	StaffGroupPrefix string
	SessionIdle      time.Duration
	SessionMax       time.Duration
	// SignInLimit bounds sign-in starts per address; zero is the default
	// (no flag yet: tests turn it off for benchmarks).
	SignInLimit web.RateLimit

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
	// AttachQuotaMB bounds a customer's attachments together;
	// UploadsPerPerson the message forms with files one person sends at
	// once.
	AttachQuotaMB    int
	UploadsPerPerson int
	// TrustedProxies are the --trusted-proxies CIDRs.
	TrustedProxies web.TrustedProxies
}

// flagSet is a command's flags. A setting is a flag and, when it names one,
// an ETUUS_* variable; both go through the same flag.Value, so a value means
// the same and is refused the same in either place. Parse reads the
// variables first and the command line over them: the flag wins.
type flagSet struct {
	*flag.FlagSet
	envs []envSetting
}

// envSetting is a setting's variable and the value it sets.
type envSetting struct {
	name string
	v    flag.Value
}

func newFlagSet(name, summary string, out io.Writer) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: etuus %s [flags]\n\n%s\n\nFlags:\n", name, summary)
		printDefaults(out, fs)
	}
	return &flagSet{FlagSet: fs}
}

// printDefaults prints the flags as flag.PrintDefaults does, except that it
// names the kind of our values (string, int, duration) where
// flag.PrintDefaults would say "value".
func printDefaults(out io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		kind, usage := flag.UnquoteUsage(f)
		if k, ok := f.Value.(interface{ kind() string }); ok {
			kind = k.kind()
		}
		line := "  -" + f.Name
		if kind != "" {
			line += " " + kind
		}
		line += "\n    \t" + strings.ReplaceAll(usage, "\n", "\n    \t")
		switch {
		case f.DefValue == "" || kind == "" && f.DefValue == "false":
		case kind == "string":
			line += fmt.Sprintf(" (default %q)", f.DefValue)
		default:
			line += " (default " + f.DefValue + ")"
		}
		fmt.Fprintln(out, line)
	})
}

// Parse sets the settings from their ETUUS_* variables and then from args.
// A variable that is set, even to "", is parsed as the flag's value would
// be. A bad value in either stops the command with exit code 2; a bad
// variable is named on one line, without the usage text.
func (fs *flagSet) Parse(args []string) error {
	for _, e := range fs.envs {
		raw, ok := os.LookupEnv(e.name)
		if !ok {
			continue
		}
		if err := e.v.Set(raw); err != nil {
			return &exitError{code: 2, err: fmt.Errorf("invalid value %q for %s: %v", raw, e.name, err)}
		}
	}
	if err := fs.FlagSet.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitError{code: 2, err: err}
	}
	return nil
}

// setting defines a flag read through v, and its variable env unless that
// is empty; the variable is named at the end of the flag's help.
func (fs *flagSet) setting(v flag.Value, name, env, usage string) {
	if env != "" {
		usage += " (" + env + ")"
		fs.envs = append(fs.envs, envSetting{env, v})
	}
	fs.Var(v, name, usage)
}

func (fs *flagSet) stringVar(p *string, name, env, def, usage string) {
	*p = def
	fs.setting((*stringValue)(p), name, env, usage)
}

func (fs *flagSet) boolVar(p *bool, name, env string, def bool, usage string) {
	*p = def
	fs.setting((*boolValue)(p), name, env, usage)
}

// intVar is a whole number from min to max.
func (fs *flagSet) intVar(p *int, name, env string, def, min, max int, usage string) {
	*p = def
	fs.setting(&intValue{p, min, max}, name, env, usage)
}

// durationVar is a duration that is not negative and, if positive is set,
// not zero.
func (fs *flagSet) durationVar(p *time.Duration, name, env string, def time.Duration, positive bool, usage string) {
	*p = def
	fs.setting(&durationValue{p, positive}, name, env, usage)
}

// enumVar is one of words, compared without case and kept in lower case.
func (fs *flagSet) enumVar(p *string, name, env, def string, words []string, usage string) {
	*p = def
	fs.setting(&enumValue{p, words}, name, env, usage)
}

// autoVar is auto, or a boolean kept as "true" or "false"; config.autoSQLite
// decides what auto means.
func (fs *flagSet) autoVar(p *string, name, env, usage string) {
	*p = "auto"
	fs.setting((*autoValue)(p), name, env, usage)
}

type stringValue string

func (s *stringValue) Set(v string) error { *s = stringValue(v); return nil }
func (s *stringValue) String() string     { return string(*s) }
func (s *stringValue) kind() string       { return "string" }

// parseBool reads a boolean setting. The words are those of systemd and
// most Unix tools, in any case; anything else is an error rather than a
// guess.
func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "true", "1", "yes", "on":
		return true, nil
	case "false", "0", "no", "off":
		return false, nil
	}
	return false, errors.New("not a boolean: use true or false (or 1/0, yes/no, on/off)")
}

type boolValue bool

func (b *boolValue) Set(v string) error {
	x, err := parseBool(v)
	if err != nil {
		return err
	}
	*b = boolValue(x)
	return nil
}
func (b *boolValue) String() string   { return strconv.FormatBool(bool(*b)) }
func (b *boolValue) IsBoolFlag() bool { return true }
func (b *boolValue) kind() string     { return "" }

// proxiesValue is a list of CIDRs (web.ParseTrustedProxies).
type proxiesValue struct{ p *web.TrustedProxies }

func (v proxiesValue) Set(s string) error {
	t, err := web.ParseTrustedProxies(s)
	if err != nil {
		return err
	}
	*v.p = t
	return nil
}

func (v proxiesValue) kind() string { return "CIDRs" }

func (v proxiesValue) String() string {
	if v.p == nil {
		return ""
	}
	return v.p.String()
}

type intValue struct {
	p        *int
	min, max int
}

func (n *intValue) Set(v string) error {
	x, err := strconv.Atoi(v)
	if err != nil {
		return errors.New("not a whole number")
	}
	if x < n.min || x > n.max {
		return fmt.Errorf("must be %d–%d", n.min, n.max)
	}
	*n.p = x
	return nil
}

func (n *intValue) kind() string { return "int" }

func (n *intValue) String() string {
	return strconv.Itoa(*n.p)
}

type durationValue struct {
	p        *time.Duration
	positive bool
}

func (d *durationValue) Set(v string) error {
	x, err := time.ParseDuration(v)
	if err != nil {
		return errors.New("not a duration: give a number and a unit, e.g. 45m, 1h30m or 90s")
	}
	switch {
	case x < 0:
		return errors.New("must not be negative")
	case x == 0 && d.positive:
		return errors.New("must be more than 0")
	}
	*d.p = x
	return nil
}

func (d *durationValue) kind() string { return "duration" }

func (d *durationValue) String() string {
	return d.p.String()
}

type enumValue struct {
	p     *string
	words []string
}

func (e *enumValue) Set(v string) error {
	if w := strings.ToLower(v); slices.Contains(e.words, w) {
		*e.p = w
		return nil
	}
	return fmt.Errorf("must be one of %s", strings.Join(e.words, ", "))
}

func (e *enumValue) kind() string { return "string" }

func (e *enumValue) String() string {
	return *e.p
}

type autoValue string

func (a *autoValue) Set(v string) error {
	if strings.EqualFold(v, "auto") {
		*a = "auto"
		return nil
	}
	b, err := parseBool(v)
	if err != nil {
		return errors.New("must be auto, true or false (or 1/0, yes/no, on/off)")
	}
	*a = autoValue(strconv.FormatBool(b))
	return nil
}
func (a *autoValue) String() string { return string(*a) }
func (a *autoValue) kind() string   { return "string" }

// openExisting opens the database for the tools that read it, without
// migrating or writing anything.
func (c *config) openExisting(ctx context.Context) (*store.DB, error) {
	keys, err := c.auditKeys()
	if err != nil {
		return nil, err
	}
	url, err := c.dbURL()
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, url)
	if err == nil && len(keys) > 0 {
		db.SetAuditKey(keys[0])
	}
	return db, err
}

// auditKeys are the keys of --audit-key-file, the current one first; none
// when it is not set. A file that cannot be read or holds no valid key
// stops the command, naming the setting.
func (c *config) auditKeys() ([]audit.Key, error) {
	if c.AuditKeyFile == "" {
		return nil, nil
	}
	f, err := os.Open(c.AuditKeyFile)
	if err != nil {
		return nil, &exitError{code: 2, err: fmt.Errorf("--audit-key-file (ETUUS_AUDIT_KEY_FILE): %w", err)}
	}
	defer f.Close()
	keys, err := audit.ReadKeys(f)
	if err != nil {
		return nil, &exitError{code: 2, err: fmt.Errorf("--audit-key-file (ETUUS_AUDIT_KEY_FILE) %s: %w", c.AuditKeyFile, err)}
	}
	return keys, nil
}

// recoveryFlags are the Overpayment Recovery Centre's settings.
func recoveryFlags(fs *flagSet, c *config) {
	fs.stringVar(&c.CreditorIBAN, "creditor-iban", "ETUUS_CREDITOR_IBAN", "FI37 1590 3000 0007 76", "the account customers pay recovered amounts to; the default is a demo account")
	fs.stringVar(&c.CreditorName, "creditor-name", "ETUUS_CREDITOR_NAME", "Kela", "the payee's name shown with the payment details")
	fs.boolVar(&c.AutoApprove, "auto-approve-plans", "ETUUS_AUTO_APPROVE_PLANS", false, "approve payment plan proposals inside the rules at once, without staff")
	fs.stringVar(&c.RecoveryRules, "recovery-rules", "ETUUS_RECOVERY_RULES", "", "JSON rule table for recovery (plan limits, interest, reminders, fees); default: the built-in table")
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
func storageFlags(fs *flagSet, c *config) {
	fs.stringVar(&c.Data, "data", "ETUUS_DATA", "./data", "data folder for the embedded database and files")
	fs.stringVar(&c.DB, "db", "ETUUS_DB", "", "database: postgres://user:pass@host/db, or an SQLite file; default: etuus.db in the data folder")
	fs.stringVar(&c.AuditKeyFile, "audit-key-file", "ETUUS_AUDIT_KEY_FILE", "", "file of the audit log's HMAC keys (base64, one a line, the current one first; etuus audit keygen makes one); kept outside the database. Empty: plain SHA-256 hashes")
	fs.enumVar(&c.LogFormat, "log-format", "ETUUS_LOG_FORMAT", "text", []string{"text", "json"}, "log format: text or json")
	fs.enumVar(&c.LogLevel, "log-level", "ETUUS_LOG_LEVEL", "info", []string{"debug", "info", "warn", "error"}, "log level: debug, info, warn or error")
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
	if v == "auto" || v == "" {
		return !c.postgres(), nil
	}
	b, err := parseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s must be auto, true or false, not %q", flag, v)
	}
	return b, nil
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
