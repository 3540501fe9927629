package web

import "net/http"

// infoPage is a page of fixed text: a heading, a lead and sections of
// paragraphs, each a text key.
type infoPage struct {
	Heading, Lead string
	Sections      []infoSection
}

type infoSection struct {
	Heading string
	Paras   []string
}

// accessibilityStatement is the accessibility statement
// (saavutettavuusseloste) the Act on the Provision of Digital Services
// (306/2019) requires of a public service: how accessible the service is,
// what is known not to be, how to give feedback and where to complain.
var accessibilityStatement = infoPage{
	Heading: "info.access.heading", Lead: "info.access.lead",
	Sections: []infoSection{
		{"info.access.status_h", []string{"info.access.status"}},
		{"info.access.known_h", []string{"info.access.known_errors", "info.access.known_slip", "info.access.known_barcode", "info.access.known_attachments"}},
		{"info.access.how_h", []string{"info.access.how"}},
		{"info.access.feedback_h", []string{"info.access.feedback"}},
		{"info.access.enforcement_h", []string{"info.access.enforcement"}},
	},
}

// privacyNotice is the privacy notice (tietosuojaseloste): what personal
// data the service processes, why, who gets it, and the person's rights.
var privacyNotice = infoPage{
	Heading: "info.privacy.heading", Lead: "info.privacy.lead",
	Sections: []infoSection{
		{"info.privacy.controller_h", []string{"info.privacy.controller"}},
		{"info.privacy.data_h", []string{"info.privacy.data_identity", "info.privacy.data_claims", "info.privacy.data_messages", "info.privacy.data_notices", "info.privacy.data_audit"}},
		{"info.privacy.purpose_h", []string{"info.privacy.purpose"}},
		{"info.privacy.recipients_h", []string{"info.privacy.recipients"}},
		{"info.privacy.cookies_h", []string{"info.privacy.cookies"}},
		{"info.privacy.retention_h", []string{"info.privacy.retention"}},
		{"info.privacy.rights_h", []string{"info.privacy.rights"}},
	},
}

// helpPage answers what a newcomer asks first.
var helpPage = infoPage{
	Heading: "info.help.heading", Lead: "info.help.lead",
	Sections: []infoSection{
		{"info.help.signin_h", []string{"info.help.signin"}},
		{"info.help.abroad_h", []string{"info.help.abroad"}},
		{"info.help.keyboard_h", []string{"info.help.keyboard"}},
		{"info.help.contact_h", []string{"info.help.contact"}},
	},
}

func (s *Server) infoShow(title string, p infoPage) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, http.StatusOK, "info", &page{Title: title, Data: p})
	}
}
