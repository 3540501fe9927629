package message

import (
	"context"
	"time"

	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/outbox"
)

// Repo is where secure messages are kept; internal/store implements it in
// SQL. It decides nothing: which thread a caller may see, what a status
// becomes and whether a code is still good are the Service's to say.
//
// Errors, for every method: a *fault.Error of kind fault.NotFound when the
// row asked for does not exist, fault.Unavailable when the database stayed
// busy through InTx's retries, and unclassified errors for faults.
type Repo interface {
	// InTx runs fn in one read-write transaction and commits it when fn
	// returns nil; fn's error rolls everything back and is returned. A busy
	// or serialization failure runs fn again from the start (a few times),
	// so fn must not keep state across runs.
	InTx(ctx context.Context, fn func(tx Tx) error) error
	// RecordViews appends the audit entries of a staff read that changes
	// nothing else, and returns once they have committed — possibly in one
	// transaction with other reads' entries (a group commit), so reads do
	// not queue one by one for the audit chain's lock.
	RecordViews(ctx context.Context, es ...audit.Entry) error

	// The reads below run outside a transaction: each is one query and
	// sees what was committed when it ran.

	// PartyThreads lists a party's threads for a folder, newest first, at
	// most limit from offset, with the fields a folder shows (ID, unit,
	// topic, title, status, last message, unread by the customer).
	PartyThreads(ctx context.Context, p Party, box Box, limit, offset int) ([]Thread, error)
	// PartyStamp counts a party's threads and unread messages and tells
	// when its newest message was written, as an opaque text that changes
	// whenever a message is added or read.
	PartyStamp(ctx context.Context, p Party) (Stamp, error)
	// Consent is a person's notification choice; a person who never chose
	// has allowed nothing (no error).
	Consent(ctx context.Context, personID string) (Consent, error)
	// StoredFile reads an attachment with its bytes and where it belongs.
	StoredFile(ctx context.Context, id string) (StoredFile, error)
	// AttachmentBytes is the size of the attachments a person has sent
	// in their own threads, all together.
	AttachmentBytes(ctx context.Context, personID string) (int64, error)
	// Organisation is an organisation by its business ID.
	Organisation(ctx context.Context, businessID string) (Organisation, error)
	// Now is the database's clock, in UTC, for reads outside a
	// transaction.
	Now() time.Time
	// UnitThreads lists a unit's queue by the filter; waitedBefore, when
	// not zero, keeps threads waiting since that instant or earlier.
	UnitThreads(ctx context.Context, f QueueFilter, waitedBefore time.Time) ([]StaffThread, error)
	// UnitWaiting counts a unit's threads that wait for an answer, but
	// at most WaitingCap+1 of them (more than WaitingCap is shown as
	// such), and tells the oldest wait, in one query.
	UnitWaiting(ctx context.Context, unitID string) (n int, oldest time.Time, err error)
}

// Tx is one transaction of a use case. Its instant is fixed: every row
// written in it carries Now.
type Tx interface {
	// Now is the transaction's instant, in UTC.
	Now() time.Time

	// ThreadForUpdate reads a thread and locks it until the transaction
	// ends, so that two changes to one thread (two replies, a reply and a
	// read) happen one after the other.
	ThreadForUpdate(ctx context.Context, id string) (Thread, error)
	// Names fills in the party's and the handler's names of a thread for
	// staff.
	Names(ctx context.Context, t Thread) (StaffThread, error)
	// InsertThread stores a new thread, setting its ID.
	InsertThread(ctx context.Context, t *Thread) error
	// UpdateThread writes what a use case changes of a thread: unit,
	// status, handler, last message, wait and unread counts.
	UpdateThread(ctx context.Context, t Thread) error
	// SetReadToken gives an e-mail party's thread a new one-time reading
	// link (only its hash is kept) that works until the instant given.
	SetReadToken(ctx context.Context, threadID, tokenHash string, until time.Time) error
	// AttachmentBytesForUpdate locks the person until the transaction
	// ends and then reads the size of the attachments they have sent (as
	// AttachmentBytes), so that two messages of one person are counted
	// against the quota one after the other.
	AttachmentBytesForUpdate(ctx context.Context, personID string) (int64, error)
	// AddMessage stores a message and its files, setting the IDs of the
	// message and of its Attachments, which it fills from files. Each
	// file's content is read from its Open in chunks (never whole) and
	// must have the Size and SHA256 given, else nothing is stored.
	AddMessage(ctx context.Context, m *Message, files []File) error
	// ThreadMessages lists a thread's messages oldest first with their
	// attachments, internal notes only when asked for.
	ThreadMessages(ctx context.Context, threadID string, internal bool) ([]Message, error)
	// ThreadNotices lists the notices about a thread, newest first,
	// without payloads.
	ThreadNotices(ctx context.Context, threadID string) ([]outbox.Item, error)
	// UnitExists reports whether a unit exists.
	UnitExists(ctx context.Context, unitID string) (bool, error)
	// StoredFile reads an attachment inside the transaction.
	StoredFile(ctx context.Context, id string) (StoredFile, error)

	// Consent reads a person's notification choice without a lock.
	Consent(ctx context.Context, personID string) (Consent, error)
	// ConsentForUpdate reads a person's notification choice and locks the
	// person until the transaction ends, which serialises the person's
	// choices and code checks. fault.NotFound when there is no such
	// person.
	ConsentForUpdate(ctx context.Context, personID string) (Consent, error)
	// SaveConsent writes a person's choice.
	SaveConsent(ctx context.Context, personID string, c Consent) error
	// PersonLang is the language a person uses the e-service in.
	PersonLang(ctx context.Context, personID string) (string, error)
	// CodesSince counts the codes sent to a person since an instant.
	CodesSince(ctx context.Context, personID string, since time.Time) (int, error)
	// InsertCode stores a code sent, setting its ID.
	InsertCode(ctx context.Context, c *Code) error
	// NewestCode is the newest code sent to a person at an address.
	NewestCode(ctx context.Context, personID string, ch Channel, address string) (Code, error)
	// UpdateCode writes a code's tries and when it was used.
	UpdateCode(ctx context.Context, c Code) error

	// Enqueue writes a notice to the outbox in this transaction, so that it
	// is sent if and only if the transaction commits.
	Enqueue(ctx context.Context, it *outbox.Item) error
	// Audit appends entries to the audit log in this transaction.
	Audit(ctx context.Context, es ...audit.Entry) error
}

// Stamp is a party's thread and unread counts, and a mark of its newest
// message, read in one query.
type Stamp struct {
	Threads int
	Unread  int
	Newest  string // opaque: equal stamps mean no message was added or read
}

// StoredFile is an attachment with its bytes and the thread it belongs
// to, for the access check.
type StoredFile struct {
	File
	ThreadID string
	Party    Party
	UnitID   string
	// Internal says the file belongs to an internal note, which the
	// customer never sees.
	Internal bool
}

// Code is a verification code sent to prove an address. Only its hash is
// kept.
type Code struct {
	ID        string
	PersonID  string
	Channel   Channel
	Address   string
	Hash      string
	Attempts  int
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // zero while unused
}
