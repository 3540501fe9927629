package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/etuus/etuus/internal/message"
)

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
	return c, err
}

// lockPerson serialises a person's consent changes and code checks: on
// PostgreSQL the person's row is locked until the transaction ends (SQLite
// runs one writer at a time).
func (tx *Tx) lockPerson(ctx context.Context, personID string) error {
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
