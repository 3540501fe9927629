// Package apiclient is the credentials of the systems that call etuus's JSON
// API — pharmacies at the counter, partners' payroll and accounting tools:
// staff issue a client a secret once, etuus keeps only its hash, and each
// client holds the scopes that name what it may call.
package apiclient

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/token"
)

// The scopes: each names the API operations a client may call.
const (
	ScopeAuthorizations = "authorizations.check" // POST /api/v1/authorizations/check
	ScopePharmacy       = "pharmacy"             // the pharmacy counter's checks and purchases
)

// Scopes lists every scope; a client asking for another is refused.
var Scopes = []string{ScopeAuthorizations, ScopePharmacy}

// SecretPrefix starts every client secret, so that a leaked one is
// recognisable (and found by secret scanners).
const SecretPrefix = "etuus_"

// Client is a system allowed to call the API.
type Client struct {
	ID string
	// Name is what staff call it ("Apteekki Keskusta, kassajärjestelmä").
	Name string
	// Subject is whom the client speaks for: a pharmacy's ID or a partner's
	// business ID. Services decide what it may see with it.
	Subject   string
	Scopes    []string
	CreatedAt time.Time
	CreatedBy string // the staff member or command that issued it
	RevokedAt time.Time
}

// Revoked reports whether the client's secret was revoked.
func (c Client) Revoked() bool { return !c.RevokedAt.IsZero() }

// Validity is how long a secret works after it is issued: a year, so
// that a secret forgotten in an old system stops working by itself.
// Before it ends, staff issue the system a new one and revoke the old
// (docs/operations.md, "Rotating an API client's secret").
const Validity = 365 * 24 * time.Hour

// ExpiresAt is when the client's secret stops working.
func (c Client) ExpiresAt() time.Time { return c.CreatedAt.Add(Validity) }

// Expired reports whether the secret has stopped working by age at now.
func (c Client) Expired(now time.Time) bool { return !now.Before(c.ExpiresAt()) }

// Has reports whether the client holds the scope.
func (c Client) Has(scope string) bool { return slices.Contains(c.Scopes, scope) }

// Repo is the storage of clients; a missing client is fault.NotFound.
type Repo interface {
	// ClientBySecretHash is the client whose secret hashes to h, revoked or not.
	ClientBySecretHash(ctx context.Context, h string) (Client, error)
	// Clients lists every client, newest first.
	Clients(ctx context.Context) ([]Client, error)
	InTx(ctx context.Context, fn func(Tx) error) error
}

// Tx is one transaction of the service.
type Tx interface {
	CreateClient(ctx context.Context, c *Client, secretHash string) error
	// ClientForUpdate is the client, locked.
	ClientForUpdate(ctx context.Context, id string) (Client, error)
	// RevokeClient ends the client's secret at now.
	RevokeClient(ctx context.Context, id string) (time.Time, error)
	Audit(ctx context.Context, es ...audit.Entry) error
}

// Service issues, lists, revokes and authenticates clients.
type Service struct {
	repo   Repo
	access *access.Table
	now    func() time.Time

	mu    sync.Mutex
	cache map[string]cached // by secret hash
}

type cached struct {
	c    Client
	read time.Time
}

// How long an authenticated client is trusted without asking the database
// again, and how long a known client is still let in while the database
// does not answer (so that a service that can answer without it — the
// pharmacy's "unavailable, use the card" — is reached).
const (
	fresh = 5 * time.Second
	stale = 15 * time.Minute
)

// NewService returns the service; a nil table is the built-in one.
func NewService(repo Repo, t *access.Table) *Service {
	if t == nil {
		t = access.Default()
	}
	return &Service{repo: repo, access: t, now: time.Now, cache: map[string]cached{}}
}

// SetClock sets the service's clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Issue makes a new client and returns it with its secret, which is shown
// this once and never stored. Staff need access.APIClients; commands act as
// the system.
func (s *Service) Issue(ctx context.Context, a access.Actor, name, subject string, scopes []string) (Client, string, error) {
	if err := s.may(a); err != nil {
		return Client{}, "", err
	}
	name, subject = strings.TrimSpace(name), strings.TrimSpace(subject)
	// Every field that is wrong is reported, so that the form lists them all.
	var errs []error
	if name == "" || len(name) > 200 {
		errs = append(errs, fault.InvalidField("name", "api.error.name", nil))
	}
	if subject == "" || len(subject) > 100 {
		errs = append(errs, fault.InvalidField("subject", "api.error.subject", nil))
	}
	seen := map[string]bool{}
	good := len(scopes) > 0
	for _, sc := range scopes {
		good = good && slices.Contains(Scopes, sc) && !seen[sc]
		seen[sc] = true
	}
	if !good {
		errs = append(errs, fault.InvalidField("scopes", "api.error.scopes", nil))
	}
	if len(errs) > 0 {
		return Client{}, "", errors.Join(errs...)
	}
	secret := SecretPrefix + token.Random()
	c := Client{Name: name, Subject: subject, Scopes: slices.Sorted(slices.Values(scopes)), CreatedBy: a.ID}
	err := s.repo.InTx(ctx, func(tx Tx) error {
		if err := tx.CreateClient(ctx, &c, token.Hash(secret)); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, Action: "api.client_issue",
			Object: "api_client:" + c.ID, Detail: strings.Join(c.Scopes, " ")})
	})
	if err != nil {
		return Client{}, "", err
	}
	return c, secret, nil
}

// Revoke ends a client's secret at once, for every server within the
// freshness of their caches (5 s) and in this one immediately. Revoking a
// revoked client is fault.Conflict.
func (s *Service) Revoke(ctx context.Context, a access.Actor, id string) (Client, error) {
	if err := s.may(a); err != nil {
		return Client{}, err
	}
	var c Client
	err := s.repo.InTx(ctx, func(tx Tx) error {
		var err error
		if c, err = tx.ClientForUpdate(ctx, id); err != nil {
			return err
		}
		if c.Revoked() {
			return &fault.Error{Kind: fault.Conflict, Key: "api.error.revoked_already"}
		}
		if c.RevokedAt, err = tx.RevokeClient(ctx, id); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, Action: "api.client_revoke", Object: "api_client:" + c.ID})
	})
	if err != nil {
		return Client{}, err
	}
	s.mu.Lock()
	for h, e := range s.cache {
		if e.c.ID == id {
			delete(s.cache, h)
		}
	}
	s.mu.Unlock()
	return c, nil
}

// List is every client, for staff who manage them.
func (s *Service) List(ctx context.Context, a access.Actor) ([]Client, error) {
	if err := s.may(a); err != nil {
		return nil, err
	}
	return s.repo.Clients(ctx)
}

// Authenticate finds the client a secret belongs to. An unknown, revoked
// or expired secret is fault.Unauthorized (an expired one with the key
// api.error.expired and its date); a database that does not answer is
// fault.Unavailable, except for a client seen in the last 15 minutes,
// which is let in so that its service can answer for itself.
func (s *Service) Authenticate(ctx context.Context, secret string) (Client, error) {
	if !strings.HasPrefix(secret, SecretPrefix) || len(secret) > 100 {
		return Client{}, unauthorized(fmt.Errorf("not an etuus client secret"))
	}
	h := token.Hash(secret)
	now := s.now()
	s.mu.Lock()
	e, ok := s.cache[h]
	s.mu.Unlock()
	if ok && now.Sub(e.read) < fresh {
		return e.c, expired(e.c, now)
	}
	c, err := s.repo.ClientBySecretHash(ctx, h)
	switch {
	case fault.Is(err, fault.NotFound):
		return Client{}, unauthorized(err)
	case err != nil:
		if ok && now.Sub(e.read) < stale {
			return e.c, expired(e.c, now)
		}
		return Client{}, &fault.Error{Kind: fault.Unavailable, Key: "error.unavailable", Err: err}
	case c.Revoked():
		s.mu.Lock()
		delete(s.cache, h)
		s.mu.Unlock()
		return Client{}, unauthorized(fmt.Errorf("client %s revoked", c.ID))
	}
	s.mu.Lock()
	if len(s.cache) > 10000 {
		clear(s.cache)
	}
	s.cache[h] = cached{c: c, read: now}
	s.mu.Unlock()
	return c, expired(c, now)
}

func unauthorized(err error) error {
	return &fault.Error{Kind: fault.Unauthorized, Key: "api.error.credentials", Err: err}
}

// expired refuses a client whose secret has passed its validity, saying
// so (the caller holds the secret: it learns only its own state).
func expired(c Client, now time.Time) error {
	if !c.Expired(now) {
		return nil
	}
	return &fault.Error{Kind: fault.Unauthorized, Key: "api.error.expired",
		Data: map[string]any{"When": c.ExpiresAt().UTC().Format("2006-01-02")}, Err: fmt.Errorf("client %s expired", c.ID)}
}

func (s *Service) may(a access.Actor) error {
	if a.Kind == access.System && a.ID != "" {
		return nil
	}
	return s.access.Check(a, access.APIClients)
}
