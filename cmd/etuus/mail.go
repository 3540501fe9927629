package main

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/etuus/etuus/internal/mail"
	"github.com/etuus/etuus/internal/mail/sink"
)

// smtp is the sender of --smtp.
func (c *config) smtp() (*mail.SMTP, error) {
	cfg, err := mail.ParseURL(c.SMTP)
	if err != nil {
		return nil, fmt.Errorf("--smtp: %w", err)
	}
	s, err := mail.NewSMTP(cfg)
	if err != nil {
		return nil, fmt.Errorf("--smtp: %w", err)
	}
	return s, nil
}

// setUpMail connects the SMTP server of --smtp or, on the embedded default,
// starts the development SMTP sink whose mail the /test-mail page shows.
// With neither, e-mail is off and pages that need it say so.
func (a *app) setUpMail() (*mail.SMTP, *sink.Sink, error) {
	c := a.cfg
	if c.SMTP != "" {
		s, err := c.smtp()
		if err == nil {
			a.log.Info("e-mail goes through SMTP", "server", s.Config().String())
			go a.checkSMTP(s)
		}
		return s, nil, err
	}
	dev, err := c.autoSQLite("--dev-smtp", c.DevSMTP)
	if err != nil || !dev {
		if err == nil {
			a.log.Warn("no --smtp: e-mail is off, and so are secure e-mail links")
		}
		return nil, nil, err
	}
	sk, err := sink.Start("127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("development SMTP sink: %w", err)
	}
	cfg, err := mail.ParseURL("smtp://" + sk.Addr() + "?tls=none&from=" + url.QueryEscape("etuus@localhost"))
	if err != nil {
		sk.Close()
		return nil, nil, err
	}
	s, err := mail.NewSMTP(cfg)
	if err != nil {
		sk.Close()
		return nil, nil, err
	}
	a.log.Info("development SMTP sink started: sent e-mail is shown at /test-mail", "addr", sk.Addr(), "turn_off", "--dev-smtp false")
	return s, sk, nil
}

// checkSMTP connects to the mail server once at start-up as a send would
// (TLS, certificate, AUTH) and says in the log what is wrong, naming the
// setting: otherwise a wrong password or an untrusted certificate shows
// only as notices that stay pending.
func (a *app) checkSMTP(s *mail.SMTP) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*s.Config().Timeout)
	defer cancel()
	if err := s.Check(ctx); err != nil {
		// A mail.Error names no address and no password.
		a.log.Error("the mail server refuses etuus: e-mail notices wait in the outbox until this is fixed",
			"err", err, "setting", "--smtp", "server", s.Config().String())
		return
	}
	a.log.Info("mail server accepts etuus's connection and sign-in", "server", s.Config().String())
}

// mailReady is /readyz's line about the mail server, from the latest
// connection a send or the start-up check made. A refusing server does
// not make the node unready: pages work, and notices wait in the outbox.
func mailReady(s *mail.SMTP) func() []string {
	if s == nil {
		return nil
	}
	return func() []string {
		known, ok, since, _ := s.Health()
		switch {
		case !known:
			return []string{"mail: not checked yet"}
		case ok:
			return []string{"mail: ok"}
		}
		return []string{"mail: refusing or unreachable since " + since.UTC().Format(time.RFC3339) + " (see the log)"}
	}
}

// mailUp is the metric etuus_mail_server_up: 0 while the latest
// connection to the mail server failed (unreachable, TLS or
// authentication refused), else 1.
func mailUp(s *mail.SMTP) prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "etuus_mail_server_up",
		Help: "0 while the latest connection to the mail server failed (unreachable, TLS or authentication refused), else 1.",
	}, func() float64 {
		if known, ok, _, _ := s.Health(); known && !ok {
			return 0
		}
		return 1
	})
}
