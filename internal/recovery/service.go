package recovery

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/iban"
	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/outbox"
)

// Repo is the storage the recovery service needs. A missing row, or a row
// of another customer, is a fault.NotFound error; a unique violation is a
// fault.Conflict. Reads outside a transaction see committed data only.
type Repo interface {
	// InTx runs fn in one transaction and commits it when fn returns nil.
	// A busy or serialisation failure runs fn again (a few times), so fn
	// must not consume input it cannot replay.
	InTx(ctx context.Context, fn func(Tx) error) error
	// InTxOnce is InTx without the retry, for work that reads a stream.
	InTxOnce(ctx context.Context, fn func(Tx) error) error
	// RecordViews appends the audit entries of a staff read that changes
	// nothing else, and returns once they have committed — possibly in one
	// transaction with other reads' entries (a group commit), so reads do
	// not queue one by one for the audit chain's lock.
	RecordViews(ctx context.Context, es ...audit.Entry) error

	ClaimsOf(ctx context.Context, personID string) ([]Claim, error)
	// ClaimsPendingOf is ClaimsOf with the IDs of those claims that have
	// a plan proposal or an exemption application waiting for a decision
	// (status Pending) — what ProposalsOf and ExemptionsOf of each claim
	// would tell — in one read.
	ClaimsPendingOf(ctx context.Context, personID string) ([]Claim, map[string]bool, error)
	// ClaimOf is one claim of the customer with its history.
	ClaimOf(ctx context.Context, personID, claimID string) (Claim, []Event, error)
	ProposalsOf(ctx context.Context, personID, claimID string) ([]Proposal, error)
	ExemptionsOf(ctx context.Context, personID, claimID string) ([]Exemption, error)
	PendingProposals(ctx context.Context, limit int) ([]Proposal, error)
	PendingExemptions(ctx context.Context, limit int) ([]Exemption, error)
	QueuedEntries(ctx context.Context, limit int) ([]QueuedEntry, error)
	// WaitingCounts counts the proposals and exemption applications
	// pending and the bank payments queued, each up to limit.
	WaitingCounts(ctx context.Context, limit int) (Waiting, error)
	// OverdueClaims lists claims still collected whose due date is before
	// the day, oldest due first, with their holders' names.
	OverdueClaims(ctx context.Context, before civil.Date, limit int) ([]DueClaim, error)
	ClaimEvents(ctx context.Context, claimID string) ([]Event, error)
	// ClaimHistories reads the histories of the claims in one query.
	ClaimHistories(ctx context.Context, claimIDs []string) (map[string][]Event, error)
	// CollectingClaimIDs lists, after the position, the claims still
	// collected that the collection run of the day looks at: those whose
	// collect_on is NULL (changed since the collection last looked at
	// them, SaveClaim), by ID, then those whose collect_on has come
	// (SetCollectOn), by day and ID. On the zero day it lists every claim
	// still collected, by ID.
	CollectingClaimIDs(ctx context.Context, today civil.Date, after CollectPos, limit int) ([]CollectPos, error)
	// BankFileBySHA is the imported file with the SHA-256.
	BankFileBySHA(ctx context.Context, sha256 string) (BankFileRecord, error)
	// FileEntries is an imported file with a page of its transactions in
	// file order.
	FileEntries(ctx context.Context, fileID string, limit, offset int) (BankFileRecord, []BankEntry, error)
	// LettersOf lists the letters of the customer's claim, newest first.
	LettersOf(ctx context.Context, personID, claimID string) ([]Letter, error)
	// LetterOf is one letter of the customer.
	LetterOf(ctx context.Context, personID, letterID string) (Letter, error)
	// PersonProposals and PersonExemptions list the customer's
	// applications on all their claims, newest first.
	PersonProposals(ctx context.Context, personID string) ([]Proposal, error)
	PersonExemptions(ctx context.Context, personID string) ([]Exemption, error)
	// PersonLetters lists the customer's newest letters on all their
	// claims, newest first.
	PersonLetters(ctx context.Context, personID string, limit int) ([]Letter, error)
}

// Tx is one transaction of the recovery service. Methods named ForUpdate
// lock what they read until the transaction ends (PostgreSQL FOR UPDATE;
// SQLite's write transaction holds the whole database).
type Tx interface {
	// Now is the transaction's fixed instant.
	Now() time.Time
	ClaimForUpdate(ctx context.Context, claimID string) (Claim, error)
	// CustomerClaimForUpdate is ClaimForUpdate for the customer's own
	// claim: another customer's is NotFound.
	CustomerClaimForUpdate(ctx context.Context, personID, claimID string) (Claim, error)
	// ClaimsByReferenceForUpdate finds the claims with the references
	// (national references as text, sorted: the locks are taken in that
	// order); a reference no claim has is left out.
	ClaimsByReferenceForUpdate(ctx context.Context, refs []string) ([]Claim, error)
	ClaimEvents(ctx context.Context, claimID string) ([]Event, error)
	// ClaimsForUpdate locks the claims with the IDs (a few hundred at
	// most) in reference order, the order ClaimsByReferenceForUpdate and
	// the payment run's offsets lock in, and returns them in that order;
	// an ID no claim has is left out.
	ClaimsForUpdate(ctx context.Context, ids []string) ([]Claim, error)
	// ClaimHistories is Repo.ClaimHistories in the transaction.
	ClaimHistories(ctx context.Context, claimIDs []string) (map[string][]Event, error)
	// CreateClaim gives the claim its ID, number and reference and stores
	// it with its first history entry.
	CreateClaim(ctx context.Context, c *Claim) error
	// SaveClaim writes the claim's amounts, status, due date and plan,
	// and clears its collection day: a claim changed by anything is looked
	// at by the next collection run. So do SaveClaims and the decisions on
	// a claim's applications (SaveProposalDecision, SaveExemptionDecision).
	SaveClaim(ctx context.Context, c *Claim) error
	// SetCollectOn writes the days the collection next looks at the
	// claims (Collect: On, by ID); only the collection calls it.
	SetCollectOn(ctx context.Context, days []CollectPos) error
	AddEvent(ctx context.Context, c *Claim, e Event) error
	// SaveClaims is SaveClaim for several claims, written in the order
	// given, and AddEvents appends history entries in the order given (a
	// bank file's chunk writes its claims and their history in a few
	// statements).
	SaveClaims(ctx context.Context, cs []*Claim) error
	AddEvents(ctx context.Context, es []ClaimEvent) error

	// HasPendingProposal reports whether the claim has a proposal waiting.
	HasPendingProposal(ctx context.Context, claimID string) (bool, error)
	InsertProposal(ctx context.Context, p *Proposal) error
	ProposalForUpdate(ctx context.Context, id string) (Proposal, error)
	SaveProposalDecision(ctx context.Context, p Proposal) error

	HasPendingExemption(ctx context.Context, claimID string) (bool, error)
	// PendingApplicationSince is when the oldest plan proposal or
	// exemption application of the claim still waiting was sent; false
	// when none waits.
	PendingApplicationSince(ctx context.Context, claimID string) (time.Time, bool, error)
	InsertExemption(ctx context.Context, x *Exemption) error
	ExemptionForUpdate(ctx context.Context, id string) (Exemption, error)
	SaveExemptionDecision(ctx context.Context, x Exemption) error

	// StartBankFile records a file about to be booked, giving it an ID: a
	// hash recorded before is a fault.Conflict.
	StartBankFile(ctx context.Context, f *BankFileRecord) error
	BankFileBySHA(ctx context.Context, sha256 string) (BankFileRecord, error)
	BankFileForUpdate(ctx context.Context, id string) (BankFileRecord, error)
	// SaveBankFile writes the file's status, progress and counts.
	SaveBankFile(ctx context.Context, f BankFileRecord) error
	// BankEntriesByKey finds the transactions holding the identities.
	BankEntriesByKey(ctx context.Context, keys []string) (map[string]*BankEntry, error)
	// BatchTotals sums, by batch key, the transactions itemised under it.
	BatchTotals(ctx context.Context, batchKeys []string) (map[string]int64, error)
	// ReversibleCredit is the latest booked or queued credit of the
	// account with the reference and amount that no reversal took back,
	// other than the transactions with the IDs skip.
	ReversibleCredit(ctx context.Context, account, reference string, cents int64, skip []string) (BankEntry, error)
	// InsertBankEntries stores new transactions, giving each an ID.
	InsertBankEntries(ctx context.Context, es []*BankEntry) error
	// UpdateBankEntry writes a stored transaction's status, resolution and
	// identity (an empty Key gives it up).
	UpdateBankEntry(ctx context.Context, e *BankEntry) error
	BankEntryForUpdate(ctx context.Context, id string) (*BankEntry, error)
	// ResolveBankEntry writes what staff did with a queued transaction:
	// its status, claim, allocation and the reason, with who and when.
	ResolveBankEntry(ctx context.Context, e *BankEntry, staffID string) error

	// MoveInterestToPrincipal moves cents of the interest the claim's
	// booked bank transactions paid to their principal, newest first (an
	// exemption covered interest already paid); the claim is locked.
	MoveInterestToPrincipal(ctx context.Context, claimID string, cents int64) error

	// NoticeChoice is the customer's notification choice (the zero
	// Consent when they never chose) and their language.
	NoticeChoice(ctx context.Context, personID string) (message.Consent, string, error)
	// InsertLetter stores a letter, giving it an ID.
	InsertLetter(ctx context.Context, l *Letter) error
	// Enqueue writes a notice to the outbox in this transaction.
	Enqueue(ctx context.Context, it *outbox.Item) error

	Audit(ctx context.Context, es ...audit.Entry) error
}

// Config is the Centre's settings the service applies.
type Config struct {
	Rules    *Rules        // the dated rule table; nil is the built-in one
	Creditor iban.IBAN     // the account customers pay to
	Access   *access.Table // who may do what; nil is the built-in table
	// AutoApprovePlans approves a proposal inside the rules at once.
	AutoApprovePlans bool
	// PaymentReturns takes the returns of our own benefit payments out of
	// imported statements (payment_returns.go); nil leaves them queued.
	PaymentReturns PaymentReturns
}

// Service is the Overpayment Recovery Centre's use cases. Each method
// checks who asks, runs in one transaction, locks what it changes, applies
// the rules of this package and writes the history and the audit entry
// with the change.
type Service struct {
	repo Repo
	cfg  Config
	now  func() time.Time
	// coming lists a person's coming benefit instalments (set by
	// SetComingPayments), for the offsets planned on a claim's page.
	coming func(ctx context.Context, personID string) ([]PlannedPayment, error)
}

// NewService returns the service over the repository.
func NewService(repo Repo, cfg Config) *Service {
	if cfg.Rules == nil {
		cfg.Rules = DefaultRules()
	}
	if cfg.Access == nil {
		cfg.Access = access.Default()
	}
	return &Service{repo: repo, cfg: cfg, now: time.Now}
}

// SetClock replaces the clock reads use (tests); writes take the
// transaction's instant.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Rules is the rule table the service applies.
func (s *Service) Rules() *Rules { return s.cfg.Rules }

// Application statuses, for plan proposals and exemption applications.
const (
	Pending  = "proposed"
	Approved = "approved"
	Rejected = "rejected"
)

// AutoApprover is the actor that approves plans inside the rules when the
// Centre has switched automatic approval on.
var AutoApprover = access.AsSystem("auto-approval")

// Proposal is a customer's payment plan proposal and its decision.
type Proposal struct {
	ID         string
	ClaimID    string
	PersonID   string
	Status     string // Pending, Approved, Rejected
	Plan       Plan
	Message    string
	ReasonKey  string
	DecidedBy  string
	DecidedAt  time.Time
	CreatedAt  time.Time
	PersonName string // for staff queues
	Kind       Kind
	Reference  string
}

// Exemption is an application for exemption from a claim and its decision.
type Exemption struct {
	ID         string
	ClaimID    string
	PersonID   string
	Status     string // Pending, Approved, Rejected
	Request    ExemptionRequest
	ReasonKey  string
	DecidedBy  string
	DecidedAt  time.Time
	CreatedAt  time.Time
	PersonName string // for staff queues
	ClaimKind  Kind
}

// The reasons staff give: one list for rejecting a plan, one for approving
// and one for rejecting an exemption (so that no customer reads "Approved:
// the income is over the limit"). Each is a translated text.
var (
	PlanRejectReasons       = []string{"plan.reject.amount", "plan.reject.earlier_broken", "plan.reject.enforcement", "plan.reject.other"}
	ExemptionApproveReasons = []string{"exemption.reason.granted", "exemption.reason.granted_shorter"}
	ExemptionRejectReasons  = []string{"exemption.reason.income_over", "exemption.reason.period", "exemption.reason.no_grounds"}
)

// MaxPlanMessage is the longest message with a plan proposal, in characters.
const MaxPlanMessage = 2000

// customer checks that the actor is a customer and returns their person ID.
func customerOf(a access.Actor) (string, error) {
	if a.Kind != access.Customer || a.ID == "" {
		return "", fault.New(fault.Forbidden, "auth.error.customers_only")
	}
	return a.ID, nil
}

func (s *Service) today() civil.Date { return civil.Today(s.now()) }

// ClaimPage is one claim as its holder sees it.
type ClaimPage struct {
	Claim      Claim
	Events     []Event
	Proposals  []Proposal  // newest first
	Exemptions []Exemption // newest first
	// PlannedOffsets are the coming benefit payments' offsets for the
	// claim (offset_run.go), the customer's advance notice.
	PlannedOffsets []Offset
}

// Claims lists the customer's own claims, newest first.
func (s *Service) Claims(ctx context.Context, a access.Actor) ([]Claim, error) {
	pid, err := customerOf(a)
	if err != nil {
		return nil, err
	}
	cs, err := s.repo.ClaimsOf(ctx, pid)
	for i := range cs {
		s.interestToToday(&cs[i])
	}
	return cs, err
}

// interestToToday adds to a claim read for the customer the interest it
// has earned since it was last charged, up to today, without writing it:
// the collection charges interest monthly and when it acts, so the stored
// figure can be a month behind, and the customer pays what is owed today
// (the payment details' amount). InterestTo then says up to which day it
// is counted.
func (s *Service) interestToToday(c *Claim) {
	if c.Status.Collecting() && c.Balance() > 0 {
		c.AccrueInterest(s.today(), s.cfg.Rules)
	}
}

// Claim is one of the customer's own claims with its history and
// applications; another customer's claim is NotFound.
func (s *Service) Claim(ctx context.Context, a access.Actor, claimID string) (ClaimPage, error) {
	var p ClaimPage
	pid, err := customerOf(a)
	if err != nil {
		return p, err
	}
	if p.Claim, p.Events, err = s.repo.ClaimOf(ctx, pid, claimID); err != nil {
		return p, err
	}
	s.interestToToday(&p.Claim)
	// The customer reads the history by date: a payment's value date may
	// be before events recorded earlier (a bank file imported late).
	slices.SortStableFunc(p.Events, func(a, b Event) int { return a.On.Compare(b.On) })
	if p.Proposals, err = s.repo.ProposalsOf(ctx, pid, claimID); err != nil {
		return p, err
	}
	if p.Exemptions, err = s.repo.ExemptionsOf(ctx, pid, claimID); err != nil {
		return p, err
	}
	p.PlannedOffsets, err = s.claimOffsets(ctx, pid, claimID)
	return p, err
}

// PreviewPlan computes the schedule a plan request gives for the
// customer's claim today, without storing anything.
func (s *Service) PreviewPlan(ctx context.Context, a access.Actor, claimID string, req PlanRequest) (Plan, error) {
	pid, err := customerOf(a)
	if err != nil {
		return Plan{}, err
	}
	c, _, err := s.repo.ClaimOf(ctx, pid, claimID)
	if err != nil {
		return Plan{}, err
	}
	return ProposePlan(c.Balance(), req, s.today(), s.cfg.Rules)
}

// ProposePlan stores the customer's plan proposal for their claim, with
// the schedule computed from the balance as it is now. A claim has at most
// one proposal waiting. When the Centre approves plans inside the rules
// automatically, the proposal is approved in the same transaction.
func (s *Service) ProposePlan(ctx context.Context, a access.Actor, claimID string, req PlanRequest, message string) (Proposal, error) {
	var pr Proposal
	pid, err := customerOf(a)
	if err != nil {
		return pr, err
	}
	if len([]rune(message)) > MaxPlanMessage {
		return pr, fault.InvalidField("message", "plan.error.message_long", nil)
	}
	err = s.repo.InTx(ctx, func(tx Tx) error {
		c, err := tx.CustomerClaimForUpdate(ctx, pid, claimID)
		if err != nil {
			return err
		}
		if !c.Status.Collecting() || c.Status == InPlan {
			return fault.New(fault.Conflict, "recovery.plan.not_open")
		}
		plan, err := ProposePlan(c.Balance(), req, civil.Today(tx.Now()), s.cfg.Rules)
		if err != nil {
			return err
		}
		if busy, err := tx.HasPendingProposal(ctx, claimID); err != nil {
			return err
		} else if busy {
			return fault.New(fault.Conflict, "recovery.plan.pending")
		}
		pr = Proposal{ClaimID: claimID, PersonID: pid, Status: Pending, Plan: plan, Message: message, Kind: c.Kind, Reference: c.Reference.String()}
		if err := tx.InsertProposal(ctx, &pr); err != nil {
			return err
		}
		if err := tx.Audit(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: pid, SubjectID: pid,
			Action: "recovery.plan_proposed", Object: "claim:" + claimID}); err != nil {
			return err
		}
		if !s.cfg.AutoApprovePlans {
			return nil
		}
		return s.decidePlan(ctx, tx, AutoApprover, &pr, &c, true, "")
	})
	return pr, err
}

// DecidePlan approves or rejects a pending proposal: approval puts the
// claim in the plan; a rejection carries a reason from PlanRejectReasons,
// which the customer is shown. Two decisions of one proposal at once: one
// wins, the other is a fault.Conflict.
func (s *Service) DecidePlan(ctx context.Context, a access.Actor, proposalID string, approve bool, reasonKey string) (Proposal, error) {
	var pr Proposal
	if err := s.cfg.Access.Check(a, access.RecoveryDecidePlan); err != nil {
		return pr, err
	}
	if approve {
		reasonKey = ""
	} else if !slices.Contains(PlanRejectReasons, reasonKey) {
		return pr, fault.InvalidField("reason", "recovery.queue.reason_needed", nil)
	}
	err := s.repo.InTx(ctx, func(tx Tx) error {
		var err error
		if pr, err = tx.ProposalForUpdate(ctx, proposalID); err != nil {
			return err
		}
		if pr.Status != Pending {
			return fault.New(fault.Conflict, "recovery.plan.decided")
		}
		c, err := tx.ClaimForUpdate(ctx, pr.ClaimID)
		if err != nil {
			return err
		}
		return s.decidePlan(ctx, tx, a, &pr, &c, approve, reasonKey)
	})
	return pr, err
}

// decidePlan decides a pending proposal whose row and claim the
// transaction holds locked.
func (s *Service) decidePlan(ctx context.Context, tx Tx, a access.Actor, pr *Proposal, c *Claim, approve bool, reasonKey string) error {
	pr.Status = Rejected
	if approve {
		if !c.Status.Collecting() || c.Balance() <= 0 {
			return fault.New(fault.Conflict, "recovery.plan.not_open")
		}
		pr.Status = Approved
		ev := c.ApprovePlan(civil.Of(tx.Now()), pr.Plan)
		if err := tx.SaveClaim(ctx, c); err != nil {
			return err
		}
		if err := tx.AddEvent(ctx, c, ev); err != nil {
			return err
		}
	}
	pr.ReasonKey, pr.DecidedBy, pr.DecidedAt = reasonKey, a.ID, tx.Now()
	if err := tx.SaveProposalDecision(ctx, *pr); err != nil {
		return err
	}
	if err := s.sendLetter(ctx, tx, c, planLetter(*pr, *c)); err != nil {
		return err
	}
	return tx.Audit(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, SubjectID: pr.PersonID,
		Action: "recovery.plan_" + pr.Status, Object: "claim:" + pr.ClaimID, Detail: reasonKey})
}

// ApplyExemption stores the customer's application for exemption from
// their claim; a claim has at most one application waiting.
func (s *Service) ApplyExemption(ctx context.Context, a access.Actor, claimID string, req ExemptionRequest) (Exemption, error) {
	var x Exemption
	pid, err := customerOf(a)
	if err != nil {
		return x, err
	}
	err = s.repo.InTx(ctx, func(tx Tx) error {
		c, err := tx.CustomerClaimForUpdate(ctx, pid, claimID)
		if err != nil {
			return err
		}
		if err := CheckExemption(c.Kind, req, civil.Today(tx.Now())); err != nil {
			return err
		}
		if busy, err := tx.HasPendingExemption(ctx, claimID); err != nil {
			return err
		} else if busy {
			return fault.New(fault.Conflict, "exemption.error.pending")
		}
		x = Exemption{ClaimID: claimID, PersonID: pid, Status: Pending, Request: req, ClaimKind: c.Kind}
		if err := tx.InsertExemption(ctx, &x); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: pid, SubjectID: pid,
			Action: "recovery.exemption_applied", Object: "claim:" + claimID})
	})
	return x, err
}

// DecideExemption approves or rejects a pending application with a reason
// from the list for that decision; the decision and its reason are what the
// customer sees.
func (s *Service) DecideExemption(ctx context.Context, a access.Actor, id string, approve bool, reasonKey string) (Exemption, error) {
	var x Exemption
	if err := s.cfg.Access.Check(a, access.RecoveryDecideExem); err != nil {
		return x, err
	}
	reasons := ExemptionRejectReasons
	if approve {
		reasons = ExemptionApproveReasons
	}
	if !slices.Contains(reasons, reasonKey) {
		return x, fault.InvalidField("reason", "exemption.error.decision_reason", nil)
	}
	err := s.repo.InTx(ctx, func(tx Tx) error {
		var err error
		if x, err = tx.ExemptionForUpdate(ctx, id); err != nil {
			return err
		}
		if x.Status != Pending {
			return fault.New(fault.Conflict, "exemption.error.decided")
		}
		// The claim is locked with the decision, so that what the decision
		// changes on it meets no other writer.
		c, err := tx.ClaimForUpdate(ctx, x.ClaimID)
		if err != nil {
			return err
		}
		x.Status = Rejected
		if approve {
			x.Status = Approved
		}
		x.ReasonKey, x.DecidedBy, x.DecidedAt = reasonKey, a.ID, tx.Now()
		if err := tx.SaveExemptionDecision(ctx, x); err != nil {
			return err
		}
		var off int64
		if approve {
			if off, err = s.applyExemption(ctx, tx, x, &c); err != nil {
				return err
			}
		}
		if err := s.sendLetter(ctx, tx, &c, exemptionLetter(x, c, off)); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, SubjectID: x.PersonID,
			Action: "recovery.exemption_" + x.Status, Object: "claim:" + x.ClaimID, Detail: reasonKey})
	})
	return x, err
}

// applyExemption puts an approved exemption into effect on its claim,
// which the transaction holds locked (Claim.ApplyExemption), and returns
// the cents written off.
func (s *Service) applyExemption(ctx context.Context, tx Tx, x Exemption, c *Claim) (int64, error) {
	history, err := tx.ClaimEvents(ctx, c.ID)
	if err != nil {
		return 0, err
	}
	evs := c.ApplyExemption(x, civil.Today(tx.Now()), history, s.cfg.Rules)
	if len(evs) == 0 {
		return 0, nil
	}
	if err := tx.SaveClaim(ctx, c); err != nil {
		return 0, err
	}
	var off int64
	for _, e := range evs {
		if e.Kind == EventInterestToPrincipal {
			// The bank payments that paid that interest now pay principal.
			if err := tx.MoveInterestToPrincipal(ctx, c.ID, e.Cents); err != nil {
				return 0, err
			}
		}
		off += e.Cents
		if err := tx.AddEvent(ctx, c, e); err != nil {
			return 0, err
		}
	}
	return off, nil
}

// CreateClaims stores new claims (a term's healthcare fees, say) in one
// transaction: all or none, each with the letter of the decision that
// started it (and its notice). Only the system creates claims.
func (s *Service) CreateClaims(ctx context.Context, a access.Actor, cs []Claim) (int, error) {
	if a.Kind != access.System {
		return 0, fault.New(fault.Forbidden, "staff.error.unit")
	}
	for i := range cs {
		if err := cs[i].CheckPeriod(); err != nil {
			return 0, err
		}
	}
	err := s.repo.InTx(ctx, func(tx Tx) error {
		for i := range cs {
			if err := tx.CreateClaim(ctx, &cs[i]); err != nil {
				return err
			}
			// The customer receives the decision that started the claim.
			if err := s.sendLetter(ctx, tx, &cs[i], StartedLetter(cs[i])); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, audit.Entry{ActorKind: a.AuditKind(), ActorID: a.ID, Action: "recovery.claims_created",
			Detail: fmt.Sprintf("count=%d", len(cs))})
	})
	return len(cs), err
}

// DueClaim is a claim the next collection run will act on.
type DueClaim struct {
	Claim      Claim
	Action     Action
	PersonName string
}

// QueuePage is how many entries of each list the work queue shows, oldest
// first; WaitingCap bounds the counts of what waits in each (a count above
// it means "more than WaitingCap").
const (
	QueuePage  = 20
	WaitingCap = 1000
)

// Waiting is how many of each list wait, each counted up to WaitingCap+1.
type Waiting struct {
	Proposals, Exemptions, Entries int
}

// Queue is the Centre's work queue.
type Queue struct {
	Waiting    Waiting
	Proposals  []Proposal    // plan proposals waiting, oldest first
	Exemptions []Exemption   // exemption applications waiting, oldest first
	Entries    []QueuedEntry // bank payments not booked by themselves
}

// WorkQueue reads the Centre's work queue for a member of its staff: the
// oldest limit entries of each list waiting for a person (QueuePage when
// 0) and how many wait in each. Reading it reads personal
// data: each customer shown is audited.
func (s *Service) WorkQueue(ctx context.Context, a access.Actor, limit int) (Queue, error) {
	var q Queue
	if err := s.cfg.Access.Check(a, access.RecoveryQueue); err != nil {
		return q, err
	}
	if limit <= 0 {
		limit = QueuePage
	}
	var err error
	if q.Waiting, err = s.repo.WaitingCounts(ctx, WaitingCap+1); err != nil {
		return q, err
	}
	if q.Proposals, err = s.repo.PendingProposals(ctx, limit); err != nil {
		return q, err
	}
	if q.Entries, err = s.repo.QueuedEntries(ctx, limit); err != nil {
		return q, err
	}
	if q.Exemptions, err = s.repo.PendingExemptions(ctx, limit); err != nil {
		return q, err
	}
	var ids []string
	for _, p := range q.Proposals {
		ids = append(ids, p.PersonID)
	}
	for _, x := range q.Exemptions {
		ids = append(ids, x.PersonID)
	}
	if len(ids) == 0 {
		return q, nil
	}
	// One entry for the page, listing the customers it showed.
	if err := s.repo.RecordViews(ctx, audit.View(a.AuditKind(), a.ID, "staff.view_recovery_queue", ids)); err != nil {
		return Queue{}, err
	}
	return q, nil
}

// CollectionPreview lists, for a member of the Centre's staff, up to limit
// overdue claims that the next collection run would remind, break or hand
// over, oldest due first, with what it would do. It reads up to ten times
// as many overdue claims with their histories to find them (the run's
// rules decide, NextAction), so it is a page of its own, not part of the
// work queue. Each customer shown is audited.
func (s *Service) CollectionPreview(ctx context.Context, a access.Actor, limit int) ([]DueClaim, error) {
	if err := s.cfg.Access.Check(a, access.RecoveryQueue); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = QueuePage
	}
	due, err := s.dueForCollection(ctx, s.today(), limit)
	if err != nil || len(due) == 0 {
		return nil, err
	}
	ids := make([]string, len(due))
	for i, d := range due {
		ids[i] = d.Claim.PersonID
	}
	if err := s.repo.RecordViews(ctx, audit.View(a.AuditKind(), a.ID, "staff.view_collection_preview", ids)); err != nil {
		return nil, err
	}
	return due, nil
}

// dueForCollection lists the overdue claims that the next collection run
// would remind, break or hand over, oldest due first.
func (s *Service) dueForCollection(ctx context.Context, today civil.Date, limit int) ([]DueClaim, error) {
	cs, err := s.repo.OverdueClaims(ctx, today, 10*limit)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(cs))
	for i, d := range cs {
		ids[i] = d.Claim.ID
	}
	histories, err := s.repo.ClaimHistories(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []DueClaim
	for _, d := range cs {
		act, err := NextAction(d.Claim, histories[d.Claim.ID], today, s.cfg.Rules)
		if err != nil || act.Kind == ActNone {
			continue
		}
		d.Action = act
		out = append(out, d)
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

// mayImport checks who may book a bank file: the system (a command or the
// worker), or staff with the permission.
func (s *Service) mayImport(a access.Actor) error {
	if a.Kind == access.System {
		return nil
	}
	return s.cfg.Access.Check(a, access.RecoveryImportBank)
}

// MayImport reports whether the actor may import bank files, so that pages
// offer the upload only to those who may use it.
func (s *Service) MayImport(a access.Actor) bool { return s.mayImport(a) == nil }

// Creditor is the account customers pay to.
func (s *Service) Creditor() iban.IBAN { return s.cfg.Creditor }
