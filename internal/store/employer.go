package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/employer"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/message"
)

// EmployerRepo is the employer e-services' repository (employer.Repo) on
// this database.
type EmployerRepo struct{ db *DB }

type employerTx struct{ *Tx }

var (
	_ employer.Repo = (*EmployerRepo)(nil)
	_ employer.Tx   = employerTx{}
)

// Employer is the repository of the employer e-services.
func (db *DB) Employer() *EmployerRepo { return &EmployerRepo{db: db} }

// InTx runs fn in a transaction, retried on busy and serialization failures.
func (r *EmployerRepo) InTx(ctx context.Context, fn func(employer.Tx) error) error {
	return r.db.inTx(ctx, func(tx *Tx) error { return fn(employerTx{tx}) })
}

// Now is the database's clock.
func (r *EmployerRepo) Now() time.Time { return r.db.now().UTC() }

const employerCols = `a.id, a.kind, a.org_id, COALESCE(o.name, ''), a.benefit, a.employee_hetu, a.period_start, a.period_end,
	a.salary_cents, a.workplace, a.employees, a.class1_cents, a.class2_cents, a.revenue_cents, a.iban, a.status, a.amount_cents,
	a.reason, a.submitted_by, a.created_at, a.decided_at, a.decided_by,
	e.pay_date, COALESCE(e.amount_cents, 0), COALESCE(e.status, ''), COALESCE(e.reason_code, ''),
	COALESCE(e.id, ''), e.new_iban_at,
	CASE WHEN EXISTS (SELECT 1 FROM employer_payments y WHERE y.application_id = a.id AND y.id <> e.id) THEN 1 ELSE 0 END`

// employerFrom reads an application with its organisation's name and its
// latest payment, once a payment run recorded one
// (store/employer_payment.go): an application paid again after a failed
// payment has several.
const employerFrom = ` FROM employer_applications a LEFT JOIN organisations o ON o.business_id = a.org_id
	LEFT JOIN employer_payments e ON e.id = (SELECT x.id FROM employer_payments x WHERE x.application_id = a.id
		ORDER BY x.created_at DESC, x.id DESC LIMIT 1)`

func scanApplication(row interface{ Scan(...any) error }) (employer.Application, error) {
	var a employer.Application
	var decided, given sql.NullTime
	var again int
	err := row.Scan(&a.ID, &a.Kind, &a.Org, &a.OrgName, &a.Benefit, &a.Employee, &a.Start, &a.End, &a.SalaryCents,
		&a.Workplace, &a.Employees, &a.Class1Cents, &a.Class2Cents, &a.RevenueCents, &a.IBAN,
		&a.Status, &a.AmountCents, &a.Reason, &a.SubmittedBy, &a.CreatedAt, &decided, &a.DecidedBy,
		&a.Payment.PayDate, &a.Payment.AmountCents, &a.Payment.Status, &a.Payment.ReasonCode,
		&a.Payment.ID, &given, &again)
	a.CreatedAt = a.CreatedAt.UTC()
	a.Payment.Again = again == 1
	if given.Valid {
		a.Payment.AccountGivenAt = given.Time.UTC()
	}
	if decided.Valid {
		a.DecidedAt = decided.Time.UTC()
	}
	return a, err
}

// applicationPage reads a page of applications and their count; limit 0
// reads the count only.
// where's arguments are $1 and on; the page's limit and offset follow.
func (r *EmployerRepo) applicationPage(ctx context.Context, where, order string, args []any, offset, limit int) ([]employer.Application, int, error) {
	var total int
	if err := r.db.queryRow(ctx, `SELECT count(*) FROM employer_applications a WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, r.db.mapErr(err)
	}
	if limit == 0 || total == 0 {
		return nil, total, nil
	}
	n := len(args)
	rows, err := r.db.query(ctx, `SELECT `+employerCols+employerFrom+` WHERE `+where+` ORDER BY `+order+
		fmt.Sprintf(` LIMIT $%d OFFSET $%d`, n+1, n+2), append(args, limit, offset)...)
	if err != nil {
		return nil, 0, r.db.mapErr(err)
	}
	out, err := scanAll(rows, scanApplication)
	return out, total, r.db.mapErr(err)
}

// ByOrg is one page of the organisation's applications the filter
// selects, newest first. A restriction to workplaces is a list of
// placeholders (a mandate names a handful).
func (r *EmployerRepo) ByOrg(ctx context.Context, f employer.Filter, offset, limit int) ([]employer.Application, int, error) {
	where, args := `a.org_id = $1 AND a.kind = $2`, []any{f.Org, string(f.Kind)}
	if f.Workplaces != nil {
		if len(f.Workplaces) == 0 {
			return nil, 0, nil
		}
		marks := make([]string, len(f.Workplaces))
		for i, w := range f.Workplaces {
			args = append(args, w)
			marks[i] = fmt.Sprintf("$%d", len(args))
		}
		where += ` AND a.workplace IN (` + strings.Join(marks, ", ") + `)`
	}
	return r.applicationPage(ctx, where, `a.created_at DESC, a.id DESC`, args, offset, limit)
}

// Pending is one page of the applications of the kind ("" every kind)
// waiting, oldest first.
func (r *EmployerRepo) Pending(ctx context.Context, kind employer.Kind, offset, limit int) ([]employer.Application, int, error) {
	if kind == "" {
		return r.applicationPage(ctx, `a.status = $1`, `a.created_at, a.id`, []any{string(employer.Pending)}, offset, limit)
	}
	return r.applicationPage(ctx, `a.status = $1 AND a.kind = $2`, `a.created_at, a.id`,
		[]any{string(employer.Pending), string(kind)}, offset, limit)
}

// Application is one application by ID.
func (r *EmployerRepo) Application(ctx context.Context, id string) (employer.Application, error) {
	a, err := scanApplication(r.db.queryRow(ctx, `SELECT `+employerCols+employerFrom+` WHERE a.id = $1`, id))
	return a, r.db.mapErr(err)
}

// ForEmployee lists the applications naming the customer's identity code.
func (r *EmployerRepo) ForEmployee(ctx context.Context, personID string) ([]employer.Application, error) {
	rows, err := r.db.query(ctx, `SELECT `+employerCols+`, COALESCE(n.thread_id, '')`+employerFrom+`
		JOIN persons p ON p.hetu = a.employee_hetu
		LEFT JOIN employer_employee_notices n ON n.application_id = a.id AND n.person_id = p.id
		WHERE p.id = $1 AND a.kind = $2 ORDER BY a.created_at DESC, a.id DESC LIMIT 200`, personID, string(employer.DailyAllowance))
	if err != nil {
		return nil, r.db.mapErr(err)
	}
	out, err := scanAll(rows, func(row interface{ Scan(...any) error }) (employer.Application, error) {
		var thread string
		a, err := scanApplication(extraScan{row, []any{&thread}})
		a.EmployeeThread = thread
		return a, err
	})
	return out, r.db.mapErr(err)
}

// LockOrganisation locks the organisation's row and reads its name.
func (tx employerTx) LockOrganisation(ctx context.Context, businessID string) (string, error) {
	var name string
	err := tx.queryRow(ctx, `SELECT name FROM organisations WHERE business_id = $1`+tx.db.dialect.forUpdate(), businessID).Scan(&name)
	return name, tx.db.mapErr(err)
}

// Overlapping counts the organisation's live applications of the kind
// whose period meets the application's: for the same employee and
// benefit, or for the same workplace.
func (tx employerTx) Overlapping(ctx context.Context, a employer.Application) (int, error) {
	var n int
	if a.Kind == employer.OccupationalHealthcare {
		err := tx.queryRow(ctx, `SELECT count(*) FROM employer_applications WHERE org_id = $1 AND workplace = $2
			AND kind = $3 AND status IN ($4, $5) AND period_start <= $7 AND period_end >= $6`,
			a.Org, a.Workplace, string(a.Kind), string(employer.Pending), string(employer.Approved), a.Start, a.End).Scan(&n)
		return n, tx.db.mapErr(err)
	}
	err := tx.queryRow(ctx, `SELECT count(*) FROM employer_applications WHERE org_id = $1 AND employee_hetu = $2
		AND benefit = $3 AND status IN ($4, $5) AND period_start <= $7 AND period_end >= $6 AND kind = $8`,
		a.Org, a.Employee, string(a.Benefit), string(employer.Pending), string(employer.Approved), a.Start, a.End,
		string(employer.DailyAllowance)).Scan(&n)
	return n, tx.db.mapErr(err)
}

// Insert stores a new application.
func (tx employerTx) Insert(ctx context.Context, a *employer.Application) error {
	a.ID = NewID()
	_, err := tx.exec(ctx, `INSERT INTO employer_applications (id, org_id, kind, benefit, employee_hetu, period_start, period_end,
			salary_cents, workplace, employees, class1_cents, class2_cents, revenue_cents, iban, status, submitted_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
		a.ID, a.Org, string(a.Kind), string(a.Benefit), a.Employee, a.Start, a.End, a.SalaryCents, a.Workplace, a.Employees,
		a.Class1Cents, a.Class2Cents, a.RevenueCents, a.IBAN, string(a.Status), a.SubmittedBy, a.CreatedAt)
	return tx.db.mapErr(err)
}

// ApplicationForUpdate reads an application and locks it.
func (tx employerTx) ApplicationForUpdate(ctx context.Context, id string) (employer.Application, error) {
	a, err := scanApplication(tx.queryRow(ctx, `SELECT `+employerCols+employerFrom+` WHERE a.id = $1`+tx.db.dialect.forUpdateOf("a"), id))
	return a, tx.db.mapErr(err)
}

// Decide writes the decision of an application still pending.
func (tx employerTx) Decide(ctx context.Context, a employer.Application) error {
	res, err := tx.exec(ctx, `UPDATE employer_applications SET status = $2, amount_cents = $3, reason = $4, decided_at = $5, decided_by = $6
		WHERE id = $1 AND status = $7`, a.ID, string(a.Status), a.AmountCents, a.Reason, a.DecidedAt, a.DecidedBy, string(employer.Pending))
	if err := oneRow(res, err); err != nil {
		if isNoRows(err) {
			return fault.New(fault.Conflict, "employer.error.decided")
		}
		return tx.db.mapErr(err)
	}
	return nil
}

// LastPaymentForUpdate locks the application's latest payment.
func (tx employerTx) LastPaymentForUpdate(ctx context.Context, applicationID string) (employer.Payment, error) {
	var p employer.Payment
	var given sql.NullTime
	err := tx.queryRow(ctx, `SELECT id, pay_date, amount_cents, status, reason_code, new_iban_at FROM employer_payments
		WHERE application_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1`+tx.db.dialect.forUpdate(), applicationID).
		Scan(&p.ID, &p.PayDate, &p.AmountCents, &p.Status, &p.ReasonCode, &given)
	if given.Valid {
		p.AccountGivenAt = given.Time.UTC()
	}
	return p, tx.db.mapErr(err)
}

// GiveAccount records the new account on the failed payment that has
// none yet, and on the application.
func (tx employerTx) GiveAccount(ctx context.Context, applicationID, paymentID, iban, by string) error {
	res, err := tx.exec(ctx, `UPDATE employer_payments SET new_iban = $1, new_iban_at = $2, new_iban_by = $3
		WHERE id = $4 AND application_id = $5 AND status IN ('rejected', 'returned') AND new_iban_at IS NULL`,
		iban, tx.now, by, paymentID, applicationID)
	if err := oneRow(res, err); err != nil {
		if isNoRows(err) {
			return fault.New(fault.Conflict, "employer.error.account_not_waiting")
		}
		return tx.db.mapErr(err)
	}
	_, err = tx.exec(ctx, `UPDATE employer_applications SET iban = $1 WHERE id = $2`, iban, applicationID)
	return tx.db.mapErr(err)
}

// PersonByCode is the customer ID of the identity code, "" when none.
func (tx employerTx) PersonByCode(ctx context.Context, code string) (string, error) {
	var id string
	err := tx.queryRow(ctx, `SELECT id FROM persons WHERE hetu = $1`, code).Scan(&id)
	if isNoRows(err) {
		return "", nil
	}
	return id, tx.db.mapErr(err)
}

// NoticeChoice is the person's notification choice and language.
func (tx employerTx) NoticeChoice(ctx context.Context, personID string) (message.Consent, string, error) {
	return tx.noticeChoice(ctx, personID)
}

// PostNotice stores a decision told to the organisation: a new thread of
// the organisation (by its business ID), answered by the unit with one
// system message unread by the organisation.
func (tx employerTx) PostNotice(ctx context.Context, n *employer.Notice) error {
	var orgID string
	if err := tx.queryRow(ctx, `SELECT id FROM organisations WHERE business_id = $1`, n.Org).Scan(&orgID); err != nil {
		return tx.db.mapErr(err)
	}
	th := message.Thread{PartyKind: message.PartyOrganisation, PartyID: orgID, Lang: n.Lang, UnitID: n.UnitID,
		Subject: employer.NoticeSubject, Specification: employer.NoticeSpecification, Title: n.Title}
	if err := msgTx(tx).systemThread(ctx, &th, n.Body); err != nil {
		return err
	}
	n.ThreadID = th.ID
	return nil
}

// PostEmployeeNotice stores a decision told to the employee, once an
// application (its primary key): a new thread in the customer's inbox,
// answered by the unit with one system message unread by them, and the
// row that links the application to it.
func (tx employerTx) PostEmployeeNotice(ctx context.Context, n *employer.EmployeeNotice) (bool, error) {
	var one int
	err := tx.queryRow(ctx, `SELECT 1 FROM employer_employee_notices WHERE application_id = $1`, n.ApplicationID).Scan(&one)
	switch {
	case err == nil:
		return false, nil
	case !isNoRows(err):
		return false, tx.db.mapErr(err)
	}
	th := message.Thread{PartyKind: message.PartyCustomer, PartyID: n.PersonID, Lang: n.Lang, UnitID: n.UnitID,
		Subject: employer.EmployeeNoticeSubject, Specification: employer.EmployeeNoticeSpecification, Title: n.Title}
	if err := msgTx(tx).systemThread(ctx, &th, n.Body); err != nil {
		return false, err
	}
	n.ThreadID = th.ID
	_, err = tx.exec(ctx, `INSERT INTO employer_employee_notices (application_id, person_id, thread_id, channel, created_at)
		VALUES ($1, $2, $3, $4, $5)`, n.ApplicationID, n.PersonID, n.ThreadID, n.Channel, tx.now)
	return err == nil, tx.db.mapErr(err)
}

// extraScan reads a row whose columns are a scanner's and then more.
type extraScan struct {
	row  interface{ Scan(...any) error }
	more []any
}

func (e extraScan) Scan(dest ...any) error { return e.row.Scan(append(dest, e.more...)...) }
