package outbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"
)

// HTTPSMS sends text messages through an SMS gateway's JSON API: a POST
// of {"from", "to", "text"} to URL, answered with any 2xx when the gateway
// took the message.
type HTTPSMS struct {
	URL string
	// Token, when set, goes in an Authorization: Bearer header.
	Token string
	// From is the sender name or number the gateway shows.
	From string
	// Client defaults to one with a 15-second timeout.
	Client *http.Client
}

var _ SMSSender = (*HTTPSMS)(nil)

var defaultSMSClient = &http.Client{Timeout: 15 * time.Second}

// SMSError is a failed SMS send. Its text never holds the number, the
// message or the gateway's URL, so it can be logged as it is.
type SMSError struct {
	// Status is the gateway's HTTP status, zero when it gave none (the
	// request failed on the network or timed out).
	Status int
	// Temporary says a later try of the same message may succeed: a
	// network failure, 408, 429 or 5xx.
	Temporary bool

	err error
}

func (e *SMSError) Error() string {
	kind := "permanent"
	if e.Temporary {
		kind = "temporary"
	}
	if e.Status == 0 {
		return "sms: gateway not reached (" + kind + ")"
	}
	return "sms: gateway answered " + strconv.Itoa(e.Status) + " (" + kind + ")"
}

// Unwrap gives the cause, for errors.Is(err, context.Canceled). The
// cause's text may hold the gateway's URL: log the SMSError, not its cause.
func (e *SMSError) Unwrap() error { return e.err }

// SendSMS posts one message to the gateway. A nil error means the gateway
// took it; otherwise the error is an *SMSError.
func (s *HTTPSMS) SendSMS(ctx context.Context, to, text string) error {
	body, err := json.Marshal(struct {
		From string `json:"from"`
		To   string `json:"to"`
		Text string `json:"text"`
	}{s.From, to, text})
	if err != nil {
		return &SMSError{err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		// A bad URL: no later try fixes it before the operator does, but
		// then the notice should still go, so it stays temporary.
		return &SMSError{Temporary: true, err: errors.New("sms: bad gateway URL")}
	}
	req.Header.Set("Content-Type", "application/json")
	if s.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.Token)
	}
	c := s.Client
	if c == nil {
		c = defaultSMSClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return &SMSError{Temporary: true, err: err}
	}
	// Drain a little so that the connection can be used again.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	code := resp.StatusCode
	if code >= 200 && code < 300 {
		return nil
	}
	// 401, 403 and 404 say the gateway's token or address is wrong: the
	// operator's fault, which a retry after the fix delivers (as a refused
	// SMTP login does). Other 4xx refuse this message.
	temporary := code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500 ||
		code == http.StatusUnauthorized || code == http.StatusForbidden || code == http.StatusNotFound
	return &SMSError{Status: code, Temporary: temporary}
}
