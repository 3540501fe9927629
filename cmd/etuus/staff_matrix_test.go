package main

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/auth"
	"github.com/etuus/etuus/internal/org"
)

// guard is what a route asks of the person calling it.
type guard struct {
	// perm is the permission the route's use needs; "" with staff set is
	// any staff member.
	perm access.Permission
	// staff: only staff (perm says which); false with public: anyone.
	staff  bool
	public bool
	// client: an API operation for partner systems' client credentials;
	// no session of any kind is let in (401).
	client bool
	// path is the URL to try; "" is the pattern with each {name} an ID
	// that names nothing.
	path string
}

func staffMay(p access.Permission) guard { return guard{staff: true, perm: p} }

// staffRoutes is what each staff and client-API route registered by
// internal/web asks, by its pattern. TestStaffRoleMatrix fails on a route
// the server registers that is missing here, so that a new staff route
// cannot go without its line in the permission table's test.
var staffRoutes = map[string]guard{
	"GET /staff/login":                                     {public: true},
	"GET /staff":                                           {staff: true},
	"GET /staff/secure-email":                              {public: true}, // a permanent redirect to the messages queue
	"GET /staff/messages":                                  staffMay(access.MessagesQueue),
	"GET /staff/messages/{id}":                             staffMay(access.MessagesQueue),
	"POST /staff/messages/{id}":                            staffMay(access.MessagesQueue),
	"POST /staff/messages/{id}/{action}":                   {staff: true, perm: access.MessagesQueue, path: "/staff/messages/" + nobody + "/assign"},
	"GET /staff/messages/{id}/attachments/{aid}":           staffMay(access.MessagesQueue),
	"GET /staff/recovery":                                  staffMay(access.RecoveryQueue),
	"GET /staff/recovery/due":                              staffMay(access.RecoveryQueue),
	"POST /staff/recovery/exemptions/{id}":                 staffMay(access.RecoveryDecideExem),
	"POST /staff/recovery/proposals/{id}":                  staffMay(access.RecoveryDecidePlan),
	"POST /staff/recovery/bank/entries/{id}":               staffMay(access.RecoveryResolveBank),
	"GET /staff/recovery/bank/files/{id}":                  staffMay(access.RecoveryQueue),
	"GET /staff/bank":                                      staffMay(access.RecoveryImportBank),
	"POST /staff/bank":                                     staffMay(access.RecoveryImportBank),
	"GET /staff/mandates":                                  staffMay(access.MandateLookup),
	"POST /staff/mandates":                                 staffMay(access.MandateLookup),
	"GET /staff/customers":                                 staffMay(access.DeskSearch),
	"POST /staff/customers":                                staffMay(access.DeskSearch),
	"GET /staff/customers/{id}":                            staffMay(access.DeskSearch),
	"POST /staff/customers/{id}":                           staffMay(access.DeskSearch),
	"GET /staff/notices":                                   staffMay(access.DirectoryNotices),
	"POST /staff/notices":                                  staffMay(access.DirectoryNotices),
	"POST /staff/notices/{id}/withdraw":                    staffMay(access.DirectoryNotices),
	"GET /staff/api-clients":                               staffMay(access.APIClients),
	"POST /staff/api-clients":                              staffMay(access.APIClients),
	"POST /staff/api-clients/{id}/revoke":                  staffMay(access.APIClients),
	"GET /staff/eidas":                                     staffMay(access.IdentityLinkEIDAS),
	"POST /staff/eidas/{id}/link":                          staffMay(access.IdentityLinkEIDAS),
	"POST /staff/eidas/links/{id}/{action}":                {staff: true, perm: access.IdentityLinkEIDAS, path: "/staff/eidas/links/" + nobody + "/approve"},
	"GET /staff/pharmacy":                                  staffMay(access.PharmacyCalls),
	"GET /staff/employer":                                  staffMay(access.EmployerDecide),
	"GET /staff/employer/{id}":                             staffMay(access.EmployerDecide),
	"POST /staff/employer/{id}":                            staffMay(access.EmployerDecide),
	"GET /staff/payments/runs":                             staffMay(access.PaymentRun),
	"GET /staff/payments/runs/{id}":                        staffMay(access.PaymentRun),
	"GET /staff/payments/runs/{id}/report.json":            staffMay(access.PaymentRun),
	"GET /staff/payments/returns":                          staffMay(access.PaymentRun),
	"POST /staff/payments/returns/import/{kind}":           {staff: true, perm: access.PaymentRun, path: "/staff/payments/returns/import/status-report"},
	"POST /staff/payments/returns/{id}":                    staffMay(access.PaymentRun),
	"POST /api/v1/authorizations/check":                    {client: true},
	"POST /api/v1/pharmacy/reimbursement-check":            {client: true},
	"POST /api/v1/pharmacy/purchases":                      {client: true},
	"POST /api/v1/pharmacy/purchases/{purchase_id}/cancel": {client: true},
}

// nobody is an ID no row has.
const nobody = "01900000-0000-7000-8000-000000000000"

// registeredRoutes reads the route patterns internal/web registers:
// mux.HandleFunc and mux.Handle calls, and the API's s.apiHandle (client
// credentials; s.apiPublic is public and left out), from the package's
// source, so that every route is found however the server is configured.
func registeredRoutes(t *testing.T) []string {
	t.Helper()
	dir := filepath.Join("..", "..", "internal", "web")
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			arg := -1
			switch sel.Sel.Name {
			case "HandleFunc", "Handle":
				arg = 0
			case "apiHandle":
				arg = 1
			}
			if arg < 0 || len(call.Args) <= arg {
				return true
			}
			lit, ok := call.Args[arg].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			p, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, p)
			return true
		})
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// isStaffRoute: the staff pages and the API operations behind client
// credentials.
func isStaffRoute(pattern string) bool {
	_, p, _ := strings.Cut(pattern, " ")
	return p == "/staff" || strings.HasPrefix(p, "/staff/") || strings.HasPrefix(p, "/api/v1/")
}

// caller is one person the matrix asks as: a staff member of a unit and
// role, a citizen, or nobody.
type caller struct {
	name   string
	actor  access.Actor
	client *http.Client
}

// TestStaffRoleMatrix walks every staff route the server registers, GET and
// POST, as each role of each unit the permission table names (and of a unit
// it does not), as a citizen and as nobody, and checks the answer against
// the permission table: allowed → not 403 and not sent to sign in (and 200
// for a page without IDs in its path); not allowed → 403; a citizen → 403;
// nobody → a redirect to the staff sign-in. The client API answers 401 to
// every session.
func TestStaffRoleMatrix(t *testing.T) {
	routes := registeredRoutes(t)
	var staff []string
	for _, r := range routes {
		if isStaffRoute(r) {
			staff = append(staff, r)
			if _, ok := staffRoutes[r]; !ok {
				t.Errorf("route %q is registered but has no line in staffRoutes: say which permission it needs", r)
			}
		}
	}
	for r := range staffRoutes {
		if !slices.Contains(staff, r) {
			t.Errorf("staffRoutes names %q, which the server no longer registers", r)
		}
	}
	if len(staff) < 30 {
		t.Fatalf("found only %d staff routes in internal/web: the source scan is broken", len(staff))
	}
	if t.Failed() {
		return
	}

	e := startApp(t)
	ctx := context.Background()
	table := access.Default()
	units := map[string]bool{"shared-services": true} // a unit the table names nowhere
	for _, p := range access.Known {
		for _, g := range table.Grants(p) {
			if g.Unit != "*" {
				units[g.Unit] = true
			}
		}
	}
	sessions := auth.NewService(e.db(), auth.Timeouts{Idle: 30 * time.Minute, Absolute: 12 * time.Hour})
	base, _ := url.Parse(e.base)
	client := func(id auth.Identity) *http.Client {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		if id.Kind == "" {
			return c
		}
		token := auth.RandomToken()
		if _, err := sessions.SignIn(ctx, id, auth.HashToken(token), ""); err != nil {
			t.Fatalf("session for %s: %v", id.Subject, err)
		}
		jar.SetCookies(base, []*http.Cookie{{Name: "etuus_session", Value: token, Path: "/"}})
		return c
	}
	var callers []caller
	for _, u := range slices.Sorted(maps.Keys(units)) {
		for _, role := range []string{org.RoleSpecialist, org.RoleManager, org.RoleOperations} {
			sub := "matrix-" + u + "-" + role
			c := client(auth.Identity{Provider: "test-staff", Kind: auth.Staff, Subject: sub, GivenName: "Matrix", FamilyName: "Staff", UnitID: u, Role: role})
			sess, err := sessions.Session(ctx, tokenOf(t, c, base))
			if err != nil {
				t.Fatal(err)
			}
			callers = append(callers, caller{name: u + "/" + role, actor: access.AsStaff(sess.StaffID, u, role), client: c})
		}
	}
	callers = append(callers,
		caller{name: "citizen", actor: access.AsCustomer("demo-person-maija"),
			client: client(auth.Identity{Provider: "test-citizen", Kind: auth.Citizen, Subject: "matrix-maija", HETU: demoHETU(t, e, "demo-person-maija"), GivenName: "Maija", FamilyName: "Meikäläinen"})},
		caller{name: "anonymous", client: client(auth.Identity{})})

	checked := 0
	for _, pattern := range staff {
		g := staffRoutes[pattern]
		method, path, _ := strings.Cut(pattern, " ")
		if g.path != "" {
			path = g.path
		}
		path = fillIDs(path)
		for _, c := range callers {
			var resp *http.Response
			var err error
			if method == http.MethodPost {
				if g.client {
					resp, err = c.client.Post(e.base+path, "application/json", strings.NewReader("{}"))
				} else {
					resp, err = c.client.PostForm(e.base+path, url.Values{})
				}
			} else {
				resp, err = c.client.Get(e.base + path)
			}
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			checked++
			got, loc := resp.StatusCode, resp.Header.Get("Location")
			toSignIn := (got == http.StatusSeeOther || got == http.StatusFound) && strings.HasPrefix(loc, "/staff/login")
			want := ""
			switch {
			case g.public:
				if got >= 400 {
					want = "an answer to anyone"
				}
			case g.client:
				if got != http.StatusUnauthorized {
					want = "401: client credentials only"
				}
			case c.name == "anonymous":
				if !toSignIn {
					want = "a redirect to /staff/login"
				}
			case c.actor.Kind != access.Staff:
				if got != http.StatusForbidden {
					want = "403"
				}
			case g.perm == "" || table.Allows(c.actor, g.perm):
				if got == http.StatusForbidden || toSignIn || got >= 500 ||
					(method == http.MethodGet && !strings.Contains(pattern, "{") && got != http.StatusOK) {
					want = "allowed (" + string(g.perm) + ")"
				}
			default:
				if got != http.StatusForbidden {
					want = "403: the table does not give " + string(g.perm)
				}
			}
			if want != "" {
				t.Errorf("%s as %s: %d %s; want %s", pattern, c.name, got, loc, want)
			}
		}
	}
	t.Logf("%d routes × %d callers: %d answers checked", len(staff), len(callers), checked)
}

// fillIDs puts an ID that names nothing in each {name} of a pattern.
func fillIDs(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, "{") {
			parts[i] = nobody
		}
	}
	return strings.Join(parts, "/")
}

func tokenOf(t *testing.T, c *http.Client, base *url.URL) string {
	t.Helper()
	for _, k := range c.Jar.Cookies(base) {
		if k.Name == "etuus_session" {
			return auth.HashToken(k.Value)
		}
	}
	t.Fatal("no session cookie")
	return ""
}

func demoHETU(t *testing.T, e *running, personID string) string {
	t.Helper()
	p, err := e.db().PersonByID(context.Background(), personID)
	if err != nil {
		t.Fatal(err)
	}
	return p.HETU
}
