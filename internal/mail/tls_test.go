package mail_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/mail"
	"github.com/etuus/etuus/internal/mail/sink"
)

// privateCA is an organisation's own certificate authority and a server
// certificate it issued for 127.0.0.1; caFile is the CA in PEM.
func privateCA(t *testing.T) (server *tls.Config, caFile string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Etuus test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "mail"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caFile = filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, caFile
}

func startSink(t *testing.T, opts ...sink.Option) *sink.Sink {
	t.Helper()
	s, err := sink.Start("127.0.0.1:0", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// The ways an operator connects etuus to the organisation's mail server,
// each against go-smtp speaking TLS with a certificate of a private CA.
func TestTLSAndAuthMechanisms(t *testing.T) {
	srvTLS, caFile := privateCA(t)
	ca := url.QueryEscape(caFile)
	ctx := context.Background()
	msg := mail.Message{To: "kati@example.ee", Subject: "s", Text: "t"}
	starttls := startSink(t, sink.StartTLS(srvTLS), sink.Auth("etuus", "salainen"), sink.Scram())
	implicit := startSink(t, sink.ImplicitTLS(srvTLS), sink.Auth("etuus", "salainen"), sink.Scram())
	plainOnly := startSink(t, sink.Auth("etuus", "salainen"))
	for _, tt := range []struct {
		name     string
		sink     *sink.Sink
		url      string
		wantMech string
	}{
		{"STARTTLS, SCRAM-SHA-256 asked for", starttls, "smtp://etuus:salainen@ADDR?from=e%40example.fi&ca-file=" + ca + "&auth=scram-sha-256", sink.ScramSHA256},
		{"STARTTLS, auto takes SCRAM-SHA-256", starttls, "smtp://etuus:salainen@ADDR?from=e%40example.fi&ca-file=" + ca, sink.ScramSHA256},
		{"STARTTLS, PLAIN asked for", starttls, "smtp://etuus:salainen@ADDR?from=e%40example.fi&ca-file=" + ca + "&auth=plain", "PLAIN"},
		{"implicit TLS, SCRAM-SHA-256", implicit, "smtps://etuus:salainen@ADDR?from=e%40example.fi&ca-file=" + ca + "&auth=scram-sha-256", sink.ScramSHA256},
		{"implicit TLS, auto", implicit, "smtps://etuus:salainen@ADDR?from=e%40example.fi&ca-file=" + ca, sink.ScramSHA256},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := sender(t, strings.Replace(tt.url, "ADDR", tt.sink.Addr(), 1))
			if known, _, _, _ := m.Health(); known {
				t.Error("health known before any connection")
			}
			if err := m.Check(ctx); err != nil {
				t.Fatalf("Check: %v", err)
			}
			if known, ok, _, _ := m.Health(); !known || !ok {
				t.Error("health not ok after a good connection")
			}
			if err := m.Send(ctx, msg); err != nil {
				t.Fatal(err)
			}
			if got := tt.sink.LastAuth(); got != tt.wantMech {
				t.Errorf("mechanism %q; want %q", got, tt.wantMech)
			}
		})
	}
	// What an operator gets wrong is found by Check, at start-up, as a
	// connect error that names no secret.
	for _, tt := range []struct {
		name, url, want string
	}{
		{"untrusted certificate (no ca-file)", "smtp://etuus:salainen@" + starttls.Addr() + "?from=e%40example.fi", "certificate"},
		{"untrusted certificate, implicit TLS", "smtps://etuus:salainen@" + implicit.Addr() + "?from=e%40example.fi", "certificate"},
		{"wrong password, SCRAM", "smtp://etuus:arvaus@" + starttls.Addr() + "?from=e%40example.fi&ca-file=" + ca + "&auth=scram-sha-256", "535"},
		{"wrong password, PLAIN", "smtp://etuus:arvaus@" + starttls.Addr() + "?from=e%40example.fi&ca-file=" + ca + "&auth=plain", "535"},
		{"mechanism the server lacks", "smtp://etuus:salainen@" + plainOnly.Addr() + "?from=e%40example.fi&tls=none&auth=scram-sha-256", "SCRAM-SHA-256"},
		{"no STARTTLS offered", "smtp://etuus:salainen@" + plainOnly.Addr() + "?from=e%40example.fi", "STARTTLS"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := sender(t, tt.url)
			err := m.Check(ctx)
			if known, ok, _, reason := m.Health(); !known || ok || reason != err.Error() {
				t.Errorf("health after a refusal: %v %v %q", known, ok, reason)
			}
			var e *mail.Error
			if !errors.As(err, &e) || e.Op != mail.OpConnect || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v; want a connect error saying %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "arvaus") || strings.Contains(err.Error(), "salainen") {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
}

func TestBadMailSettingsStopStartUp(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.txt")
	os.WriteFile(notPEM, []byte("not a certificate"), 0o600)
	for _, tt := range []struct {
		url  string
		want error
	}{
		{"smtp://u:p@h?from=e%40example.fi&auth=scram-sha256", mail.ErrBadAuth},
		{"smtp://h?from=e%40example.fi&auth=plain", mail.ErrBadAuth},
		{"smtp://h?from=e%40example.fi&ca-file=", mail.ErrBadCA},
		{"smtp://h?from=e%40example.fi&ca-file=" + url.QueryEscape(filepath.Join(dir, "missing.pem")), mail.ErrBadCA},
		{"smtp://h?from=e%40example.fi&ca-file=" + url.QueryEscape(notPEM), mail.ErrBadCA},
		{"smtp://h?from=e%40example.fi&message-id-domain=not%20a%20domain", mail.ErrBadParam},
	} {
		t.Run(tt.url, func(t *testing.T) {
			cfg, err := mail.ParseURL(tt.url)
			if err == nil {
				_, err = mail.NewSMTP(cfg)
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v; want %v", err, tt.want)
			}
		})
	}
}

func TestMessageIDDomain(t *testing.T) {
	s := startSink(t)
	m := sender(t, "smtp://"+s.Addr()+"?tls=none&from=etuus%40example.fi&message-id-domain=notices.kela.example")
	if err := m.Send(context.Background(), mail.Message{To: "kati@example.ee", Subject: "s", Text: "t"}); err != nil {
		t.Fatal(err)
	}
	if id := waitOne(t, s).Header.Get("Message-Id"); !strings.HasSuffix(id, "@notices.kela.example>") {
		t.Errorf("Message-ID %q", id)
	}
}
