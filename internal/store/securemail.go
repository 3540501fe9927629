package store

import (
	"context"
	"time"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/outbox"
	"github.com/etuus/etuus/internal/securemail"
)

var _ securemail.Store = (*DB)(nil)

// RecentLinks counts the links asked for by an address and by a client
// since a moment.
func (db *DB) RecentLinks(ctx context.Context, emailHash, clientHash string, since time.Time) (byEmail, byClient int, err error) {
	err = db.sql.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM secure_links WHERE email_hash = $1 AND created_at >= $3),
			(SELECT count(*) FROM secure_links WHERE client_hash = $2 AND created_at >= $3)`,
		emailHash, clientHash, since.UTC()).Scan(&byEmail, &byClient)
	return byEmail, byClient, err
}

// CreateLink stores a new link with an audit entry that names neither the
// address nor the client, and queues the e-mail that carries it (mailText,
// when not empty) in the same transaction.
func (db *DB) CreateLink(ctx context.Context, l *securemail.Link, tokenHash, emailHash, clientHash, mailText string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		l.ID = NewID()
		l.CreatedAt = tx.now
		_, err := tx.ExecContext(ctx, `INSERT INTO secure_links
			(id, token_hash, email, email_hash, client_hash, unit_id, lang, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			l.ID, tokenHash, l.Email, emailHash, clientHash, l.UnitID, l.Lang, l.CreatedAt, l.ExpiresAt.UTC())
		if err != nil {
			return err
		}
		if mailText != "" {
			if err := tx.Enqueue(ctx, &outbox.Item{Channel: outbox.Email, Recipient: l.Email, Lang: l.Lang,
				Kind: securemail.NoticeLink, Payload: mailText}); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, audit.Entry{ActorKind: audit.ActorAnon, ActorID: "-", Action: "secure_email.link_sent",
			Object: "secure_link:" + l.ID, Detail: "unit=" + l.UnitID})
	})
}

const linkColumns = `id, email, unit_id, lang, created_at, expires_at`

// LinkByToken finds an unused, unexpired link.
func (db *DB) LinkByToken(ctx context.Context, tokenHash string) (securemail.Link, error) {
	var l securemail.Link
	err := db.sql.QueryRowContext(ctx, `SELECT `+linkColumns+` FROM secure_links
		WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2`, tokenHash, db.Now().UTC()).
		Scan(&l.ID, &l.Email, &l.UnitID, &l.Lang, &l.CreatedAt, &l.ExpiresAt)
	return l, db.mapErr(err)
}

// UseLink stores the message as a thread in the unit's queue and spends the
// link in one transaction: of two sends racing on one link, one finds it
// spent.
func (db *DB) UseLink(ctx context.Context, tokenHash string, m *securemail.Message) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var l securemail.Link
		err := tx.QueryRowContext(ctx, `SELECT `+linkColumns+` FROM secure_links
			WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2`, tokenHash, tx.now).
			Scan(&l.ID, &l.Email, &l.UnitID, &l.Lang, &l.CreatedAt, &l.ExpiresAt)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE secure_links SET used_at = $1 WHERE id = $2 AND used_at IS NULL`, tx.now, l.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fault.New(fault.NotFound, "securemail.error.link")
		}
		m.ID, m.LinkID, m.UnitID, m.Email, m.CreatedAt = NewID(), l.ID, l.UnitID, l.Email, tx.now
		_, err = tx.ExecContext(ctx, `INSERT INTO secure_messages (id, link_id, unit_id, email, subject, body, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, m.ID, m.LinkID, m.UnitID, m.Email, m.Subject, m.Body, m.CreatedAt)
		if err != nil {
			return err
		}
		// The unit answers it as any thread in its queue.
		if err := tx.secureThread(ctx, m.ID, m.Email, m.UnitID, l.Lang, m.Subject, m.Body); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Entry{ActorKind: audit.ActorAnon, ActorID: "-", Action: "secure_email.message",
			Object: "secure_message:" + m.ID, Detail: "unit=" + m.UnitID})
	})
}

// UnitMessages lists the newest secure e-mail messages to a unit.
func (db *DB) UnitMessages(ctx context.Context, unitID string, limit int) ([]securemail.Message, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, link_id, unit_id, email, subject, body, created_at
		FROM secure_messages WHERE unit_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, unitID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []securemail.Message
	for rows.Next() {
		var m securemail.Message
		if err := rows.Scan(&m.ID, &m.LinkID, &m.UnitID, &m.Email, &m.Subject, &m.Body, &m.CreatedAt); err != nil {
			return nil, err
		}
		m.CreatedAt = m.CreatedAt.UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}
