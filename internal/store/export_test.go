package store

import (
	"time"

	"github.com/etuus/etuus/internal/message"
)

// The SQL of the queries behind the pages, for the plan checks
// (scale_plan_test.go), so that they explain what the store runs.
const (
	PartyInboxSQL    = partyInboxSQL
	PartySentSQL     = partySentSQL
	UnitWaitingSQL   = unitWaitingSQL
	ClaimEventsSQL   = claimEventsSQL
	OverdueClaimsSQL = overdueClaimsSQL
	CollectNullSQL   = collectNullSQL
	CollectDueSQL    = collectDueSQL
	CollectAllSQL    = collectAllSQL
	QueuedEntriesSQL = queuedEntriesSQL
	WaitingCountsSQL = waitingCountsSQL
	InterestPaidSQL  = interestPaidSQL

	ClaimsPendingOfSQL = claimsPendingOfSQL
)

// ReversibleCreditSQL is the query a reversal finds its payment with.
func ReversibleCreditSQL(skip int) string { return reversibleCreditSQL(skip) }

// UnitThreadsSQL is the staff queue's query for the filter.
func UnitThreadsSQL(f message.QueueFilter, waitedBefore time.Time) (string, []any) {
	return unitThreadsSQL(f, waitedBefore)
}

// ClaimHistoriesSQL is the query that reads n claims' histories.
func ClaimHistoriesSQL(n int) string { return claimHistoriesSQL(n) }

// ClaimOutboxSQL is the outbox worker's claim on PostgreSQL, every channel.
func ClaimOutboxSQL() string { return postgresDialect.claimSQL(nil) }

// The bank import's PostgreSQL statements that read claims and bank
// transactions, for the plan checks (bank_plan_test.go).
var (
	ClaimsByReferencePostgresSQL   = claimsByReferencePostgres
	SaveClaimsPostgresSQL          = saveClaimsPostgresSQL
	BankEntriesByKeyPostgresSQL, _ = postgresDialect.anyOf(bankEntriesByKey, nil)
	BatchTotalsPostgresSQL, _      = postgresDialect.anyOf(batchTotals, nil)
)
