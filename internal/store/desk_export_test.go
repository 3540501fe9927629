package store

// The desk's queries, for the plan check (desk_plan_test.go).
const (
	PersonsBornOnSQL  = personsBornOnSQL
	PersonByEIDASSQL  = personByEIDASSQL
	ClaimPersonSQL    = claimPersonSQL
	ThreadPersonSQL   = threadPersonSQL
	DeskClaimsSQL     = deskClaimsSQL
	DeskThreadsSQL    = deskThreadsSQL
	AccessLogSQL      = accessLogSQL
	AccessLogViewsSQL = accessLogViewsSQL
)
