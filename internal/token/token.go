// Package token makes the random secrets etuus hands out (session cookies,
// one-time links and codes) and the hashes it keeps of them instead.
package token

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// Random is a new secret: 256 random bits, URL-safe base64.
func Random() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Hash is how a secret is kept: its SHA-256 in hex, so the database never
// holds the secret itself.
func Hash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}
