package store_test

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/iso20022"
	"github.com/etuus/etuus/internal/payment"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/store/storetest"

	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/org"
	"github.com/etuus/etuus/internal/outbox"
	"github.com/etuus/etuus/internal/store"
)

// seedUnits writes the reference units, which the payment notices'
// threads are routed to.
func seedUnits(db *store.DB) {
	units, contacts, err := org.Reference()
	if err == nil {
		err = db.SeedReference(context.Background(), units, contacts)
	}
	if err != nil {
		panic(err)
	}
}

var catalogue = sync.OnceValues(i18n.Load)

// texts is the catalogue's texts, as the payment service writes its
// notices with them.
func texts() outbox.Translate {
	cat, err := catalogue()
	if err != nil {
		panic(err)
	}
	return func(lang, key string, args ...any) string { return cat.For(lang).T(key, args...) }
}

// noticeOf is one notice the customer got about their payments: its kind,
// the inbox message's title and body, and the outbox notice's channel and
// kind ("" when none was queued).
type noticeOf struct {
	Kind, Title, Body, Channel, OutboxKind string
}

// noticesOf lists the customer's payment notices, oldest first.
func noticesOf(t *testing.T, db *store.DB, personID string) []noticeOf {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT n.kind, th.title, m.body, n.channel, COALESCE(o.kind, '')
		FROM payment_notices n JOIN threads th ON th.id = n.thread_id JOIN thread_messages m ON m.thread_id = th.id
		LEFT JOIN outbox o ON o.thread_id = th.id
		WHERE n.person_id = $1 AND th.party_id = $1 AND th.subject = 'payments' AND th.unread_customer = 1
		ORDER BY n.created_at, n.id`, personID)
	lMust(t, err)
	defer rows.Close()
	var out []noticeOf
	for rows.Next() {
		var n noticeOf
		lMust(t, rows.Scan(&n.Kind, &n.Title, &n.Body, &n.Channel, &n.OutboxKind))
		out = append(out, n)
	}
	lMust(t, rows.Err())
	return out
}

// consent writes the person's notice choice.
func consent(t *testing.T, db *store.DB, personID string, allow bool, channel, address string) {
	t.Helper()
	_, err := db.SQL().Exec(`INSERT INTO notification_consents (person_id, allow_messages, channel, address, verified, updated_at)
		VALUES ($1, $2, $3, $4, TRUE, $5)`, personID, allow, channel, address, time.Now())
	lMust(t, err)
}

// e2eOwners maps the end-to-end IDs of the run's payments to their people.
func e2eOwners(t *testing.T, db *store.DB, runID string) map[string]string {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT end_to_end_id, person_id FROM payments WHERE run_id = $1`, runID)
	lMust(t, err)
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var e, p string
		lMust(t, rows.Scan(&e, &p))
		out[e] = p
	}
	return out
}

// TestPaymentReturnNotices: a payment the bank returns (camt.054, AC04)
// and one it rejects (pain.002, AC01) are each told to their customer
// once, in their language, in an inbox message that says what, why and
// what to do, with the account masked; the e-mail or SMS notice goes only
// to a proved address of a customer who allowed messages, and says
// nothing of the payment. The same files imported again tell nobody again.
func TestPaymentReturnNotices(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		people := paymentFixture(t, db, 3) // languages fi, sv, en; person 0's account is invalid
		consent(t, db, people[1].ID, true, "sms", "+358401234567")
		consent(t, db, people[2].ID, true, "email", "anna@example.fi")
		svc := paymentOn(db)
		run, in := firstRun(t, svc, t.TempDir())
		owner := e2eOwners(t, db, run.ID)
		var ret, rej iso20022.Payment
		for _, p := range in.Batches[0].Payments {
			switch {
			case owner[p.EndToEndID] == people[2].ID && p.AmountCents == 70002: // the pension
				ret = p
			case owner[p.EndToEndID] == people[1].ID:
				rej = p
			}
		}
		file := camt(t, "FI2112345600000785", bankReturn(ret.EndToEndID, ret.AmountCents, "AC04", "R1"))
		report := statusReport("BANK-1", in.MessageID, iso20022.StatusPartAccepted, [3]string{rej.EndToEndID, "RJCT", "AC01"})
		for range 2 { // the second time records and tells nothing
			if _, err := svc.ImportReturns(ctx, paymentOperator, bytes.NewReader(file)); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.ImportStatusReport(ctx, paymentOperator, strings.NewReader(report)); err != nil {
				t.Fatal(err)
			}
		}
		en := noticesOf(t, db, people[2].ID)
		if len(en) != 1 || en[0].Kind != payment.NoticeReturned || en[0].Title != "A payment to you was returned by the bank" ||
			en[0].Channel != "email" || en[0].OutboxKind != string(payment.NoticeMessage) {
			t.Fatalf("returned notice = %+v", en)
		}
		for _, want := range []string{"the account is closed", "National pension", "FI•• … 8730", "Payments → Payment account", "€700.02"} {
			if !strings.Contains(en[0].Body, want) {
				t.Errorf("returned notice lacks %q:\n%s", want, en[0].Body)
			}
		}
		if !strings.Contains(ret.CreditorName, "Henkilö 2") || strings.Contains(en[0].Body, "FI4950009420028730") {
			t.Errorf("the notice shows the whole account (or the file is not person 2's):\n%s", en[0].Body)
		}
		sv := noticesOf(t, db, people[1].ID)
		if len(sv) != 1 || sv[0].Kind != payment.NoticeRejected || sv[0].Channel != "sms" ||
			!strings.Contains(sv[0].Body, "Orsak: "+texts()("sv", "payment.returns.reason.AC01")+".") {
			t.Fatalf("rejected notice = %+v", sv)
		}
		// The e-mail and SMS say nothing of the payment: rendered, they are
		// the fixed texts.
		kinds, err := outbox.NewKinds(payment.NoticeKinds(texts()))
		lMust(t, err)
		for _, it := range []outbox.Item{{Kind: payment.NoticeMessage, Channel: outbox.Email, Lang: "en"}, {Kind: payment.NoticeMessage, Channel: outbox.SMS, Lang: "sv"}} {
			subject, text, err := kinds.Render(it)
			if err != nil || strings.ContainsAny(subject+text, "0123456789€") {
				t.Errorf("%s notice %q %q carries data (%v)", it.Channel, subject, text, err)
			}
		}
		if n := len(noticesOf(t, db, people[0].ID)); n != 0 {
			t.Errorf("%d notices to a customer with no return", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM outbox WHERE kind = $1`, string(payment.NoticeMessage)); n != 2 {
			t.Errorf("%d outbox notices, want 2", n)
		}
	})
}

// TestPaymentOffsetNotice: a run that withholds part of a pension for an
// overdue claim tells the customer what was withheld for which claim and
// what was paid out, once: a second run on the day tells nothing more.
func TestPaymentOffsetNotice(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, svc := offsetServices(db)
		c := &recovery.Claim{Kind: recovery.Overpayment, Principal: 20000, DueDate: civil.New(2025, 11, 1), InterestTo: civil.New(2026, 3, 1)}
		p := offsetPerson(t, db, 80000, c)
		for range 2 {
			if _, err := svc.Run(ctx, payer, civil.New(2026, 1, 7), payment.RunOptions{Publish: payment.Discard{}}); err != nil {
				t.Fatal(err)
			}
		}
		paid := paymentOf(t, db, p.ID)
		ns := noticesOf(t, db, p.ID)
		if paid.OffsetCents == 0 || len(ns) != 1 || ns[0].Kind != payment.NoticeOffset || ns[0].Channel != "" || ns[0].OutboxKind != "" {
			t.Fatalf("offset %d, notices %+v", paid.OffsetCents, ns)
		}
		cl := claimNow(t, db, c)
		for _, want := range []string{"Kuitattu: " + i18n.Euros("fi", paid.OffsetCents), "viite " + cl.Reference.String(),
			"Maksettu tilillesi", i18n.Euros("fi", paid.AmountCents), "Määrä ennen kuittausta: " + i18n.Euros("fi", paid.GrossCents())} {
			if !strings.Contains(ns[0].Body, want) {
				t.Errorf("offset notice lacks %q:\n%s", want, ns[0].Body)
			}
		}
	})
}

// TestPaymentAccountChange: a customer whose payment the bank returned
// changes their payment account. Bad input is refused with field
// messages and writes nothing; the confirmation shows the masked
// accounts; the change pays all their benefits to the new account from
// the first pay day not yet run, settles the waiting return (the next run
// pays it once, to the new account), is kept in the history and audited,
// and is told in their inbox and by e-mail even though they allowed no
// messages. A stale confirmation is refused; another customer is untouched.
func TestPaymentAccountChange(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		people := paymentFixture(t, db, 3)
		me, other := people[2], people[1]
		consent(t, db, me.ID, false, "email", "anna@example.fi")
		svc := paymentOn(db)
		run, in := firstRun(t, svc, t.TempDir())
		owner := e2eOwners(t, db, run.ID)
		var ret iso20022.Payment
		for _, p := range in.Batches[0].Payments {
			if owner[p.EndToEndID] == me.ID && p.AmountCents == 70002 {
				ret = p
				break
			}
		}
		file := camt(t, "FI2112345600000785", bankReturn(ret.EndToEndID, ret.AmountCents, "AC04", "R1"))
		if _, err := svc.ImportReturns(ctx, paymentOperator, bytes.NewReader(file)); err != nil {
			t.Fatal(err)
		}
		a := access.AsCustomer(me.ID)
		acct, err := svc.MyAccount(ctx, a)
		if err != nil || acct.Masked() != "FI•• … 8730" || acct.Holder != "Testi Henkilö 2" || len(acct.Waiting) != 1 || acct.AppliesFrom != civil.New(2024, 3, 27) {
			t.Fatalf("account = %+v, %v", acct, err)
		}
		for _, c := range []struct {
			name   string
			in     payment.AccountInput
			fields map[string]string
		}{
			{"check digits", payment.AccountInput{IBAN: "FI21 1234 5600 0007 86", Holder: "Anna"}, map[string]string{"iban": payment.ErrAccountIBAN}},
			{"not SEPA", payment.AccountInput{IBAN: "BR18 0036 0305 0000 1000 9795 493C 1", Holder: "Anna"}, map[string]string{"iban": payment.ErrAccountSEPA}},
			{"no holder, no account", payment.AccountInput{IBAN: "", Holder: "  "}, map[string]string{"iban": payment.ErrAccountIBAN, "holder": payment.ErrAccountHolder}},
		} {
			_, perr := svc.PreviewAccount(ctx, a, c.in)
			_, cerr := svc.ChangeAccount(ctx, a, c.in, "")
			for _, err := range []error{perr, cerr} {
				got := map[string]string{}
				for _, f := range fault.All(err) {
					got[f.Field] = f.Key
				}
				if !maps.Equal(got, c.fields) {
					t.Errorf("%s: %v, want %v", c.name, got, c.fields)
				}
			}
		}
		newAcct := payment.AccountInput{IBAN: "de89 3704 0044 0532 0130 00", Holder: " Anna  Testi "}
		pre, err := svc.PreviewAccount(ctx, a, newAcct)
		if err != nil || pre.MaskedOld() != "FI•• … 8730" || pre.MaskedNew() != "DE•• … 3000" || pre.Settles != 1 ||
			pre.Input.Holder != "Anna Testi" || pre.AppliesFrom != civil.New(2024, 3, 27) {
			t.Fatalf("preview = %+v, %v", pre, err)
		}
		if _, err := svc.ChangeAccount(ctx, a, newAcct, payment.AccountsToken([]string{"FI0000"})); !fault.Is(err, fault.Conflict) {
			t.Errorf("stale confirmation: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM payment_account_changes`); n != 0 {
			t.Fatalf("%d changes written by refusals", n)
		}
		ch, err := svc.ChangeAccount(ctx, a, newAcct, pre.OldToken)
		if err != nil || ch.Settled != 1 || ch.New != "DE89370400440532013000" || ch.AppliesFrom != civil.New(2024, 3, 27) {
			t.Fatalf("change = %+v, %v", ch, err)
		}
		if _, err := svc.ChangeAccount(ctx, a, newAcct, ""); fault.KeyOf(err) != payment.ErrAccountSame {
			t.Errorf("the same account again: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM benefits WHERE person_id = $1 AND iban <> 'DE89370400440532013000'`, me.ID); n != 0 {
			t.Errorf("%d benefits still paid to the old account", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM benefits WHERE person_id = $1 AND iban = 'FI4950009420028730'`, other.ID); n != 2 {
			t.Errorf("the other customer's benefits changed (%d on their account)", n)
		}
		ns := noticesOf(t, db, me.ID)
		if len(ns) != 2 || ns[1].Kind != payment.NoticeAccount || ns[1].Channel != "email" || ns[1].OutboxKind != string(payment.NoticeAccountChanged) ||
			!strings.Contains(ns[1].Body, "Before: FI•• … 8730\nNow: DE•• … 3000") || !strings.Contains(ns[1].Body, "from 27.3.2024") {
			t.Fatalf("notices = %+v", ns)
		}
		if ns[0].Channel != "" {
			t.Errorf("the return was noticed by %s to a customer who allowed no messages", ns[0].Channel)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'payment.account_changed' AND subject_id = $1`, me.ID); n != 1 {
			t.Errorf("%d audit entries of the change", n)
		}
		hist, err := svc.AccountHistory(ctx, access.AsStaff("s-1", "benefits", "specialist"), me.ID)
		if err != nil || len(hist) != 1 || hist[0].Holder != "Anna Testi" || hist[0].ByKind() != "customer" {
			t.Errorf("history = %+v, %v", hist, err)
		}
		if _, err := svc.AccountHistory(ctx, access.AsCustomer(other.ID), me.ID); !fault.Is(err, fault.Forbidden) {
			t.Errorf("a customer read another's history: %v", err)
		}
		// The next run pays the returned payment once, to the new account.
		for range 2 {
			if _, err := svc.Run(ctx, payer, civil.New(2024, 3, 27), payment.RunOptions{Publish: payment.Discard{}}); err != nil {
				t.Fatal(err)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM payments WHERE end_to_end_id <> $1 AND attempt = 1 AND iban = 'DE89370400440532013000'`, ret.EndToEndID); n != 1 {
			t.Errorf("%d repayments to the new account", n)
		}
		storetest.CheckInvariants(t, db)
	})
}

// TestPaymentAccountChangeRacesRun: on PostgreSQL, customers change their
// accounts while a payment run records their payments. Each customer's
// payments in the run all go to one account, the old or the new, never
// some to each; each change is told once.
func TestPaymentAccountChangeRacesRun(t *testing.T) {
	db := storetest.Postgres(t)
	ctx := context.Background()
	people := paymentFixture(t, db, 24)
	svc := paymentOn(db)
	var wg sync.WaitGroup
	errs := make(chan error, len(people)+1)
	start := make(chan struct{})
	wg.Go(func() {
		<-start
		if _, err := svc.Run(ctx, payer, civil.New(2024, 3, 26), payment.RunOptions{Publish: payment.Discard{}}); err != nil {
			errs <- err
		}
	})
	for i, p := range people[1:] { // person 0's account is invalid: refused by the run
		wg.Go(func() {
			<-start
			_, err := svc.ChangeAccount(ctx, access.AsCustomer(p.ID), payment.AccountInput{IBAN: "DE89370400440532013000", Holder: fmt.Sprint("H", i)}, "")
			if err != nil {
				errs <- err
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, p := range people[1:] {
		var accounts, payments int
		lMust(t, db.SQL().QueryRow(`SELECT COUNT(DISTINCT iban), COUNT(*) FROM payments WHERE person_id = $1`, p.ID).Scan(&accounts, &payments))
		if payments < 2 || accounts != 1 {
			t.Errorf("%s: %d payments to %d accounts", p.ID, payments, accounts)
		}
		ns := noticesOf(t, db, p.ID)
		if len(ns) != 1 || ns[0].Kind != payment.NoticeAccount {
			t.Errorf("%s: notices %+v", p.ID, ns)
		}
		// The change said truly from which pay day it applies: the run's
		// payments go to the new account exactly when their day is on or
		// after it.
		var from civil.Date
		lMust(t, db.SQL().QueryRow(`SELECT applies_from FROM payment_account_changes WHERE person_id = $1`, p.ID).Scan(&from))
		wrong := count(t, db, `SELECT COUNT(*) FROM payments WHERE person_id = $1 AND (pay_date >= $2) <> (iban = 'DE89370400440532013000')`, p.ID, from)
		if wrong != 0 {
			t.Errorf("%s: %d payments on the wrong side of the change applying from %s", p.ID, wrong, from)
		}
	}
}
