package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/outbox"
	"github.com/etuus/etuus/internal/payment"
)

// The payment account and the customer's notices about their payments
// (payment/account.go, payment/notice.go): the SQL only.

const accountChangeColumns = `id, person_id, old_ibans, new_iban, holder, applies_from, changed_by, settled, created_at`

func scanAccountChange(row interface{ Scan(...any) error }) (payment.AccountChange, error) {
	var c payment.AccountChange
	var old string
	err := row.Scan(&c.ID, &c.PersonID, &old, &c.New, &c.Holder, &c.AppliesFrom, &c.ChangedBy, &c.Settled, &c.CreatedAt)
	c.Old = strings.Split(old, ",")
	c.CreatedAt = c.CreatedAt.UTC()
	return c, err
}

const accountChangesOfQuery = `SELECT ` + accountChangeColumns + ` FROM payment_account_changes WHERE person_id = $1
	ORDER BY created_at DESC, id DESC LIMIT 100`

// AccountChangesOf lists the customer's account changes, newest first.
func (r *PaymentRepo) AccountChangesOf(ctx context.Context, personID string) ([]payment.AccountChange, error) {
	rows, err := r.db.query(ctx, accountChangesOfQuery, personID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanAccountChange)
}

// PersonName is the person's given and family name.
func (r *PaymentRepo) PersonName(ctx context.Context, personID string) (string, error) {
	var name string
	err := r.db.queryRow(ctx, `SELECT given_name || ' ' || family_name FROM persons WHERE id = $1`, personID).Scan(&name)
	return name, r.db.mapErr(err)
}

const lastRunPayDate = `SELECT MAX(pay_date) FROM payment_runs`

// LastRunPayDate is the latest pay day of any run; zero when none ran.
func (r *PaymentRepo) LastRunPayDate(ctx context.Context) (civil.Date, error) {
	var d civil.Date
	err := r.db.queryRow(ctx, lastRunPayDate).Scan(&d)
	return d, err
}

func (t paymentTx) LastRunPayDate(ctx context.Context) (civil.Date, error) {
	var d civil.Date
	err := t.QueryRowContext(ctx, lastRunPayDate).Scan(&d)
	return d, err
}

// AccountsForUpdate locks the person, then their benefits, and lists the
// distinct accounts the benefits are paid to with the holder last given.
// The locks are FOR NO KEY UPDATE: they keep other account writers out
// but let the bank imports, which lock payments first and then insert
// returns and notices referring to the person, check their keys (a FOR
// UPDATE here deadlocked with them).
func (t paymentTx) AccountsForUpdate(ctx context.Context, personID string) ([]string, string, error) {
	var holder string
	err := t.QueryRowContext(ctx, `SELECT given_name || ' ' || family_name FROM persons WHERE id = $1`+t.db.dialect.forNoKeyUpdate(),
		personID).Scan(&holder)
	if err != nil {
		return nil, "", t.db.mapErr(err)
	}
	var last string
	err = t.QueryRowContext(ctx, `SELECT holder FROM payment_account_changes WHERE person_id = $1
		ORDER BY created_at DESC, id DESC LIMIT 1`, personID).Scan(&last)
	switch {
	case err == nil:
		holder = last
	case err != sql.ErrNoRows:
		return nil, "", err
	}
	rows, err := t.QueryContext(ctx, `SELECT iban FROM benefits WHERE person_id = $1 ORDER BY id`+t.db.dialect.forNoKeyUpdate(), personID)
	if err != nil {
		return nil, "", err
	}
	ibans, err := scanAll(rows, func(row interface{ Scan(...any) error }) (string, error) {
		var s string
		err := row.Scan(&s)
		return strings.ToUpper(strings.ReplaceAll(s, " ", "")), err
	})
	if err != nil {
		return nil, "", err
	}
	slices.Sort(ibans)
	return slices.Compact(ibans), holder, nil
}

func (t paymentTx) ReturnOwner(ctx context.Context, returnID string) (string, error) {
	var pid string
	err := t.QueryRowContext(ctx, `SELECT person_id FROM payment_returns WHERE id = $1`, returnID).Scan(&pid)
	return pid, t.db.mapErr(err)
}

// OpenReturnsOfForUpdate locks the person's open returns, oldest first.
func (t paymentTx) OpenReturnsOfForUpdate(ctx context.Context, personID string) ([]payment.Return, error) {
	rows, err := t.QueryContext(ctx, `SELECT `+returnColumns+returnFrom+` WHERE r.person_id = $1 AND r.state = 'open'
		ORDER BY r.created_at, r.id`+t.db.dialect.forUpdateOf("r"), personID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanReturn)
}

// SetAccount pays all the person's benefits to the account.
func (t paymentTx) SetAccount(ctx context.Context, personID, account string) error {
	_, err := t.ExecContext(ctx, `UPDATE benefits SET iban = $1 WHERE person_id = $2`, account, personID)
	return err
}

func (t paymentTx) InsertAccountChange(ctx context.Context, c *payment.AccountChange) error {
	c.ID, c.CreatedAt = NewID(), t.now
	_, err := t.ExecContext(ctx, `INSERT INTO payment_account_changes (`+accountChangeColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, c.ID, c.PersonID, strings.Join(c.Old, ","), c.New, c.Holder,
		c.AppliesFrom, c.ChangedBy, c.Settled, c.CreatedAt)
	return t.db.mapErr(err)
}

func (t paymentTx) NoticeChoice(ctx context.Context, personID string) (message.Consent, string, error) {
	return t.noticeChoice(ctx, personID)
}

func (t paymentTx) Enqueue(ctx context.Context, it *outbox.Item) error { return t.Tx.Enqueue(ctx, it) }

// PaymentForNotice reads the payment's benefit, period and pay day.
func (t paymentTx) PaymentForNotice(ctx context.Context, id string) (payment.Payment, error) {
	p := payment.Payment{ID: id}
	err := t.QueryRowContext(ctx, `SELECT person_id, kind, period, pay_date, amount_cents, iban FROM payments WHERE id = $1`, id).
		Scan(&p.PersonID, &p.Kind, &p.Period, &p.PayDate, &p.AmountCents, &p.IBAN)
	return p, t.db.mapErr(err)
}

// PostNotice stores the notice once by its kind and source: a new thread
// in the customer's inbox, answered by the unit with one system message
// unread by the customer, and the notice row that keeps it from being
// written again.
func (t paymentTx) PostNotice(ctx context.Context, n *payment.Notice) (bool, error) {
	var one int
	err := t.QueryRowContext(ctx, `SELECT 1 FROM payment_notices WHERE kind = $1 AND source_id = $2`, n.Kind, n.SourceID).Scan(&one)
	switch {
	case err == nil:
		return false, nil
	case err != sql.ErrNoRows:
		return false, err
	}
	n.CreatedAt = t.now
	th := message.Thread{PartyKind: message.PartyCustomer, PartyID: n.PersonID, Lang: n.Lang, UnitID: n.UnitID,
		Subject: payment.NoticeSubject, Specification: n.Specification(), Title: n.Title}
	if err := msgTx(t).systemThread(ctx, &th, n.Body); err != nil {
		return false, err
	}
	n.ID, n.ThreadID = NewID(), th.ID
	_, err = t.ExecContext(ctx, `INSERT INTO payment_notices (id, person_id, kind, source_id, thread_id, channel, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, n.ID, n.PersonID, n.Kind, n.SourceID, n.ThreadID, n.Channel, n.CreatedAt)
	return err == nil, t.db.mapErr(err)
}
