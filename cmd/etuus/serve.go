package main

import (
	"context"
	"io"
	"time"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c config
	fs := newFlagSet("serve", "Runs the e-service. On the embedded default (an SQLite file in the data\nfolder) it writes demo data into an empty database.", stderr)
	serveFlags(fs, &c)
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

// serveFlags are serve's settings.
func serveFlags(fs *flagSet, c *config) {
	storageFlags(fs, c)
	recoveryFlags(fs, c)
	fs.stringVar(&c.Addr, "addr", "ETUUS_ADDR", "localhost:8080", "address to listen on")
	fs.stringVar(&c.BaseURL, "base-url", "ETUUS_BASE_URL", "", "the address users reach, e.g. https://etuus.example.fi; default http://ADDR")
	fs.setting(proxiesValue{&c.TrustedProxies}, "trusted-proxies", "ETUUS_TRUSTED_PROXIES",
		"load balancers and proxies (CIDRs, comma-separated) whose X-Forwarded-For and X-Forwarded-Proto are believed; empty: none, the headers are ignored")
	fs.autoVar(&c.Demo, "demo", "ETUUS_DEMO", "write demo data into an empty database: auto (only on SQLite), true or false")
	fs.boolVar(&c.AccessLog, "access-log", "ETUUS_ACCESS_LOG", true, "log every request: method, route pattern, status, duration; never paths or personal data")
	fs.autoVar(&c.TestIDP, "test-idp", "ETUUS_TEST_IDP", "serve the built-in TEST identity provider at /test-idp: auto (only on SQLite), true or false")
	fs.stringVar(&c.OIDCConfig, "oidc-config", "ETUUS_OIDC_CONFIG", "", "JSON file listing the OpenID providers (name, kind, issuer, client_id, client_secret, scopes, claims)")
	fs.stringVar(&c.EIDASCountries, "eidas-countries", "ETUUS_EIDAS_COUNTRIES", "EE,ES,IT", "countries whose eIDAS sign-ins are accepted")
	fs.stringVar(&c.StaffGroupPrefix, "staff-group-prefix", "ETUUS_STAFF_GROUP_PREFIX", "etuus:", "staff group claims PREFIX<unit>:<role> give a unit and role")
	fs.durationVar(&c.SessionIdle, "session-idle", "ETUUS_SESSION_IDLE", 30*time.Minute, true, "sign out after this long without activity")
	fs.durationVar(&c.SessionMax, "session-max", "ETUUS_SESSION_MAX", 12*time.Hour, true, "sign out after this long in any case")
	fs.stringVar(&c.SMTP, "smtp", "ETUUS_SMTP", "", "SMTP server for e-mail: smtp://user:pass@host:587?from=etuus%40example.fi (tls=starttls|starttls-optional|tls|none), or smtps://…")
	fs.autoVar(&c.DevSMTP, "dev-smtp", "ETUUS_DEV_SMTP", "without --smtp, start a development SMTP sink and show its mail at /test-mail: auto (only on SQLite), true or false")
	messageFlags(fs, c)
	smsFlags(fs, c)
	fs.autoVar(&c.DevSMS, "dev-sms", "ETUUS_DEV_SMS", "without --sms-url, start a development SMS gateway and show its texts at /test-mail: auto (only on SQLite), true or false")
	fs.boolVar(&c.OutboxWorker, "outbox-worker", "ETUUS_OUTBOX_WORKER", true, "send the outbox's notices from this process too; false leaves them to 'etuus worker'")
	fs.durationVar(&c.Shutdown, "shutdown-timeout", "", 20*time.Second, false, "how long requests in flight may finish after SIGTERM")
}
