package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/apiclient"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/mandate"
)

// authorizationCheck is the body of POST /api/v1/authorizations/check.
type authorizationCheck struct {
	Agent     string    `json:"agent"`     // the person's identity code
	Principal string    `json:"principal"` // the organisation, or with client the firm
	Issue     string    `json:"issue"`
	Client    string    `json:"client,omitempty"` // the firm's client acted for
	Workplace string    `json:"workplace,omitempty"`
	At        time.Time `json:"at,omitzero"` // default now
}

// apiAuthorizationCheck answers a partner system: may the person act for
// the organisation on the issue (for the firm's client, when client is
// given), with the decision's reasons. Each answer is audited under the
// API client's ID.
func (s *Server) apiAuthorizationCheck(w http.ResponseWriter, r *http.Request, c apiclient.Client) {
	if s.cfg.Mandates == nil {
		s.apiFail(w, r, &fault.Error{Kind: fault.Unavailable, Key: "error.unavailable"})
		return
	}
	var in authorizationCheck
	if !s.decodeJSON(w, r, &in) {
		return
	}
	q := mandate.Query{Person: in.Agent, Org: in.Principal, Issue: in.Issue, Workplace: in.Workplace, At: in.At}
	if in.Client != "" {
		q.Org, q.Firm = in.Client, in.Principal
	}
	d, err := s.cfg.Mandates.Check(r.Context(), access.AsSystem("api-client:"+c.ID), q)
	if err != nil {
		// The service names the organisation acted for "principal" and
		// the firm "client"; the API's members are the other way round
		// when a client is given.
		var fe *fault.Error
		if in.Client != "" && errors.As(err, &fe) {
			switch fe.Field {
			case "principal":
				fe.Field = "client"
			case "client":
				fe.Field = "principal"
			}
		}
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}
