package store_test

import (
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/store"
)

// The actors of the recovery tests.
var (
	cli        = access.AsSystem("cli")
	collector  = access.AsSystem("collect")
	specialist = access.AsStaff("staff-1", "recovery", "specialist")
	manager    = access.AsStaff("staff-2", "recovery", "manager")
)

// recoveryOn is the recovery service on the database, reading the
// database's clock, with the built-in rules and the demo account.
func recoveryOn(db *store.DB) *recovery.Service {
	svc := recovery.NewService(db.Recovery(), recovery.Config{Creditor: creditor})
	svc.SetClock(func() time.Time { return db.Now() })
	return svc
}
