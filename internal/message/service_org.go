package message

import (
	"context"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fault"
)

// An organisation's secure message threads (issue 12, seed 004): a person
// acting for an employer lists, opens, starts and answers the
// organisation's threads with a unit, each request first the mandate
// decision on OrgIssue (audited by the mandate service). The threads are
// the organisation's, not the person's: everyone the organisation's
// mandates allow sees the same threads, and staff see the organisation
// (its name and business ID) as the party. These methods only decide who
// asks and for whom; the rest is the customer methods' own code.

// OrgIssue is the mandate issue (internal/mandate/issues.json) an
// organisation's messages need.
const OrgIssue = "employer_messages"

// Authoriser is the mandate decision for a customer acting for an
// organisation on an issue, audited with its reasons
// (mandate.Service.Authorise): it returns the business ID as the register
// writes it, fault.NotFound for a malformed one and mandate.ErrNoMandate
// for a refusal.
type Authoriser interface {
	Authorise(ctx context.Context, a access.Actor, org, issue string) (string, error)
}

// Organisation is an organisation as a thread's party.
type Organisation struct {
	ID         string // the party ID of its threads
	BusinessID string
	Name       string
}

// agent is the organisation the person may act for on OrgIssue, as a
// thread party: without mandates configured, or for an organisation the
// register does not hold, fault.NotFound.
func (s *Service) agent(ctx context.Context, a access.Actor, org string) (Party, Organisation, error) {
	if s.cfg.Mandates == nil {
		return Party{}, Organisation{}, fault.New(fault.NotFound, "")
	}
	id, err := s.cfg.Mandates.Authorise(ctx, a, org, OrgIssue)
	if err != nil {
		return Party{}, Organisation{}, err
	}
	o, err := s.repo.Organisation(ctx, id)
	if err != nil {
		return Party{}, Organisation{}, err
	}
	return Party{Kind: PartyOrganisation, ID: o.ID}, o, nil
}

// OrgFolder is a page (from 1) of the organisation's threads, newest
// first, for a person its mandates allow, with the organisation.
func (s *Service) OrgFolder(ctx context.Context, a access.Actor, org string, page int) (Folder, Organisation, error) {
	p, o, err := s.agent(ctx, a, org)
	if err != nil {
		return Folder{}, o, err
	}
	f, err := s.folder(ctx, p, Inbox, page)
	return f, o, err
}

// OrgThread opens one of the organisation's threads and marks it read by
// the organisation; another organisation's or a person's thread is
// fault.NotFound.
func (s *Service) OrgThread(ctx context.Context, a access.Actor, org, threadID string) (Thread, []Message, Organisation, error) {
	p, o, err := s.agent(ctx, a, org)
	if err != nil {
		return Thread{}, nil, o, err
	}
	t, msgs, err := s.partyThread(ctx, p, threadID)
	return t, msgs, o, err
}

// OrgAgent is the organisation, for a person its mandates allow to write
// for it: what a form shows before anything is sent.
func (s *Service) OrgAgent(ctx context.Context, a access.Actor, org string) (Organisation, error) {
	_, o, err := s.agent(ctx, a, org)
	return o, err
}

// OrgSend starts a thread of the organisation with the person's message,
// on a subject offered to organisations, in the queue of the unit it
// routes to. It is text only (no Files, no notice choice: the
// organisation's people are told of answers in the e-service). The
// organisation is returned whenever the mandate decision allowed, so a
// refused form can be shown again.
func (s *Service) OrgSend(ctx context.Context, a access.Actor, org string, d Draft) (Thread, Organisation, error) {
	p, o, err := s.agent(ctx, a, org)
	if err != nil {
		return Thread{}, o, err
	}
	cat := s.cfg.Catalogue
	if err := CheckOrgMessage(cat, d.Subject, d.Specification, d.Title, d.Body, s.cfg.Limits); err != nil {
		return Thread{}, o, err
	}
	unit, err := cat.Route(d.Subject, d.Specification)
	if err != nil {
		return Thread{}, o, err
	}
	d.Files, d.Consent = nil, nil
	var t Thread
	err = s.repo.InTx(ctx, func(tx Tx) error {
		var err error
		t, err = start(ctx, tx, a, p, unit, d, nil, " org="+o.BusinessID)
		return err
	})
	if err != nil {
		return Thread{}, o, err
	}
	s.cache.drop(p)
	return t, o, nil
}

// OrgReply adds the person's message to one of the organisation's
// threads, which opens it again in the unit's queue; text only.
func (s *Service) OrgReply(ctx context.Context, a access.Actor, org, threadID, body string) (Message, error) {
	p, _, err := s.agent(ctx, a, org)
	if err != nil {
		return Message{}, err
	}
	return s.partyReply(ctx, a, p, threadID, body, nil)
}
