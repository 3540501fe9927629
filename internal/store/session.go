package store

import (
	"context"
	"time"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/auth"
	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/org"
)

var _ auth.Store = (*DB)(nil)

// SignIn finds the customer or staff member the identity names, creating
// a customer met for the first time, and starts a session, all in one
// transaction with its audit entry.
func (db *DB) SignIn(ctx context.Context, id auth.Identity, tokenHash, idToken string, t auth.Timeouts) (auth.Session, error) {
	var s auth.Session
	err := db.inTx(ctx, func(tx *Tx) error {
		s = auth.Session{
			ID: NewID(), Kind: id.Kind, Provider: id.Provider, IDToken: idToken,
			CreatedAt: tx.now, LastSeenAt: tx.now, ExpiresAt: tx.now.Add(t.Absolute),
		}
		entry := audit.Entry{Action: "signin", Detail: "provider=" + id.Provider}
		switch id.Kind {
		case auth.Citizen, auth.EIDAS:
			p, created, err := tx.personForIdentity(ctx, id)
			if err != nil {
				return err
			}
			s.PersonID, s.Name = p.ID, p.Name()
			entry.ActorKind, entry.ActorID, entry.SubjectID = audit.ActorCustomer, p.ID, p.ID
			if created {
				entry.Detail += " new-customer"
			}
		case auth.Staff:
			st := org.Staff{Subject: id.Provider + ":" + id.Subject, GivenName: id.GivenName, FamilyName: id.FamilyName, UnitID: id.UnitID, Role: id.Role}
			if err := tx.upsertStaff(ctx, &st); err != nil {
				return err
			}
			s.StaffID, s.Name, s.UnitID, s.Role = st.ID, st.GivenName+" "+st.FamilyName, st.UnitID, st.Role
			entry.ActorKind, entry.ActorID = audit.ActorStaff, st.ID
			entry.Detail += " unit=" + st.UnitID + " role=" + st.Role
		default:
			return fault.New(fault.Invalid, auth.ErrKeyProvider)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions
			(id, token_hash, kind, person_id, staff_id, provider, id_token, created_at, last_seen_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			s.ID, tokenHash, string(s.Kind), nullIfEmpty(s.PersonID), nullIfEmpty(s.StaffID), s.Provider, s.IDToken,
			s.CreatedAt, s.LastSeenAt, s.ExpiresAt)
		if err != nil {
			return err
		}
		entry.Object = "session:" + s.ID
		return tx.Audit(ctx, entry)
	})
	return s, err
}

// personForIdentity finds the customer for a Finnish or eIDAS identity,
// following a staff-made link from an eIDAS identity to a customer record.
func (tx *Tx) personForIdentity(ctx context.Context, id auth.Identity) (customer.Person, bool, error) {
	var row interface{ Scan(...any) error }
	if id.Kind == auth.Citizen {
		row = tx.QueryRowContext(ctx, `SELECT `+personColumns+`, COALESCE(linked_person_id, '') FROM persons WHERE hetu = $1`, id.HETU)
	} else {
		row = tx.QueryRowContext(ctx, `SELECT `+personColumns+`, COALESCE(linked_person_id, '') FROM persons
			WHERE eidas_country = $1 AND eidas_id = $2`, id.EIDASCountry, id.EIDASID)
	}
	var linked string
	p, err := scanPerson(scanFunc(func(dest ...any) error { return row.Scan(append(dest, &linked)...) }))
	switch {
	case err == nil && linked != "":
		lp, err := scanPerson(tx.QueryRowContext(ctx, `SELECT `+personColumns+` FROM persons WHERE id = $1`, linked))
		return lp, false, err
	case err == nil:
		return p, false, nil
	case !isNoRows(err):
		return customer.Person{}, false, err
	}
	p = customer.Person{
		HETU: id.HETU, EIDASCountry: id.EIDASCountry, EIDASID: id.EIDASID,
		GivenName: id.GivenName, FamilyName: id.FamilyName, BirthDate: id.BirthDate,
	}
	if id.Kind == auth.EIDAS {
		p.Lang = "en"
	}
	if err := tx.createPerson(ctx, &p); err != nil {
		return customer.Person{}, false, err
	}
	return p, true, nil
}

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
	_, err := db.sql.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id = $2`, db.Now().UTC().Truncate(time.Microsecond), id)
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
func (db *DB) SaveLoginFlow(ctx context.Context, idHash string, f auth.LoginFlow) error {
	_, err := db.sql.ExecContext(ctx, `INSERT INTO login_flows (id_hash, provider, state, nonce, verifier, next, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, idHash, f.Provider, f.State, f.Nonce, f.Verifier, f.Next, f.ExpiresAt.UTC())
	return db.mapErr(err)
}

// TakeLoginFlow returns a sign-in in progress and deletes it, so that a
// replayed callback finds nothing; an expired flow is not found.
func (db *DB) TakeLoginFlow(ctx context.Context, idHash string) (auth.LoginFlow, error) {
	var f auth.LoginFlow
	err := db.inTx(ctx, func(tx *Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT provider, state, nonce, verifier, next, expires_at FROM login_flows WHERE id_hash = $1`, idHash).
			Scan(&f.Provider, &f.State, &f.Nonce, &f.Verifier, &f.Next, &f.ExpiresAt)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_flows WHERE id_hash = $1`, idHash); err != nil {
			return err
		}
		if !tx.now.Before(f.ExpiresAt) {
			return fault.New(fault.NotFound, auth.ErrKeyState)
		}
		return nil
	})
	return f, err
}
