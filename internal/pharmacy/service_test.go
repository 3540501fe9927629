package pharmacy_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/demo"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/fi/hetu"
	"github.com/etuus/etuus/internal/org"
	"github.com/etuus/etuus/internal/pharmacy"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

const (
	maija      = "010403A998U" // basic right only
	matti      = "100871-998D" // diabetes; deductible paid by the demo purchase
	antibiotic = "990061"
	insulin    = "990011"
)

var (
	counter = pharmacy.Caller{PharmacyID: "apteekki-1", ClientID: "client-1"}
	other   = pharmacy.Caller{PharmacyID: "apteekki-2", ClientID: "client-2"}
)

type env struct {
	db  *store.DB
	svc *pharmacy.Service
	mu  sync.Mutex
	now time.Time
}

func (e *env) setNow(t time.Time) { e.mu.Lock(); e.now = t; e.mu.Unlock() }

// newEnv is a database with the demo people, their rights and purchases,
// on 2.3.2026 at noon in Finland.
func newEnv(t *testing.T, db *store.DB) (*env, context.Context) {
	t.Helper()
	ctx := context.Background()
	e := &env{db: db, now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	db.Now = func() time.Time { e.mu.Lock(); defer e.mu.Unlock(); return e.now }
	ref, contacts, _ := org.Reference()
	if err := db.SeedReference(ctx, ref, contacts); err != nil {
		t.Fatal(err)
	}
	d, err := demo.SetOn(civil.New(2026, 3, 2))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SeedDemo(ctx, d); err != nil {
		t.Fatal(err)
	}
	e.svc, err = pharmacy.NewService(db.Pharmacy(), pharmacy.Config{Access: access.Default(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.svc.Close)
	if err := demo.SeedPharmacy(ctx, db, e.svc, civil.New(2026, 3, 2)); err != nil {
		t.Fatal(err)
	}
	return e, ctx
}

func lines(vnr string, cents int64) []pharmacy.LineIn {
	return []pharmacy.LineIn{{VNR: vnr, PackagePriceCents: cents, Packages: 1}}
}

func (e *env) year(t *testing.T, ctx context.Context, personID string, y int) pharmacy.YearStatus {
	t.Helper()
	st, err := e.db.Pharmacy().Year(ctx, personID, y)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// The counter's round: check, record, a retry counting once, cancel.
func TestCounter(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		e, ctx := newEnv(t, db)
		chk, err := e.svc.Check(ctx, counter, pharmacy.CheckRequest{IdentityCode: maija, Lines: lines(antibiotic, 10000)})
		if err != nil {
			t.Fatal(err)
		}
		// Nothing this year: 70.33 € deductible, then 40 % of 29.67 €.
		if l := chk.Lines[0]; l.Class != pharmacy.ClassBasic || l.Deductible != 7033 || l.Reimbursement != 1187 || l.CustomerShare != 8813 || chk.PurchaseID == "" {
			t.Fatalf("check = %+v (purchase ID %q)", l, chk.PurchaseID)
		}
		if st := e.year(t, ctx, chk.PersonID, 2026); st.DeductiblePaid != 0 {
			t.Errorf("a check changed the year: %+v", st)
		}
		req := pharmacy.PurchaseRequest{PurchaseID: chk.PurchaseID, IdentityCode: maija, Lines: lines(antibiotic, 10000)}
		p, err := e.svc.RecordPurchase(ctx, counter, req)
		if err != nil {
			t.Fatal(err)
		}
		if p.CustomerShare != 8813 || p.Deductible != 7033 || p.Ceiling != 8813 || p.PurchasedOn != civil.New(2026, 3, 2) {
			t.Errorf("recorded %+v", p)
		}
		// The retry: refused as a duplicate, with the purchase as recorded.
		again, err := e.svc.RecordPurchase(ctx, counter, req)
		if fault.KeyOf(err) != "pharmacy.error.duplicate" || !fault.Is(err, fault.Conflict) || again.ID != p.ID {
			t.Fatalf("retry = %v, %+v", err, again)
		}
		if st := e.year(t, ctx, p.PersonID, 2026); st.DeductiblePaid != 7033 || st.CeilingCounted != 8813 {
			t.Errorf("after the retry: %+v", st)
		}
		// The next check sees the deductible paid.
		chk, _ = e.svc.Check(ctx, counter, pharmacy.CheckRequest{IdentityCode: maija, Lines: lines(antibiotic, 10000)})
		if l := chk.Lines[0]; l.Deductible != 0 || l.CustomerShare != 6000 {
			t.Errorf("second check: %+v", l)
		}
		// Another pharmacy cannot cancel it; unknown IDs are not found.
		if _, err := e.svc.Cancel(ctx, other, req.PurchaseID); fault.KeyOf(err) != "pharmacy.error.unknown_purchase" {
			t.Errorf("other pharmacy's cancel = %v", err)
		}
		c, err := e.svc.Cancel(ctx, counter, req.PurchaseID)
		if err != nil || c.Status != pharmacy.Cancelled {
			t.Fatalf("cancel = %+v, %v", c, err)
		}
		if st := e.year(t, ctx, p.PersonID, 2026); st.DeductiblePaid != 0 || st.CeilingCounted != 0 {
			t.Errorf("after the cancellation: %+v", st)
		}
		if _, err := e.svc.Cancel(ctx, counter, req.PurchaseID); fault.KeyOf(err) != "pharmacy.error.cancelled" || !fault.Is(err, fault.Conflict) {
			t.Errorf("second cancel = %v", err)
		}
		// A cancelled purchase ID stays used.
		if _, err := e.svc.RecordPurchase(ctx, counter, req); fault.KeyOf(err) != "pharmacy.error.duplicate" {
			t.Errorf("recording a cancelled ID = %v", err)
		}
		calls, err := e.svc.Calls(ctx, access.AsStaff("demo-staff-olli", "shared-services", org.RoleOperations), counter.PharmacyID, 100)
		if err != nil {
			t.Fatal(err)
		}
		var ops []string
		for _, c := range calls {
			ops = append(ops, c.Op+"="+c.Outcome)
		}
		// The other pharmacy's attempt is in its own history.
		slices.Sort(ops)
		want := "cancel=ok cancel=pharmacy.error.cancelled check=ok check=ok purchase=ok purchase=pharmacy.error.duplicate purchase=pharmacy.error.duplicate"
		if got := strings.Join(ops, " "); got != want {
			t.Errorf("call history = %s", got)
		}
		if _, err := e.svc.Calls(ctx, access.AsStaff("demo-staff-anna", "recovery", org.RoleSpecialist), counter.PharmacyID, 100); !fault.Is(err, fault.Forbidden) {
			t.Errorf("a recovery specialist read the call history: %v", err)
		}
		noIdentityCodes(t, ctx, db, e.svc)
	})
}

// noIdentityCodes fails when an audit entry holds a demo identity code.
func noIdentityCodes(t *testing.T, ctx context.Context, db *store.DB, svc *pharmacy.Service) {
	t.Helper()
	if err := svc.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	n := 0
	err := db.Scan(ctx, func(e audit.Entry) error {
		if strings.HasPrefix(e.Action, "pharmacy.") {
			n++
		}
		for _, code := range []string{maija, matti, "010403", "100871"} {
			if strings.Contains(e.Detail+e.Object+e.SubjectID+e.ActorID, code) {
				t.Errorf("audit entry %d holds an identity code: %+v", e.Seq, e)
			}
		}
		return nil
	})
	if err != nil || n == 0 {
		t.Errorf("audit scan: %v, %d pharmacy entries", err, n)
	}
}

// Bad input changes nothing and is answered with its own key.
func TestCounterRefuses(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		e, ctx := newEnv(t, db)
		for _, c := range []struct {
			req  pharmacy.PurchaseRequest
			kind fault.Kind
			key  string
		}{
			{pharmacy.PurchaseRequest{PurchaseID: "x1", IdentityCode: "010403A998X", Lines: lines(antibiotic, 100)}, fault.Invalid, "pharmacy.error.identity_code"},
			{pharmacy.PurchaseRequest{PurchaseID: "x1", IdentityCode: "010403A9", Lines: lines(antibiotic, 100)}, fault.Invalid, "pharmacy.error.identity_code"},
			{pharmacy.PurchaseRequest{PurchaseID: "x1", IdentityCode: unknownCode(t), Lines: lines(antibiotic, 100)}, fault.NotFound, "pharmacy.error.unknown_customer"},
			{pharmacy.PurchaseRequest{PurchaseID: "x1", IdentityCode: maija, Lines: lines("123456", 100)}, fault.Invalid, "pharmacy.error.vnr"},
			{pharmacy.PurchaseRequest{PurchaseID: "x1", IdentityCode: maija, Lines: lines(antibiotic, -100)}, fault.Invalid, "pharmacy.error.amount"},
			{pharmacy.PurchaseRequest{PurchaseID: "x1", IdentityCode: maija, Lines: lines(antibiotic, 1<<40)}, fault.Invalid, "pharmacy.error.amount"},
			{pharmacy.PurchaseRequest{PurchaseID: "", IdentityCode: maija, Lines: lines(antibiotic, 100)}, fault.Invalid, "pharmacy.error.purchase_id"},
			{pharmacy.PurchaseRequest{PurchaseID: "x1", IdentityCode: maija, PurchasedOn: civil.New(2026, 3, 3), Lines: lines(antibiotic, 100)}, fault.Invalid, "pharmacy.error.date"},
			{pharmacy.PurchaseRequest{PurchaseID: "x1", IdentityCode: maija, PurchasedOn: civil.New(2022, 12, 31), Lines: lines(antibiotic, 100)}, fault.Invalid, "pharmacy.error.year"},
		} {
			_, err := e.svc.RecordPurchase(ctx, counter, c.req)
			if !fault.Is(err, c.kind) || fault.KeyOf(err) != c.key {
				t.Errorf("%+v = %v; want %s %s", c.req, err, c.kind, c.key)
			}
		}
		if _, err := e.svc.Cancel(ctx, counter, "no-such-purchase"); !fault.Is(err, fault.NotFound) || fault.KeyOf(err) != "pharmacy.error.unknown_purchase" {
			t.Errorf("unknown cancel = %v", err)
		}
		if _, err := e.svc.Check(ctx, pharmacy.Caller{}, pharmacy.CheckRequest{IdentityCode: maija, Lines: lines(antibiotic, 100)}); !fault.Is(err, fault.Unauthorized) {
			t.Errorf("no caller = %v", err)
		}
		var n int
		if err := db.SQL().QueryRow(`SELECT count(*) FROM pharmacy_purchases WHERE pharmacy_id = $1`, counter.PharmacyID).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d purchases recorded by refused calls (%v)", n, err)
		}
		noIdentityCodes(t, ctx, db, e.svc)
	})
}

// A purchase made on the card fallback during an outage is posted later
// with its own day, counts in that day's year, and once.
func TestFallbackPostedLater(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		e, ctx := newEnv(t, db)
		e.setNow(time.Date(2026, 1, 2, 8, 0, 0, 0, time.UTC))
		req := pharmacy.PurchaseRequest{PurchaseID: "kuitti-2025-999", IdentityCode: maija, PurchasedOn: civil.New(2025, 12, 31),
			Fallback: true, Lines: lines(antibiotic, 10000)}
		p, err := e.svc.RecordPurchase(ctx, counter, req)
		if err != nil {
			t.Fatal(err)
		}
		// 2025's deductible is 70 €.
		if !p.Fallback || p.Deductible != 7000 || p.PurchasedOn.Year != 2025 {
			t.Errorf("fallback purchase = %+v", p)
		}
		for i := 0; i < 3; i++ {
			if _, err := e.svc.RecordPurchase(ctx, counter, req); fault.KeyOf(err) != "pharmacy.error.duplicate" {
				t.Errorf("repost %d = %v", i, err)
			}
		}
		if st := e.year(t, ctx, p.PersonID, 2025); st.DeductiblePaid != 7000 {
			t.Errorf("2025 = %+v", st)
		}
		if st := e.year(t, ctx, p.PersonID, 2026); st.DeductiblePaid != 0 {
			t.Errorf("2026 = %+v", st)
		}
	})
}

// Many counters post at once: each purchase ID counts once, and the
// year's counters equal the recorded purchases (ForEachDB checks the
// invariants after).
func TestConcurrentPosts(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		e, ctx := newEnv(t, db)
		const ids, tries = 12, 4
		var wg sync.WaitGroup
		var mu sync.Mutex
		recorded := map[string]int{}
		other := map[string]int{}
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < ids*tries; i++ {
					id := fmt.Sprintf("p-%d", (i+w)%ids)
					code := maija
					if (i+w)%ids%3 == 0 {
						code = matti
					}
					_, err := e.svc.RecordPurchase(ctx, counter, pharmacy.PurchaseRequest{PurchaseID: id, IdentityCode: code, Lines: lines(antibiotic, 4321)})
					mu.Lock()
					switch {
					case err == nil:
						recorded[id]++
					case fault.KeyOf(err) != "pharmacy.error.duplicate":
						other[err.Error()]++
					}
					mu.Unlock()
				}
			}(w)
		}
		wg.Wait()
		if len(recorded) != ids || len(other) > 0 {
			t.Errorf("recorded %v; other errors %v", recorded, other)
		}
		for id, n := range recorded {
			if n != 1 {
				t.Errorf("%s recorded %d times", id, n)
			}
		}
	})
}

// The customer sees their own year; anyone else is not found.
func TestStatus(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		e, ctx := newEnv(t, db)
		on := civil.New(2026, 3, 2)
		o, err := e.svc.Status(ctx, access.AsCustomer("demo-person-johan"), "demo-person-johan", civil.New(1998, 11, 24), on)
		if err != nil {
			t.Fatal(err)
		}
		if !o.Known || o.CeilingLeft() != 0 || o.DeductibleLeft() != 0 || len(o.Purchases) != 1 || len(o.Rights) != 2 {
			t.Errorf("Johan's year: %+v", o)
		}
		o, err = e.svc.Status(ctx, access.AsCustomer("demo-person-ella"), "demo-person-ella", civil.New(2012, 4, 15), on)
		if err != nil || o.DeductibleApplies || o.CeilingLeft() != 63612 {
			t.Errorf("Ella's year: %+v, %v", o, err)
		}
		if _, err := e.svc.Status(ctx, access.AsCustomer("demo-person-maija"), "demo-person-johan", civil.Date{}, on); !fault.Is(err, fault.NotFound) {
			t.Errorf("Maija read Johan's year: %v", err)
		}
	})
}

// unknownCode is a valid identity code no demo person has.
func unknownCode(t *testing.T) string {
	c, err := hetu.Make(civil.New(1952, 10, 13), 998, 0)
	if err != nil {
		t.Fatal(err)
	}
	return c.String()
}

// Checks queued faster than they are written are all in the call history
// and the audit log once the queue is flushed, more than a batch of them.
func TestChecksNoted(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		e, ctx := newEnv(t, db)
		const n = 1500
		var wg sync.WaitGroup
		for w := 0; w < 6; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < n/6; i++ {
					if _, err := e.svc.Check(ctx, counter, pharmacy.CheckRequest{IdentityCode: maija, Lines: lines(antibiotic, 100)}); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		calls, err := e.svc.Calls(ctx, access.AsStaff("demo-staff-olli", "shared-services", org.RoleOperations), counter.PharmacyID, 2*n)
		if err != nil || len(calls) != n {
			t.Fatalf("%d calls in the history (%v); want %d", len(calls), err, n)
		}
		var audited int
		if err := db.SQL().QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'pharmacy.check'`).Scan(&audited); err != nil || audited != n {
			t.Errorf("%d checks audited (%v); want %d", audited, err, n)
		}
	})
}

// TestCheckAnsweredAfterItsAudit: a check's answer leaves only once its
// audit entry is committed (group commit), so a crash right after the
// answer loses no entry: the entry is there without any flush.
func TestCheckAnsweredAfterItsAudit(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		e, ctx := newEnv(t, db)
		for range 20 {
			got, err := e.svc.Check(ctx, counter, pharmacy.CheckRequest{IdentityCode: maija, Lines: lines(antibiotic, 100)})
			if err != nil {
				t.Fatal(err)
			}
			var n int
			if err := db.SQL().QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'pharmacy.check' AND detail LIKE $1`,
				"%purchase_id="+got.PurchaseID).Scan(&n); err != nil || n != 1 {
				t.Fatalf("the answered check's audit entries: %d (%v); want 1", n, err)
			}
		}
	})
}
