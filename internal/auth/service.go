package auth

import (
	"context"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/org"
)

// Repo keeps sessions and sign-ins in progress. Lookups of a missing row
// return a fault.NotFound error.
type Repo interface {
	// InSignInTx runs fn in one transaction, retried on a busy or
	// serialisation failure.
	InSignInTx(ctx context.Context, fn func(SignInTx) error) error
	SessionByToken(ctx context.Context, tokenHash string) (Session, error)
	TouchSession(ctx context.Context, id string) error
	// EndSession deletes the session, and ended sessions and sign-ins
	// while at it.
	EndSession(ctx context.Context, id string) error
	SaveLoginFlow(ctx context.Context, idHash string, f LoginFlow) error
	// TakeLoginFlow returns the flow and deletes it, so it is used once.
	TakeLoginFlow(ctx context.Context, idHash string) (LoginFlow, error)
}

// SignInTx is the transaction of a sign-in.
type SignInTx interface {
	Now() time.Time
	// PersonForIdentity finds the customer with the identity code or the
	// eIDAS identity, and the customer record staff linked an eIDAS
	// identity to ("" when none).
	PersonForIdentity(ctx context.Context, id Identity) (p customer.Person, linkedTo string, err error)
	PersonByID(ctx context.Context, id string) (customer.Person, error)
	CreatePerson(ctx context.Context, p *customer.Person) error
	// UpdatePersonName sets the customer's names to the provider's.
	UpdatePersonName(ctx context.Context, id, given, family string) error
	// UpsertStaff stores the staff member by subject with the unit and
	// role of this sign-in, giving a new one an ID.
	UpsertStaff(ctx context.Context, s *org.Staff) error
	InsertSession(ctx context.Context, s *Session, tokenHash string) error
	// EndSessionByToken deletes the session with the token's hash and
	// returns its ID, or "" when there is none.
	EndSessionByToken(ctx context.Context, tokenHash string) (string, error)
	Audit(ctx context.Context, es ...audit.Entry) error
}

// Service is sign-in and sessions: what happens once a provider has
// vouched for an identity.
type Service struct {
	repo     Repo
	timeouts Timeouts
	now      func() time.Time
}

// NewService returns the service with the session lifetimes.
func NewService(repo Repo, t Timeouts) *Service {
	return &Service{repo: repo, timeouts: t, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Timeouts are the session lifetimes the service applies.
func (s *Service) Timeouts() Timeouts { return s.timeouts }

// SignInOption changes what a sign-in does besides starting a session.
type SignInOption func(*signInOptions)

type signInOptions struct {
	replacing string
}

// Replacing ends the session whose token hashes to tokenHash, if there is
// one, in the sign-in's transaction: the session the browser signing in
// still holds, whoever it belonged to (another customer, staff, a customer
// where staff signs in), so that one browser has one session and the old
// cookie, if kept aside, opens nothing.
func Replacing(tokenHash string) SignInOption {
	return func(o *signInOptions) { o.replacing = tokenHash }
}

// SignIn finds the customer or staff member the identity names — a
// customer met for the first time is created, an eIDAS identity staff
// linked acts for the linked record, a staff member's unit and role are
// those of this sign-in — and starts a session, all in one transaction
// with its audit entry.
func (s *Service) SignIn(ctx context.Context, id Identity, tokenHash, idToken string, opts ...SignInOption) (Session, error) {
	var o signInOptions
	for _, f := range opts {
		f(&o)
	}
	var sess Session
	err := s.repo.InSignInTx(ctx, func(tx SignInTx) error {
		var ended string
		if o.replacing != "" {
			var err error
			if ended, err = tx.EndSessionByToken(ctx, o.replacing); err != nil {
				return err
			}
		}
		now := tx.Now()
		sess = Session{Kind: id.Kind, Provider: id.Provider, IDToken: idToken,
			CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.timeouts.Absolute)}
		entry := audit.Entry{Action: "signin", Detail: "provider=" + id.Provider}
		var refresh *audit.Entry
		switch id.Kind {
		case Citizen, EIDAS:
			p, linked, err := tx.PersonForIdentity(ctx, id)
			switch {
			case err == nil && linked != "":
				p, err = tx.PersonByID(ctx, linked)
				if err != nil {
					return err
				}
			case fault.Is(err, fault.NotFound):
				p = customer.Person{HETU: id.HETU, EIDASCountry: id.EIDASCountry, EIDASID: id.EIDASID,
					GivenName: id.GivenName, FamilyName: id.FamilyName, BirthDate: id.BirthDate}
				if id.Kind == EIDAS {
					p.Lang = "en"
				}
				if err := tx.CreatePerson(ctx, &p); err != nil {
					return err
				}
				entry.Detail += " new-customer"
			case err != nil:
				return err
			default:
				// The provider has the register's names: a customer who
				// changed theirs is called by the new one from this
				// sign-in on, and the change is audited (without the
				// names). A linked record keeps what staff gave it.
				if changed := nameChanges(p, id); changed != "" {
					p.GivenName, p.FamilyName = refreshed(p.GivenName, id.GivenName), refreshed(p.FamilyName, id.FamilyName)
					if err := tx.UpdatePersonName(ctx, p.ID, p.GivenName, p.FamilyName); err != nil {
						return err
					}
					refresh = &audit.Entry{ActorKind: audit.ActorCustomer, ActorID: p.ID, SubjectID: p.ID,
						Action: "person.names-refreshed", Object: "person:" + p.ID, Detail: "provider=" + id.Provider + " changed=" + changed}
				}
			}
			sess.PersonID, sess.Name = p.ID, p.Name()
			entry.ActorKind, entry.ActorID, entry.SubjectID = audit.ActorCustomer, p.ID, p.ID
		case Staff:
			st := org.Staff{Subject: id.Provider + ":" + id.Subject, GivenName: id.GivenName, FamilyName: id.FamilyName, UnitID: id.UnitID, Role: id.Role}
			if err := tx.UpsertStaff(ctx, &st); err != nil {
				return err
			}
			sess.StaffID, sess.Name, sess.UnitID, sess.Role = st.ID, st.GivenName+" "+st.FamilyName, st.UnitID, st.Role
			entry.ActorKind, entry.ActorID = audit.ActorStaff, st.ID
			entry.Detail += " unit=" + st.UnitID + " role=" + st.Role
		default:
			return fault.New(fault.Invalid, ErrKeyProvider)
		}
		if err := tx.InsertSession(ctx, &sess, tokenHash); err != nil {
			return err
		}
		entry.Object = "session:" + sess.ID
		entries := []audit.Entry{entry}
		if refresh != nil {
			entries = append(entries, *refresh)
		}
		if ended != "" {
			// Recorded as done by who signed in: the ended session's
			// owner may be someone else, named by the session's entries.
			entries = append(entries, audit.Entry{ActorKind: entry.ActorKind, ActorID: entry.ActorID, SubjectID: entry.SubjectID,
				Action: "signout", Object: "session:" + ended, Detail: "replaced by session:" + sess.ID})
		}
		return tx.Audit(ctx, entries...)
	})
	return sess, err
}

// Session is the signed-in session with the token's hash, if it is still
// active: an ended or expired session is NotFound, and an expired one is
// deleted.
func (s *Service) Session(ctx context.Context, tokenHash string) (Session, error) {
	sess, err := s.repo.SessionByToken(ctx, tokenHash)
	if err != nil {
		return sess, err
	}
	if !sess.Active(s.now(), s.timeouts) {
		s.repo.EndSession(ctx, sess.ID)
		return Session{}, fault.New(fault.NotFound, "")
	}
	return sess, nil
}

// Touch records that the session was used, which restarts its idle time.
func (s *Service) Touch(ctx context.Context, id string) error { return s.repo.TouchSession(ctx, id) }

// SignOut ends the session.
func (s *Service) SignOut(ctx context.Context, id string) error { return s.repo.EndSession(ctx, id) }

// StartLogin keeps a sign-in in progress until its callback.
func (s *Service) StartLogin(ctx context.Context, idHash string, f LoginFlow) error {
	return s.repo.SaveLoginFlow(ctx, idHash, f)
}

// TakeLogin returns the sign-in in progress and forgets it, so that a
// replayed callback finds nothing; an expired one is NotFound.
func (s *Service) TakeLogin(ctx context.Context, idHash string) (LoginFlow, error) {
	f, err := s.repo.TakeLoginFlow(ctx, idHash)
	if err != nil {
		return f, err
	}
	if !s.now().Before(f.ExpiresAt) {
		return LoginFlow{}, fault.New(fault.NotFound, ErrKeyState)
	}
	return f, nil
}

// nameChanges lists the names the provider gives differently ("" when
// none); a name the provider leaves empty is not a change.
func nameChanges(p customer.Person, id Identity) string {
	var c []string
	if id.GivenName != "" && id.GivenName != p.GivenName {
		c = append(c, "given_name")
	}
	if id.FamilyName != "" && id.FamilyName != p.FamilyName {
		c = append(c, "family_name")
	}
	return strings.Join(c, ",")
}

func refreshed(old, fromProvider string) string {
	if fromProvider == "" {
		return old
	}
	return fromProvider
}
