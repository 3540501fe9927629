package store

import (
	"context"

	"github.com/etuus/etuus/internal/org"
)

var _ org.Store = (*DB)(nil)

// SeedReference writes the institution's organisation, updating what is
// already there, so that a new release's reference data reaches an old
// database.
func (db *DB) SeedReference(ctx context.Context, units []org.Unit, contacts []org.Contact) error {
	return db.inTx(ctx, func(tx *Tx) error {
		for _, u := range units {
			var parent any
			if u.Parent != "" {
				parent = u.Parent
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO units (id, parent_id, kind, name_fi, name_sv, name_en, sort, public)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
				ON CONFLICT (id) DO UPDATE SET parent_id = excluded.parent_id, kind = excluded.kind,
					name_fi = excluded.name_fi, name_sv = excluded.name_sv, name_en = excluded.name_en,
					sort = excluded.sort, public = excluded.public`,
				u.ID, parent, u.Kind, u.Names["fi"], u.Names["sv"], u.Names["en"], u.Sort, u.Public)
			if err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM unit_contacts`); err != nil {
			return err
		}
		for _, c := range contacts {
			_, err := tx.ExecContext(ctx, `INSERT INTO unit_contacts
				(id, unit_id, kind, audience, value, days, opens, closes, languages, note_key, sort, intl)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
				c.ID, c.Unit, c.Kind, c.Audience, c.Value, c.Days, c.Opens, c.Closes, c.Languages, c.NoteKey, c.Sort, c.Intl)
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// Units lists every unit in reference order.
func (db *DB) Units(ctx context.Context) ([]org.Unit, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, COALESCE(parent_id, ''), kind, name_fi, name_sv, name_en, sort, public
		FROM units ORDER BY sort, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []org.Unit
	for rows.Next() {
		var u org.Unit
		var fi, sv, en string
		if err := rows.Scan(&u.ID, &u.Parent, &u.Kind, &fi, &sv, &en, &u.Sort, &u.Public); err != nil {
			return nil, err
		}
		u.Names = map[string]string{"fi": fi, "sv": sv, "en": en}
		out = append(out, u)
	}
	return out, rows.Err()
}

// Contacts lists every public contact point in reference order.
func (db *DB) Contacts(ctx context.Context) ([]org.Contact, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, unit_id, kind, audience, value, intl, days, opens, closes, languages, note_key, sort
		FROM unit_contacts ORDER BY sort, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []org.Contact
	for rows.Next() {
		var c org.Contact
		if err := rows.Scan(&c.ID, &c.Unit, &c.Kind, &c.Audience, &c.Value, &c.Intl, &c.Days, &c.Opens, &c.Closes, &c.Languages, &c.NoteKey, &c.Sort); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// StaffBySubject finds a staff member by the identity provider's subject.
func (db *DB) StaffBySubject(ctx context.Context, subject string) (org.Staff, error) {
	var s org.Staff
	err := db.sql.QueryRowContext(ctx, `SELECT id, subject, given_name, family_name, unit_id, role FROM staff WHERE subject = $1`, subject).
		Scan(&s.ID, &s.Subject, &s.GivenName, &s.FamilyName, &s.UnitID, &s.Role)
	return s, db.mapErr(err)
}

// UpsertStaff creates or updates a staff member from the identity provider's
// claims at sign-in.
func (db *DB) UpsertStaff(ctx context.Context, s *org.Staff) error {
	return db.inTx(ctx, func(tx *Tx) error { return tx.upsertStaff(ctx, s) })
}

func (tx *Tx) upsertStaff(ctx context.Context, s *org.Staff) error {
	if s.ID == "" {
		s.ID = NewID()
	}
	return tx.QueryRowContext(ctx, `INSERT INTO staff (id, subject, given_name, family_name, unit_id, role, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (subject) DO UPDATE SET given_name = excluded.given_name, family_name = excluded.family_name,
			unit_id = excluded.unit_id, role = excluded.role
		RETURNING id`, s.ID, s.Subject, s.GivenName, s.FamilyName, s.UnitID, s.Role, tx.now).Scan(&s.ID)
}
