package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/employer"
	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/mail"
	"github.com/etuus/etuus/internal/mandate"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/outbox"
	"github.com/etuus/etuus/internal/payment"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/securemail"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/web"
)

// smsFlags are the SMS gateway's settings.
func smsFlags(fs *flagSet, c *config) {
	fs.stringVar(&c.SMSURL, "sms-url", "ETUUS_SMS_URL", "", "SMS gateway: notices are POSTed there as JSON {from, to, text}; empty: no SMS")
	fs.stringVar(&c.SMSToken, "sms-token", "ETUUS_SMS_TOKEN", "", "bearer token for the SMS gateway")
	fs.stringVar(&c.SMSFrom, "sms-from", "ETUUS_SMS_FROM", "Kela", "sender name or number of text messages")
}

// messageFlags are secure messaging's settings: attachments and the virus
// scanner.
func messageFlags(fs *flagSet, c *config) {
	fs.stringVar(&c.Topics, "message-topics", "ETUUS_MESSAGE_TOPICS", "", "JSON topic catalogue: the subjects and specifications customers choose from and the unit each routes to (format: internal/message/topics.json); default: the built-in one")
	fs.stringVar(&c.AttachTypes, "attachment-types", "ETUUS_ATTACHMENT_TYPES", "pdf,jpeg,png", "file types messages may carry, checked from the content: any of pdf, jpeg, png")
	fs.intVar(&c.AttachMaxMB, "attachment-max-mb", "ETUUS_ATTACHMENT_MAX_MB", 10, 1, maxAttachMB, "largest attachment in MiB")
	fs.intVar(&c.AttachMaxFiles, "attachment-max-files", "ETUUS_ATTACHMENT_MAX_FILES", message.DefaultMaxFiles, 1, maxAttachFiles, "most attachments in one message")
	fs.intVar(&c.AttachQuotaMB, "attachment-quota-mb", "ETUUS_ATTACHMENT_QUOTA_MB", message.DefaultQuotaBytes>>20, 1, 1<<20, "MiB of attachments a customer may have sent, all messages together; a secure e-mail thread has as much for its sender's files")
	fs.intVar(&c.UploadsPerPerson, "uploads-per-person", "ETUUS_UPLOADS_PER_PERSON", web.DefaultUploadsPerPerson, 1, 20, "messages with attachments one person (or one secure e-mail thread) may be sending at once (per process)")
	fs.stringVar(&c.Clamd, "clamd", "ETUUS_CLAMD", "", "ClamAV daemon that scans attachments: unix:/run/clamav/clamd.ctl or tcp:127.0.0.1:3310; empty: attachments are not scanned")
}

// The bounds keep one message's attachments under 250 MiB (received into
// temporary files, never into memory).
const maxAttachMB, maxAttachFiles = 25, 10

// scanner is the attachment scanner of --clamd, or nil.
func (c *config) scanner() (message.Scanner, error) {
	if c.Clamd == "" {
		return nil, nil
	}
	network, addr, ok := strings.Cut(c.Clamd, ":")
	if !ok || (network != "unix" && network != "tcp") || addr == "" {
		return nil, fmt.Errorf("--clamd must be unix:/path/to/socket or tcp:host:port, not %q", c.Clamd)
	}
	return message.ClamAV{Network: network, Address: addr}, nil
}

// catalogue reads the topic catalogue of --message-topics, checked against
// the units that exist, or nil for the built-in one.
func (c *config) catalogue(ctx context.Context, db *store.DB) (*message.Catalogue, error) {
	if c.Topics == "" {
		return nil, nil
	}
	units, err := db.Units(ctx)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(c.Topics)
	if err != nil {
		return nil, fmt.Errorf("--message-topics: %w", err)
	}
	defer f.Close()
	cat, err := message.LoadCatalogue(f, message.KnownUnits(units))
	if err != nil {
		return nil, fmt.Errorf("--message-topics %s: %w", c.Topics, err)
	}
	return cat, nil
}

// messageLimits reads the attachment settings.
func (c *config) messageLimits() (message.Limits, error) {
	l := message.DefaultLimits()
	if c.AttachMaxMB < 1 || c.AttachMaxMB > maxAttachMB {
		return l, fmt.Errorf("--attachment-max-mb must be 1–%d, not %d", maxAttachMB, c.AttachMaxMB)
	}
	if c.AttachMaxFiles < 1 || c.AttachMaxFiles > maxAttachFiles {
		return l, fmt.Errorf("--attachment-max-files must be 1–%d, not %d", maxAttachFiles, c.AttachMaxFiles)
	}
	l.MaxFileBytes, l.MaxFiles, l.QuotaBytes = int64(c.AttachMaxMB)<<20, c.AttachMaxFiles, int64(c.AttachQuotaMB)<<20
	known := map[string]string{"pdf": message.TypePDF, "jpeg": message.TypeJPEG, "jpg": message.TypeJPEG, "png": message.TypePNG}
	l.Types = nil
	for _, f := range strings.FieldsFunc(strings.ToLower(c.AttachTypes), func(r rune) bool { return r == ',' || r == ' ' }) {
		t, ok := known[f]
		if !ok {
			return l, fmt.Errorf("--attachment-types: %q is not one of pdf, jpeg, png", f)
		}
		if !slices.Contains(l.Types, t) {
			l.Types = append(l.Types, t)
		}
	}
	if len(l.Types) == 0 {
		return l, fmt.Errorf("--attachment-types names no type")
	}
	return l, nil
}

// setUpDevSMS starts the development SMS gateway when no --sms-url is
// given and --dev-sms allows (by default only on the embedded SQLite), and
// points c at it.
func (a *app) setUpDevSMS(c *config) error {
	if c.SMSURL != "" {
		return nil
	}
	dev, err := c.autoSQLite("--dev-sms", c.DevSMS)
	if err != nil || !dev {
		return err
	}
	s, err := outbox.StartSMSSink("127.0.0.1:0", 0)
	if err != nil {
		return fmt.Errorf("development SMS gateway: %w", err)
	}
	a.smsSink, c.SMSURL = s, s.URL()
	a.cfg.SMSURL = c.SMSURL
	a.log.Info("development SMS gateway started: texts are shown at /test-mail", "addr", s.URL(), "turn_off", "--dev-sms false")
	return nil
}

// sms is the gateway of --sms-url, or nil.
func (c *config) sms() outbox.SMSSender {
	if c.SMSURL == "" {
		return nil
	}
	return &outbox.HTTPSMS{URL: c.SMSURL, Token: c.SMSToken, From: c.SMSFrom}
}

// noticeKinds is the registry of notice kinds, from what the capabilities
// that send them provide, with texts in the recipient's language.
func noticeKinds(cat *i18n.Catalog) (*outbox.Kinds, error) {
	t := translate(cat)
	return outbox.NewKinds(message.NoticeKinds(t), securemail.NoticeKinds(t), recovery.NoticeKinds(t), mandate.NoticeKinds(t), customer.NoticeKinds(t), payment.NoticeKinds(t), employer.NoticeKinds(t))
}

// translate gives the capabilities the catalogue's texts.
func translate(cat *i18n.Catalog) outbox.Translate {
	return func(lang, key string, args ...any) string { return cat.For(lang).T(key, args...) }
}

// newWorker is the outbox worker over the app's database and senders; a
// channel without a sender is left for a process that has one.
func newWorker(db outbox.Store, smtp *mail.SMTP, c config, kinds *outbox.Kinds, log *slog.Logger) *outbox.Worker {
	w := &outbox.Worker{Store: db, SMS: c.sms(), Render: kinds.Render, Log: log}
	if smtp != nil {
		// Not a nil *mail.SMTP in the interface: the worker tests Email
		// against nil.
		w.Email = smtp
	}
	return w
}

func runWorker(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c config
	fs := newFlagSet("worker", "Sends the outbox's notices (e-mail and SMS) until stopped, apart from\nthe web front: run it beside 'etuus serve --outbox-worker=false', or as\nmany as needed; two workers never send the same notice. With --pay it also\nruns the benefit payments of each banking day (as 'etuus pay').", stderr)
	storageFlags(fs, &c)
	smsFlags(fs, &c)
	fs.stringVar(&c.SMTP, "smtp", "ETUUS_SMTP", "", "SMTP server for e-mail, as for serve")
	var pay payConfig
	payWorkerFlags(fs, &pay)
	recoveryFlags(fs, &c) // the runs offset recovery claims by its rules
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError(fs, "unexpected argument %q", fs.Arg(0))
	}
	if c.SMTP == "" && c.SMSURL == "" && !pay.Run {
		return usageError(fs, "give --smtp, --sms-url, --pay or several")
	}
	log, err := c.logger(stderr)
	if err != nil {
		return err
	}
	db, err := c.openExisting(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if pay.Run {
		stop, err := startPayments(ctx, &c, &pay, db, log)
		if err != nil {
			return err
		}
		defer stop()
		if c.SMTP == "" && c.SMSURL == "" {
			<-ctx.Done()
			return nil
		}
	}
	var smtp *mail.SMTP
	if c.SMTP != "" {
		if smtp, err = c.smtp(); err != nil {
			return err
		}
	}
	cat, err := i18n.Load()
	if err != nil {
		return err
	}
	kinds, err := noticeKinds(cat)
	if err != nil {
		return err
	}
	log.Info("outbox worker started")
	err = newWorker(db, smtp, c, kinds, log).Run(ctx)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// outboxMetricsEvery is how long the outbox gauges are kept between
// reads: the pending and failed counts grow with the backlog, so they are
// read at most this often however often /metrics is scraped (see kept).
const outboxMetricsEvery = 5 * time.Second

// outboxMetrics reads the outbox's backlog for /metrics, from the database
// on every Collect; app.go registers it behind kept.
type outboxMetrics struct {
	db                      *store.DB
	pending, oldest, failed *prometheus.Desc
}

func newOutboxMetrics(db *store.DB) *outboxMetrics {
	const read = " Read from the database in the background at most every 5 s; a scrape shows the last reading."
	return &outboxMetrics{db: db,
		pending: prometheus.NewDesc("etuus_outbox_pending", "Notices waiting to be sent (first try or a retry)."+read, nil, nil),
		oldest:  prometheus.NewDesc("etuus_outbox_oldest_pending_seconds", "How long the longest-waiting notice had waited when read."+read, nil, nil),
		failed:  prometheus.NewDesc("etuus_outbox_failed", "Notices given up on after a permanent refusal or too many tries."+read, nil, nil),
	}
}

func (m *outboxMetrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- m.pending
	ch <- m.oldest
	ch <- m.failed
}

// Collect reads the backlog; a failed read (the database is away) gives
// no figures rather than old ones.
func (m *outboxMetrics) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	pending, oldest, failed, err := m.db.OutboxBacklog(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(m.pending, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(m.pending, prometheus.GaugeValue, float64(pending))
	ch <- prometheus.MustNewConstMetric(m.oldest, prometheus.GaugeValue, oldest.Seconds())
	ch <- prometheus.MustNewConstMetric(m.failed, prometheus.GaugeValue, float64(failed))
}
