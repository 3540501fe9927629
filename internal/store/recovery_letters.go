package store

import (
	"context"
	"encoding/json"

	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/outbox"
	"github.com/etuus/etuus/internal/recovery"
)

// Letters of the recovery service, and what sending one needs.

const letterColumns = `id, person_id, claim_id, kind, on_date, lang, content, notice_channel, created_at`

func scanLetter(row interface{ Scan(...any) error }) (recovery.Letter, error) {
	var l recovery.Letter
	var kind, content string
	if err := row.Scan(&l.ID, &l.PersonID, &l.ClaimID, &kind, &l.On, &l.Lang, &content, &l.NoticeChannel, &l.CreatedAt); err != nil {
		return l, err
	}
	meta := l
	if err := json.Unmarshal([]byte(content), &l); err != nil {
		return l, err
	}
	l.ID, l.PersonID, l.ClaimID, l.On, l.Lang, l.NoticeChannel = meta.ID, meta.PersonID, meta.ClaimID, meta.On, meta.Lang, meta.NoticeChannel
	l.Kind, l.CreatedAt = recovery.LetterKind(kind), meta.CreatedAt.UTC()
	return l, nil
}

// LettersOf lists the letters of a customer's claim, newest first.
func (r *RecoveryRepo) LettersOf(ctx context.Context, personID, claimID string) ([]recovery.Letter, error) {
	rows, err := r.db.sql.QueryContext(ctx, `SELECT `+letterColumns+` FROM recovery_letters
		WHERE person_id = $1 AND claim_id = $2 ORDER BY created_at DESC, id DESC`, personID, claimID)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanLetter)
}

// PersonLetters lists a customer's newest letters on all their claims.
func (r *RecoveryRepo) PersonLetters(ctx context.Context, personID string, limit int) ([]recovery.Letter, error) {
	rows, err := r.db.sql.QueryContext(ctx, `SELECT `+letterColumns+` FROM recovery_letters
		WHERE person_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, personID, limit)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanLetter)
}

// PersonProposals lists a customer's plan proposals on all their claims.
func (r *RecoveryRepo) PersonProposals(ctx context.Context, personID string) ([]recovery.Proposal, error) {
	return r.proposals(ctx, `WHERE pp.person_id = $1 ORDER BY pp.created_at DESC, pp.id DESC`, personID)
}

// PersonExemptions lists a customer's exemption applications on all
// their claims.
func (r *RecoveryRepo) PersonExemptions(ctx context.Context, personID string) ([]recovery.Exemption, error) {
	return r.exemptions(ctx, `WHERE x.person_id = $1 ORDER BY x.created_at DESC, x.id DESC`, personID)
}

// LetterOf is one of a customer's letters; another's is not found.
func (r *RecoveryRepo) LetterOf(ctx context.Context, personID, letterID string) (recovery.Letter, error) {
	l, err := scanLetter(r.db.sql.QueryRowContext(ctx, `SELECT `+letterColumns+` FROM recovery_letters
		WHERE id = $1 AND person_id = $2`, letterID, personID))
	return l, r.db.mapErr(err)
}

func (t recoveryTx) InsertLetter(ctx context.Context, l *recovery.Letter) error {
	return t.insertLetter(ctx, l)
}

func (tx *Tx) insertLetter(ctx context.Context, l *recovery.Letter) error {
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	l.ID, l.CreatedAt = NewID(), tx.now
	_, err = tx.exec(ctx, `INSERT INTO recovery_letters (`+letterColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		l.ID, l.PersonID, l.ClaimID, string(l.Kind), l.On, l.Lang, string(b), l.NoticeChannel, tx.now)
	return err
}

func (t recoveryTx) NoticeChoice(ctx context.Context, personID string) (message.Consent, string, error) {
	return t.noticeChoice(ctx, personID)
}

// noticeChoice is the customer's notification choice and language, for the
// services that tell a customer of a decision.
func (t *Tx) noticeChoice(ctx context.Context, personID string) (message.Consent, string, error) {
	c, err := consentOf(ctx, t, personID)
	if err != nil {
		return c, "", t.db.mapErr(err)
	}
	var lang string
	err = t.QueryRowContext(ctx, `SELECT lang FROM persons WHERE id = $1`, personID).Scan(&lang)
	return c, lang, t.db.mapErr(err)
}

func (t recoveryTx) Enqueue(ctx context.Context, it *outbox.Item) error { return t.Tx.Enqueue(ctx, it) }

// interestPaidSQL is a claim's booked bank transactions that paid interest,
// newest first, through bank_entries_interest (migration 00040).
const interestPaidSQL = `SELECT id, alloc_interest FROM bank_entries
		WHERE claim_id = $1 AND status = 'booked' AND alloc_interest > 0
		ORDER BY booking_date DESC, created_at DESC, id DESC`

// MoveInterestToPrincipal moves cents of the interest the claim's booked
// bank transactions paid to their principal, newest first, locking them
// (the claim is locked already: claims before their transactions, as an
// import takes them).
func (t recoveryTx) MoveInterestToPrincipal(ctx context.Context, claimID string, cents int64) error {
	rows, err := t.QueryContext(ctx, interestPaidSQL+t.db.dialect.forUpdate(), claimID)
	if err != nil {
		return err
	}
	type alloc struct {
		id       string
		interest int64
	}
	as, err := scanAll(rows, func(row interface{ Scan(...any) error }) (alloc, error) {
		var a alloc
		return a, row.Scan(&a.id, &a.interest)
	})
	if err != nil {
		return err
	}
	for _, a := range as {
		if cents == 0 {
			break
		}
		n := min(cents, a.interest)
		if _, err := t.exec(ctx, `UPDATE bank_entries SET alloc_interest = alloc_interest - $1, alloc_principal = alloc_principal + $1
			WHERE id = $2`, n, a.id); err != nil {
			return err
		}
		cents -= n
	}
	return nil
}
