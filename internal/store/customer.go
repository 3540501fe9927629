package store

import (
	"cmp"
	"context"
	"database/sql"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/demo"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/recovery"
)

var _ customer.Store = (*DB)(nil)

const personColumns = `id, COALESCE(hetu, ''), COALESCE(eidas_country, ''), COALESCE(eidas_id, ''),
	given_name, family_name, birth_date, lang, email, phone, demo, created_at`

func scanPerson(row interface{ Scan(...any) error }) (customer.Person, error) {
	var p customer.Person
	err := row.Scan(&p.ID, &p.HETU, &p.EIDASCountry, &p.EIDASID, &p.GivenName, &p.FamilyName,
		&p.BirthDate, &p.Lang, &p.Email, &p.Phone, &p.Demo, &p.CreatedAt)
	p.CreatedAt = p.CreatedAt.UTC()
	return p, err
}

// PersonByID finds a customer by internal ID.
func (db *DB) PersonByID(ctx context.Context, id string) (customer.Person, error) {
	p, err := scanPerson(db.sql.QueryRowContext(ctx, `SELECT `+personColumns+` FROM persons WHERE id = $1`, id))
	return p, db.mapErr(err)
}

// PersonByHETU finds a customer by the full identity code.
func (db *DB) PersonByHETU(ctx context.Context, hetu string) (customer.Person, error) {
	p, err := scanPerson(db.sql.QueryRowContext(ctx, `SELECT `+personColumns+` FROM persons WHERE hetu = $1`, hetu))
	return p, db.mapErr(err)
}

// PersonByEIDAS finds a customer by eIDAS country and person identifier.
func (db *DB) PersonByEIDAS(ctx context.Context, country, id string) (customer.Person, error) {
	p, err := scanPerson(db.sql.QueryRowContext(ctx, `SELECT `+personColumns+` FROM persons
		WHERE eidas_country = $1 AND eidas_id = $2`, country, id))
	return p, db.mapErr(err)
}

// CreatePerson stores a new customer.
func (db *DB) CreatePerson(ctx context.Context, p *customer.Person) error {
	return db.inTx(ctx, func(tx *Tx) error { return tx.createPerson(ctx, p) })
}

func (tx *Tx) createPerson(ctx context.Context, p *customer.Person) error {
	if p.ID == "" {
		p.ID = NewID()
	}
	if p.Lang == "" {
		p.Lang = "fi"
	}
	p.CreatedAt = tx.now
	_, err := tx.ExecContext(ctx, `INSERT INTO persons
		(id, hetu, eidas_country, eidas_id, given_name, family_name, birth_date, lang, email, phone, demo, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		p.ID, nullIfEmpty(p.HETU), nullIfEmpty(p.EIDASCountry), nullIfEmpty(p.EIDASID), p.GivenName, p.FamilyName,
		p.BirthDate, p.Lang, p.Email, p.Phone, p.Demo, p.CreatedAt)
	return err
}

// OrganisationByBusinessID finds an organisation by its Y-tunnus.
func (db *DB) OrganisationByBusinessID(ctx context.Context, businessID string) (customer.Organisation, error) {
	var o customer.Organisation
	err := db.sql.QueryRowContext(ctx, `SELECT id, business_id, name, demo, created_at FROM organisations WHERE business_id = $1`, businessID).
		Scan(&o.ID, &o.BusinessID, &o.Name, &o.Demo, &o.CreatedAt)
	return o, db.mapErr(err)
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// SeedDemo writes the demo data once: it reports false and writes nothing
// when the database was seeded before.
func (db *DB) SeedDemo(ctx context.Context, d demo.Data) (bool, error) {
	seeded := false
	err := db.inTx(ctx, func(tx *Tx) error {
		var v string
		err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'demo_seeded'`).Scan(&v)
		if err == nil {
			return nil
		}
		if err != sql.ErrNoRows {
			return err
		}
		for i := range d.Persons {
			if err := tx.createPerson(ctx, &d.Persons[i]); err != nil {
				return err
			}
			// Demo people are told of new messages at their demo address,
			// which the development SMTP sink receives.
			if p := d.Persons[i]; p.Email != "" {
				_, err := tx.ExecContext(ctx, `INSERT INTO notification_consents (person_id, allow_messages, channel, address, verified, updated_at)
					VALUES ($1, TRUE, 'email', $2, TRUE, $3)`, p.ID, p.Email, tx.now)
				if err != nil {
					return err
				}
			}
		}
		for _, o := range d.Organisations {
			_, err := tx.ExecContext(ctx, `INSERT INTO organisations (id, business_id, name, demo, created_at)
				VALUES ($1, $2, $3, $4, $5)`, o.ID, o.BusinessID, o.Name, o.Demo, tx.now)
			if err != nil {
				return err
			}
		}
		lang := map[string]string{}
		for _, p := range d.Persons {
			lang[p.ID] = p.Lang
		}
		for i := range d.Claims {
			if err := tx.createClaim(ctx, &d.Claims[i]); err != nil {
				return err
			}
			// Each demo claim has the letter of the decision that started
			// it, as recovery.Service.CreateClaims writes (no notice).
			l := recovery.StartedLetter(d.Claims[i])
			l.Lang, l.On = cmp.Or(lang[l.PersonID], "fi"), civil.Of(tx.now)
			if err := tx.insertLetter(ctx, &l); err != nil {
				return err
			}
		}
		for i := range d.Staff {
			if err := tx.upsertStaff(ctx, &d.Staff[i]); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('demo_seeded', $1)`, tx.now.Format("2006-01-02T15:04:05Z")); err != nil {
			return err
		}
		seeded = true
		return nil
	})
	return seeded, err
}

// UnlinkedEIDAS lists the eIDAS identities no staff member has linked to a
// customer record yet, oldest first.
func (db *DB) UnlinkedEIDAS(ctx context.Context, limit int) ([]customer.Person, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+personColumns+` FROM persons
		WHERE eidas_id IS NOT NULL AND linked_person_id IS NULL ORDER BY created_at, id LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanPerson)
}

// CustomerRepo is the customer service's storage.
type CustomerRepo struct{ db *DB }

// Customers returns the customer service's repository on the database.
func (db *DB) Customers() *CustomerRepo { return &CustomerRepo{db: db} }

var (
	_ customer.Repo = (*CustomerRepo)(nil)
	_ customer.Tx   = customerTx{}
)

type customerTx struct{ *Tx }

// UnlinkedEIDAS lists eIDAS identities not yet linked, oldest first.
func (r *CustomerRepo) UnlinkedEIDAS(ctx context.Context, limit int) ([]customer.Person, error) {
	return r.db.UnlinkedEIDAS(ctx, limit)
}

// InTx runs fn in one transaction, retried on a busy or serialization failure.
func (r *CustomerRepo) InTx(ctx context.Context, fn func(customer.Tx) error) error {
	return r.db.inTx(ctx, func(tx *Tx) error { return fn(customerTx{tx}) })
}

func (t customerTx) UnlinkedEIDASForUpdate(ctx context.Context, id string) (customer.Person, error) {
	p, err := scanPerson(t.QueryRowContext(ctx, `SELECT `+personColumns+` FROM persons
		WHERE id = $1 AND eidas_id IS NOT NULL AND linked_person_id IS NULL`+t.db.dialect.forUpdate(), id))
	return p, t.db.mapErr(err)
}

func (t customerTx) PersonByHETU(ctx context.Context, code string) (customer.Person, error) {
	p, err := scanPerson(t.QueryRowContext(ctx, `SELECT `+personColumns+` FROM persons WHERE hetu = $1`, code))
	return p, t.db.mapErr(err)
}

func (t customerTx) LinkEIDAS(ctx context.Context, eidasPersonID, personID string) error {
	_, err := t.ExecContext(ctx, `UPDATE persons SET linked_person_id = $1 WHERE id = $2`, personID, eidasPersonID)
	return err
}

func (t customerTx) Audit(ctx context.Context, es ...audit.Entry) error {
	return t.Tx.Audit(ctx, es...)
}
