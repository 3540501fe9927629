package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/scale"
)

// ScaleOptions say how many synthetic customers LoadScale writes, and from
// what.
type ScaleOptions struct {
	N         int
	Seed      uint64
	Catalogue *message.Catalogue
	Rules     *recovery.Rules
	// Chunk is how many customers go into one transaction: 100,000 unless
	// set. Each transaction holds the audit chain's lock while it runs.
	Chunk int
	// Progress, if set, is told after each transaction how many of the N
	// customers are written.
	Progress func(done int)
}

// ScaleReport is what LoadScale wrote.
type ScaleReport struct {
	Batch int   // the batch's number: 1 for the first load into a database
	First int64 // the index of the batch's first person among all synthetic people
	// Heavy is the batch's first person, who has scale.HeavyThreads threads.
	Heavy customer.Person
	Rows  map[string]int64 // rows written, by table
}

// The meta keys that make a second load a second batch: the next synthetic
// person's index, and the number of batches so far.
const (
	metaScaleNext    = "scale_next"
	metaScaleBatches = "scale_batches"
)

// LoadScale writes a batch of o.N synthetic customers (package scale)
// beside whatever the database holds: people, claims with their history,
// message threads, notification choices, notices and audit entries, which
// continue the audit chain from its head. The batch's first person has
// many threads (ScaleReport.Heavy).
//
// Loading again adds another batch: identity codes continue where the last
// batch stopped, so they stay unique. The batch's range of people is
// reserved first, so a load cut short leaves the customers it committed
// and a gap, never a clash. The data is as of the start of db.Now's day
// (UTC) and, given the seed and the batch, the same all that day.
// Customers go in by transactions of o.Chunk: on PostgreSQL by COPY, on
// SQLite by multi-row INSERT statements.
func (db *DB) LoadScale(ctx context.Context, o ScaleOptions) (ScaleReport, error) {
	if o.N < 1 {
		return ScaleReport{}, errors.New("scale: the number of customers must be at least 1")
	}
	if o.Chunk <= 0 {
		o.Chunk = 100_000
	}
	now := db.now().UTC()
	rep := ScaleReport{Rows: map[string]int64{}}
	g, err := db.reserveScale(ctx, o, now, &rep)
	if err != nil {
		return rep, err
	}
	// Customers are made on one goroutine while the database takes the
	// previous ones, which keeps both cores of a small machine busy.
	gctx, cancel := context.WithCancel(ctx)
	defer cancel()
	made := make(chan []scale.Customer, 4)
	failed := make(chan error, 1)
	go func() {
		defer close(made)
		const per = 256
		for start := 0; start < o.N; start += per {
			cs := make([]scale.Customer, 0, per)
			for i := start; i < min(start+per, o.N); i++ {
				c, err := g.Customer(i)
				if err != nil {
					failed <- err
					return
				}
				cs = append(cs, c)
			}
			select {
			case made <- cs:
			case <-gctx.Done():
				return
			}
		}
	}()
	done := 0
	var pending []scale.Customer
	for done < o.N {
		n := min(o.Chunk, o.N-done)
		err := db.scaleChunk(ctx, &rep, n, func() (scale.Customer, bool, error) {
			for len(pending) == 0 {
				cs, ok := <-made
				if !ok {
					select {
					case err := <-failed:
						return scale.Customer{}, false, err
					default:
						return scale.Customer{}, false, errors.New("scale: generator stopped early")
					}
				}
				pending = cs
			}
			c := pending[0]
			pending = pending[1:]
			return c, true, nil
		})
		if err != nil {
			return rep, err
		}
		done += n
		if o.Progress != nil {
			o.Progress(done)
		}
	}
	return rep, nil
}

// reserveScale takes the next batch number and range of people, and writes
// the synthetic staff who answer the threads.
func (db *DB) reserveScale(ctx context.Context, o ScaleOptions, now time.Time, rep *ScaleReport) (*scale.Generator, error) {
	var g *scale.Generator
	err := db.inTx(ctx, func(tx *Tx) error {
		if q := tx.db.dialect.lockAudit(); q != "" {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		next, err := tx.metaInt(ctx, metaScaleNext)
		if err != nil {
			return err
		}
		batches, err := tx.metaInt(ctx, metaScaleBatches)
		if err != nil {
			return err
		}
		if next+int64(o.N) > scale.Capacity {
			return fmt.Errorf("scale: %d more customers would pass the %d artificial identity codes (%d written before)", o.N, scale.Capacity, next)
		}
		rep.Batch, rep.First = int(batches)+1, next
		g, err = scale.New(scale.Options{Seed: o.Seed, Now: now, First: next, Batch: rep.Batch, Catalogue: o.Catalogue, Rules: o.Rules})
		if err != nil {
			return err
		}
		if err := tx.setMeta(ctx, metaScaleNext, strconv.FormatInt(next+int64(o.N), 10)); err != nil {
			return err
		}
		if err := tx.setMeta(ctx, metaScaleBatches, strconv.Itoa(rep.Batch)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO bank_files (id, sha256, name, message, message_id, imported_by, status, progress, entries,
			booked, queued, refused, reported_again, reversed, booked_cents, imported_at)
			VALUES ($1, $2, $3, 'camt.054', $1, 'scale', 'done', 0, 0, 0, 0, 0, 0, 0, 0, $4)`,
			scaleFileID(rep.Batch), fmt.Sprintf("scale:%d:%d", o.Seed, rep.Batch), fmt.Sprintf("synthetic payments, batch %d", rep.Batch), tx.now); err != nil {
			return err
		}
		for _, s := range g.Staff() {
			if _, err := tx.ExecContext(ctx, `INSERT INTO staff (id, subject, given_name, family_name, unit_id, role, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (subject) DO NOTHING`,
				s.ID, s.Subject, s.GivenName, s.FamilyName, s.UnitID, s.Role, tx.now); err != nil {
				return err
			}
		}
		return nil
	})
	return g, err
}

func (tx *Tx) metaInt(ctx context.Context, key string) (int64, error) {
	var v string
	err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = $1`, key).Scan(&v)
	if isNoRows(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(v, 10, 64)
}

func (tx *Tx) setMeta(ctx context.Context, key, value string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// scaleChunk writes n customers from next in one transaction. It holds
// the audit chain's lock and the claim number counters until it commits,
// so the application may keep running beside it: its audit entries and
// claims wait, then continue the chain and the numbering after the batch.
func (db *DB) scaleChunk(ctx context.Context, rep *ScaleReport, n int, next func() (scale.Customer, bool, error)) error {
	// The transaction runs on a connection of its own, so that on
	// PostgreSQL the rows can be sent with COPY on that same connection.
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	tx := &Tx{Tx: sqlTx, db: db, now: db.now().UTC().Truncate(time.Microsecond)}
	defer tx.Rollback()
	if q := db.dialect.lockAudit(); q != "" {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	seq, prev := int64(0), audit.Genesis
	err = tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&seq, &prev)
	if err != nil && !isNoRows(err) {
		return err
	}
	numbers := map[recovery.Kind]int64{}
	for _, k := range recovery.Kinds() {
		if _, err := tx.ExecContext(ctx, `INSERT INTO claim_numbers (kind, next) VALUES ($1, 1) ON CONFLICT (kind) DO NOTHING`, string(k)); err != nil {
			return err
		}
		var v int64
		if err := tx.QueryRowContext(ctx, `SELECT next FROM claim_numbers WHERE kind = $1`+db.dialect.forUpdate(), string(k)).Scan(&v); err != nil {
			return err
		}
		numbers[k] = v
	}
	w := newBulk(tx, conn)
	w.fileID = scaleFileID(rep.Batch)
	for range n {
		c, ok, err := next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if c.Person.ID != "" && rep.Heavy.ID == "" {
			rep.Heavy = c.Person
		}
		for i := range c.Claims {
			cl := &c.Claims[i]
			cl.Number = numbers[cl.Kind]
			numbers[cl.Kind]++
			if cl.Reference, err = recovery.ClaimReference(cl.Kind, cl.Number); err != nil {
				return err
			}
		}
		for i := range c.Audit {
			e := &c.Audit[i]
			seq++
			e.Seq, e.PrevHash, e.At = seq, prev, e.At.UTC()
			audit.Seal(db.auditSealKey(), e)
			prev = e.Hash
		}
		if err := w.customer(ctx, c); err != nil {
			return err
		}
	}
	if err := w.flush(ctx); err != nil {
		return err
	}
	for k, v := range numbers {
		if _, err := tx.ExecContext(ctx, `UPDATE claim_numbers SET next = $1 WHERE kind = $2`, v, string(k)); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	for _, t := range w.tables {
		rep.Rows[t.name] += t.written
	}
	return nil
}

// bulk buffers rows by table and writes them, parents before children so
// that foreign keys hold at every statement: by COPY on PostgreSQL, as
// multi-row INSERTs on SQLite.
type bulk struct {
	tx *Tx
	// conn is the transaction's connection: on PostgreSQL rows go in by
	// COPY through it, the fastest way PostgreSQL takes rows.
	conn   *sql.Conn
	tables []*bulkTable // in the order they are written
	byName map[string]*bulkTable
	// maxParams bounds a statement's parameters: PostgreSQL's protocol
	// takes 65,535, SQLite 32,766.
	maxParams int
	stmts     map[string]*sql.Stmt
	persons   int
	// fileID is the synthetic bank file the batch's payments came in.
	fileID string
}

type bulkTable struct {
	name    string
	cols    string
	ncols   int
	args    []any
	written int64
}

// flushEvery is how many customers are buffered before they are written.
const flushEvery = 2000

func newBulk(tx *Tx, conn *sql.Conn) *bulk {
	b := &bulk{tx: tx, conn: conn, byName: map[string]*bulkTable{}, maxParams: 65_535, stmts: map[string]*sql.Stmt{}}
	if tx.db.dialect == sqliteDialect {
		b.maxParams = 2000
	}
	for _, t := range []struct{ name, cols string }{
		{"persons", "id, hetu, given_name, family_name, birth_date, lang, email, phone, demo, created_at"},
		{"claims", "id, person_id, kind, number, reference, principal, interest, fees, paid_fees, paid_interest, paid_principal, due_date, status, benefit_key, decision_id, term, created_at, updated_at, period_from, period_to"},
		{"claim_events", "id, claim_id, person_id, on_date, kind, cents, fees, interest, principal, note, at"},
		{"plan_proposals", "id, claim_id, person_id, status, monthly_cents, months, first_due, plan, message, created_at"},
		{"exemption_applications", "id, claim_id, person_id, status, monthly_income_cents, children, reason, kind, period_from, created_at"},
		{"bank_entries", "id, file_id, line, entry_index, account, booking_date, archive_id, tx_key, amount_cents, reference, raw_reference, value_date, status, claim_id, person_id, alloc_fees, alloc_interest, alloc_principal, created_at"},
		{"notification_consents", "person_id, allow_messages, channel, address, verified, updated_at"},
		{"threads", "id, party_kind, party_id, lang, unit_id, subject, specification, title, status, assigned_to, created_at, last_message_at, waiting_since, unread_customer, unread_staff, customer_message_at"},
		{"thread_messages", "id, thread_id, author_kind, author_id, body, internal, created_at"},
		{"outbox", "id, channel, recipient, lang, kind, payload, message_id, person_id, thread_id, status, attempts, next_at, last_error, created_at, sent_at"},
		{"audit_log", "seq, at, actor_kind, actor_id, action, subject_id, object, detail, prev_hash, hash, key_id"},
	} {
		bt := &bulkTable{name: t.name, cols: t.cols, ncols: strings.Count(t.cols, ",") + 1}
		b.tables = append(b.tables, bt)
		b.byName[t.name] = bt
	}
	return b
}

func (b *bulk) add(table string, vals ...any) {
	t := b.byName[table]
	if len(vals) != t.ncols {
		panic("store: " + table + ": wrong number of values")
	}
	t.args = append(t.args, vals...)
}

// zeroTimeNil writes the zero time as NULL.
func zeroTimeNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// customer buffers one customer's rows, and writes the buffers every
// flushEvery customers.
func (b *bulk) customer(ctx context.Context, c scale.Customer) error {
	p := c.Person
	b.add("persons", p.ID, p.HETU, p.GivenName, p.FamilyName, p.BirthDate, p.Lang, p.Email, p.Phone, false, p.CreatedAt)
	for _, cl := range c.Claims {
		term := ""
		if !cl.Term.IsZero() {
			term = cl.Term.String()
		}
		b.add("claims", cl.ID, cl.PersonID, string(cl.Kind), cl.Number, cl.Reference.String(), cl.Principal, cl.Interest, cl.Fees,
			cl.Paid.Fees, cl.Paid.Interest, cl.Paid.Principal, cl.DueDate, string(cl.Status), cl.BenefitKey, cl.DecisionID, term,
			cl.CreatedAt, cl.UpdatedAt, nullDate(cl.PeriodFrom), nullDate(cl.PeriodTo))
		for j, e := range cl.Events {
			b.add("claim_events", cl.EventIDs[j], cl.ID, cl.PersonID, e.On, string(e.Kind), e.Cents,
				e.Parts.Fees, e.Parts.Interest, e.Parts.Principal, e.Note, e.At)
			if e.Kind == recovery.EventPayment {
				// Every payment came through the bank, so the money
				// invariants hold on the synthetic data too.
				archive := "SCALE-" + cl.EventIDs[j]
				b.add("bank_entries", cl.EventIDs[j], b.fileID, 0, 0, scaleAccount, e.On, archive,
					scaleAccount+"|"+e.On.String()+"|"+archive, e.Cents, cl.Reference.String(), cl.Reference.String(), e.On,
					recovery.EntryBooked, cl.ID, cl.PersonID, e.Parts.Fees, e.Parts.Interest, e.Parts.Principal, e.At)
			}
		}
	}
	for _, cl := range c.Claims {
		if pr := cl.Proposal; pr != nil {
			plan, err := json.Marshal(pr.Plan)
			if err != nil {
				return err
			}
			b.add("plan_proposals", pr.ID, pr.ClaimID, pr.PersonID, pr.Status, pr.Plan.MonthlyCents, pr.Plan.Months(),
				pr.Plan.FirstDue, string(plan), pr.Message, pr.CreatedAt)
		}
		if x := cl.Exemption; x != nil {
			q := x.Request
			b.add("exemption_applications", x.ID, x.ClaimID, x.PersonID, x.Status, q.MonthlyIncomeCents, q.Children, q.Reason,
				string(q.Kind), q.From, x.CreatedAt)
		}
	}
	if cs := c.Consent; cs != nil {
		b.add("notification_consents", p.ID, cs.AllowMessages, string(cs.Channel), cs.Address, cs.Verified, cs.UpdatedAt)
	}
	for _, t := range c.Threads {
		var sent time.Time // the customer's last message, as AddMessage keeps it
		for _, m := range t.Messages {
			if m.Author == message.AuthorCustomer && m.CreatedAt.After(sent) {
				sent = m.CreatedAt
			}
		}
		b.add("threads", t.ID, string(t.PartyKind), t.PartyID, t.Lang, t.UnitID, t.Subject, t.Specification, t.Title,
			string(t.Status), nullIfEmpty(t.AssignedTo), t.CreatedAt, t.LastMessageAt, zeroTimeNil(t.WaitingSince),
			t.UnreadByCustomer, t.UnreadByStaff, zeroTimeNil(sent))
		for _, m := range t.Messages {
			b.add("thread_messages", m.ID, m.ThreadID, string(m.Author), m.AuthorID, m.Body, m.Internal, m.CreatedAt)
		}
	}
	for _, it := range c.Notices {
		b.add("outbox", it.ID, string(it.Channel), it.Recipient, it.Lang, string(it.Kind), it.Payload, it.MessageID,
			nullIfEmpty(it.PersonID), nullIfEmpty(it.ThreadID), string(it.Status), it.Attempts, it.NextAt, it.LastError,
			it.CreatedAt, zeroTimeNil(it.SentAt))
	}
	for _, e := range c.Audit {
		b.add("audit_log", e.Seq, e.At, e.ActorKind, e.ActorID, e.Action, e.SubjectID, e.Object, e.Detail, e.PrevHash, e.Hash, e.KeyID)
	}
	b.persons++
	if b.persons%flushEvery == 0 {
		return b.flush(ctx)
	}
	return nil
}

// flush writes every buffered row, table by table.
func (b *bulk) flush(ctx context.Context) error {
	if b.tx.db.dialect == postgresDialect {
		return b.copy(ctx)
	}
	for _, t := range b.tables {
		per := b.maxParams / t.ncols
		for len(t.args) > 0 {
			rows := min(per, len(t.args)/t.ncols)
			st, err := b.stmt(ctx, t, rows)
			if err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			if _, err := st.ExecContext(ctx, t.args[:rows*t.ncols]...); err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			t.written += int64(rows)
			t.args = t.args[rows*t.ncols:]
		}
		t.args = t.args[:0:0]
	}
	return nil
}

// stmt prepares the INSERT of rows rows into t, once per shape and
// transaction.
func (b *bulk) stmt(ctx context.Context, t *bulkTable, rows int) (*sql.Stmt, error) {
	key := t.name + "/" + strconv.Itoa(rows)
	if st, ok := b.stmts[key]; ok {
		return st, nil
	}
	var q strings.Builder
	q.WriteString("INSERT INTO " + t.name + " (" + t.cols + ") VALUES ")
	n := 0
	for r := range rows {
		if r > 0 {
			q.WriteByte(',')
		}
		q.WriteByte('(')
		for c := range t.ncols {
			if c > 0 {
				q.WriteByte(',')
			}
			// SQLite binds $N by name, a search per parameter that
			// grows with the statement; ? is bound by position.
			if b.tx.db.dialect == sqliteDialect {
				q.WriteByte('?')
				continue
			}
			n++
			q.WriteByte('$')
			q.WriteString(strconv.Itoa(n))
		}
		q.WriteByte(')')
	}
	st, err := b.tx.PrepareContext(ctx, q.String())
	if err != nil {
		return nil, err
	}
	b.stmts[key] = st
	return st, nil
}

// copy writes every buffered row with PostgreSQL's COPY, on the
// transaction's connection and so inside the transaction.
func (b *bulk) copy(ctx context.Context) error {
	return b.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: COPY needs the pgx driver, not %T", dc)
		}
		for _, t := range b.tables {
			rows := make([][]any, 0, len(t.args)/t.ncols)
			for i := 0; i < len(t.args); i += t.ncols {
				rows = append(rows, t.args[i:i+t.ncols])
			}
			cols := strings.Split(t.cols, ", ")
			n, err := c.Conn().CopyFrom(ctx, pgx.Identifier{t.name}, cols, pgx.CopyFromRows(rows))
			if err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			t.written += n
			t.args = t.args[:0:0]
		}
		return nil
	})
}

// scaleAccount is the account the synthetic payments came to.
const scaleAccount = "FI00SCALE"

// scaleFileID is the synthetic bank file of a batch.
func scaleFileID(batch int) string { return fmt.Sprintf("scale-batch-%d", batch) }
