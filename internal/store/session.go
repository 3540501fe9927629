package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/auth"
	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/org"
)

var (
	_ auth.Repo     = (*DB)(nil)
	_ auth.SignInTx = signInTx{}
)

type signInTx struct{ *Tx }

// InSignInTx runs fn in one transaction, retried on a busy or serialization
// failure.
func (db *DB) InSignInTx(ctx context.Context, fn func(auth.SignInTx) error) error {
	return db.inTx(ctx, func(tx *Tx) error { return fn(signInTx{tx}) })
}

// PersonForIdentity finds the customer with a Finnish or eIDAS identity,
// and the record staff linked an eIDAS identity to.
func (t signInTx) PersonForIdentity(ctx context.Context, id auth.Identity) (customer.Person, string, error) {
	var row interface{ Scan(...any) error }
	if id.Kind == auth.Citizen {
		row = t.QueryRowContext(ctx, `SELECT `+personColumns+`, COALESCE(linked_person_id, '') FROM persons WHERE hetu = $1`, id.HETU)
	} else {
		row = t.QueryRowContext(ctx, `SELECT `+personColumns+`, COALESCE(linked_person_id, '') FROM persons
			WHERE eidas_country = $1 AND eidas_id = $2`, id.EIDASCountry, id.EIDASID)
	}
	var linked string
	p, err := scanPerson(scanFunc(func(dest ...any) error { return row.Scan(append(dest, &linked)...) }))
	return p, linked, t.db.mapErr(err)
}

func (t signInTx) PersonByID(ctx context.Context, id string) (customer.Person, error) {
	p, err := scanPerson(t.QueryRowContext(ctx, `SELECT `+personColumns+` FROM persons WHERE id = $1`, id))
	return p, t.db.mapErr(err)
}

func (t signInTx) CreatePerson(ctx context.Context, p *customer.Person) error {
	return t.createPerson(ctx, p)
}

func (t signInTx) UpdatePersonName(ctx context.Context, id, given, family string) error {
	_, err := t.ExecContext(ctx, `UPDATE persons SET given_name = $1, family_name = $2 WHERE id = $3`, given, family, id)
	return err
}

func (t signInTx) UpsertStaff(ctx context.Context, s *org.Staff) error { return t.upsertStaff(ctx, s) }

func (t signInTx) InsertSession(ctx context.Context, s *auth.Session, tokenHash string) error {
	s.ID = NewID()
	_, err := t.ExecContext(ctx, `INSERT INTO sessions
		(id, token_hash, kind, person_id, staff_id, provider, id_token, created_at, last_seen_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		s.ID, tokenHash, string(s.Kind), nullIfEmpty(s.PersonID), nullIfEmpty(s.StaffID), s.Provider, s.IDToken,
		s.CreatedAt, s.LastSeenAt, s.ExpiresAt)
	return err
}

func (t signInTx) EndSessionByToken(ctx context.Context, tokenHash string) (string, error) {
	var id string
	err := t.QueryRowContext(ctx, `DELETE FROM sessions WHERE token_hash = $1 RETURNING id`, tokenHash).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

func (t signInTx) Audit(ctx context.Context, es ...audit.Entry) error { return t.Tx.Audit(ctx, es...) }

type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// SessionByToken finds a session by the hash of its cookie token, with the
// name to show; an ended session is not found.
func (db *DB) SessionByToken(ctx context.Context, tokenHash string) (auth.Session, error) {
	var s auth.Session
	var kind string
	err := db.queryRow(ctx, `SELECT s.id, s.kind, COALESCE(s.person_id, ''), COALESCE(s.staff_id, ''), s.provider, s.id_token,
			s.created_at, s.last_seen_at, s.expires_at,
			COALESCE(p.given_name || ' ' || p.family_name, st.given_name || ' ' || st.family_name, ''),
			COALESCE(st.unit_id, ''), COALESCE(st.role, '')
		FROM sessions s
		LEFT JOIN persons p ON p.id = s.person_id
		LEFT JOIN staff st ON st.id = s.staff_id
		WHERE s.token_hash = $1`, tokenHash).
		Scan(&s.ID, &kind, &s.PersonID, &s.StaffID, &s.Provider, &s.IDToken, &s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt,
			&s.Name, &s.UnitID, &s.Role)
	s.Kind = auth.Kind(kind)
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = s.CreatedAt.UTC(), s.LastSeenAt.UTC(), s.ExpiresAt.UTC()
	return s, db.mapErr(err)
}

// TouchSession records that the session was used now, which restarts its
// idle timeout.
func (db *DB) TouchSession(ctx context.Context, id string) error {
	_, err := db.sql.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id = $2`, db.now().UTC().Truncate(time.Microsecond), id)
	return db.mapErr(err)
}

// EndSession deletes the session, and expired ones while at it.
func (db *DB) EndSession(ctx context.Context, id string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1 OR expires_at < $2`, id, tx.now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM login_flows WHERE expires_at < $1`, tx.now)
		return err
	})
}

// SaveLoginFlow keeps a sign-in in progress until its callback.
//
// Sign-ins that were started and never finished expire; each save deletes
// up to purgeLoginFlows of them first, in its transaction, so the table
// holds no more than the flows of the last ten minutes plus a bounded
// remainder, however many anonymous starts came and whether or not anyone
// signs out.
func (db *DB) SaveLoginFlow(ctx context.Context, idHash string, f auth.LoginFlow) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_flows WHERE id_hash IN
			(SELECT id_hash FROM login_flows WHERE expires_at < $1 LIMIT `+strconv.Itoa(purgeLoginFlows)+`)`, tx.now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO login_flows (id_hash, provider, state, nonce, verifier, next, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, idHash, f.Provider, f.State, f.Nonce, f.Verifier, f.Next, f.ExpiresAt.UTC())
		return err
	})
}

// purgeLoginFlows is how many expired login flows one save deletes: more
// than one, so that a backlog drains while sign-ins go on.
const purgeLoginFlows = 16

// TakeLoginFlow returns a sign-in in progress and deletes it, so that a
// replayed callback finds nothing.
func (db *DB) TakeLoginFlow(ctx context.Context, idHash string) (auth.LoginFlow, error) {
	var f auth.LoginFlow
	err := db.inTx(ctx, func(tx *Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT provider, state, nonce, verifier, next, expires_at FROM login_flows WHERE id_hash = $1`, idHash).
			Scan(&f.Provider, &f.State, &f.Nonce, &f.Verifier, &f.Next, &f.ExpiresAt)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM login_flows WHERE id_hash = $1`, idHash)
		return err
	})
	return f, err
}
