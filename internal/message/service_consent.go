package message

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"math/big"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/outbox"
	"github.com/etuus/etuus/internal/token"
)

// Consent is the customer's notification choice; one who never chose has
// allowed nothing.
func (s *Service) Consent(ctx context.Context, a access.Actor) (Consent, error) {
	p, err := customer(a)
	if err != nil {
		return Consent{}, err
	}
	return s.repo.Consent(ctx, p.ID)
}

// checkConsent is NormalizeConsent, refusing SMS when no SMS gateway is
// configured.
func (s *Service) checkConsent(c Consent) (Consent, error) {
	c, err := NormalizeConsent(c)
	if err == nil && c.Channel == ChannelSMS && !s.cfg.SMS {
		return c, fault.InvalidField("channel", "message.error.consent_channel", nil)
	}
	return c, err
}

// SetConsent stores the customer's choice as given on a form. A channel
// and address already verified stay verified; a new one is unverified
// until the customer types the code this sends to it, in lang, through
// the outbox. codeSent says a code went out. An unchanged choice writes
// nothing.
func (s *Service) SetConsent(ctx context.Context, a access.Actor, lang string, c Consent) (codeSent bool, err error) {
	if _, err := customer(a); err != nil {
		return false, err
	}
	if c, err = s.checkConsent(c); err != nil {
		return false, err
	}
	err = s.repo.InTx(ctx, func(tx Tx) error {
		codeSent, err = s.setConsent(ctx, tx, a, lang, c)
		return err
	})
	if err == nil && codeSent {
		s.wake()
	}
	return codeSent, err
}

func (s *Service) setConsent(ctx context.Context, tx Tx, a access.Actor, lang string, choice Consent) (codeSent bool, err error) {
	old, err := tx.ConsentForUpdate(ctx, a.ID)
	if err != nil {
		return false, err
	}
	c, changed := old.Apply(choice)
	if !changed {
		return false, nil
	}
	if err := tx.SaveConsent(ctx, a.ID, c); err != nil {
		return false, err
	}
	me := Party{Kind: PartyCustomer, ID: a.ID}
	if err := tx.Audit(ctx, entry(a, "consent.set", me, "person:"+a.ID, "channel="+string(c.Channel))); err != nil {
		return false, err
	}
	if c.Verified {
		return false, nil
	}
	return true, s.sendCode(ctx, tx, a.ID, lang, c)
}

// ResendCode sends a new code to the customer's unverified address.
func (s *Service) ResendCode(ctx context.Context, a access.Actor, lang string) error {
	if _, err := customer(a); err != nil {
		return err
	}
	err := s.repo.InTx(ctx, func(tx Tx) error {
		c, err := tx.ConsentForUpdate(ctx, a.ID)
		if err != nil {
			return err
		}
		if c.Verified || c.Channel == ChannelNone {
			return fault.New(fault.Conflict, "message.error.code_nothing")
		}
		return s.sendCode(ctx, tx, a.ID, lang, c)
	})
	if err == nil {
		s.wake()
	}
	return err
}

// sendCode queues a new code to the consent's address, at most
// codesPerHour an hour.
func (s *Service) sendCode(ctx context.Context, tx Tx, personID, lang string, c Consent) error {
	now := tx.Now()
	n, err := tx.CodesSince(ctx, personID, now.Add(-time.Hour))
	if err != nil {
		return err
	}
	if n >= codesPerHour {
		return fault.New(fault.TooMany, "message.error.code_rate")
	}
	code := newCode()
	err = tx.InsertCode(ctx, &Code{PersonID: personID, Channel: c.Channel, Address: c.Address,
		Hash: token.Hash(personID + ":" + code), CreatedAt: now, ExpiresAt: now.Add(codeLife)})
	if err != nil {
		return err
	}
	return tx.Enqueue(ctx, &outbox.Item{Channel: outbox.Channel(c.Channel), Recipient: c.Address, Lang: lang,
		Kind: NoticeVerifyCode, Payload: code, PersonID: personID})
}

func newCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// VerifyConsent checks a code against the newest one sent to the
// customer's current address; the right code marks the address verified.
// Every try counts, the right one too, and a code takes codeTries.
func (s *Service) VerifyConsent(ctx context.Context, a access.Actor, code string) error {
	if _, err := customer(a); err != nil {
		return err
	}
	wrong := false
	err := s.repo.InTx(ctx, func(tx Tx) error {
		wrong = false
		c, err := tx.ConsentForUpdate(ctx, a.ID)
		if err != nil {
			return err
		}
		if c.Verified || c.Channel == ChannelNone {
			return fault.New(fault.Conflict, "message.error.code_nothing")
		}
		sent, err := tx.NewestCode(ctx, a.ID, c.Channel, c.Address)
		now := tx.Now()
		switch {
		case fault.Is(err, fault.NotFound):
			return fault.InvalidField("code", "message.error.code_expired", nil)
		case err != nil:
			return err
		case !sent.UsedAt.IsZero() || !now.Before(sent.ExpiresAt):
			return fault.InvalidField("code", "message.error.code_expired", nil)
		case sent.Attempts >= codeTries:
			return fault.InvalidField("code", "message.error.code_tries", nil)
		}
		sent.Attempts++
		if subtle.ConstantTimeCompare([]byte(token.Hash(a.ID+":"+code)), []byte(sent.Hash)) != 1 {
			// The failed try must count even though the call fails: it is
			// committed, and the error reported after.
			wrong = true
			return tx.UpdateCode(ctx, sent)
		}
		sent.UsedAt = now
		if err := tx.UpdateCode(ctx, sent); err != nil {
			return err
		}
		c.Verified = true
		if err := tx.SaveConsent(ctx, a.ID, c); err != nil {
			return err
		}
		me := Party{Kind: PartyCustomer, ID: a.ID}
		return tx.Audit(ctx, entry(a, "consent.verified", me, "person:"+a.ID, "channel="+string(c.Channel)))
	})
	if err == nil && wrong {
		return fault.InvalidField("code", "message.error.code_wrong", nil)
	}
	return err
}
