package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/demo"
	"github.com/etuus/etuus/internal/employer"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/mandate"
	"github.com/etuus/etuus/internal/store"
	"github.com/prometheus/client_golang/prometheus"
)

// mandateService is the mandate register's service on the database, with
// the built-in issue catalogue and permission table.
func mandateService(db *store.DB) (*mandate.Service, error) {
	return mandate.NewService(db.Mandates(), nil, access.Default())
}

// registerMetrics are the mandate register's gauges and counters: its
// size and sequence, the reads of changes it shared among requests, and
// the decisions that read the database instead (before the register was
// loaded, or when a read of changes failed).
func registerMetrics(r *mandate.Register) []prometheus.Collector {
	stat := func(f func(mandate.RegisterStats) float64) func() float64 {
		return func() float64 { return f(r.Stats()) }
	}
	return []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "etuus_mandate_register_mandates",
			Help: "Mandates held by the in-memory register (0 until it is loaded)."},
			stat(func(s mandate.RegisterStats) float64 { return float64(s.Mandates) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "etuus_mandate_register_seq",
			Help: "The register's counter as the in-memory register's last read of changes found it (every write stamped up to it is applied)."},
			stat(func(s mandate.RegisterStats) float64 { return float64(s.Seq) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "etuus_mandate_register_reads_total",
			Help: "Reads of the register's changes (its counter row), each shared by the decisions and chooser pages waiting for it."},
			stat(func(s mandate.RegisterStats) float64 { return float64(s.Reads) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "etuus_mandate_register_changed_reads_total",
			Help: "Those reads of changes that found the counter moved and read the mandates and names written since."},
			stat(func(s mandate.RegisterStats) float64 { return float64(s.Changed) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "etuus_mandate_register_fallbacks_total",
			Help: "Decisions and chooser pages whose mandates were read from the database because the register was not loaded or a read of changes failed."},
			stat(func(s mandate.RegisterStats) float64 { return float64(s.Fallbacks) })),
	}
}

func runMandates(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c config
	fs := newFlagSet("mandates import FILE", "Imports a feed of the mandate register (JSON Lines, docs/mandate-feed.md).\nThe whole file is checked first: a bad line refuses it, naming the line and\nthe reason, and nothing is written. Importing a file again changes nothing;\nchanges and revocations take effect at the next request.", stderr)
	storageFlags(fs, &c)
	var lang string
	fs.enumVar(&lang, "lang", "ETUUS_LANG", "en", i18n.Languages, "language of the messages: fi, sv or en")
	if len(args) == 0 || args[0] != "import" {
		return usageError(fs, "say 'etuus mandates import FILE'")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError(fs, "give exactly one file")
	}
	cat, err := i18n.Load()
	if err != nil {
		return err
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	db, err := c.openTool(ctx, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	svc, err := mandateService(db)
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := svc.Import(ctx, access.AsSystem("cli"), f)
	if fault.Is(err, fault.Invalid) {
		return fmt.Errorf("%s: %s; nothing was imported", fs.Arg(0), translateFault(cat.For(lang), err))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d lines: %d added, %d changed, %d unchanged, %d revoked, %d revocations of unknown mandates (%.1f s)\n",
		fs.Arg(0), res.Lines, res.Added, res.Changed, res.Unchanged, res.Revoked, res.UnknownRevoked, time.Since(start).Seconds())
	return nil
}

// translateFault is an error's message, a feed line's reason translated
// inside it.
func translateFault(l *i18n.Localizer, err error) string {
	data := fault.DataOf(err)
	if reason, ok := data["Reason"].(string); ok {
		detail, _ := data["Detail"].(map[string]any)
		data = map[string]any{"Line": data["Line"], "Reason": l.T(reason, detail)}
	}
	return l.T(fault.KeyOf(err), data)
}

// seedDemoMandates imports the demo's mandate register unless it is there.
func seedDemoMandates(ctx context.Context, db *store.DB, d demo.Data, log *slog.Logger) error {
	svc, err := mandateService(db)
	if err != nil {
		return err
	}
	if _, err := db.Mandates().Mandate(ctx, "DEMO-TT-RAILI"); err == nil {
		return nil
	} else if !fault.Is(err, fault.NotFound) {
		return err
	}
	feed, _, err := demo.MandateFeed(d, civil.Today(time.Now()))
	if err != nil {
		return err
	}
	res, err := svc.Import(ctx, access.AsSystem("demo"), bytes.NewReader(feed))
	if err != nil {
		return fmt.Errorf("demo mandates: %w", err)
	}
	log.Info("demo mandates written", "mandates", res.Added)
	return nil
}

// seedDemoEmployer writes the employer e-service's demo applications
// unless there are some.
func seedDemoEmployer(ctx context.Context, db *store.DB, d demo.Data) error {
	mandates, err := mandateService(db)
	if err != nil {
		return err
	}
	svc, err := employerService(db, mandates)
	if err != nil {
		return err
	}
	// The demo's decisions are told to the organisations as any are,
	// but send no e-mail at start-up.
	cat, err := i18n.Load()
	if err != nil {
		return err
	}
	svc.SetNotices(employer.Notices{Text: translate(cat), Quiet: true})
	if err := demo.SeedEmployer(ctx, svc, d, civil.Today(time.Now())); err != nil {
		return fmt.Errorf("employer demo data: %w", err)
	}
	return nil
}
