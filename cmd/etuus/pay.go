package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/demo"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/iban"
	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/payment"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/store"
)

// payConfig is the payment run's settings: the account benefits are paid
// from and the folder the bank's transfer picks the files up from.
type payConfig struct {
	DebtorIBAN, DebtorBIC, DebtorName, DebtorID string
	Out                                         string
	// Run and Every are the worker's: run the payments, how often.
	Run   bool
	Every time.Duration
}

// payFlags are the payment settings `pay` and `worker` share.
func payFlags(fs *flagSet, p *payConfig) {
	fs.stringVar(&p.DebtorIBAN, "pay-from-iban", "ETUUS_PAY_FROM_IBAN", "FI21 1234 5600 0007 85", "the account benefits are paid from; the default is a demo account")
	fs.stringVar(&p.DebtorBIC, "pay-from-bic", "ETUUS_PAY_FROM_BIC", "NDEAFIHH", "the BIC of that account's bank")
	fs.stringVar(&p.DebtorName, "pay-from-name", "ETUUS_PAY_FROM_NAME", "Kansaneläkelaitos", "the payer's name in the payment files")
	fs.stringVar(&p.DebtorID, "pay-from-id", "ETUUS_PAY_FROM_ID", "0246246-0", "the business ID the bank knows the payer by")
	fs.stringVar(&p.Out, "out", "ETUUS_PAY_OUT", "", "folder the pain.001 files are published to (the bank transfer's outbox); default: payments/ in the data folder")
}

// paymentService is the payment capability's service on the database;
// with rec, its runs offset overdue recovery claims from the payments.
func paymentService(p *payConfig, db *store.DB, rec *recovery.Service) (*payment.Service, error) {
	acct, err := iban.Parse(p.DebtorIBAN)
	if err != nil {
		return nil, fmt.Errorf("--pay-from-iban: %w", err)
	}
	return payment.NewService(db.Payment(), payment.Config{Debtor: payment.Debtor{
		Name: p.DebtorName, OrgID: p.DebtorID, IBAN: acct, BIC: p.DebtorBIC}, Recovery: rec,
		Text: catalogueText}), nil
}

// catalogue is the embedded i18n catalogue, parsed once and only when a
// notice is first written: the payment service writes its notices with it
// wherever it runs (serve, worker, pay, the returns' import), and a run
// that tells nobody anything does not pay for parsing it.
var catalogue = sync.OnceValues(i18n.Load)

// catalogueText is the catalogue's text of a key. The catalogue is
// embedded and checked by the tests, so it does not fail to load in a
// built binary; if it did, the key is written rather than failing the
// payment.
func catalogueText(lang, key string, args ...any) string {
	cat, err := catalogue()
	if err != nil {
		return key
	}
	return cat.For(lang).T(key, args...)
}

// outDir is the folder of --out, or payments/ in the data folder, created.
func (p *payConfig) outDir(c *config) (string, error) {
	dir := p.Out
	if dir == "" {
		dir = filepath.Join(c.Data, "payments")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("--out: %w", err)
	}
	return dir, nil
}

func runPay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c config
	var p payConfig
	fs := newFlagSet("pay", "Runs the benefit payments of a pay day: records one payment for each benefit\nand period due and not yet paid, and publishes them as a pain.001 file in\n--out (written under a hidden temporary name, then renamed). A run killed\nat any point is finished by the next; a second run on the day pays only\nwhat became due since. 'etuus worker --pay' runs it on every banking day.", stderr)
	storageFlags(fs, &c)
	payFlags(fs, &p)
	recoveryFlags(fs, &c) // the run offsets recovery claims by its rules
	day := fs.String("date", "", "the pay day (requested execution day), YYYY-MM-DD; default today in Finland")
	dry := fs.Bool("dry-run", false, "show what the run would pay; record and write nothing")
	asJSON := fs.Bool("json", false, "print the run report as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError(fs, "unexpected argument %q", fs.Arg(0))
	}
	today, err := dayOrToday(fs, *day)
	if err != nil {
		return err
	}
	if !payment.IsPayDay(today) {
		return usageError(fs, "--date: %s is not a banking day", today)
	}
	db, err := c.openTool(ctx, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	rec, err := recoveryService(&c, db)
	if err != nil {
		return err
	}
	svc, err := paymentService(&p, db, rec)
	if err != nil {
		return err
	}
	opt := payment.RunOptions{DryRun: *dry, Progress: progressBar(stderr)}
	if !*dry {
		dir, err := p.outDir(&c)
		if err != nil {
			return err
		}
		opt.Publish = payment.Dir(dir)
	}
	rep, err := svc.Run(ctx, access.AsSystem("pay"), today, opt)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printPayReport(stdout, rep)
	return nil
}

// printPayReport prints what a run did, one line each.
func printPayReport(w io.Writer, rep payment.RunReport) {
	for _, r := range rep.Finished {
		fmt.Fprintf(w, "finished run %d cut short: %s, %d payments, %s\n", r.Number, r.FileName, r.Payments, euros(r.TotalCents))
	}
	verb := "paid"
	if rep.DryRun {
		verb = "would pay"
	}
	file := ""
	if rep.Run != nil {
		file = ", file " + rep.Run.FileName
	}
	fmt.Fprintf(w, "%s %s: %d payments, %s, %d refused%s\n", verb, rep.PayDate, rep.Payments, euros(rep.TotalCents), len(rep.Refused), file)
	fmt.Fprintf(w, "  offsets: %d payments, %s withheld for recovery claims (%s before offsets)\n",
		rep.Offsets, euros(rep.OffsetCents), euros(rep.TotalCents+rep.OffsetCents))
	for i, r := range rep.Refused {
		if i == 20 {
			fmt.Fprintf(w, "  … and %d more refused\n", len(rep.Refused)-i)
			break
		}
		fmt.Fprintf(w, "  refused benefit %s period %s: %s\n", r.BenefitID, r.Period, r.Reason)
	}
}

// defaultPay is the payment settings of the flags' defaults.
func defaultPay() *payConfig {
	fs := newFlagSet("", "", io.Discard)
	var p payConfig
	payFlags(fs, &p)
	return &p
}

// demoHistoryDays is how far back the demo's payment history reaches.
const demoHistoryDays = 62

// seedDemoPayments writes the demo benefits once and gives them a history:
// the payment runs of the banking days of the last two months, recorded
// through the service but published nowhere (no file is written for the
// demo's past).
func seedDemoPayments(ctx context.Context, db *store.DB, d demo.Data, log *slog.Logger) error {
	seeded, err := db.SeedDemoBenefits(ctx, d.Benefits)
	if err != nil || !seeded {
		return err
	}
	// The demo's past runs offset nothing: the demo claims stay as seeded.
	svc, err := paymentService(defaultPay(), db, nil)
	if err != nil {
		return err
	}
	today := civil.Today(time.Now())
	runs := 0
	for day := today.AddDays(-demoHistoryDays); day.Before(today); day = day.AddDays(1) {
		if !payment.IsPayDay(day) {
			continue
		}
		rep, err := svc.Run(ctx, access.AsSystem("demo"), day, payment.RunOptions{Publish: payment.Discard{}})
		if err != nil {
			return fmt.Errorf("demo payments %s: %w", day, err)
		}
		if rep.Run != nil {
			runs++
		}
	}
	log.Info("demo benefits written", "benefits", len(d.Benefits), "past payment runs", runs)
	return nil
}

// dayOrToday is the --date flag's day, or today in Finland when it is empty.
func dayOrToday(fs *flagSet, s string) (civil.Date, error) {
	if s == "" {
		return civil.Today(time.Now()), nil
	}
	d, err := civil.ParseISO(s)
	if err != nil {
		return d, usageError(fs, "--date: %v", err)
	}
	return d, nil
}

// payWorkerFlags are the worker's payment settings.
func payWorkerFlags(fs *flagSet, p *payConfig) {
	payFlags(fs, p)
	fs.boolVar(&p.Run, "pay", "ETUUS_PAY", false, "run the benefit payments of each banking day, as 'etuus pay' does, every --pay-every")
	fs.durationVar(&p.Every, "pay-every", "ETUUS_PAY_EVERY", 10*time.Minute, true, "how often the worker runs the day's payments: each run pays what fell due since the last")
}

// startPayments starts the worker's payment loop: on each banking day,
// every p.Every, the day's run. It is the only scheduler of payment runs;
// exactly once comes from the database (one payment per benefit and
// period, runs serialised), so two workers running it side by side pay
// nothing twice. The returned function stops the loop and waits for it.
func startPayments(ctx context.Context, c *config, p *payConfig, db *store.DB, log *slog.Logger) (func(), error) {
	rec, err := recoveryService(c, db)
	if err != nil {
		return nil, err
	}
	svc, err := paymentService(p, db, rec)
	if err != nil {
		return nil, err
	}
	dir, err := p.outDir(c)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		payLoop(ctx, svc, payment.Dir(dir), p.Every, time.Now, log)
	}()
	log.Info("payment runs started", "every", p.Every.String())
	return func() { cancel(); <-done }, nil
}

// payLoop runs the day's payments now and then every interval until ctx
// ends; a day that is not a banking day is skipped.
func payLoop(ctx context.Context, svc *payment.Service, pub payment.Publisher, every time.Duration, now func() time.Time, log *slog.Logger) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if day := civil.Today(now()); payment.IsPayDay(day) {
			rep, err := svc.Run(ctx, access.AsSystem("worker"), day, payment.RunOptions{Publish: pub})
			switch {
			case err != nil && ctx.Err() == nil:
				log.Error("payment run failed", "day", day.String(), "err", err)
			case rep.Run != nil || len(rep.Finished) > 0:
				log.Info("payment run", "day", day.String(), "payments", rep.Payments, "cents", rep.TotalCents,
					"refused", len(rep.Refused), "finished", len(rep.Finished))
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
