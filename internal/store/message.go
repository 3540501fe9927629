package store

// Secure messages: threads, their messages and attachments, and the
// notification choice with its codes, as message.Repo and message.Tx.

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/outbox"
)

// MessageRepo is secure messaging's repository (message.Repo) on this
// database. It runs the service's queries and decides nothing.
type MessageRepo struct{ db *DB }

var (
	_ message.Repo = (*MessageRepo)(nil)
	_ message.Tx   = msgTx{}
)

// Messages is the repository of secure messages.
func (db *DB) Messages() *MessageRepo { return &MessageRepo{db: db} }

// InTx runs fn in a transaction, retried on busy and serialization
// failures; see message.Repo.
func (r *MessageRepo) InTx(ctx context.Context, fn func(message.Tx) error) error {
	return r.db.inTx(ctx, func(tx *Tx) error { return fn(msgTx{tx}) })
}

// msgTx is a transaction as secure messaging and secure e-mail use it.
type msgTx struct{ *Tx }

// rowReader is the database or a transaction, reading one row.
type rowReader interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func nullTime(t time.Time) sql.NullTime { return sql.NullTime{Time: t, Valid: !t.IsZero()} }

// threadCols are a thread's columns, in scanThreadRow's order.
const threadCols = `t.id, t.party_kind, t.party_id, t.unit_id, t.subject, t.specification, t.title, t.status,
	COALESCE(t.assigned_to, ''), t.created_at, t.last_message_at, t.waiting_since, t.unread_customer, t.unread_staff,
	t.lang, t.email, t.read_expires_at`

func scanThreadRow(row interface{ Scan(...any) error }) (message.Thread, error) {
	var t message.Thread
	var party, status string
	var waiting, readUntil sql.NullTime
	err := row.Scan(&t.ID, &party, &t.PartyID, &t.UnitID, &t.Subject, &t.Specification, &t.Title, &status,
		&t.AssignedTo, &t.CreatedAt, &t.LastMessageAt, &waiting, &t.UnreadByCustomer, &t.UnreadByStaff,
		&t.Lang, &t.Email, &readUntil)
	t.PartyKind, t.Status = message.PartyKind(party), message.Status(status)
	t.CreatedAt, t.LastMessageAt = t.CreatedAt.UTC(), t.LastMessageAt.UTC()
	t.WaitingSince, t.ReadUntil = waiting.Time.UTC(), readUntil.Time.UTC()
	if !waiting.Valid {
		t.WaitingSince = time.Time{}
	}
	if !readUntil.Valid {
		t.ReadUntil = time.Time{}
	}
	return t, err
}

// The folders' queries: the columns a folder shows, read from the index
// that orders them (threads_party for the inbox, threads_party_sent for the
// sent folder, which holds only threads the customer has written in), so
// that a page costs the same however long the folder or the table.
const (
	folderCols    = `t.id, t.unit_id, t.subject, t.specification, t.title, t.status, t.last_message_at, t.unread_customer`
	partyInboxSQL = `SELECT ` + folderCols + ` FROM threads t WHERE t.party_kind = $1 AND t.party_id = $2
		ORDER BY t.last_message_at DESC, t.id DESC LIMIT $3 OFFSET $4`
	partySentSQL = `SELECT ` + folderCols + ` FROM threads t WHERE t.party_kind = $1 AND t.party_id = $2
		AND t.customer_message_at IS NOT NULL
		ORDER BY t.customer_message_at DESC, t.id DESC LIMIT $3 OFFSET $4`
)

// PartyThreads lists a party's threads for a folder, newest first (the
// sent folder by the customer's last message), one page.
func (r *MessageRepo) PartyThreads(ctx context.Context, p message.Party, box message.Box, limit, offset int) ([]message.Thread, error) {
	q := partyInboxSQL
	if box == message.Sent {
		q = partySentSQL
	}
	rows, err := r.db.query(ctx, q, string(p.Kind), p.ID, limit, offset)
	if err != nil {
		return nil, err
	}
	out := make([]message.Thread, 0, limit)
	defer rows.Close()
	for rows.Next() {
		t := message.Thread{PartyKind: p.Kind, PartyID: p.ID}
		var status string
		if err := rows.Scan(&t.ID, &t.UnitID, &t.Subject, &t.Specification, &t.Title, &status, &t.LastMessageAt, &t.UnreadByCustomer); err != nil {
			return nil, err
		}
		t.Status, t.LastMessageAt = message.Status(status), t.LastMessageAt.UTC()
		out = append(out, t)
	}
	return out, rows.Err()
}

// PartyStamp reads a party's counts and newest message from the folder
// index alone. The newest message comes back as text: SQLite's max() of a
// timestamp is text, and the stamp only needs to compare.
func (r *MessageRepo) PartyStamp(ctx context.Context, p message.Party) (message.Stamp, error) {
	var s message.Stamp
	var newest sql.NullString
	err := r.db.queryRow(ctx, `SELECT count(*), COALESCE(sum(unread_customer), 0), max(last_message_at)
		FROM threads WHERE party_kind = $1 AND party_id = $2`, string(p.Kind), p.ID).Scan(&s.Threads, &s.Unread, &newest)
	s.Newest = newest.String
	return s, r.db.mapErr(err)
}

// Organisation reads an organisation by its business ID.
func (r *MessageRepo) Organisation(ctx context.Context, businessID string) (message.Organisation, error) {
	var o message.Organisation
	err := r.db.queryRow(ctx, `SELECT id, business_id, name FROM organisations WHERE business_id = $1`, businessID).
		Scan(&o.ID, &o.BusinessID, &o.Name)
	return o, r.db.mapErr(err)
}

// orgPartyName is how staff see an organisation party: its name and
// business ID, never a person of it.
const orgPartyName = `o.name || ' (' || o.business_id || ')'`

// Consent reads a person's notification choice.
func (r *MessageRepo) Consent(ctx context.Context, personID string) (message.Consent, error) {
	c, err := consentOf(ctx, r.db.sql, personID)
	return c, r.db.mapErr(err)
}

// StoredFile reads an attachment with its bytes and its thread.
func (r *MessageRepo) StoredFile(ctx context.Context, id string) (message.StoredFile, error) {
	f, err := storedFile(ctx, r.db.sql, id)
	return f, r.db.mapErr(err)
}

func storedFile(ctx context.Context, q contentReader, id string) (message.StoredFile, error) {
	var f message.StoredFile
	var party string
	err := q.QueryRowContext(ctx, `SELECT a.id, a.name, a.content_type, a.size, a.sha256,
			t.id, t.party_kind, t.party_id, t.unit_id, m.internal
		FROM attachments a JOIN threads t ON t.id = a.thread_id
		JOIN thread_messages m ON m.id = a.message_id WHERE a.id = $1`, id).
		Scan(&f.ID, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &f.ThreadID, &party, &f.Party.ID, &f.UnitID, &f.Internal)
	f.Party.Kind = message.PartyKind(party)
	if err != nil {
		return f, err
	}
	f.Data, err = readContent(ctx, q, f.SHA256, f.Size)
	return f, err
}

// ThreadForUpdate reads a thread and locks its row (PostgreSQL; SQLite's
// transaction holds the database).
func (tx msgTx) ThreadForUpdate(ctx context.Context, id string) (message.Thread, error) {
	t, err := scanThreadRow(tx.QueryRowContext(ctx, `SELECT `+threadCols+` FROM threads t WHERE t.id = $1`+tx.db.dialect.forUpdate(), id))
	return t, tx.db.mapErr(err)
}

// Names reads the names staff see of a thread's party and handler: a
// person's or an organisation's name, or the secure e-mail address.
func (tx msgTx) Names(ctx context.Context, t message.Thread) (message.StaffThread, error) {
	st := message.StaffThread{Thread: t}
	err := tx.QueryRowContext(ctx, `SELECT CASE t.party_kind WHEN 'customer' THEN p.given_name || ' ' || p.family_name
			WHEN 'organisation' THEN `+orgPartyName+` ELSE t.email END,
		COALESCE((SELECT s.given_name || ' ' || s.family_name FROM staff s WHERE s.id = $2), '')
		FROM threads t LEFT JOIN persons p ON t.party_kind = 'customer' AND p.id = t.party_id
		LEFT JOIN organisations o ON t.party_kind = 'organisation' AND o.id = t.party_id
		WHERE t.id = $1`, t.ID, t.AssignedTo).Scan(&st.PartyName, &st.AssignedName)
	return st, tx.db.mapErr(err)
}

// InsertThread stores a new thread, with a new ID unless it has one.
func (tx msgTx) InsertThread(ctx context.Context, t *message.Thread) error {
	if t.ID == "" {
		t.ID = NewID()
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO threads (id, party_kind, party_id, email, lang, unit_id, subject, specification,
		title, status, assigned_to, created_at, last_message_at, waiting_since, unread_customer, unread_staff)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		t.ID, string(t.PartyKind), t.PartyID, t.Email, t.Lang, t.UnitID, t.Subject, t.Specification,
		t.Title, string(t.Status), nullString(t.AssignedTo), t.CreatedAt, t.LastMessageAt, nullTime(t.WaitingSince),
		t.UnreadByCustomer, t.UnreadByStaff)
	return tx.db.mapErr(err)
}

// systemThread starts a thread in which the institution tells the party
// something (a decision, a returned payment): answered by th.UnitID, with
// one system message, body, unread by the party. It gives th its ID.
func (tx msgTx) systemThread(ctx context.Context, th *message.Thread, body string) error {
	th.Status, th.CreatedAt, th.LastMessageAt, th.UnreadByCustomer = message.StatusAnswered, tx.now, tx.now, 1
	if err := tx.InsertThread(ctx, th); err != nil {
		return err
	}
	m := message.Message{ThreadID: th.ID, Author: message.AuthorSystem, Body: body, CreatedAt: tx.now}
	return tx.AddMessage(ctx, &m, nil)
}

// UpdateThread writes a thread's changing columns.
func (tx msgTx) UpdateThread(ctx context.Context, t message.Thread) error {
	res, err := tx.ExecContext(ctx, `UPDATE threads SET unit_id = $2, status = $3, assigned_to = $4, last_message_at = $5,
		waiting_since = $6, unread_customer = $7, unread_staff = $8 WHERE id = $1`,
		t.ID, t.UnitID, string(t.Status), nullString(t.AssignedTo), t.LastMessageAt, nullTime(t.WaitingSince),
		t.UnreadByCustomer, t.UnreadByStaff)
	return tx.db.mapErr(oneRow(res, err))
}

// oneRow turns an update of no row into sql.ErrNoRows.
func oneRow(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return sql.ErrNoRows
	}
	return nil
}

// SetReadToken gives a thread a new reading link's hash and end.
func (tx msgTx) SetReadToken(ctx context.Context, threadID, tokenHash string, until time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE threads SET read_token_hash = $1, read_expires_at = $2 WHERE id = $3`,
		tokenHash, until, threadID)
	return tx.db.mapErr(oneRow(res, err))
}

// AddMessage stores a message and its files; a content already stored is
// stored once.
func (tx msgTx) AddMessage(ctx context.Context, m *message.Message, files []message.File) error {
	if m.ID == "" {
		m.ID = NewID()
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO thread_messages (id, thread_id, author_kind, author_id, body, internal, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, m.ID, m.ThreadID, string(m.Author), m.AuthorID, m.Body, m.Internal, m.CreatedAt)
	if err != nil {
		return tx.db.mapErr(err)
	}
	if m.Author == message.AuthorCustomer {
		// The sent folder's order, kept on the thread in the same
		// transaction (threads_party_sent).
		_, err = tx.ExecContext(ctx, `UPDATE threads SET customer_message_at = $2
			WHERE id = $1 AND (customer_message_at IS NULL OR customer_message_at < $2)`, m.ThreadID, m.CreatedAt)
		if err != nil {
			return tx.db.mapErr(err)
		}
	}
	m.Attachments = m.Attachments[:0]
	for _, f := range files {
		if err := tx.storeContent(ctx, f); err != nil {
			return err
		}
		a := f.AttachmentMeta
		a.ID = NewID()
		_, err = tx.ExecContext(ctx, `INSERT INTO attachments (id, message_id, thread_id, name, content_type, size, sha256, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, a.ID, m.ID, m.ThreadID, a.Name, a.ContentType, a.Size, a.SHA256, m.CreatedAt)
		if err != nil {
			return tx.db.mapErr(err)
		}
		m.Attachments = append(m.Attachments, a)
	}
	return nil
}

// ThreadMessages lists a thread's messages, oldest first, with their
// attachments (read in one more query, not one a message); internal notes
// only when asked for.
func (tx msgTx) ThreadMessages(ctx context.Context, threadID string, internal bool) ([]message.Message, error) {
	q := `SELECT id, author_kind, author_id, body, internal, created_at FROM thread_messages WHERE thread_id = $1`
	if !internal {
		q += ` AND NOT internal`
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY created_at, id`, threadID)
	if err != nil {
		return nil, err
	}
	msgs, err := scanAll(rows, func(r interface{ Scan(...any) error }) (message.Message, error) {
		m := message.Message{ThreadID: threadID}
		var author string
		err := r.Scan(&m.ID, &author, &m.AuthorID, &m.Body, &m.Internal, &m.CreatedAt)
		m.Author, m.CreatedAt = message.AuthorKind(author), m.CreatedAt.UTC()
		return m, err
	})
	if err != nil || len(msgs) == 0 {
		return msgs, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT id, message_id, name, content_type, size, sha256 FROM attachments
		WHERE thread_id = $1 ORDER BY created_at, id`, threadID)
	if err != nil {
		return nil, err
	}
	type att struct {
		message.AttachmentMeta
		msg string
	}
	atts, err := scanAll(rows, func(r interface{ Scan(...any) error }) (att, error) {
		var a att
		return a, r.Scan(&a.ID, &a.msg, &a.Name, &a.ContentType, &a.Size, &a.SHA256)
	})
	if err != nil {
		return nil, err
	}
	at := make(map[string]int, len(msgs))
	for i, m := range msgs {
		at[m.ID] = i
	}
	for _, a := range atts {
		if i, ok := at[a.msg]; ok {
			msgs[i].Attachments = append(msgs[i].Attachments, a.AttachmentMeta)
		}
	}
	return msgs, nil
}

func scanNotice(r interface{ Scan(...any) error }) (outbox.Item, error) {
	var it outbox.Item
	var ch, kind, status string
	var sent sql.NullTime
	err := r.Scan(&it.ID, &ch, &kind, &status, &it.Attempts, &it.LastError, &it.CreatedAt, &sent)
	it.Channel, it.Kind, it.Status, it.CreatedAt = outbox.Channel(ch), outbox.Kind(kind), outbox.Status(status), it.CreatedAt.UTC()
	if sent.Valid {
		it.SentAt = sent.Time.UTC()
	}
	return it, err
}

// ThreadNotices lists a thread's notices without payloads: a one-time code
// is not staff's to read.
func (tx msgTx) ThreadNotices(ctx context.Context, threadID string) ([]outbox.Item, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, channel, kind, status, attempts, last_error, created_at, sent_at
		FROM outbox WHERE thread_id = $1 ORDER BY created_at DESC, id DESC`, threadID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanNotice)
}

// UnitThreads lists a unit's queue by the filter.
func (r *MessageRepo) UnitThreads(ctx context.Context, f message.QueueFilter, waitedBefore time.Time) ([]message.StaffThread, error) {
	q, args := unitThreadsSQL(f, waitedBefore)
	rows, err := r.db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	ts, err := scanAll(rows, func(r interface{ Scan(...any) error }) (message.StaffThread, error) {
		t, err := scanThreadRow(r)
		return message.StaffThread{Thread: t}, err
	})
	if err != nil || len(ts) == 0 {
		return ts, err
	}
	return ts, r.partyNames(ctx, ts)
}

// partyNamesSQL reads the names a queue page shows, partyNamesBatch IDs
// each of customers, organisations and staff (padded with "", which names
// nobody). It is read apart from the page's threads, with a fixed text, so
// that PostgreSQL plans both once per connection: joined to the page's read,
// the statement was planned anew for every view of the busiest unit's queue
// (its custom plan estimated cheaper than the generic one), which cost as
// much as running it.
var partyNamesSQL = func() string {
	in := func(from int) string {
		return placeholders(from, partyNamesBatch)
	}
	return `SELECT 'customer', id, given_name || ' ' || family_name FROM persons WHERE id IN (` + in(1) + `)
		UNION ALL SELECT 'organisation', o.id, ` + orgPartyName + ` FROM organisations o WHERE o.id IN (` + in(partyNamesBatch+1) + `)
		UNION ALL SELECT 'staff', id, given_name || ' ' || family_name FROM staff WHERE id IN (` + in(2*partyNamesBatch+1) + `)`
}()

const partyNamesBatch = message.DefaultQueueLimit + 1

// partyNames sets the names of the threads' parties (a customer's, an
// organisation's with its business ID, else the e-mail address the thread
// was started from) and of the staff they are assigned to.
func (r *MessageRepo) partyNames(ctx context.Context, ts []message.StaffThread) error {
	names := map[[2]string]string{}
	for part := range slices.Chunk(ts, partyNamesBatch) {
		args := make([]any, 3*partyNamesBatch)
		for i := range args {
			args[i] = ""
		}
		for i, t := range part {
			switch t.PartyKind {
			case message.PartyCustomer:
				args[i] = t.PartyID
			case message.PartyOrganisation:
				args[partyNamesBatch+i] = t.PartyID
			}
			args[2*partyNamesBatch+i] = t.AssignedTo
		}
		rows, err := r.db.query(ctx, partyNamesSQL, args...)
		if err != nil {
			return err
		}
		if _, err := scanAll(rows, func(row interface{ Scan(...any) error }) (struct{}, error) {
			var kind, id, name string
			err := row.Scan(&kind, &id, &name)
			names[[2]string{kind, id}] = name
			return struct{}{}, err
		}); err != nil {
			return err
		}
	}
	for i, t := range ts {
		switch t.PartyKind {
		case message.PartyCustomer, message.PartyOrganisation:
			ts[i].PartyName = names[[2]string{string(t.PartyKind), t.PartyID}]
		default:
			ts[i].PartyName = t.Email
		}
		if t.AssignedTo != "" {
			ts[i].AssignedName = names[[2]string{"staff", t.AssignedTo}]
		}
	}
	return nil
}

// unitThreadsSQL is the query of a unit's queue. Each view's ORDER BY is
// the order of its partial index (threads_unit_open, threads_unit_closed,
// threads_unit_waiting), so a page is the first entries of the unit's
// range after the cursor (a row comparison on the index's columns); the
// other filters are checked on the rows read.
func unitThreadsSQL(f message.QueueFilter, waitedBefore time.Time) (string, []any) {
	where := []string{"t.unit_id = $1"}
	args := []any{f.UnitID}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Subject != "" {
		where = append(where, "t.subject = "+arg(f.Subject))
		if f.Specification != "" {
			where = append(where, "t.specification = "+arg(f.Specification))
		}
	}
	if f.Unread {
		where = append(where, "t.unread_staff > 0")
	}
	switch f.Assigned {
	case "me":
		where = append(where, "t.assigned_to = "+arg(f.StaffID))
	case "none":
		where = append(where, "t.assigned_to IS NULL")
	}
	order := "t.last_message_at DESC, t.id DESC"
	switch {
	case f.Waiting:
		where = append(where, "t.waiting_since IS NOT NULL", "t.status <> 'closed'")
		if !waitedBefore.IsZero() {
			where = append(where, "t.waiting_since <= "+arg(waitedBefore))
		}
		order = "t.waiting_since, t.id"
		if !f.After.IsZero() {
			where = append(where, "(t.waiting_since, t.id) > ("+arg(f.After.At)+", "+arg(f.After.ID)+")")
		}
	case f.Closed:
		where = append(where, "t.status = 'closed'")
	default:
		where = append(where, "t.status <> 'closed'")
	}
	if !f.Waiting && !f.After.IsZero() {
		where = append(where, "(t.last_message_at, t.id) < ("+arg(f.After.At)+", "+arg(f.After.ID)+")")
	}
	q := `SELECT ` + threadCols + ` FROM threads t WHERE ` + strings.Join(where, " AND ") + ` ORDER BY ` + order
	if f.Limit > 0 {
		// The page size in the text, not a parameter (pageLimit): planning
		// this query anew for each view cost as much as running it.
		q += pageLimit(f.Limit)
	}
	return q, args
}

// unitWaitingSQL is the waiting count and the oldest wait in one query,
// both from threads_unit_waiting: the count reads at most
// message.WaitingCap+1 entries of it, so a view of the queue costs the
// same however long the backlog. The oldest is a column of a subquery in
// FROM (not min() nor a scalar subquery), so that SQLite still types it as
// a timestamp.
const unitWaitingSQL = `SELECT c.n, o.waiting_since
	FROM (SELECT count(*) AS n FROM (SELECT 1 FROM threads
		WHERE unit_id = $1 AND waiting_since IS NOT NULL AND status <> 'closed' LIMIT $2) w) c
	LEFT JOIN (SELECT waiting_since FROM threads WHERE unit_id = $1 AND waiting_since IS NOT NULL AND status <> 'closed'
		ORDER BY waiting_since LIMIT 1) o ON true`

// UnitWaiting counts a unit's threads waiting for an answer, up to
// message.WaitingCap+1, and tells the oldest wait.
func (r *MessageRepo) UnitWaiting(ctx context.Context, unitID string) (n int, oldest time.Time, err error) {
	var at sql.NullTime
	err = r.db.queryRow(ctx, unitWaitingSQL, unitID, message.WaitingCap+1).Scan(&n, &at)
	if at.Valid {
		oldest = at.Time.UTC()
	}
	return n, oldest, err
}

// Now is the database's clock in UTC.
func (r *MessageRepo) Now() time.Time { return r.db.now().UTC() }

// UnitExists reports whether a unit exists.
func (tx msgTx) UnitExists(ctx context.Context, unitID string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM units WHERE id = $1`, unitID).Scan(&n)
	return n > 0, err
}

// StoredFile reads an attachment with its bytes and its thread.
func (tx msgTx) StoredFile(ctx context.Context, id string) (message.StoredFile, error) {
	f, err := storedFile(ctx, tx, id)
	return f, tx.db.mapErr(err)
}

// consentOf reads a consent through the database or inside a transaction.
func consentOf(ctx context.Context, tx interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}, personID string) (message.Consent, error) {
	c := message.Consent{Channel: message.ChannelNone}
	var ch string
	err := tx.QueryRowContext(ctx, `SELECT allow_messages, channel, address, verified FROM notification_consents WHERE person_id = $1`,
		personID).Scan(&c.AllowMessages, &ch, &c.Address, &c.Verified)
	if isNoRows(err) {
		return c, nil
	}
	c.Channel = message.Channel(ch)
	if err != nil || c.Verified || c.Channel == message.ChannelNone {
		return c, err
	}
	// The customer is told when the code bounced, so that they correct
	// the address instead of waiting.
	var status string
	err = tx.QueryRowContext(ctx, `SELECT status FROM outbox WHERE person_id = $1 AND kind = $2
		ORDER BY created_at DESC, id DESC LIMIT 1`, personID, string(message.NoticeVerifyCode)).Scan(&status)
	if isNoRows(err) {
		return c, nil
	}
	c.CodeUndelivered = status == "failed"
	return c, err
}

// lockPerson serialises a person's consent changes and code checks: on
// PostgreSQL the person's row is locked until the transaction ends (SQLite
// runs one writer at a time).
func (tx msgTx) lockPerson(ctx context.Context, personID string) error {
	var id string
	return tx.QueryRowContext(ctx, `SELECT id FROM persons WHERE id = $1`+tx.db.dialect.forUpdate(), personID).Scan(&id)
}

// Consent reads a person's notification choice.
func (tx msgTx) Consent(ctx context.Context, personID string) (message.Consent, error) {
	c, err := consentOf(ctx, tx, personID)
	return c, tx.db.mapErr(err)
}

// ConsentForUpdate locks the person's row (PostgreSQL; SQLite runs one
// writer at a time), which serialises the person's choices and code
// checks, and reads their choice.
func (tx msgTx) ConsentForUpdate(ctx context.Context, personID string) (message.Consent, error) {
	if err := tx.lockPerson(ctx, personID); err != nil {
		return message.Consent{}, tx.db.mapErr(err)
	}
	return tx.Consent(ctx, personID)
}

// SaveConsent writes a person's choice.
func (tx msgTx) SaveConsent(ctx context.Context, personID string, c message.Consent) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO notification_consents (person_id, allow_messages, channel, address, verified, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (person_id) DO UPDATE SET allow_messages = $2, channel = $3, address = $4, verified = $5, updated_at = $6`,
		personID, c.AllowMessages, string(c.Channel), c.Address, c.Verified, tx.now)
	return tx.db.mapErr(err)
}

// PersonLang is a person's language.
func (tx msgTx) PersonLang(ctx context.Context, personID string) (string, error) {
	var lang string
	err := tx.QueryRowContext(ctx, `SELECT lang FROM persons WHERE id = $1`, personID).Scan(&lang)
	return lang, tx.db.mapErr(err)
}

// CodesSince counts the codes sent to a person since an instant.
func (tx msgTx) CodesSince(ctx context.Context, personID string, since time.Time) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM consent_codes WHERE person_id = $1 AND created_at > $2`,
		personID, since).Scan(&n)
	return n, tx.db.mapErr(err)
}

// InsertCode stores a code sent.
func (tx msgTx) InsertCode(ctx context.Context, c *message.Code) error {
	c.ID = NewID()
	_, err := tx.ExecContext(ctx, `INSERT INTO consent_codes (id, person_id, channel, address, code_hash, attempts, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, c.ID, c.PersonID, string(c.Channel), c.Address, c.Hash, c.Attempts,
		c.CreatedAt, c.ExpiresAt)
	return tx.db.mapErr(err)
}

// NewestCode is the newest code sent to a person at an address.
func (tx msgTx) NewestCode(ctx context.Context, personID string, ch message.Channel, address string) (message.Code, error) {
	c := message.Code{PersonID: personID}
	var channel string
	var used sql.NullTime
	err := tx.QueryRowContext(ctx, `SELECT id, channel, address, code_hash, attempts, created_at, expires_at, used_at
		FROM consent_codes WHERE person_id = $1 AND channel = $2 AND address = $3
		ORDER BY created_at DESC, id DESC LIMIT 1`, personID, string(ch), address).
		Scan(&c.ID, &channel, &c.Address, &c.Hash, &c.Attempts, &c.CreatedAt, &c.ExpiresAt, &used)
	c.Channel, c.CreatedAt, c.ExpiresAt = message.Channel(channel), c.CreatedAt.UTC(), c.ExpiresAt.UTC()
	if used.Valid {
		c.UsedAt = used.Time.UTC()
	}
	return c, tx.db.mapErr(err)
}

// UpdateCode writes a code's tries and use.
func (tx msgTx) UpdateCode(ctx context.Context, c message.Code) error {
	res, err := tx.ExecContext(ctx, `UPDATE consent_codes SET attempts = $2, used_at = $3 WHERE id = $1`,
		c.ID, c.Attempts, nullTime(c.UsedAt))
	return tx.db.mapErr(oneRow(res, err))
}

// RecordViews appends a staff read's audit entries in a shared transaction
// and returns once they have committed (DB.RecordViews).
func (r *MessageRepo) RecordViews(ctx context.Context, es ...audit.Entry) error {
	return r.db.RecordViews(ctx, es...)
}
