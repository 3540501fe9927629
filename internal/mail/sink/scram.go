package sink

import (
	"bytes"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"

	"github.com/emersion/go-smtp"
)

// ScramSHA256 is the SASL mechanism name the sink offers with SCRAM.
const ScramSHA256 = "SCRAM-SHA-256"

// scramIterations is the PBKDF2 count the sink asks for: RFC 7677's
// minimum, as a mail server's default.
const scramIterations = 4096

// scramServer is the server side of SCRAM-SHA-256 (RFC 5802, RFC 7677)
// without channel binding, for one user. It derives the stored keys from
// the password on the fly, which a test sink can afford.
type scramServer struct {
	user, pass string
	ok         func() // called once the client is proven

	step        int
	clientFirst string // client-first-message-bare
	serverFirst string
	nonce       string
	salt        []byte
	saltedPass  []byte
}

var errScram = errors.New("SCRAM exchange malformed")

// Next answers one client message (go-smtp's sasl.Server).
func (s *scramServer) Next(resp []byte) ([]byte, bool, error) {
	switch s.step {
	case 0:
		if len(resp) == 0 {
			return []byte{}, false, nil // no initial response: ask for it
		}
		s.step = 1
		return s.first(string(resp))
	case 1:
		s.step = 2
		return s.final(string(resp))
	case 2:
		s.step = 3
		if len(resp) != 0 {
			return nil, true, errScram
		}
		s.ok()
		return nil, true, nil
	}
	return nil, true, errScram
}

func (s *scramServer) first(msg string) ([]byte, bool, error) {
	// gs2-header "n,," (no channel binding, no authzid), then the bare
	// message "n=user,r=nonce".
	bare, ok := strings.CutPrefix(msg, "n,,")
	if !ok {
		return nil, true, errScram
	}
	attrs := scramAttrs(bare)
	if attrs["n"] == "" || attrs["r"] == "" {
		return nil, true, errScram
	}
	s.clientFirst = bare
	s.salt = make([]byte, 16)
	rand.Read(s.salt)
	s.nonce = attrs["r"] + rand.Text()
	s.serverFirst = "r=" + s.nonce + ",s=" + base64.StdEncoding.EncodeToString(s.salt) + ",i=" + strconv.Itoa(scramIterations)
	var err error
	s.saltedPass, err = pbkdf2.Key(sha256.New, s.pass, s.salt, scramIterations, sha256.Size)
	if err != nil {
		return nil, true, err
	}
	if subtle.ConstantTimeCompare([]byte(attrs["n"]), []byte(s.user)) != 1 {
		// Carry on with the user's salt and fail at the proof, so the
		// answer does not tell which users exist.
		s.saltedPass = nil
	}
	return []byte(s.serverFirst), false, nil
}

func (s *scramServer) final(msg string) ([]byte, bool, error) {
	withoutProof, proof64, ok := strings.Cut(msg, ",p=")
	if !ok {
		return nil, true, errScram
	}
	attrs := scramAttrs(withoutProof)
	if attrs["c"] != base64.StdEncoding.EncodeToString([]byte("n,,")) || attrs["r"] != s.nonce {
		return nil, true, errScram
	}
	proof, err := base64.StdEncoding.DecodeString(proof64)
	if err != nil || len(proof) != sha256.Size || s.saltedPass == nil {
		return nil, true, smtp.ErrAuthFailed
	}
	authMsg := []byte(s.clientFirst + "," + s.serverFirst + "," + withoutProof)
	clientKey := mac(s.saltedPass, []byte("Client Key"))
	stored := sha256.Sum256(clientKey)
	sig := mac(stored[:], authMsg)
	got := make([]byte, len(proof))
	for i := range proof {
		got[i] = proof[i] ^ sig[i] // the client's key, if the proof is right
	}
	gotStored := sha256.Sum256(got)
	if !bytes.Equal(gotStored[:], stored[:]) {
		return nil, true, smtp.ErrAuthFailed
	}
	serverSig := mac(mac(s.saltedPass, []byte("Server Key")), authMsg)
	return []byte("v=" + base64.StdEncoding.EncodeToString(serverSig)), false, nil
}

func mac(key, msg []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(msg)
	return h.Sum(nil)
}

// scramAttrs splits "a=1,b=2" into its attributes.
func scramAttrs(s string) map[string]string {
	m := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok && len(k) == 1 {
			m[k] = v
		}
	}
	return m
}
