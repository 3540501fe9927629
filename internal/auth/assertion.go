package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
)

// assertionSigner signs the client assertions of private_key_jwt (RFC
// 7523 §2.2, OpenID Connect Core §9).
type assertionSigner struct {
	signer jose.Signer
	now    func() time.Time
}

// loadAssertionSigner reads a PEM private key: RSA (signs RS256) or EC
// P-256 (ES256), in PKCS #8, PKCS #1 or SEC 1 form.
func loadAssertionSigner(file, kid string) (*assertionSigner, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	key, err := ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return newAssertionSigner(key, kid)
}

// ParsePrivateKey reads the first PEM private key in b.
func ParsePrivateKey(b []byte) (crypto.Signer, error) {
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, errors.New("no PEM block")
	}
	var key any
	var err error
	switch blk.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(blk.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(blk.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(blk.Bytes)
	default:
		return nil, fmt.Errorf("a PEM %q is not a private key", blk.Type)
	}
	if err != nil {
		return nil, err
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if k.N.BitLen() < 2048 {
			return nil, errors.New("an RSA key must have at least 2048 bits")
		}
		return k, nil
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			return nil, errors.New("an EC key must be on P-256")
		}
		return k, nil
	}
	return nil, fmt.Errorf("a %T key is not supported: use RSA or EC P-256", key)
}

func newAssertionSigner(key crypto.Signer, kid string) (*assertionSigner, error) {
	alg := jose.RS256
	if _, ok := key.(*ecdsa.PrivateKey); ok {
		alg = jose.ES256
	}
	opts := (&jose.SignerOptions{}).WithType("JWT")
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: jose.JSONWebKey{Key: key, KeyID: kid}}, opts)
	if err != nil {
		return nil, err
	}
	return &assertionSigner{signer: s, now: time.Now}, nil
}

// assertion is a fresh, single-use client assertion for the token
// endpoint: iss and sub the client, aud the token endpoint.
func (a *assertionSigner) assertion(clientID, tokenURL string) (string, error) {
	now := a.now()
	payload, err := json.Marshal(map[string]any{
		"iss": clientID, "sub": clientID, "aud": tokenURL, "jti": RandomToken(),
		"iat": now.Unix(), "exp": now.Add(time.Minute).Unix(),
	})
	if err != nil {
		return "", err
	}
	jws, err := a.signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// Check discovers the provider and then offers its token endpoint a code
// that cannot be valid: a provider checks the client's credentials before
// the code, so "invalid_client" there means a wrong client_id, secret or
// key, found at start-up rather than at the first sign-in. It returns the
// notes worth a warning (a trailing slash, claims not listed…).
func (rp *RP) Check(ctx context.Context) ([]string, error) {
	if err := rp.discover(ctx); err != nil {
		return nil, err
	}
	rp.mu.Lock()
	notes := rp.notes
	rp.mu.Unlock()
	var opts []oauth2.AuthCodeOption
	opts = append(opts, oauth2.VerifierOption(oauth2.GenerateVerifier()))
	if rp.signer != nil {
		a, err := rp.signer.assertion(rp.Config.ClientID, rp.oauth.Endpoint.TokenURL)
		if err != nil {
			return notes, err
		}
		opts = append(opts,
			oauth2.SetAuthURLParam("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
			oauth2.SetAuthURLParam("client_assertion", a))
	}
	_, err := rp.oauth.Exchange(oidc.ClientContext(ctx, rp.client), "etuus-start-up-check-"+RandomToken(), opts...)
	var re *oauth2.RetrieveError
	switch {
	case err == nil:
		err = because(nil, "the token endpoint accepted a made-up code: is this an OpenID provider?")
	case errors.As(err, &re) && (re.ErrorCode == "invalid_grant" || re.ErrorCode == "invalid_request"):
		err = nil // the client is known and its credentials are right
	default:
		err = rp.exchangeError(err)
	}
	rp.mu.Lock()
	rp.lastErr, rp.checkedAt = err, time.Now()
	rp.mu.Unlock()
	return notes, err
}

// Status is the outcome of the last discovery or Check: ok, or the
// error; checked is zero before the first.
func (rp *RP) Status() (checked time.Time, err error) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	return rp.checkedAt, rp.lastErr
}
