package main

import (
	"context"
	"io"
	"time"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c config
	fs := newFlagSet("serve", "Runs the e-service. On the embedded default (an SQLite file in the data\nfolder) it writes demo data into an empty database.", stderr)
	storageFlags(fs, &c)
	recoveryFlags(fs, &c)
	fs.StringVar(&c.Addr, "addr", env("ETUUS_ADDR", "localhost:8080"), "address to listen on (ETUUS_ADDR)")
	fs.StringVar(&c.BaseURL, "base-url", env("ETUUS_BASE_URL", ""), "the address users reach, e.g. https://etuus.example.fi; default http://ADDR (ETUUS_BASE_URL)")
	fs.StringVar(&c.Demo, "demo", env("ETUUS_DEMO", "auto"), "write demo data into an empty database: auto (only on SQLite), true or false (ETUUS_DEMO)")
	fs.BoolVar(&c.AccessLog, "access-log", envBool("ETUUS_ACCESS_LOG", true), "log every request: method, route pattern, status, duration; never paths or personal data (ETUUS_ACCESS_LOG)")
	fs.StringVar(&c.TestIDP, "test-idp", env("ETUUS_TEST_IDP", "auto"), "serve the built-in TEST identity provider at /test-idp: auto (only on SQLite), true or false (ETUUS_TEST_IDP)")
	fs.StringVar(&c.OIDCConfig, "oidc-config", env("ETUUS_OIDC_CONFIG", ""), "JSON file listing the OpenID providers (name, kind, issuer, client_id, client_secret, scopes, claims) (ETUUS_OIDC_CONFIG)")
	fs.StringVar(&c.EIDASCountries, "eidas-countries", env("ETUUS_EIDAS_COUNTRIES", "EE,ES,IT"), "countries whose eIDAS sign-ins are accepted (ETUUS_EIDAS_COUNTRIES)")
	fs.StringVar(&c.StaffGroupPrefix, "staff-group-prefix", env("ETUUS_STAFF_GROUP_PREFIX", "etuus:"), "staff group claims PREFIX<unit>:<role> give a unit and role (ETUUS_STAFF_GROUP_PREFIX)")
	fs.DurationVar(&c.SessionIdle, "session-idle", envDuration("ETUUS_SESSION_IDLE", 30*time.Minute), "sign out after this long without activity (ETUUS_SESSION_IDLE)")
	fs.DurationVar(&c.SessionMax, "session-max", envDuration("ETUUS_SESSION_MAX", 12*time.Hour), "sign out after this long in any case (ETUUS_SESSION_MAX)")
	fs.StringVar(&c.SMTP, "smtp", env("ETUUS_SMTP", ""), "SMTP server for e-mail: smtp://user:pass@host:587?from=etuus%40example.fi (tls=starttls|starttls-optional|tls|none), or smtps://… (ETUUS_SMTP)")
	fs.StringVar(&c.DevSMTP, "dev-smtp", env("ETUUS_DEV_SMTP", "auto"), "without --smtp, start a development SMTP sink and show its mail at /test-mail: auto (only on SQLite), true or false (ETUUS_DEV_SMTP)")
	messageFlags(fs, &c)
	smsFlags(fs, &c)
	fs.StringVar(&c.DevSMS, "dev-sms", env("ETUUS_DEV_SMS", "auto"), "without --sms-url, start a development SMS gateway and show its texts at /test-mail: auto (only on SQLite), true or false (ETUUS_DEV_SMS)")
	fs.BoolVar(&c.OutboxWorker, "outbox-worker", envBool("ETUUS_OUTBOX_WORKER", true), "send the outbox's notices from this process too; false leaves them to 'etuus worker' (ETUUS_OUTBOX_WORKER)")
	fs.DurationVar(&c.Shutdown, "shutdown-timeout", 20*time.Second, "how long requests in flight may finish after SIGTERM")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError(fs, "unexpected argument %q", fs.Arg(0))
	}
	a, err := newApp(ctx, c, stderr)
	if err != nil {
		return err
	}
	return a.serve(ctx)
}
