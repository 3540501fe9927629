package outbox

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/etuus/etuus/internal/mail"
)

// ErrNotHeld is the answer of a Store's Mark methods when the worker no
// longer holds the notice: its lease ran out and another worker claimed it.
var ErrNotHeld = errors.New("outbox: the notice is no longer held by this worker")

// Store is the outbox table as a worker sees it. A notice a worker claimed
// is leased to it (by name) until it marks the notice or the lease runs out.
type Store interface {
	// ClaimOutbox leases up to n due notices to worker for lease: pending
	// ones whose NextAt has come and that no live lease holds. It counts
	// the try in Attempts and returns them oldest NextAt first. Two
	// workers never get the same notice while its lease lasts.
	ClaimOutbox(ctx context.Context, worker string, n int, lease time.Duration, channels ...Channel) ([]Item, error)
	// MarkSent records that the server took the notice and clears its
	// Payload. ErrNotHeld when worker does not hold it.
	MarkSent(ctx context.Context, worker, id string) error
	// MarkRetry ends the lease and makes the notice due again at next;
	// errText becomes its LastError. ErrNotHeld when worker does not hold
	// it.
	MarkRetry(ctx context.Context, worker, id string, next time.Time, errText string) error
	// ReleaseOutbox hands a claimed notice back untried, as it was before
	// the claim (its Attempts too). ErrNotHeld when worker does not hold
	// it.
	ReleaseOutbox(ctx context.Context, worker, id string) error
	// MarkFailed gives the notice up for good; errText becomes its
	// LastError. ErrNotHeld when worker does not hold it.
	MarkFailed(ctx context.Context, worker, id, errText string) error
}

// Renderer writes a notice's subject and text (the subject is not used for
// SMS) in the notice's language. Its error is taken as permanent: a notice
// that cannot be written now cannot be written later either.
type Renderer func(it Item) (subject, text string, err error)

// SMSSender sends one text message. Its errors answer IsTemporary.
type SMSSender interface {
	SendSMS(ctx context.Context, to, text string) error
}

// batchSender is a mail sender that can send several messages over one
// connection, as *mail.SMTP can.
type batchSender interface {
	SendEach(ctx context.Context, ms []mail.Message, done func(i int, err error) bool)
}

// Defaults for the Worker fields left zero.
const (
	DefaultBatch       = 100
	DefaultChunk       = 50
	DefaultConns       = 8
	DefaultLease       = 2 * time.Minute
	DefaultPoll        = 200 * time.Millisecond
	DefaultMaxAttempts = 20
)

// Worker delivers the notices of an outbox. Several workers, in one process
// or many, may run on one Store. Set the fields before Run; zero ones take
// the defaults. Store, Render, and Email or SMS are required.
type Worker struct {
	Store  Store
	Email  mail.Sender
	SMS    SMSSender
	Render Renderer
	// Name identifies the worker's leases; it must differ between the
	// workers of one Store. Default: host name, process ID and a random
	// part.
	Name string
	// Batch is how many notices one claim takes (DefaultBatch).
	Batch int
	// Conns is how many notices are in flight at once, each e-mail over
	// its own SMTP connection (DefaultConns).
	Conns int
	// Chunk is how many e-mails go over one SMTP connection, when Email
	// can send several (as *mail.SMTP can, with SendEach), so that the
	// connection set-up is paid once a chunk (DefaultChunk). Each e-mail
	// is still marked sent as soon as the server takes it, before the next
	// is offered: a worker killed mid-chunk repeats at most the one e-mail
	// in flight on each connection, under the same Message-ID.
	Chunk int
	// Lease is how long a claim holds its notices (DefaultLease). A
	// notice not yet started when three quarters of it have passed is
	// left for the next claim, so that no other worker holds it by the
	// time it is sent.
	Lease time.Duration
	// Poll is the pause after a claim that found nothing (DefaultPoll);
	// Wake cuts it short.
	Poll time.Duration
	// MaxAttempts is how many tries a notice gets before it is given up
	// (DefaultMaxAttempts).
	MaxAttempts int
	// Backoff is the pause after the given failed try, counted from 1.
	// Default: 5 s doubling to at most an hour, each ±25 % at random so
	// that notices failed together do not come back together.
	Backoff func(attempt int) time.Duration
	// Log gets one line per failure and per claim error, naming notices by
	// ID only; never an address, a payload or a text. Default:
	// slog.Default().
	Log *slog.Logger

	// marking lets one Mark at a time go to the Store. On SQLite, with
	// one writer at a time, Conns marks at once only meet in SQLite's
	// busy wait, which sleeps a millisecond or more per collision; taking
	// turns here is several times faster. Each connection still marks its
	// e-mail before it sends the next.
	marking  sync.Mutex
	wakeOnce sync.Once
	wake     chan struct{}
}

// channels are those the worker has a sender for: it claims only their
// notices and leaves the others to a worker that can send them.
func (w *Worker) channels() []Channel {
	var out []Channel
	if w.Email != nil {
		out = append(out, Email)
	}
	if w.SMS != nil {
		out = append(out, SMS)
	}
	return out
}

// Wake makes a waiting Run claim at once, without waiting out Poll. Call it
// after enqueueing a notice; it never blocks.
func (w *Worker) Wake() {
	select {
	case w.wakeCh() <- struct{}{}:
	default:
	}
}

func (w *Worker) wakeCh() chan struct{} {
	w.wakeOnce.Do(func() { w.wake = make(chan struct{}, 1) })
	return w.wake
}

// DefaultBackoff waits 5 s after the first failed try and doubles the wait
// after each next one up to an hour, with ±25 % jitter.
func DefaultBackoff(attempt int) time.Duration {
	d := 5 * time.Second
	for i := 1; i < attempt && d < time.Hour; i++ {
		d *= 2
	}
	d = min(d, time.Hour)
	return d*3/4 + rand.N(d/2)
}

// Run claims and delivers notices until ctx ends, and then returns nil once
// the sends in flight are done and recorded. It returns an error at once
// only when the Worker lacks a required field.
func (w *Worker) Run(ctx context.Context) error {
	if err := w.setDefaults(); err != nil {
		return err
	}
	w.Log.Info("outbox worker started", "worker", w.Name, "batch", w.Batch, "conns", w.Conns, "chunk", w.Chunk)
	pause := time.Duration(0)
	for ctx.Err() == nil {
		n, err := w.round(ctx)
		switch {
		case ctx.Err() != nil:
		case err != nil:
			// The database is away: wait longer each time, up to a minute.
			pause = min(max(2*pause, w.Poll), time.Minute)
			w.Log.Warn("outbox claim failed", "worker", w.Name, "err", err, "retry_in", pause)
		case n > 0:
			pause = 0
			continue
		default:
			pause = w.Poll
		}
		select {
		case <-ctx.Done():
		case <-w.wakeCh():
		case <-time.After(pause):
		}
	}
	w.Log.Info("outbox worker stopped", "worker", w.Name)
	return nil
}

func (w *Worker) setDefaults() error {
	switch {
	case w.Store == nil:
		return errors.New("outbox: Worker needs a Store")
	case w.Render == nil:
		return errors.New("outbox: Worker needs a Render")
	case w.Email == nil && w.SMS == nil:
		return errors.New("outbox: Worker needs an Email or an SMS sender")
	}
	if w.Name == "" {
		host, _ := os.Hostname()
		b := make([]byte, 4)
		crand.Read(b)
		w.Name = host + "-" + strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(b)
	}
	w.Batch = orDefault(w.Batch, DefaultBatch)
	w.Conns = orDefault(w.Conns, DefaultConns)
	w.Chunk = orDefault(w.Chunk, DefaultChunk)
	w.Lease = orDefault(w.Lease, DefaultLease)
	w.Poll = orDefault(w.Poll, DefaultPoll)
	w.MaxAttempts = orDefault(w.MaxAttempts, DefaultMaxAttempts)
	if w.Backoff == nil {
		w.Backoff = DefaultBackoff
	}
	if w.Log == nil {
		w.Log = slog.Default()
	}
	return nil
}

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// round claims one batch and delivers it over up to Conns connections at
// once. It returns how many notices it claimed.
func (w *Worker) round(ctx context.Context) (int, error) {
	items, err := w.Store.ClaimOutbox(ctx, w.Name, w.Batch, w.Lease, w.channels()...)
	if err != nil || len(items) == 0 {
		return 0, err
	}
	// Sends and marks already under way finish when ctx ends, so that a
	// message the server took is recorded; the mail and SMS timeouts
	// bound them.
	bg := context.WithoutCancel(ctx)
	latestStart := time.Now().Add(w.Lease * 3 / 4)
	jobs := make(chan []Item)
	var wg sync.WaitGroup
	for range min(w.Conns, len(items)) {
		wg.Go(func() {
			for job := range jobs {
				if ctx.Err() != nil || time.Now().After(latestStart) {
					w.release(bg, job)
					continue
				}
				w.deliver(bg, job, latestStart)
			}
		})
	}
	for _, job := range w.jobs(items) {
		jobs <- job
	}
	close(jobs)
	wg.Wait()
	return len(items), nil
}

// jobs groups the notices into what one connection sends: a chunk of
// e-mails when the sender batches, else one notice each.
func (w *Worker) jobs(items []Item) [][]Item {
	var out [][]Item
	_, batches := w.Email.(batchSender)
	var chunk []Item
	for _, it := range items {
		if it.Channel != Email || !batches || w.Chunk == 1 {
			out = append(out, []Item{it})
			continue
		}
		chunk = append(chunk, it)
		if len(chunk) == w.Chunk {
			out = append(out, chunk)
			chunk = nil
		}
	}
	if chunk != nil {
		out = append(out, chunk)
	}
	return out
}

// release hands notices not tried back as they were, for the next claim.
func (w *Worker) release(ctx context.Context, job []Item) {
	for _, it := range job {
		w.record(it, func() error { return w.Store.ReleaseOutbox(ctx, w.Name, it.ID) })
	}
}

// deliver sends a job and records each notice's outcome.
func (w *Worker) deliver(ctx context.Context, job []Item, latestStart time.Time) {
	var (
		todo []Item
		msgs []mail.Message
	)
	for _, it := range job {
		subject, text, err := w.Render(it)
		if err != nil {
			w.Log.Error("outbox notice not rendered", "worker", w.Name, "id", it.ID, "kind", it.Kind, "lang", it.Lang, "err", err)
			w.record(it, func() error { return w.Store.MarkFailed(ctx, w.Name, it.ID, "render") })
			continue
		}
		switch {
		case it.Channel == Email && w.Email != nil:
			todo = append(todo, it)
			msgs = append(msgs, mail.Message{To: it.Recipient, Subject: subject, Text: text, MessageID: it.MessageID})
		case it.Channel == SMS && w.SMS != nil:
			w.outcome(ctx, it, w.SMS.SendSMS(ctx, it.Recipient, text))
		default:
			w.outcome(ctx, it, fmt.Errorf("%w %q", errNoSender, it.Channel))
		}
	}
	switch b, ok := w.Email.(batchSender); {
	case len(msgs) == 1 || (len(msgs) > 1 && !ok):
		for i, m := range msgs {
			w.outcome(ctx, todo[i], w.Email.Send(ctx, m))
		}
	case len(msgs) > 1:
		// Each e-mail is recorded as soon as the server took it, before
		// the next one is offered; none is offered once the lease may be
		// running out (a slow server), and those left are handed back.
		reported := 0
		b.SendEach(ctx, msgs, func(i int, err error) bool {
			w.outcome(ctx, todo[i], err)
			reported = i + 1
			return time.Now().Before(latestStart)
		})
		w.release(ctx, todo[reported:])
	}
}

// errNoSender: a notice for a channel this worker has no sender for. It is
// retried, so that configuring the sender delivers it.
var errNoSender = errors.New("outbox: no sender for channel")

// outcome records a try: sent, due again after the back-off, or given up.
func (w *Worker) outcome(ctx context.Context, it Item, err error) {
	if err == nil {
		w.record(it, func() error { return w.Store.MarkSent(ctx, w.Name, it.ID) })
		return
	}
	class := Classify(err)
	temporary := IsTemporary(err) || errors.Is(err, errNoSender)
	if !temporary || it.Attempts >= w.MaxAttempts {
		w.Log.Warn("outbox notice failed", "worker", w.Name, "id", it.ID, "channel", it.Channel,
			"attempts", it.Attempts, "class", class, "temporary", temporary, "err", safeText(err))
		w.record(it, func() error { return w.Store.MarkFailed(ctx, w.Name, it.ID, class) })
		return
	}
	wait := w.Backoff(it.Attempts)
	w.Log.Info("outbox notice to be retried", "worker", w.Name, "id", it.ID, "channel", it.Channel,
		"attempts", it.Attempts, "class", class, "retry_in", wait, "err", safeText(err))
	w.record(it, func() error { return w.Store.MarkRetry(ctx, w.Name, it.ID, time.Now().Add(wait), class) })
}

// record runs one of the Store's Mark methods and logs one that did not
// take. The notice then stays leased until the lease runs out and is sent
// again, under the same Message-ID.
func (w *Worker) record(it Item, mark func() error) {
	w.marking.Lock()
	err := mark()
	w.marking.Unlock()
	switch {
	case err == nil:
	case errors.Is(err, ErrNotHeld):
		w.Log.Warn("outbox lease lost before the notice was marked", "worker", w.Name, "id", it.ID)
	default:
		w.Log.Error("outbox mark failed", "worker", w.Name, "id", it.ID, "err", err)
	}
}

// Classify names a send failure for the outbox's last_error and the logs,
// such as "smtp rcpt to 550 5.1.1", "sms 429" or "sms network": never an
// address or any part of the message.
func Classify(err error) string {
	var me *mail.Error
	var se *SMSError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &me):
		s := "smtp " + me.Op
		if me.Code != 0 {
			s += " " + strconv.Itoa(me.Code)
		}
		if me.Enhanced != "" {
			s += " " + me.Enhanced
		}
		return s
	case errors.As(err, &se):
		if se.Status == 0 {
			return "sms network"
		}
		return "sms " + strconv.Itoa(se.Status)
	case errors.Is(err, errNoSender):
		return "no sender"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "cancelled"
	}
	return "error"
}

// safeText is an error's text when its package promises the text holds no
// address or message; otherwise only its classification.
func safeText(err error) string {
	var me *mail.Error
	var se *SMSError
	if errors.As(err, &me) {
		return me.Error()
	}
	if errors.As(err, &se) {
		return se.Error()
	}
	return Classify(err)
}

// IsTemporary reports whether a later try of the same notice may succeed:
// an SMS gateway's 408, 429 or 5xx or a network failure, a temporary mail
// failure (see mail.IsTemporary), or an error of unknown origin, so that a
// notice is never dropped by mistake.
func IsTemporary(err error) bool {
	var se *SMSError
	if errors.As(err, &se) {
		return se.Temporary
	}
	return mail.IsTemporary(err)
}
