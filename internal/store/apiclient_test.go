package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/apiclient"
	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

func TestAPIClients(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := apiclient.NewService(db.APIClients(), access.Default())
		olli := access.AsStaff("demo-staff-olli", "shared-services", "operations")
		anna := access.AsStaff("demo-staff-anna", "recovery", "specialist")

		if _, _, err := svc.Issue(ctx, anna, "x", "y", []string{apiclient.ScopePharmacy}); !fault.Is(err, fault.Forbidden) {
			t.Errorf("a recovery specialist issuing: %v; want forbidden", err)
		}
		if _, err := svc.List(ctx, anna); !fault.Is(err, fault.Forbidden) {
			t.Errorf("a recovery specialist listing: %v; want forbidden", err)
		}
		for _, bad := range []struct {
			name, subject string
			scopes        []string
			field         string
		}{
			{" ", "p1", []string{"pharmacy"}, "name"},
			{"A", "", []string{"pharmacy"}, "subject"},
			{"A", "p1", nil, "scopes"},
			{"A", "p1", []string{"pharmacy", "admin"}, "scopes"},
			{"A", "p1", []string{"pharmacy", "pharmacy"}, "scopes"},
		} {
			if _, _, err := svc.Issue(ctx, olli, bad.name, bad.subject, bad.scopes); fault.FieldOf(err) != bad.field {
				t.Errorf("Issue(%q, %q, %v) = %v; want invalid %s", bad.name, bad.subject, bad.scopes, err, bad.field)
			}
		}
		c, secret, err := svc.Issue(ctx, olli, "Apteekki Keskusta", "pharmacy-1", []string{apiclient.ScopePharmacy})
		if err != nil || !strings.HasPrefix(secret, apiclient.SecretPrefix) || !c.Has(apiclient.ScopePharmacy) || c.Has(apiclient.ScopeAuthorizations) {
			t.Fatalf("Issue = %+v %q %v", c, secret, err)
		}
		var stored int
		if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM api_clients WHERE secret_hash = $1`, secret).Scan(&stored); err != nil || stored != 0 {
			t.Errorf("the secret itself is stored (%d, %v)", stored, err)
		}
		got, err := svc.Authenticate(ctx, secret)
		if err != nil || got.ID != c.ID || got.Subject != "pharmacy-1" {
			t.Errorf("Authenticate = %+v %v", got, err)
		}
		if _, err := svc.Authenticate(ctx, secret+"x"); !fault.Is(err, fault.Unauthorized) {
			t.Errorf("a wrong secret: %v", err)
		}
		// Another server (a fresh service) sees the revocation too.
		other := apiclient.NewService(db.APIClients(), nil)
		if _, err := svc.Revoke(ctx, olli, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := other.Authenticate(ctx, secret); !fault.Is(err, fault.Unauthorized) {
			t.Errorf("a revoked secret on another server: %v", err)
		}
		if _, err := svc.Revoke(ctx, olli, c.ID); !fault.Is(err, fault.Conflict) {
			t.Errorf("revoking twice: %v", err)
		}
		if _, err := svc.Revoke(ctx, olli, "no-such"); !fault.Is(err, fault.NotFound) {
			t.Errorf("revoking an unknown client: %v", err)
		}
		cs, err := svc.List(ctx, olli)
		if err != nil || len(cs) != 1 || !cs[0].Revoked() {
			t.Errorf("List = %+v %v", cs, err)
		}
		var acts []string
		db.Scan(ctx, func(e audit.Entry) error {
			if strings.HasPrefix(e.Action, "api.") {
				acts = append(acts, e.Action)
			}
			return nil
		})
		if strings.Join(acts, ",") != "api.client_issue,api.client_revoke" {
			t.Errorf("audit = %v", acts)
		}
	})
}

// TestAPIClientWhileDatabaseDown: a client seen recently is still let in
// when the database stops answering, so that its service can answer for
// itself (the pharmacy's "use the card"); an unknown one gets Unavailable.
func TestAPIClientWhileDatabaseDown(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	svc := apiclient.NewService(db.APIClients(), nil)
	_, secret, err := svc.Issue(ctx, access.AsSystem("test"), "A", "p1", []string{apiclient.ScopePharmacy})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, secret); err != nil {
		t.Fatal(err)
	}
	db.SQL().Close()
	fresh := apiclient.NewService(db.APIClients(), nil)
	if _, err := fresh.Authenticate(ctx, secret); !fault.Is(err, fault.Unavailable) {
		t.Errorf("an unseen client with the database down: %v; want unavailable", err)
	}
	if _, err := svc.Authenticate(ctx, secret); err != nil {
		t.Errorf("a client seen a moment ago with the database down: %v", err)
	}
}

// TestAPIClientExpires: a secret works for apiclient.Validity after it is
// issued and then is refused with its own reason, on every server (the
// cached client too), until staff issue a new one.
func TestAPIClientExpires(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := apiclient.NewService(db.APIClients(), nil)
		c, secret, err := svc.Issue(ctx, access.AsSystem("test"), "Palkka Oy", "1234567-1", []string{apiclient.ScopeAuthorizations})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.ExpiresAt().Sub(c.CreatedAt); got != apiclient.Validity {
			t.Errorf("valid for %v, want %v", got, apiclient.Validity)
		}
		now := c.CreatedAt.Add(apiclient.Validity - time.Minute)
		svc.SetClock(func() time.Time { return now })
		if _, err := svc.Authenticate(ctx, secret); err != nil {
			t.Fatalf("a minute before expiry: %v", err)
		}
		now = c.ExpiresAt()
		if _, err := svc.Authenticate(ctx, secret); fault.KeyOf(err) != "api.error.expired" || !fault.Is(err, fault.Unauthorized) {
			t.Errorf("at expiry, from the cache: %v", err)
		}
		other := apiclient.NewService(db.APIClients(), nil)
		other.SetClock(func() time.Time { return now.Add(time.Hour) })
		if _, err := other.Authenticate(ctx, secret); fault.KeyOf(err) != "api.error.expired" {
			t.Errorf("after expiry, from the database: %v", err)
		}
	})
}
