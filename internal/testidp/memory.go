package testidp

import (
	"errors"
	"sync"
	"time"
)

// purgeInterval bounds how often expired entries are swept, so that a
// busy provider does not scan its maps on every request.
const purgeInterval = 30 * time.Second

// authCode is what an authorization code stands for until it is redeemed.
type authCode struct {
	clientID    string
	redirectURI string
	nonce       string
	challenge   string // PKCE S256 code challenge
	subject     string
	sid         string
	authTime    time.Time
	expires     time.Time

	used     bool
	replayed bool   // presented again after use: nothing may be issued from it any more
	token    string // the access token issued from it, revoked on replay
}

type accessToken struct {
	clientID string
	subject  string
	sid      string
	expires  time.Time
}

// session is the provider's record that someone signed in; its id is the
// ID token's "sid", which logout ends.
type session struct {
	subject  string
	clientID string
	expires  time.Time
}

// memory holds the provider's short-lived state. The provider is for tests
// and demos only, so losing it on restart just means signing in again.
type memory struct {
	mu        sync.Mutex
	codes     map[string]*authCode
	tokens    map[string]*accessToken
	sessions  map[string]*session
	nextPurge time.Time
}

func newMemory() *memory {
	return &memory{
		codes:    map[string]*authCode{},
		tokens:   map[string]*accessToken{},
		sessions: map[string]*session{},
	}
}

// Reasons a code cannot be redeemed. All of them are invalid_grant to the
// client; the distinction is for the log.
var (
	errCodeUnknown     = errors.New("code unknown or expired")
	errCodeOtherClient = errors.New("code was issued to another client")
	errCodeReused      = errors.New("code was already used")
)

// signIn records a new session and the code that lets the client learn of it.
func (m *memory) signIn(code string, c *authCode, s *session, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.purgeLocked(now)
	m.codes[code] = c
	m.sessions[c.sid] = s
}

// redeem marks code as used by clientID and returns what it stands for.
// A code is usable once (RFC 6749 §4.1.2): presenting it again revokes the
// access token issued from it, since the code has evidently leaked. A code
// presented by the wrong client is refused but left usable, so a client
// cannot spoil another's sign-in by guessing or replaying its codes.
func (m *memory) redeem(code, clientID string, now time.Time) (authCode, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.codes[code]
	switch {
	case c == nil || !now.Before(c.expires):
		return authCode{}, errCodeUnknown
	case c.clientID != clientID:
		return authCode{}, errCodeOtherClient
	case c.used:
		c.replayed = true
		delete(m.tokens, c.token)
		c.token = ""
		return authCode{}, errCodeReused
	}
	c.used = true
	return *c, nil
}

// issue stores an access token issued from code, unless the code was
// replayed after redeem: then the replay has already won and nothing is issued.
func (m *memory) issue(code, token string, t *accessToken, now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.purgeLocked(now)
	c := m.codes[code]
	if c == nil || c.replayed {
		return false
	}
	c.token = token
	m.tokens[token] = t
	return true
}

func (m *memory) lookupToken(token string, now time.Time) (accessToken, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.tokens[token]
	if t == nil || !now.Before(t.expires) {
		return accessToken{}, false
	}
	return *t, true
}

// sessionOf reports whether sid is an open session of the client.
func (m *memory) sessionOf(sid, clientID string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.sessions[sid]
	return s != nil && s.clientID == clientID
}

// endSession forgets the session and revokes the access tokens issued in
// it, so that userinfo stops answering for a signed-out user. It reports
// whether the session was still open.
func (m *memory) endSession(sid string, now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.sessions[sid]
	delete(m.sessions, sid)
	for k, t := range m.tokens {
		if t.sid == sid {
			delete(m.tokens, k)
		}
	}
	return s != nil && now.Before(s.expires)
}

func (m *memory) purgeLocked(now time.Time) {
	if now.Before(m.nextPurge) {
		return
	}
	m.nextPurge = now.Add(purgeInterval)
	for k, c := range m.codes {
		if !now.Before(c.expires) {
			delete(m.codes, k)
		}
	}
	for k, t := range m.tokens {
		if !now.Before(t.expires) {
			delete(m.tokens, k)
		}
	}
	for k, s := range m.sessions {
		if !now.Before(s.expires) {
			delete(m.sessions, k)
		}
	}
}
