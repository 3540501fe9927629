package mandate

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/ytunnus"
	"github.com/etuus/etuus/internal/outbox"
)

// Request is a person's request for a mandate from an organisation
// (valtuuspyyntö): valid only once the organisation's grantor accepts it.
type Request struct {
	ID          string
	RequesterID string // the customer who asked
	Principal   string // business ID of the organisation asked
	Type        Type   // Transaction or Representation
	Issue       string
	Status      RequestStatus
	CreatedAt   time.Time
	DecidedAt   time.Time
	DecidedBy   string // the grantor's customer ID
}

// RequestStatus is where a request stands.
type RequestStatus string

// The statuses of a request.
const (
	RequestPending  RequestStatus = "pending"
	RequestAccepted RequestStatus = "accepted"
	RequestRefused  RequestStatus = "refused"
)

// Grantor is a person who may answer an organisation's requests, with the
// address they are told at ("" when they gave none).
type Grantor struct {
	PersonID, Email, Lang string
	Mandate               Mandate // their right to grant
}

// The notices the mandate requests send. They carry no name, identity
// code or business ID: only the link to the requests page.
const (
	NoticeRequest outbox.Kind = "mandate_request" // to the organisation's grantors
	NoticeAnswer  outbox.Kind = "mandate_answer"  // to the requester
)

// NoticeKinds are the kinds of notice the mandate requests send.
func NoticeKinds(t outbox.Translate) []outbox.NoticeKind {
	return []outbox.NoticeKind{
		{Kind: NoticeRequest, Render: func(it outbox.Item) (string, string, error) {
			return t(it.Lang, "mandate.mail.request_subject"), t(it.Lang, "mandate.mail.request_text", "URL", it.Payload), nil
		}},
		{Kind: NoticeAnswer, Render: func(it outbox.Item) (string, string, error) {
			return t(it.Lang, "mandate.mail.answer_subject"), t(it.Lang, "mandate.mail.answer_text", "URL", it.Payload), nil
		}},
	}
}

// RequestValidity is how long a mandate an accepted request gives lasts.
const RequestValidity = 365

// MaxRequestsPerDay bounds the requests one person sends in 24 hours: each
// e-mails an organisation's grantors, so an unbounded form would be a way
// to flood other people's mailboxes.
const MaxRequestsPerDay = 10

// grantType is the right that answers a request for a mandate type.
func grantType(t Type) Type {
	if t == Representation {
		return RepresentationGrant
	}
	return Grant
}

// RequestMandate sends a request for a mandate to an organisation: it is
// stored, and each of the organisation's people with the right to grant
// that type for the issue gets an e-mail notice through the outbox in the
// same transaction. It returns how many were notified.
func (s *Service) RequestMandate(ctx context.Context, a access.Actor, ask Ask) (Request, int, error) {
	if a.Kind != access.Customer || a.ID == "" {
		return Request{}, 0, fault.New(fault.Forbidden, "mandate.error.customer_only")
	}
	org, err := ytunnus.Parse(strings.TrimSpace(ask.Principal))
	if err != nil {
		return Request{}, 0, fault.InvalidField("principal", "mandate.error.business_id", nil)
	}
	if ask.Type != Transaction && ask.Type != Representation {
		return Request{}, 0, fault.InvalidField("type", "mandate.error.type", nil)
	}
	if _, ok := s.cat.Issue(ask.Issue); !ok {
		return Request{}, 0, fault.InvalidField("issue", "mandate.error.issue", map[string]any{"Issue": ask.Issue})
	}
	if _, err := s.repo.OrganisationName(ctx, org.String()); fault.Is(err, fault.NotFound) {
		return Request{}, 0, fault.InvalidField("principal", "mandate.error.unknown_organisation", nil)
	} else if err != nil {
		return Request{}, 0, err
	}
	req := Request{RequesterID: a.ID, Principal: org.String(), Type: ask.Type, Issue: ask.Issue, Status: RequestPending}
	notified := 0
	err = s.repo.InTx(ctx, func(tx Tx) error {
		notified = 0
		req.CreatedAt = tx.Now()
		all, pending, err := tx.RequestsSince(ctx, a.ID, req.CreatedAt.Add(-24*time.Hour), Ask{Principal: req.Principal, Type: req.Type, Issue: req.Issue})
		switch {
		case err != nil:
			return err
		case pending > 0:
			return &fault.Error{Kind: fault.Conflict, Key: "mandate.error.request_pending"}
		case all >= MaxRequestsPerDay:
			return &fault.Error{Kind: fault.TooMany, Key: "mandate.error.too_many_requests", Data: map[string]any{"Count": MaxRequestsPerDay}}
		}
		if err := tx.InsertRequest(ctx, &req); err != nil {
			return err
		}
		gs, err := tx.Grantors(ctx, req.Principal, grantType(req.Type))
		if err != nil {
			return err
		}
		day := civil.Today(tx.Now())
		for _, g := range gs {
			if !g.Mandate.ValidOn(day) || !g.Mandate.Covers(req.Issue) || g.Email == "" || g.PersonID == a.ID {
				continue
			}
			it := &outbox.Item{Channel: outbox.Email, Recipient: g.Email, Lang: g.Lang, Kind: NoticeRequest,
				Payload: s.requestsURL, PersonID: g.PersonID}
			if err := tx.Enqueue(ctx, it); err != nil {
				return err
			}
			notified++
		}
		return tx.Audit(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, SubjectID: a.ID, Action: "mandate.request",
			Object: "mandate_request:" + req.ID, Detail: fmt.Sprintf("org=%s type=%s issue=%s notified=%d", req.Principal, req.Type, req.Issue, notified)})
	})
	if err == nil && notified > 0 && s.wake != nil {
		s.wake()
	}
	return req, notified, err
}

// Requests are the signed-in person's own requests and those they may
// answer (pending requests to organisations they hold the right to grant
// for, for the type and issue asked).
func (s *Service) Requests(ctx context.Context, a access.Actor) (mine, toAnswer []Request, err error) {
	code, err := s.personCode(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	if mine, err = s.repo.RequestsBy(ctx, a.ID); err != nil || code == "" {
		return mine, nil, err
	}
	ms, _, err := s.repo.ForChooser(ctx, code)
	if err != nil {
		return nil, nil, err
	}
	day := civil.Today(s.repo.Now())
	var orgs []string
	for _, m := range ms {
		if m.Agent == Pers(code) && (m.Type == Grant || m.Type == RepresentationGrant) && m.ValidOn(day) {
			orgs = append(orgs, m.Principal.ID)
		}
	}
	if len(orgs) == 0 {
		return mine, nil, nil
	}
	pending, err := s.repo.PendingRequestsTo(ctx, orgs)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range pending {
		if mayGrant(code, ms, r, day) && r.RequesterID != a.ID {
			toAnswer = append(toAnswer, r)
		}
	}
	return mine, toAnswer, nil
}

func mayGrant(code string, ms []Mandate, r Request, day civil.Date) bool {
	for _, m := range ms {
		if m.Agent == Pers(code) && m.Principal == Org(r.Principal) && m.Type == grantType(r.Type) && m.ValidOn(day) && m.Covers(r.Issue) {
			return true
		}
	}
	return false
}

// AnswerRequest accepts or refuses a request. Only a person holding the
// right to grant that type for the issue from the organisation may; any
// other request is fault.NotFound. Accepting puts the mandate in the
// register (valid RequestValidity days from today); either answer is
// noticed to the requester.
func (s *Service) AnswerRequest(ctx context.Context, a access.Actor, id string, accept bool) (Request, error) {
	code, err := s.personCode(ctx, a)
	if err != nil {
		return Request{}, err
	}
	ms, _, err := s.repo.ForChooser(ctx, code)
	if err != nil {
		return Request{}, err
	}
	var req Request
	err = s.repo.InTx(ctx, func(tx Tx) error {
		req, err = tx.RequestForUpdate(ctx, id)
		if err != nil {
			return err
		}
		day := civil.Today(tx.Now())
		if code == "" || req.RequesterID == a.ID || !mayGrant(code, ms, req, day) {
			return fault.New(fault.NotFound, "")
		}
		if req.Status != RequestPending {
			return fault.New(fault.Conflict, "mandate.error.answered")
		}
		req.Status, req.DecidedAt, req.DecidedBy = RequestRefused, tx.Now(), a.ID
		if accept {
			req.Status = RequestAccepted
			agent, err := tx.PersonCode(ctx, req.RequesterID)
			if err != nil {
				return err
			}
			m := Mandate{ID: "REQ-" + req.ID, Principal: Org(req.Principal), Agent: Pers(agent), Type: req.Type,
				Issues: []string{req.Issue}, Start: day, End: day.AddDays(RequestValidity - 1)}
			if err := tx.PutMandates(ctx, []Mandate{m}, []string{Hash(m)}); err != nil {
				return err
			}
		}
		if err := tx.UpdateRequest(ctx, req); err != nil {
			return err
		}
		if email, lang, err := tx.Contact(ctx, req.RequesterID); err != nil {
			return err
		} else if email != "" {
			if err := tx.Enqueue(ctx, &outbox.Item{Channel: outbox.Email, Recipient: email, Lang: lang, Kind: NoticeAnswer,
				Payload: s.requestsURL, PersonID: req.RequesterID}); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, SubjectID: req.RequesterID, Action: "mandate.request_" + string(req.Status),
			Object: "mandate_request:" + req.ID, Detail: fmt.Sprintf("org=%s type=%s issue=%s", req.Principal, req.Type, req.Issue)})
	})
	if err == nil && s.wake != nil {
		s.wake()
	}
	return req, err
}

// SetNotices gives the service the address of the requests page, which
// the notices link to, and the outbox worker's nudge (may be nil).
func (s *Service) SetNotices(requestsURL string, wake func()) {
	s.requestsURL, s.wake = requestsURL, wake
}
