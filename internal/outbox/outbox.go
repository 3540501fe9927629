// Package outbox sends the notices etuus owes its customers: a worker takes
// them from the outbox table, where they were written in the same
// transaction as whatever caused them, and delivers them by e-mail or SMS
// with retries and back-off.
//
// Delivery is at least once: a notice is marked sent only after the server
// took it, so a worker that dies between the two sends it again. Every try
// of a notice carries the same Message-ID, which mail software uses to drop
// the repeat. Two workers never hold the same notice: a claim is a lease on
// the row, taken in one statement.
package outbox

import "time"

// Channel is how a notice travels.
type Channel string

// The channels.
const (
	Email Channel = "email"
	SMS   Channel = "sms"
)

// Kind says what a notice is, and so which text it gets. The capability
// that sends a kind names it and provides its text (see NoticeKind); the
// outbox knows none.
type Kind string

// Status is where a notice stands.
type Status string

// The statuses: waiting to be sent (first try or a retry), sent, or given up
// after a permanent refusal or too many tries.
const (
	Pending Status = "pending"
	Sent    Status = "sent"
	Failed  Status = "failed"
)

// Item is one notice.
type Item struct {
	ID        string
	Channel   Channel
	Recipient string // an e-mail address or a phone number in +358… form
	Lang      string
	Kind      Kind
	Payload   string // see the kinds; cleared once sent
	MessageID string // the e-mail Message-ID, the same on every try
	PersonID  string // the customer it is for, if any
	ThreadID  string // the thread it is about, if any
	Status    Status
	Attempts  int
	NextAt    time.Time
	LastError string // a classification such as "smtp 451", never an address
	CreatedAt time.Time
	SentAt    time.Time
}
