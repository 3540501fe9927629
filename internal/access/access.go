// Package access says who may do what: the actor of a use case and the table
// of which staff role of which unit holds each permission.
package access

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fault"
)

// Kind is who acts.
type Kind string

// The kinds of actor.
const (
	Customer Kind = "customer" // a citizen or an eIDAS person, acting for themselves
	Staff    Kind = "staff"    // a member of staff, with a unit and a role
	System   Kind = "system"   // a batch job or a command, by name
)

// Actor is who asks a service to do something.
type Actor struct {
	Kind Kind
	// ID is the person's ID for a customer, the staff member's ID for staff,
	// and the job's name ("collect", "cli", "auto-approval") for the system.
	ID   string
	Unit string // staff
	Role string // staff
}

// AsCustomer is the customer with the person ID.
func AsCustomer(personID string) Actor { return Actor{Kind: Customer, ID: personID} }

// AsStaff is the staff member with their unit and role.
func AsStaff(staffID, unit, role string) Actor {
	return Actor{Kind: Staff, ID: staffID, Unit: unit, Role: role}
}

// AsSystem is a job or command acting on its own authority.
func AsSystem(name string) Actor { return Actor{Kind: System, ID: name} }

// AuditKind is the actor kind written to the audit log.
func (a Actor) AuditKind() string {
	switch a.Kind {
	case Customer:
		return audit.ActorCustomer
	case Staff:
		return audit.ActorStaff
	case System:
		return audit.ActorSystem
	}
	return audit.ActorAnon
}

// IsCustomer reports whether the actor is the customer with this person ID.
func (a Actor) IsCustomer(personID string) bool {
	return a.Kind == Customer && a.ID != "" && a.ID == personID
}

// Permission names a thing staff may be allowed to do.
type Permission string

// The permissions. Each names one use case (or a family of reads) of a
// capability's service; the table below grants it to units and roles.
const (
	RecoveryQueue       Permission = "recovery.queue"            // read the Centre's work queue
	RecoveryDecidePlan  Permission = "recovery.decide_plan"      // approve or reject a payment plan
	RecoveryDecideExem  Permission = "recovery.decide_exemption" // approve or reject an exemption
	RecoveryImportBank  Permission = "recovery.import_bank"      // import a bank statement file
	RecoveryResolveBank Permission = "recovery.resolve_bank"     // book, return or close a queued bank payment
	MessagesQueue       Permission = "messages.queue"            // work the own unit's message queue
	IdentityLinkEIDAS   Permission = "identity.link_eidas"       // link an eIDAS identity to a customer
	// Mandates (internal/mandate).
	MandateLookup Permission = "mandate.lookup" // look up mandates of the register (audited)
	MandateImport Permission = "mandate.import" // import a feed of the register
	APIClients    Permission = "api.clients"    // issue, list and revoke API client credentials
	PaymentRun    Permission = "payment.run"    // start a benefit payment run, read the runs

	// Customer service's desk and the directory (internal/desk).
	DeskSearch       Permission = "desk.search"              // find a customer and open their 360 view with a purpose
	DeskClaims       Permission = "desk.view_claims"         // the 360 view's claims and plans
	DeskMessages     Permission = "desk.view_messages"       // the 360 view's message threads
	DeskPayments     Permission = "desk.view_payments"       // the 360 view's benefit payments and status reports
	DeskMandates     Permission = "desk.view_mandates"       // the 360 view's mandates and mandate requests
	DirectoryNotices Permission = "directory.publish_notice" // publish and end disruption notices
	PharmacyCalls    Permission = "pharmacy.calls"           // read a pharmacy's call history of direct reimbursement

	// Employer e-services (internal/employer).
	EmployerDecide Permission = "employer.decide" // read and decide employers' applications: daily allowance paid as salary, occupational-healthcare costs
)

// Known lists every permission the code checks; a table that names another
// is refused, and a test checks that each is granted to someone.
var Known = []Permission{RecoveryQueue, RecoveryDecidePlan, RecoveryDecideExem, RecoveryImportBank, RecoveryResolveBank, MessagesQueue, IdentityLinkEIDAS, APIClients,
	MandateLookup, MandateImport, PaymentRun, DeskSearch, DeskClaims, DeskMessages, DeskPayments, DeskMandates, DirectoryNotices, PharmacyCalls,
	EmployerDecide}

// Grant gives a permission to a role of a unit; "*" matches any unit or role.
type Grant struct {
	Unit string `json:"unit"`
	Role string `json:"role"`
}

// Table is the permission table: for each permission, the grants that hold it.
type Table struct {
	grants map[Permission][]Grant
}

//go:embed permissions.json
var builtIn []byte

// Default is the built-in table (permissions.json beside this file).
func Default() *Table {
	t, err := Load(bytes.NewReader(builtIn))
	if err != nil {
		panic("access: built-in table: " + err.Error())
	}
	return t
}

// Load reads a table from JSON: {"permission": [{"unit": "recovery", "role": "*"}, …]}.
// Unknown permissions and keys, empty units or roles are refused.
func Load(r io.Reader) (*Table, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var raw map[Permission][]Grant
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("permission table: %w", err)
	}
	for p, gs := range raw {
		if !slices.Contains(Known, p) {
			return nil, fmt.Errorf("permission table: unknown permission %q", p)
		}
		for _, g := range gs {
			if g.Unit == "" || g.Role == "" {
				return nil, fmt.Errorf("permission table: %s: a grant needs a unit and a role (\"*\" for any)", p)
			}
		}
	}
	return &Table{grants: raw}, nil
}

// Allows reports whether the actor holds the permission. Only staff hold
// permissions; customers act on their own data, which services check apart.
func (t *Table) Allows(a Actor, p Permission) bool {
	if a.Kind != Staff || a.Unit == "" || a.Role == "" {
		return false
	}
	for _, g := range t.grants[p] {
		if (g.Unit == "*" || g.Unit == a.Unit) && (g.Role == "*" || g.Role == a.Role) {
			return true
		}
	}
	return false
}

// Check is Allows as an error: fault.Forbidden when the actor lacks the
// permission.
func (t *Table) Check(a Actor, p Permission) error {
	if t.Allows(a, p) {
		return nil
	}
	return &fault.Error{Kind: fault.Forbidden, Key: "staff.error.unit", Err: fmt.Errorf("%s %s/%s lacks %s", a.Kind, a.Unit, a.Role, p)}
}

// Grants lists the grants of a permission, for documentation and tests.
func (t *Table) Grants(p Permission) []Grant {
	gs := slices.Clone(t.grants[p])
	sort.Slice(gs, func(i, j int) bool { return gs[i].Unit+gs[i].Role < gs[j].Unit+gs[j].Role })
	return gs
}
