package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"math/big"
	"time"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/auth"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/outbox"
)

// Verification codes: six digits, valid for a quarter of an hour, five
// tries, and at most five codes a person an hour.
const (
	codeLife     = 15 * time.Minute
	codeTries    = 5
	codesPerHour = 5
)

// Consent is a person's notification choice; a person who never chose has
// allowed nothing.
func (db *DB) Consent(ctx context.Context, personID string) (message.Consent, error) {
	return consentOf(ctx, db.sql, personID)
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
	return c, err
}

// SetConsent stores a person's choice, which NormalizeConsent has checked.
// A channel and address already verified stay verified; a new one is
// unverified until the person types the code this sends to it through the
// outbox. codeSent says a code went out. An unchanged choice writes
// nothing.
func (db *DB) SetConsent(ctx context.Context, personID, lang string, c message.Consent) (codeSent bool, err error) {
	err = db.inTx(ctx, func(tx *Tx) error {
		codeSent, err = tx.setConsent(ctx, personID, lang, c)
		return err
	})
	return codeSent, err
}

// lockPerson serialises a person's consent changes and code checks: on
// PostgreSQL the person's row is locked until the transaction ends (SQLite
// runs one writer at a time).
func (tx *Tx) lockPerson(ctx context.Context, personID string) error {
	var id string
	return tx.QueryRowContext(ctx, `SELECT id FROM persons WHERE id = $1`+tx.db.dialect.forUpdate(), personID).Scan(&id)
}

func (tx *Tx) setConsent(ctx context.Context, personID, lang string, c message.Consent) (codeSent bool, err error) {
	if err := tx.lockPerson(ctx, personID); err != nil {
		return false, err
	}
	old, err := consentOf(ctx, tx, personID)
	if err != nil {
		return false, err
	}
	if old.AllowMessages == c.AllowMessages && old.Channel == c.Channel && old.Address == c.Address {
		return false, nil
	}
	err = func() error {
		c.Verified = c.Channel == message.ChannelNone || (old.Verified && old.Channel == c.Channel && old.Address == c.Address)
		_, err = tx.ExecContext(ctx, `INSERT INTO notification_consents (person_id, allow_messages, channel, address, verified, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (person_id) DO UPDATE SET allow_messages = $2, channel = $3, address = $4, verified = $5, updated_at = $6`,
			personID, c.AllowMessages, string(c.Channel), c.Address, c.Verified, tx.now)
		if err != nil {
			return err
		}
		if err := tx.Audit(ctx, audit.Entry{ActorKind: audit.ActorCustomer, ActorID: personID, SubjectID: personID,
			Action: "consent.set", Object: "person:" + personID, Detail: "channel=" + string(c.Channel)}); err != nil {
			return err
		}
		if c.Verified {
			return nil
		}
		codeSent = true
		return tx.sendCode(ctx, personID, lang, c)
	}()
	return codeSent, err
}

// ResendCode sends a new code to the person's unverified address.
func (db *DB) ResendCode(ctx context.Context, personID, lang string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.lockPerson(ctx, personID); err != nil {
			return err
		}
		c, err := consentOf(ctx, tx, personID)
		if err != nil {
			return err
		}
		if c.Verified || c.Channel == message.ChannelNone {
			return fault.New(fault.Conflict, "message.error.code_nothing")
		}
		return tx.sendCode(ctx, personID, lang, c)
	})
}

func (tx *Tx) sendCode(ctx context.Context, personID, lang string, c message.Consent) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM consent_codes WHERE person_id = $1 AND created_at > $2`,
		personID, tx.now.Add(-time.Hour)).Scan(&n); err != nil {
		return err
	}
	if n >= codesPerHour {
		return fault.New(fault.TooMany, "message.error.code_rate")
	}
	code := newCode()
	_, err := tx.ExecContext(ctx, `INSERT INTO consent_codes (id, person_id, channel, address, code_hash, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, NewID(), personID, string(c.Channel), c.Address,
		auth.HashToken(personID+":"+code), tx.now, tx.now.Add(codeLife))
	if err != nil {
		return err
	}
	return tx.Enqueue(ctx, &outbox.Item{Channel: outbox.Channel(c.Channel), Recipient: c.Address, Lang: lang,
		Kind: message.NoticeVerifyCode, Payload: code, PersonID: personID})
}

func newCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// VerifyConsent checks a code against the newest one sent to the person's
// current address; the right code marks the address verified.
func (db *DB) VerifyConsent(ctx context.Context, personID, code string) error {
	var wrong bool
	err := db.inTx(ctx, func(tx *Tx) error {
		wrong = false
		if err := tx.lockPerson(ctx, personID); err != nil {
			return err
		}
		c, err := consentOf(ctx, tx, personID)
		if err != nil {
			return err
		}
		if c.Verified || c.Channel == message.ChannelNone {
			return fault.New(fault.Conflict, "message.error.code_nothing")
		}
		var id, hash string
		err = tx.QueryRowContext(ctx, `SELECT id, code_hash FROM consent_codes
			WHERE person_id = $1 AND channel = $2 AND address = $3 AND used_at IS NULL AND expires_at > $4
			ORDER BY created_at DESC LIMIT 1`, personID, string(c.Channel), c.Address, tx.now).Scan(&id, &hash)
		if isNoRows(err) {
			return fault.InvalidField("code", "message.error.code_expired", nil)
		}
		if err != nil {
			return err
		}
		// Every try counts, the right one too, in one statement that
		// refuses the try over the limit.
		res, err := tx.ExecContext(ctx, `UPDATE consent_codes SET attempts = attempts + 1 WHERE id = $1 AND attempts < $2`, id, codeTries)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fault.InvalidField("code", "message.error.code_tries", nil)
		}
		if auth.HashToken(personID+":"+code) != hash {
			// The failed try must count even though the call fails: it is
			// committed, and the error reported after.
			wrong = true
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE consent_codes SET used_at = $1 WHERE id = $2`, tx.now, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE notification_consents SET verified = TRUE, updated_at = $1
			WHERE person_id = $2 AND channel = $3 AND address = $4`, tx.now, personID, string(c.Channel), c.Address); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Entry{ActorKind: audit.ActorCustomer, ActorID: personID, SubjectID: personID,
			Action: "consent.verified", Object: "person:" + personID, Detail: "channel=" + string(c.Channel)})
	})
	if err == nil && wrong {
		return fault.InvalidField("code", "message.error.code_wrong", nil)
	}
	return err
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
