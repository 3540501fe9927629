// Package web is etuus's server-rendered user interface: pages for citizens,
// organisations and staff, in Finnish, Swedish and English.
package web

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/apiclient"
	"github.com/etuus/etuus/internal/audit"
	"github.com/etuus/etuus/internal/auth"
	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/desk"
	"github.com/etuus/etuus/internal/directory"
	"github.com/etuus/etuus/internal/employer"
	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/mail/sink"
	"github.com/etuus/etuus/internal/mandate"
	"github.com/etuus/etuus/internal/org"
	"github.com/etuus/etuus/internal/outbox"
	"github.com/etuus/etuus/internal/payment"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/securemail"
)

// Store is what the web front needs of the database.
type Store interface {
	Ping(ctx context.Context) error
	org.Store
	customer.Store
	audit.Store
	auth.Repo
	StaffBySubject(ctx context.Context, subject string) (org.Staff, error)
}

// RecoveryConfig is the Overpayment Recovery Centre's pages: the service
// that does their work and what they show.
type RecoveryConfig struct {
	Service      *recovery.Service
	CreditorName string // the payee's name on payment details
	// MaxBankFileBytes bounds an uploaded statement file.
	MaxBankFileBytes int64
}

// TestTexts is what the development SMS gateway received.
type TestTexts interface {
	Texts() []outbox.SMSText
}

// TestMailbox is what the development SMTP sink received.
type TestMailbox interface {
	Messages() []sink.Received
}

// SecureEmailConfig is the secure e-mail route for customers abroad.
type SecureEmailConfig struct {
	// Service is the route's use cases; required.
	Service *securemail.Service
}

// AuthConfig is sign-in: the providers, what is accepted and how long
// sessions last.
type AuthConfig struct {
	Providers []*auth.RP
	Policy    auth.Policy
	Timeouts  auth.Timeouts
	// Sessions is sign-in and sessions; New makes it from the Store and
	// Timeouts when nil.
	Sessions *auth.Service
}

// Config is the web front's settings, parsed once in main.
type Config struct {
	BaseURL           string // the address users reach, e.g. http://localhost:8080
	Version           string
	MaxBodyBytes      int64    // request body limit for ordinary forms
	FormActionOrigins []string // origins forms may be sent or redirected to (identity providers)
	AccessLog         bool
	Auth              AuthConfig
	SecureEmail       SecureEmailConfig
	// TestMail is the development SMTP sink whose mail /test-mail shows;
	// nil in production.
	TestMail TestMailbox
	// TestSMS is the development SMS gateway whose texts /test-mail shows;
	// nil in production.
	TestSMS  TestTexts
	Recovery RecoveryConfig
	Messages MessagesConfig
	// Access is the staff permission table the pages offer links and forms
	// by (the services check it again); nil: access.Default().
	Access *access.Table
	// Customers links eIDAS identities to customer records.
	Customers *customer.Service
	// Mandates is the mandate register's service; nil: no employer pages.
	Mandates *mandate.Service
	// Employer is the employer e-services' applications; nil leaves their
	// pages out.
	Employer *employer.Service
	// Pharmacy is direct reimbursement at the pharmacy counter.
	Pharmacy PharmacyConfig
	// APIClients checks the JSON API's client credentials and lets staff
	// issue and revoke them; without it the API answers 503.
	APIClients *apiclient.Service
	// Payments is the benefit payments' service; nil leaves its pages out.
	Payments *payment.Service
	// Desk is customer service's search, 360 view and access log.
	Desk *desk.Service
	// Directory publishes disruption notices; nil shows none.
	Directory *directory.Service
	// TrustedProxies are the proxies whose X-Forwarded-For and
	// X-Forwarded-Proto are believed; none by default.
	TrustedProxies TrustedProxies
	// SignInLimit bounds sign-in starts per client address; zero is
	// DefaultSignInLimit.
	SignInLimit RateLimit
	// Extra routes mounted beside the pages, such as the test identity
	// provider: pattern → handler.
	Mount map[string]http.Handler
	// ReadyDetail gives /readyz's lines about other parts (the mail
	// server); nil for none.
	ReadyDetail func() []string
}

// Server is the web front.
type Server struct {
	cfg          Config
	auth         AuthConfig
	store        Store
	catalog      *i18n.Catalog
	log          *slog.Logger
	templates    templates
	metrics      *metrics
	registry     *prometheus.Registry
	uploadLimits map[string]int64
	now          func() time.Time

	orgMu     sync.Mutex
	orgCached time.Time
	orgUnits  []org.Unit
	orgConts  []org.Contact
	// homePages caches the front page as anonymous visitors see it, per
	// language, for as long as the directory it shows is unchanged.
	homePages map[string][]byte
	// folderRows keeps customers' folder rows as rendered.
	folderRows folderRows
	// contents keeps staff queue pages' content as rendered, by what it
	// shows (renderContentCached).
	contents contentCache
	// frames keeps the layout around kept contents (renderFramed).
	frames frameCache
	// waits keeps the queue's wait texts (waited), waitCount counts them.
	waits     sync.Map
	waitCount atomic.Int64
	// buffers are render buffers for reuse.
	buffers sync.Pool
	// signIns limits sign-in starts per client address.
	signIns *limiter
	// uploads bounds each person's message uploads in progress.
	uploads *uploadSlots
	// apiRoutes are the API's patterns, as registered by apiHandle.
	apiRoutes []string
	// board is the disruption notices last read; exceptions the dated
	// changes of opening hours (internal/directory).
	board      noticeBoard
	exceptions []directory.Exception
}

// New builds the web front. Templates are parsed here, so a broken template
// stops start-up instead of failing a user later.
func New(cfg Config, st Store, cat *i18n.Catalog, log *slog.Logger, reg *prometheus.Registry) (*Server, error) {
	ts, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.Auth.Timeouts.Idle == 0 {
		cfg.Auth.Timeouts = auth.Timeouts{Idle: 30 * time.Minute, Absolute: 12 * time.Hour, Warn: 2 * time.Minute}
	}
	if cfg.Auth.Sessions == nil {
		cfg.Auth.Sessions = auth.NewService(st, cfg.Auth.Timeouts)
	}
	if cfg.Recovery.CreditorName == "" {
		cfg.Recovery.CreditorName = "Kela"
	}
	if cfg.Recovery.MaxBankFileBytes == 0 {
		cfg.Recovery.MaxBankFileBytes = 2 << 30
	}
	if cfg.Messages.Service == nil || cfg.SecureEmail.Service == nil {
		return nil, errors.New("web: Config.Messages.Service and Config.SecureEmail.Service are required")
	}
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	if cfg.Access == nil {
		cfg.Access = access.Default()
	}
	units, _, err := org.Reference()
	if err != nil {
		return nil, err
	}
	exceptions, err := directory.BuiltIn(units)
	if err != nil {
		return nil, err
	}
	s := &Server{
		exceptions: exceptions,
		cfg:        cfg,
		auth:       cfg.Auth,
		store:      st,
		catalog:    cat,
		log:        log,
		templates:  ts,
		registry:   reg,
		metrics:    newMetrics(reg),
		uploadLimits: map[string]int64{
			"/staff/bank":     cfg.Recovery.MaxBankFileBytes,
			"/my/messages":    cfg.Messages.uploadLimit(),
			"/staff/messages": cfg.Messages.uploadLimit(),
			// A reply from a secure e-mail reading link takes the same files.
			"/secure-email/r/": cfg.Messages.uploadLimit(),
		},
		now:     time.Now,
		signIns: newLimiter(cfg.SignInLimit),
		uploads: &uploadSlots{max: cmp.Or(cfg.Messages.UploadsPerPerson, DefaultUploadsPerPerson)},
	}
	return s, nil
}

// Handler is the whole web front with its middleware.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routes(mux)
	csrf := http.NewCrossOriginProtection()
	h := routed(mux)
	h = csrf.Handler(h)
	h = s.sameOrigin(h)
	h = s.withSession(h)
	h = s.limitBody(h)
	h = s.secure(h)
	h = s.forwarded(h)
	h = s.observe(h)
	return h
}

func (s *Server) routes(mux *http.ServeMux) {
	s.apiRoutes = nil
	mux.Handle("GET /static/", s.static())
	mux.HandleFunc("GET /favicon.ico", s.favicon)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	// Encoded at most a second before the scrape, in the background while
	// scrapes come (exposition); uncompressed: the body is 12–30 KB, and
	// gzip was a sixth of a scrape's time.
	mux.Handle("GET /metrics", newExposition(s.registry, time.Second))

	mux.HandleFunc("GET /{$}", s.homeShow)
	mux.HandleFunc("GET /lang/{lang}", s.langSet)

	// Pages of fixed text, linked from every page's footer.
	mux.HandleFunc("GET /accessibility", s.infoShow("info.access.title", accessibilityStatement))
	mux.HandleFunc("GET /privacy", s.infoShow("info.privacy.title", privacyNotice))
	mux.HandleFunc("GET /help", s.infoShow("info.help.title", helpPage))

	mux.HandleFunc("GET /login", s.loginShow)
	mux.HandleFunc("GET /staff/login", s.loginShow)
	mux.HandleFunc("GET /login/{provider}", s.loginStart)
	mux.HandleFunc("GET /auth/callback/{provider}", s.loginCallback)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("GET /signed-out", s.signedOut)
	mux.HandleFunc("POST /session/extend", s.sessionExtend)
	mux.HandleFunc("GET /session/status", s.sessionStatus)

	mux.HandleFunc("GET /secure-email", s.secureEmailForm)
	mux.HandleFunc("POST /secure-email", s.secureEmailRequest)
	mux.HandleFunc("GET /secure-email/t/{token}", s.secureEmailWrite)
	mux.HandleFunc("POST /secure-email/t/{token}", s.secureEmailSend)
	mux.HandleFunc("GET /staff/secure-email", s.secureEmailQueue)
	mux.HandleFunc("GET /secure-email/r/{token}", s.secureRead)
	mux.HandleFunc("POST /secure-email/r/{token}", s.secureReply)
	mux.HandleFunc("GET /secure-email/r/{token}/attachments/{aid}", s.secureAttachment)

	mux.HandleFunc("GET /my/messages", s.messageList)
	mux.HandleFunc("GET /my/messages/new", s.messageNew)
	mux.HandleFunc("POST /my/messages", s.messageSend)
	mux.HandleFunc("GET /my/messages/{id}", s.messageThread)
	mux.HandleFunc("POST /my/messages/{id}", s.messageReply)
	mux.HandleFunc("GET /my/messages/{id}/attachments/{aid}", s.messageAttachment)
	mux.HandleFunc("GET /my/notifications", s.notificationsShow)
	mux.HandleFunc("POST /my/notifications", s.notificationsSave)
	mux.HandleFunc("POST /my/notifications/verify", s.notificationsVerify)
	mux.HandleFunc("POST /my/notifications/resend", s.notificationsResend)
	mux.HandleFunc("GET /staff/messages", s.staffMessages)
	mux.HandleFunc("GET /staff/messages/{id}", s.staffThread)
	mux.HandleFunc("POST /staff/messages/{id}", s.staffReply)
	mux.HandleFunc("POST /staff/messages/{id}/{action}", s.staffThreadAction)
	mux.HandleFunc("GET /staff/messages/{id}/attachments/{aid}", s.staffAttachment)

	mux.HandleFunc("GET /my/claims", s.claimList)
	mux.HandleFunc("GET /my/claims/{id}", s.claimShow)
	mux.HandleFunc("GET /my/claims/{id}/slip", s.claimSlip)
	mux.HandleFunc("GET /my/claims/{id}/slip.pdf", s.claimSlipPDF)
	mux.HandleFunc("GET /my/claims/{id}/plan", s.planForm)
	mux.HandleFunc("POST /my/claims/{id}/plan", s.planSubmit)
	mux.HandleFunc("GET /my/claims/{id}/exemption", s.exemptionForm)
	mux.HandleFunc("POST /my/claims/{id}/exemption", s.exemptionSubmit)
	mux.HandleFunc("POST /staff/recovery/exemptions/{id}", s.exemptionDecide)
	// Recovery letters: each decision, reminder, lapsed plan and transfer
	// to enforcement, as a page and a PDF.
	mux.HandleFunc("GET /my/claims/{id}/letters/{letter}", s.letterShow)
	mux.HandleFunc("GET /my/claims/{id}/letters/{letter}/pdf", s.letterPDF)
	mux.HandleFunc("GET /staff/recovery", s.recoveryQueue)
	mux.HandleFunc("GET /staff/recovery/due", s.collectionPreview)
	mux.HandleFunc("POST /staff/recovery/proposals/{id}", s.proposalDecide)
	mux.HandleFunc("POST /staff/recovery/bank/entries/{id}", s.entryResolve)
	mux.HandleFunc("GET /staff/recovery/bank/files/{id}", s.bankFileShow)
	mux.HandleFunc("GET /staff/bank", s.bankForm)
	mux.HandleFunc("POST /staff/bank", s.bankUpload)

	// Mandates and the employer pages (internal/mandate, seed 004).
	mux.HandleFunc("GET /employer", s.employerChooser)
	mux.HandleFunc("GET /employer/diagnosis", s.employerDiagnosis)
	mux.HandleFunc("GET /employer/org/{org}", s.employerOrg)
	mux.HandleFunc("GET /employer/org/{org}/diagnosis", s.employerRefused)
	mux.HandleFunc("GET /employer/requests", s.employerRequests)
	mux.HandleFunc("POST /employer/requests", s.employerRequestSend)
	mux.HandleFunc("POST /employer/requests/{id}/{answer}", s.employerRequestAnswer)
	mux.HandleFunc("GET /staff/mandates", s.staffMandates)
	mux.HandleFunc("POST /staff/mandates", s.staffMandates)

	// Employer e-services (internal/employer): reimbursement of daily
	// allowance paid as salary, the staff queue, the employee's view.
	mux.HandleFunc("GET /employer/org/{org}/applications", s.employerAppList)
	mux.HandleFunc("GET /employer/org/{org}/applications/new", s.employerAppNew)
	mux.HandleFunc("POST /employer/org/{org}/applications", s.employerAppSubmit)
	mux.HandleFunc("GET /employer/org/{org}/applications/{id}", s.employerAppShow)
	mux.HandleFunc("POST /employer/org/{org}/applications/{id}/account", s.employerAppAccount)
	mux.HandleFunc("GET /employer/org/{org}/occupational-healthcare", s.employerOHCList)
	mux.HandleFunc("GET /employer/org/{org}/occupational-healthcare/new", s.employerOHCNew)
	mux.HandleFunc("POST /employer/org/{org}/occupational-healthcare", s.employerOHCSubmit)
	mux.HandleFunc("GET /employer/org/{org}/occupational-healthcare/{id}", s.employerOHCShow)
	mux.HandleFunc("POST /employer/org/{org}/occupational-healthcare/{id}/account", s.employerOHCAccount)
	mux.HandleFunc("GET /my/employer-applications", s.myEmployerApps)
	// The organisation's secure message threads (message.Service's Org
	// methods, issue employer_messages).
	mux.HandleFunc("GET /employer/org/{org}/messages", s.employerMessages)
	mux.HandleFunc("GET /employer/org/{org}/messages/new", s.employerMessageNew)
	mux.HandleFunc("POST /employer/org/{org}/messages", s.employerMessageSend)
	mux.HandleFunc("GET /employer/org/{org}/messages/{id}", s.employerMessageThread)
	mux.HandleFunc("POST /employer/org/{org}/messages/{id}", s.employerMessageReply)
	mux.HandleFunc("GET /staff/employer", s.staffEmployerQueue)
	mux.HandleFunc("GET /staff/employer/{id}", s.staffEmployerApp)
	mux.HandleFunc("POST /staff/employer/{id}", s.staffEmployerDecide)
	s.apiHandle(mux, "POST /api/v1/authorizations/check", apiclient.ScopeAuthorizations, s.apiAuthorizationCheck)
	// Benefit payments (internal/payment): the customer's own only.
	if s.cfg.Payments != nil {
		mux.HandleFunc("GET /my/payments", s.paymentList)
		mux.HandleFunc("GET /my/payments/{id}", s.paymentShow)
		mux.HandleFunc("GET /my/payments/account", s.accountShow)
		mux.HandleFunc("POST /my/payments/account", s.accountSubmit)
		mux.HandleFunc("GET /my/payments/reports/{benefit}", s.reportForm)
		mux.HandleFunc("POST /my/payments/reports/{benefit}", s.reportSubmit)
		// Payment runs and their reports for operations staff (payment_runs.go).
		mux.HandleFunc("GET /staff/payments/runs", s.paymentRuns)
		mux.HandleFunc("GET /staff/payments/runs/{id}", s.paymentRun)
		mux.HandleFunc("GET /staff/payments/runs/{id}/report.json", s.paymentRun)
		// Rejected and returned payments: the staff queue, importing the
		// bank's pain.002 and camt.054 returns, paying again (payment.run).
		mux.HandleFunc("GET /staff/payments/returns", s.paymentReturnsShow)
		mux.HandleFunc("POST /staff/payments/returns/import/{kind}", s.paymentReturnsUpload)
		mux.HandleFunc("POST /staff/payments/returns/{id}", s.paymentRepay)
	}
	// Customer service's desk and the customer's access log (internal/desk).
	mux.HandleFunc("GET /staff/customers", s.deskSearchForm)
	mux.HandleFunc("POST /staff/customers", s.deskSearch)
	mux.HandleFunc("GET /staff/customers/{id}", s.deskOpenForm)
	mux.HandleFunc("POST /staff/customers/{id}", s.deskOpen)
	mux.HandleFunc("GET /my/access-log", s.accessLog)
	// The customer's applications and decision letters (issue 14).
	mux.HandleFunc("GET /my/decisions", s.decisionsShow)
	mux.HandleFunc("GET /directory", s.directoryShow)
	s.apiPublic(mux, "GET /api/v1/directory", s.directoryJSON)
	mux.HandleFunc("GET /status", s.statusShow)
	s.apiPublic(mux, "GET /api/v1/status", s.statusJSON)
	mux.HandleFunc("GET /staff/notices", s.noticesForm)
	mux.HandleFunc("POST /staff/notices", s.noticePublish)
	mux.HandleFunc("POST /staff/notices/{id}/withdraw", s.noticeWithdraw)

	mux.HandleFunc("GET /my", s.myShow)
	mux.HandleFunc("GET /staff", s.staffShow)
	mux.HandleFunc("GET /staff/api-clients", s.apiClientList)
	mux.HandleFunc("POST /staff/api-clients", s.apiClientIssue)
	mux.HandleFunc("POST /staff/api-clients/{id}/revoke", s.apiClientRevoke)

	// The JSON API (api.go): each capability's operations register with
	// s.apiHandle; the OpenAPI document lists them all.
	s.apiRoutes = append(s.apiRoutes, "GET /api/openapi.json")
	mux.HandleFunc("GET /api/openapi.json", s.openAPI)

	// eIDAS identity linking with four eyes (issue 17): propose with a
	// reason, a second staff member approves; withdraw; undo.
	mux.HandleFunc("GET /staff/eidas", s.eidasList)
	mux.HandleFunc("POST /staff/eidas/{id}/link", s.eidasLink)
	mux.HandleFunc("POST /staff/eidas/links/{id}/{action}", s.eidasDecide)
	// Pharmacy direct reimbursement (issue 15): the customer's year, the
	// staff's call history of a pharmacy, and the counter's API
	// (pharmacy_api.go), which answers 503 without the service.
	if s.cfg.Pharmacy.Service != nil {
		mux.HandleFunc("GET /my/pharmacy", s.pharmacyMy)
		mux.HandleFunc("GET /staff/pharmacy", s.pharmacyCalls)
	}
	s.pharmacyAPIRoutes(mux)

	if s.cfg.TestMail != nil || s.cfg.TestSMS != nil {
		mux.HandleFunc("GET /test-mail", s.testMail)
	}
	for pattern, h := range s.cfg.Mount {
		mux.Handle(pattern, h)
	}
	mux.HandleFunc("/", s.notFound)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.renderError(w, r, http.StatusNotFound, "error.not_found")
}

// localizer picks the request's language: the lang cookie, then the
// browser's Accept-Language, then Finnish.
func (s *Server) localizer(r *http.Request) *i18n.Localizer {
	c, _ := r.Cookie("lang")
	v := ""
	if c != nil {
		v = c.Value
	}
	return s.catalog.For(i18n.Match(v, r.Header.Get("Accept-Language")))
}

// viewer is the signed-in user as pages show them, or nil.
func (s *Server) viewer(r *http.Request) *viewer {
	sess := session(r)
	if sess == nil {
		return nil
	}
	v := &viewer{
		Name: sess.Name, Kind: string(sess.Kind), Staff: sess.Kind == auth.Staff,
		IdleSeconds: int(s.auth.Timeouts.Idle.Seconds()), WarnSeconds: int(s.auth.Timeouts.Warn.Seconds()),
		May: mayOf(s.cfg.Access, actorOf(sess)),
	}
	return v
}

// provider finds a configured provider by name.
func (s *Server) provider(name string) *auth.RP {
	for _, rp := range s.auth.Providers {
		if rp.Config.Name == name {
			return rp
		}
	}
	return nil
}

// directory returns the organisation's units and contact points, read from
// the database at most once a minute: they change with a release, not a
// request.
func (s *Server) directory(ctx context.Context) ([]org.Unit, []org.Contact, error) {
	s.orgMu.Lock()
	defer s.orgMu.Unlock()
	if s.orgUnits != nil && s.now().Sub(s.orgCached) < time.Minute {
		return s.orgUnits, s.orgConts, nil
	}
	units, err := s.store.Units(ctx)
	var contacts []org.Contact
	if err == nil {
		contacts, err = s.store.Contacts(ctx)
	}
	if err != nil {
		// Outage mode: the directory last read, or the one built in.
		s.log.Warn("directory not read; serving it from memory", "err", err)
		if s.orgUnits == nil {
			if s.orgUnits, s.orgConts, err = org.Reference(); err != nil {
				return nil, nil, err
			}
		}
		if s.homePages == nil {
			s.homePages = map[string][]byte{}
		}
		s.orgCached = s.now()
		return s.orgUnits, s.orgConts, nil
	}
	s.orgUnits, s.orgConts, s.orgCached = units, contacts, s.now()
	s.homePages = map[string][]byte{}
	return units, contacts, nil
}

// FormActionOrigins are the providers' origins, which a sign-out form is
// redirected to and the Content-Security-Policy must therefore allow.
func (a AuthConfig) FormActionOrigins() []string {
	seen := map[string]bool{}
	var out []string
	for _, rp := range a.Providers {
		u, err := url.Parse(rp.Config.Issuer)
		if err != nil || u.Host == "" {
			continue
		}
		o := u.Scheme + "://" + u.Host
		if !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	return out
}

// SetClock replaces the server's clock; tests use it to move time on.
func (s *Server) SetClock(now func() time.Time) {
	s.now = now
	s.auth.Sessions.SetClock(now)
}
