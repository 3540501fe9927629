package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/apiclient"
	"github.com/etuus/etuus/internal/auth"
	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/demo"
	"github.com/etuus/etuus/internal/desk"
	"github.com/etuus/etuus/internal/directory"
	"github.com/etuus/etuus/internal/employer"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/mail/sink"
	"github.com/etuus/etuus/internal/mandate"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/org"
	"github.com/etuus/etuus/internal/outbox"
	"github.com/etuus/etuus/internal/pharmacy"
	"github.com/etuus/etuus/internal/securemail"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/web"
)

// app is a running etuus: the database and the web front, wired together.
type app struct {
	sink *sink.Sink // the development SMTP sink, when on
	// smsSink is the development SMS gateway, when on.
	smsSink *outbox.SMSSink
	cfg     config
	log     *slog.Logger
	db      *store.DB
	web     *web.Server
	http    *http.Server
	// registry holds every collector /metrics answers with.
	registry *prometheus.Registry
	ln       net.Listener
	// worker sends the outbox's notices from this process; nil when
	// --outbox-worker=false or no channel is configured.
	worker *outbox.Worker
	// messages is secure messaging's service.
	messages *message.Service
	// providers are the identity providers; those of --oidc-config are
	// checked in the background from start-up.
	providers []*auth.RP
	// register is the mandate register in memory, loaded by serve.
	register *mandate.Register
	// pharmacy is direct reimbursement's service, closed (its queued
	// check notes written) before the database.
	pharmacy *pharmacy.Service
}

// openDB opens and migrates the database and writes the reference data: the
// steps every command that uses the database shares.
func openDB(ctx context.Context, c *config, log *slog.Logger) (*store.DB, error) {
	keys, err := c.auditKeys()
	if err != nil {
		return nil, err
	}
	url, err := c.dbURL()
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, url, c.dbOptions...)
	if err != nil {
		return nil, err
	}
	if len(keys) > 0 {
		db.SetAuditKey(keys[0])
	}
	n, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if n > 0 {
		log.Info("database migrated", "db", db.String(), "applied", n)
	}
	units, contacts, err := org.Reference()
	if err != nil {
		db.Close()
		return nil, err
	}
	if err := db.SeedReference(ctx, units, contacts); err != nil {
		db.Close()
		return nil, fmt.Errorf("reference data: %w", err)
	}
	return db, nil
}

// openTool opens and migrates the database for a command-line tool, logging
// to stderr.
func (c *config) openTool(ctx context.Context, stderr io.Writer) (*store.DB, error) {
	log, err := c.logger(stderr)
	if err != nil {
		return nil, err
	}
	return openDB(ctx, c, log)
}

func seedDemo(ctx context.Context, db *store.DB, log *slog.Logger) error {
	d, err := demo.Set()
	if err != nil {
		return err
	}
	seeded, err := db.SeedDemo(ctx, d)
	if err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	if seeded {
		log.Info("demo data written", "persons", len(d.Persons), "organisations", len(d.Organisations), "staff", len(d.Staff))
	}
	if err := seedDemoMandates(ctx, db, d, log); err != nil {
		return err
	}
	if err := seedDemoPayments(ctx, db, d, log); err != nil {
		return err
	}
	if err := seedDemoEmployer(ctx, db, d); err != nil {
		return err
	}
	ph, err := pharmacyService(db, log)
	if err != nil {
		return err
	}
	defer ph.Close()
	if err := demo.SeedPharmacy(ctx, db, ph, civil.Today(db.Now())); err != nil {
		return fmt.Errorf("pharmacy demo data: %w", err)
	}
	return nil
}

// newApp opens everything serve needs and binds the listening socket, so
// that by the time it returns the server can answer.
func newApp(ctx context.Context, c config, logw io.Writer) (*app, error) {
	log, err := c.logger(logw)
	if err != nil {
		return nil, err
	}
	wantDemo, err := c.demo()
	if err != nil {
		return nil, err
	}
	db, err := openDB(ctx, &c, log)
	if err != nil {
		return nil, err
	}
	a := &app{cfg: c, log: log, db: db}
	if wantDemo {
		if err := seedDemo(ctx, db, log); err != nil {
			a.close()
			return nil, err
		}
	}
	cat, err := i18n.Load()
	if err != nil {
		a.close()
		return nil, err
	}
	reg := prometheus.NewRegistry()
	a.registry = reg
	reg.MustRegister(
		keep(collectors.NewGoCollector(), time.Second),
		keep(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), time.Second),
		collectors.NewDBStatsCollector(db.SQL(), "etuus"),
		keep(newOutboxMetrics(db), outboxMetricsEvery),
	)
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		a.close()
		return nil, fmt.Errorf("listen on %s: %w", c.Addr, err)
	}
	a.ln = ln
	if c.BaseURL == "" {
		c.BaseURL = "http://" + displayAddr(ln.Addr().String())
		a.cfg.BaseURL = c.BaseURL
	}
	base := strings.TrimSuffix(c.BaseURL, "/")
	authCfg, mount, err := a.signIn(base)
	if err != nil {
		a.close()
		return nil, err
	}
	recoverySvc, err := recoveryService(&c, db)
	if err != nil {
		a.close()
		return nil, err
	}
	// The pages read payments; runs are the worker's and `etuus pay`'s.
	paymentSvc, err := paymentService(defaultPay(), db, recoverySvc)
	if err != nil {
		a.close()
		return nil, err
	}
	// A claim's page shows the offsets planned from coming payments.
	recoverySvc.SetComingPayments(paymentSvc.ComingFor)
	smtp, sk, err := a.setUpMail()
	if err != nil {
		a.close()
		return nil, err
	}
	a.sink = sk
	if smtp != nil {
		reg.MustRegister(mailUp(smtp))
	}
	if err := a.setUpDevSMS(&c); err != nil {
		a.close()
		return nil, err
	}
	scanner, err := c.scanner()
	if err != nil {
		a.close()
		return nil, err
	}
	limits, err := c.messageLimits()
	if err != nil {
		a.close()
		return nil, err
	}
	topics, err := c.catalogue(ctx, db)
	if err != nil {
		a.close()
		return nil, err
	}
	mandates, err := mandateService(db)
	if err != nil {
		a.close()
		return nil, err
	}
	// Decisions take their candidates from memory once serve has loaded
	// the register, up to date as of a read begun after each request.
	a.register = mandate.NewRegister(db.Mandates(), log)
	mandates.SetRegister(a.register)
	reg.MustRegister(registerMetrics(a.register)...)
	// An organisation's threads are reached through the mandate decision.
	msgCfg := message.Config{Catalogue: topics, Scanner: scanner, Limits: limits, SMS: c.SMSURL != "", Mandates: mandates,
		ReadLink: func(token string) string { return base + "/secure-email/r/" + url.PathEscape(token) }}
	var wake func()
	if c.OutboxWorker && (smtp != nil || c.SMSURL != "") {
		kinds, err := noticeKinds(cat)
		if err != nil {
			a.close()
			return nil, err
		}
		a.worker = newWorker(db, smtp, c, kinds, log)
		wake = a.worker.Wake
	}
	msgCfg.Wake = wake
	if a.messages, err = message.NewService(db.Messages(), msgCfg); err != nil {
		a.close()
		return nil, err
	}
	secure, err := securemail.NewService(db.SecureMail(), securemail.Config{
		// With --outbox-worker=false an etuus worker elsewhere sends the e-mail.
		On:      smtp != nil || !c.OutboxWorker,
		LinkURL: func(token string) string { return base + "/secure-email/t/" + token },
		Texts:   translate(cat), Wake: wake, Log: log,
		// A reply from a reading link takes files as a signed-in
		// customer's message does: the same limits and scanner.
		Attachments: a.messages.Attachments(),
	})
	if err != nil {
		a.close()
		return nil, err
	}

	// Attachments are received into temporary files beside the data,
	// on disk; the system's temporary folder may be in memory.
	uploadDir := filepath.Join(c.Data, "uploads")
	if err := os.MkdirAll(uploadDir, 0o700); err != nil {
		log.Warn("attachments are received in the system's temporary folder", "setting", "--data", "err", err)
		uploadDir = ""
	}
	removeStaleUploads(uploadDir, log)

	mandates.SetNotices(base+"/employer/requests", wake)
	employerSvc, err := employerService(db, mandates)
	if err != nil {
		a.close()
		return nil, err
	}
	// A decision is told to the organisation in the applicant's language.
	employerSvc.SetNotices(employer.Notices{Text: translate(cat), Wake: wake})
	if a.pharmacy, err = pharmacyService(db, log); err != nil {
		a.close()
		return nil, err
	}

	// The desk reads the rest of a customer's record through the services
	// that own it.
	deskSvc := desk.NewService(db.Desk(), access.Default())
	deskSvc.SetSources(desk.Sources{Recovery: recoverySvc, Payments: paymentSvc, Mandates: mandates})

	a.web, err = web.New(web.Config{
		Pharmacy:    web.PharmacyConfig{Service: a.pharmacy},
		Customers:   customer.NewService(db.Customers(), access.Default()),
		Mandates:    mandates,
		Employer:    employerSvc,
		APIClients:  apiclient.NewService(db.APIClients(), access.Default()),
		Desk:        deskSvc,
		Directory:   directory.NewService(db.Directory(), access.Default()),
		Recovery:    web.RecoveryConfig{Service: recoverySvc, CreditorName: c.CreditorName},
		Payments:    paymentSvc,
		SecureEmail: web.SecureEmailConfig{Service: secure},
		Messages: web.MessagesConfig{Service: a.messages, UploadsPerPerson: c.UploadsPerPerson,
			UploadDir: uploadDir},
		TestMail:          testMailbox(sk),
		TestSMS:           testTexts(a.smsSink),
		BaseURL:           base,
		Version:           version,
		AccessLog:         c.AccessLog,
		Auth:              authCfg,
		Mount:             mount,
		FormActionOrigins: authCfg.FormActionOrigins(),
		SignInLimit:       c.SignInLimit,
		TrustedProxies:    c.TrustedProxies,
		ReadyDetail:       mailReady(smtp),
	}, db, cat, log, reg)
	if err != nil {
		a.close()
		return nil, err
	}
	a.http = &http.Server{
		Handler:           a.web.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return a, nil
}

// signIn sets up the identity providers: those of --oidc-config and, when
// enabled, the built-in test provider served by this same process.
func (a *app) signIn(base string) (web.AuthConfig, map[string]http.Handler, error) {
	c := a.cfg
	cfg := web.AuthConfig{
		Policy: auth.Policy{
			EIDASCountries:   splitList(c.EIDASCountries),
			StaffGroupPrefix: c.StaffGroupPrefix,
		},
		Timeouts: auth.Timeouts{Idle: c.SessionIdle, Absolute: c.SessionMax, Warn: 2 * time.Minute},
	}
	if cfg.Timeouts.Idle <= cfg.Timeouts.Warn || cfg.Timeouts.Absolute < cfg.Timeouts.Idle {
		return cfg, nil, fmt.Errorf("--session-idle must be over 2m and --session-max at least --session-idle")
	}
	provs, err := c.providers()
	if err != nil {
		return cfg, nil, err
	}
	mount := map[string]http.Handler{}
	useTest, err := c.testIDP()
	if err != nil {
		return cfg, nil, err
	}
	if useTest {
		idp, tp, err := testProviders(base, a.log)
		if err != nil {
			return cfg, nil, err
		}
		mount["/test-idp/"] = idp
		provs = append(provs, tp...)
		if c.postgres() {
			a.log.Warn("the built-in TEST identity provider is on with PostgreSQL: anyone can sign in as any demo person", "url", base+"/test-idp")
		}
	}
	for _, p := range provs {
		rp, err := auth.NewRP(p, base+"/auth/callback/"+p.Name, nil)
		if err != nil {
			return cfg, nil, fmt.Errorf("--oidc-config: %w", err)
		}
		cfg.Providers = append(cfg.Providers, rp)
	}
	a.providers = cfg.Providers
	return cfg, mount, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, strings.ToUpper(f))
	}
	return out
}

// displayAddr turns a listening address into one a browser can open.
func displayAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "::" || host == "0.0.0.0" || host == "127.0.0.1" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// serve answers requests until ctx ends, then lets requests in flight finish
// before it closes the database.
func (a *app) serve(ctx context.Context) error {
	// The pool's connections are opened before the first request: the
	// first burst of them would otherwise wait for backends to start.
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	t0 := time.Now()
	if n, err := a.db.OpenPool(pctx); err != nil {
		a.log.Warn("database pool not opened ahead; connections open as requests need them", "open", n, "err", err)
	} else if n > 0 {
		a.log.Info("database pool opened", "connections", n, "took", time.Since(t0))
	}
	cancel()
	errc := make(chan error, 1)
	go func() { errc <- a.http.Serve(a.ln) }()
	wctx, stopWorker := context.WithCancel(context.Background())
	workerDone := make(chan struct{})
	// The worker stops before the database closes.
	closeAll := func() { stopWorker(); <-workerDone; a.close() }
	go func() {
		defer close(workerDone)
		if a.worker == nil {
			return
		}
		if err := a.worker.Run(wctx); err != nil && !errors.Is(err, context.Canceled) {
			a.log.Error("outbox worker stopped", "err", err)
		}
	}()
	go a.checkProviders(wctx)
	go func() {
		// Until it is loaded, decisions read the database; a load that
		// failed (the database away at start) is tried again.
		for {
			err := a.register.Load(wctx)
			if err == nil || wctx.Err() != nil {
				return
			}
			a.log.Error("mandate register not loaded; decisions read the database; trying again in 30 s", "err", err)
			select {
			case <-wctx.Done():
				return
			case <-time.After(30 * time.Second):
			}
		}
	}()
	a.log.Info("etuus is serving", "url", a.cfg.BaseURL, "db", a.db.Dialect(), "version", version)
	select {
	case err := <-errc:
		closeAll()
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.Shutdown)
	defer cancel()
	err := a.http.Shutdown(sctx)
	closeAll()
	return err
}

func (a *app) close() {
	if a.sink != nil {
		a.sink.Close()
	}
	if a.smsSink != nil {
		a.smsSink.Close()
	}
	if a.pharmacy != nil {
		a.pharmacy.Close()
	}
	if a.db != nil {
		a.db.Close()
	}
}

// testMailbox is the sink as the web front sees it; a nil sink is a nil
// interface, which turns the /test-mail page off.
func testMailbox(sk *sink.Sink) web.TestMailbox {
	if sk == nil {
		return nil
	}
	return sk
}

// testTexts is the SMS sink as the web front sees it; nil turns its part of
// /test-mail off.
func testTexts(s *outbox.SMSSink) web.TestTexts {
	if s == nil {
		return nil
	}
	return s
}

// removeStaleUploads removes temporary upload files a stopped process left
// (a request ends by removing its own): those over an hour old, so that a
// process sharing the folder is never cut off mid-upload.
func removeStaleUploads(dir string, log *slog.Logger) {
	if dir == "" {
		return
	}
	names, _ := filepath.Glob(filepath.Join(dir, "etuus-upload-*"))
	n := 0
	for _, name := range names {
		if fi, err := os.Stat(name); err == nil && time.Since(fi.ModTime()) > time.Hour && os.Remove(name) == nil {
			n++
		}
	}
	if n > 0 {
		log.Info("removed temporary upload files left by a stopped process", "files", n)
	}
}
