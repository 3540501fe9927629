package store

import (
	"cmp"
	"context"
	"database/sql"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/demo"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/outbox"
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
		// The names are stamped with the mandate register's sequence, as
		// the feed import's are, so that a register in memory learns them.
		seq, err := takeRegisterSeq(ctx, tx)
		if err != nil {
			return err
		}
		for _, o := range d.Organisations {
			_, err := tx.ExecContext(ctx, `INSERT INTO organisations (id, business_id, name, demo, created_at, seq)
				VALUES ($1, $2, $3, $4, $5, $6)`, o.ID, o.BusinessID, o.Name, o.Demo, tx.now, seq)
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
	_, err := t.ExecContext(ctx, `UPDATE persons SET linked_person_id = $1 WHERE id = $2`, nullIfEmpty(personID), eidasPersonID)
	return err
}

func (t customerTx) Audit(ctx context.Context, es ...audit.Entry) error {
	return t.Tx.Audit(ctx, es...)
}

// Four-eyes links (internal/customer/eidas.go, migration 00020).

const eidasLinkColumns = `l.id, l.eidas_person_id, l.person_id, l.status, l.reason, l.proposed_by, l.proposed_at,
	l.decided_by, l.decided_at, l.undo_reason, l.undone_by, l.undone_at`

func scanEIDASLink(row interface{ Scan(...any) error }, more ...any) (customer.Link, error) {
	var l customer.Link
	var decided, undone sql.NullTime
	dest := append([]any{&l.ID, &l.EIDASPersonID, &l.PersonID, &l.Status, &l.Reason, &l.ProposedBy, &l.ProposedAt,
		&l.DecidedBy, &decided, &l.UndoReason, &l.UndoneBy, &undone}, more...)
	err := row.Scan(dest...)
	l.ProposedAt, l.DecidedAt, l.UndoneAt = l.ProposedAt.UTC(), decided.Time.UTC(), undone.Time.UTC()
	return l, err
}

// Links lists the links with the status and their two people: a waiting
// proposal oldest first, others newest first.
func (r *CustomerRepo) Links(ctx context.Context, status customer.LinkStatus, limit int) ([]customer.Link, error) {
	order := "l.proposed_at DESC, l.id DESC"
	if status == customer.LinkProposed {
		order = "l.proposed_at, l.id"
	}
	rows, err := r.db.query(ctx, `SELECT `+eidasLinkColumns+` FROM eidas_links l WHERE l.status = $1 ORDER BY `+order+` LIMIT $2`,
		string(status), limit)
	if err != nil {
		return nil, err
	}
	return r.withPeople(ctx, rows)
}

// withPeople reads the links of the rows and their two people.
func (r *CustomerRepo) withPeople(ctx context.Context, rows *sql.Rows) ([]customer.Link, error) {
	ls, err := scanAll(rows, func(row interface{ Scan(...any) error }) (customer.Link, error) { return scanEIDASLink(row) })
	if err != nil {
		return nil, err
	}
	for i := range ls {
		if ls[i].EIDAS, err = r.db.PersonByID(ctx, ls[i].EIDASPersonID); err != nil {
			return nil, err
		}
		if ls[i].Target, err = r.db.PersonByID(ctx, ls[i].PersonID); err != nil {
			return nil, err
		}
	}
	return ls, nil
}

// LinksTo lists the links in force to the person, newest first.
func (r *CustomerRepo) LinksTo(ctx context.Context, personID string) ([]customer.Link, error) {
	rows, err := r.db.query(ctx, `SELECT `+eidasLinkColumns+` FROM eidas_links l WHERE l.person_id = $1 AND l.status = 'approved'
		ORDER BY l.proposed_at DESC, l.id DESC LIMIT 100`, personID)
	if err != nil {
		return nil, err
	}
	return r.withPeople(ctx, rows)
}

func (t customerTx) LinkedEIDASForUpdate(ctx context.Context, id, personID string) (customer.Person, error) {
	p, err := scanPerson(t.QueryRowContext(ctx, `SELECT `+personColumns+` FROM persons
		WHERE id = $1 AND eidas_id IS NOT NULL AND linked_person_id = $2`+t.db.dialect.forUpdate(), id, personID))
	return p, t.db.mapErr(err)
}

func (t customerTx) WaitingLink(ctx context.Context, eidasPersonID string) (customer.Link, error) {
	l, err := scanEIDASLink(t.QueryRowContext(ctx, `SELECT `+eidasLinkColumns+` FROM eidas_links l
		WHERE l.eidas_person_id = $1 AND l.status = 'proposed'`, eidasPersonID))
	return l, t.db.mapErr(err)
}

func (t customerTx) LinkForUpdate(ctx context.Context, id string) (customer.Link, error) {
	l, err := scanEIDASLink(t.QueryRowContext(ctx, `SELECT `+eidasLinkColumns+` FROM eidas_links l WHERE l.id = $1`+t.db.dialect.forUpdate(), id))
	return l, t.db.mapErr(err)
}

func (t customerTx) InsertLink(ctx context.Context, l *customer.Link) error {
	l.ID, l.ProposedAt = NewID(), t.now
	_, err := t.ExecContext(ctx, `INSERT INTO eidas_links (id, eidas_person_id, person_id, status, reason, proposed_by, proposed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, l.ID, l.EIDASPersonID, l.PersonID, string(l.Status), l.Reason, l.ProposedBy, l.ProposedAt)
	return t.db.mapErr(err)
}

func (t customerTx) UpdateLink(ctx context.Context, l customer.Link) error {
	return t.db.mapErr(oneRow(t.ExecContext(ctx, `UPDATE eidas_links SET status = $1, decided_by = $2, decided_at = $3,
		undo_reason = $4, undone_by = $5, undone_at = $6 WHERE id = $7`,
		string(l.Status), l.DecidedBy, nullTime(l.DecidedAt), l.UndoReason, l.UndoneBy, nullTime(l.UndoneAt), l.ID)))
}

func (t customerTx) EndEIDASSessions(ctx context.Context, personID string) error {
	_, err := t.ExecContext(ctx, `DELETE FROM sessions WHERE kind = 'eidas' AND person_id = $1`, personID)
	return err
}

func (t customerTx) NoticeChoice(ctx context.Context, personID string) (message.Consent, string, error) {
	return t.noticeChoice(ctx, personID)
}

func (t customerTx) Enqueue(ctx context.Context, it *outbox.Item) error { return t.Tx.Enqueue(ctx, it) }
