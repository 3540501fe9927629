package mandate

import (
	"context"
	"time"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/outbox"
)

// Repo is where the mandate register is kept; internal/store implements it
// in SQL and decides nothing.
//
// Errors, for every method: a *fault.Error of kind fault.NotFound when the
// row asked for does not exist, fault.Unavailable when the database stayed
// busy through InTx's retries, and unclassified errors for faults.
type Repo interface {
	// InTx runs fn in one read-write transaction (retried from the start
	// on a busy or serialization failure).
	InTx(ctx context.Context, fn func(tx Tx) error) error
	// Now is the database's clock.
	Now() time.Time
	// ForDecision is every mandate a decision about the person and the
	// organisation needs: those whose agent is the person, and those from
	// the organisation to an organisation the person holds a mandate from.
	ForDecision(ctx context.Context, person, org string) ([]Mandate, error)
	// RegisterSeq is the register's counter: the highest sequence a
	// committed transaction took. Every write stamped with a sequence at
	// or below it is seen by a read that begins after this one returned
	// (one indexed read of one row: the register's check for changes).
	RegisterSeq(ctx context.Context) (int64, error)
	// MandatesSince calls fn with every mandate written with a register
	// sequence above after (-1: every mandate), and that sequence, all
	// from one consistent read. Every transaction that writes mandates
	// stamps them with the next sequence, and sequences become visible in
	// commit order: a read that sees sequence n sees every write below it.
	MandatesSince(ctx context.Context, after int64, fn func(m Mandate, seq int64) error) error
	// OrganisationsSince calls fn with every organisation added or
	// renamed with a register sequence above after (-1: every one), its
	// name and that sequence: names are stamped from the same counter as
	// mandates (PutOrganisation), with the same ordering.
	OrganisationsSince(ctx context.Context, after int64, fn func(businessID, name string, seq int64) error) error
	// AuditShared appends audit entries in a transaction shared with
	// other callers' entries (a group commit) and returns once they have
	// committed.
	AuditShared(ctx context.Context, es ...audit.Entry) error
	// ForChooser is every mandate whose agent is the person and every
	// mandate to an organisation the person holds a mandate from, with
	// the names of their principals by business ID.
	ForChooser(ctx context.Context, person string) ([]Mandate, map[string]string, error)
	// PersonCode is a customer's identity code; "" for a person without
	// one (an eIDAS identity).
	PersonCode(ctx context.Context, personID string) (string, error)
	// CustomerIDs maps those of the identity codes that belong to a
	// customer to the customer's ID (the subject the audit log names).
	CustomerIDs(ctx context.Context, codes []string) (map[string]string, error)
	// OrganisationName is an organisation's name; fault.NotFound when the
	// business ID is unknown.
	OrganisationName(ctx context.Context, businessID string) (string, error)
	// MandatesOf lists the mandates a party gives or holds (a staff
	// look-up), at most limit, by register ID.
	MandatesOf(ctx context.Context, p Party, limit int) ([]Mandate, error)
	// Mandate is one mandate by register ID.
	Mandate(ctx context.Context, id string) (Mandate, error)
	// RequestsBy lists a person's mandate requests, newest first.
	RequestsBy(ctx context.Context, requesterID string) ([]Request, error)
	// PendingRequestsTo lists the pending requests to the organisations,
	// oldest first.
	PendingRequestsTo(ctx context.Context, businessIDs []string) ([]Request, error)
}

// Tx is one transaction of a use case, with a fixed instant.
type Tx interface {
	Now() time.Time
	// MandateHashesForUpdate reads the content hashes the stored mandates
	// among the IDs were written with, by ID (an ID not stored is absent),
	// and locks their rows.
	MandateHashesForUpdate(ctx context.Context, ids []string) (map[string]string, error)
	// PutMandates writes the mandates (revoked or not, each with its
	// content hash), adding or replacing each; an ID appears once.
	PutMandates(ctx context.Context, ms []Mandate, hashes []string) error
	// RevokeMandates marks the stored mandates revoked.
	RevokeMandates(ctx context.Context, ids []string) error
	// PutOrganisation adds an organisation or renames it.
	PutOrganisation(ctx context.Context, businessID, name string) error
	// MissingOrganisations returns those of the business IDs no
	// organisation has.
	MissingOrganisations(ctx context.Context, businessIDs []string) ([]string, error)
	Audit(ctx context.Context, es ...audit.Entry) error
	// Enqueue adds a notice to the outbox in the transaction.
	Enqueue(ctx context.Context, it *outbox.Item) error
	// InsertRequest stores a new request, setting its ID.
	InsertRequest(ctx context.Context, r *Request) error
	// RequestsSince counts the requests the person sent since the moment,
	// and those still pending for the same organisation, type and issue.
	RequestsSince(ctx context.Context, requesterID string, since time.Time, same Ask) (all, pending int, err error)
	// RequestForUpdate reads a request and locks it.
	RequestForUpdate(ctx context.Context, id string) (Request, error)
	// UpdateRequest writes a request's answer.
	UpdateRequest(ctx context.Context, r Request) error
	// Grantors lists the people holding a mandate of the type from the
	// organisation (in force or not), with their verified e-mail address
	// for notices, if any.
	Grantors(ctx context.Context, businessID string, t Type) ([]Grantor, error)
	// Contact is a customer's verified e-mail address for notices ("" when
	// none) and language.
	Contact(ctx context.Context, personID string) (email, lang string, err error)
	// PersonCode is a customer's identity code.
	PersonCode(ctx context.Context, personID string) (string, error)
}
