package web

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/etuus/etuus/internal/apiclient"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/pharmacy"
)

// The pharmacy counter's API (issue 15). The client's Subject is the
// pharmacy; the customer's identity code travels only in the body. Any
// 503 means "unavailable — use the Kela card fallback and post the
// purchase later"; the service answers it within its timeout.

type apiLineIn struct {
	VNR               string      `json:"vnr"`
	PackagePriceCents json.Number `json:"package_price_cents"`
	Packages          json.Number `json:"packages"`
}

type apiCheckIn struct {
	IdentityCode string      `json:"identity_code"`
	Lines        []apiLineIn `json:"lines"`
}

type apiPurchaseIn struct {
	PurchaseID   string      `json:"purchase_id"`
	IdentityCode string      `json:"identity_code"`
	PurchasedOn  *civil.Date `json:"purchased_on,omitempty"`
	Fallback     bool        `json:"fallback"`
	Lines        []apiLineIn `json:"lines"`
}

type apiLine struct {
	VNR           string `json:"vnr"`
	Name          string `json:"name"`
	Class         string `json:"class"`
	RateBP        int64  `json:"rate_bp"`
	Packages      int    `json:"packages"`
	Price         int64  `json:"price_cents"`
	Deductible    int64  `json:"deductible_cents"`
	CustomerShare int64  `json:"customer_share_cents"`
	Reimbursement int64  `json:"reimbursement_cents"`
	Ceiling       int64  `json:"ceiling_counted_cents"`
	OverCeiling   bool   `json:"over_ceiling"`
}

type apiTotals struct {
	Price         int64 `json:"price_cents"`
	CustomerShare int64 `json:"customer_share_cents"`
	Reimbursement int64 `json:"reimbursement_cents"`
	Deductible    int64 `json:"deductible_cents"`
	Ceiling       int64 `json:"ceiling_counted_cents"`
}

type apiYear struct {
	Year              int   `json:"year"`
	DeductibleCents   int64 `json:"deductible_cents"`
	DeductiblePaid    int64 `json:"deductible_paid_cents"`
	DeductibleLeft    int64 `json:"deductible_left_cents"`
	CeilingCents      int64 `json:"ceiling_cents"`
	CeilingCounted    int64 `json:"ceiling_counted_cents"`
	CeilingLeft       int64 `json:"ceiling_left_cents"`
	OverCeilingCents  int64 `json:"over_ceiling_cents"`
	DeductibleApplies bool  `json:"deductible_applies"`
}

type apiRight struct {
	Kind string      `json:"kind"`
	From civil.Date  `json:"from"`
	To   *civil.Date `json:"to,omitempty"`
}

type apiCheckOut struct {
	PurchaseID string     `json:"purchase_id"`
	Date       civil.Date `json:"date"`
	Direct     bool       `json:"direct_reimbursement"`
	Rights     []apiRight `json:"rights"`
	Before     apiYear    `json:"before"`
	After      apiYear    `json:"after"`
	Lines      []apiLine  `json:"lines"`
	Totals     apiTotals  `json:"totals"`
}

type apiPurchaseOut struct {
	PurchaseID  string     `json:"purchase_id"`
	Status      string     `json:"status"`
	PurchasedOn civil.Date `json:"purchased_on"`
	Fallback    bool       `json:"fallback"`
	Lines       []apiLine  `json:"lines"`
	Totals      apiTotals  `json:"totals"`
}

// pharmacyAPIRoutes registers the counter's operations.
func (s *Server) pharmacyAPIRoutes(mux *http.ServeMux) {
	s.apiHandle(mux, "POST /api/v1/pharmacy/reimbursement-check", apiclient.ScopePharmacy, s.apiPharmacyCheck)
	s.apiHandle(mux, "POST /api/v1/pharmacy/purchases", apiclient.ScopePharmacy, s.apiPharmacyPurchase)
	s.apiHandle(mux, "POST /api/v1/pharmacy/purchases/{purchase_id}/cancel", apiclient.ScopePharmacy, s.apiPharmacyCancel)
}

func callerOf(c apiclient.Client) pharmacy.Caller {
	return pharmacy.Caller{PharmacyID: c.Subject, ClientID: c.ID}
}

// pharmacyService is the counter, or the fallback answer when none runs.
func (s *Server) pharmacyService(w http.ResponseWriter, r *http.Request) *pharmacy.Service {
	if s.cfg.Pharmacy.Service == nil {
		s.apiFail(w, r, &fault.Error{Kind: fault.Unavailable, Key: "pharmacy.error.unavailable"})
	}
	return s.cfg.Pharmacy.Service
}

// pharmacyRequest decodes an operation's body into in and reads its lines;
// when it reports false it has answered the request.
func (s *Server) pharmacyRequest(w http.ResponseWriter, r *http.Request, in any, raw *[]apiLineIn) (*pharmacy.Service, []pharmacy.LineIn, bool) {
	svc := s.pharmacyService(w, r)
	if svc == nil || !s.decodeJSON(w, r, in) {
		return nil, nil, false
	}
	lines, err := linesIn(*raw)
	if err != nil {
		s.apiFail(w, r, err)
		return nil, nil, false
	}
	return svc, lines, true
}

// linesIn reads the lines; a count or price that is not a whole number
// within int64 is refused like one out of range.
func linesIn(in []apiLineIn) ([]pharmacy.LineIn, error) {
	out := make([]pharmacy.LineIn, len(in))
	for i, l := range in {
		data := map[string]any{"Line": i + 1}
		price, err := l.PackagePriceCents.Int64()
		if err != nil {
			data["Max"] = pharmacy.MaxPackageCents / 100
			return nil, fault.InvalidField(fmt.Sprintf("lines[%d].package_price_cents", i), "pharmacy.error.amount", data)
		}
		n, err := l.Packages.Int64()
		if err != nil || n < 1 || n > pharmacy.MaxPackages {
			data["Max"] = pharmacy.MaxPackages
			return nil, fault.InvalidField(fmt.Sprintf("lines[%d].packages", i), "pharmacy.error.packages", data)
		}
		out[i] = pharmacy.LineIn{VNR: l.VNR, PackagePriceCents: price, Packages: int(n)}
	}
	return out, nil
}

func apiLines(ls []pharmacy.Line) []apiLine {
	out := make([]apiLine, len(ls))
	for i, l := range ls {
		out[i] = apiLine{VNR: l.VNR, Name: l.Name, Class: string(l.Class), RateBP: l.RateBP, Packages: l.Packages, Price: l.Price,
			Deductible: l.Deductible, CustomerShare: l.CustomerShare, Reimbursement: l.Reimbursement, Ceiling: l.Ceiling, OverCeiling: l.OverCeiling}
	}
	return out
}

func apiYearOf(res pharmacy.Result, st pharmacy.YearStatus) apiYear {
	y := apiYear{Year: res.Year.Year, DeductibleCents: res.Year.DeductibleCents, DeductiblePaid: st.DeductiblePaid,
		CeilingCents: res.Year.CeilingCents, CeilingCounted: st.CeilingCounted, OverCeilingCents: res.Year.OverCeilingCents,
		CeilingLeft: max(res.Year.CeilingCents-st.CeilingCounted, 0), DeductibleApplies: res.DeductibleApplies}
	if res.DeductibleApplies {
		y.DeductibleLeft = max(res.Year.DeductibleCents-st.DeductiblePaid, 0)
	}
	return y
}

// apiPharmacyCheck answers the counter's question for a customer and the
// medicines on the counter.
func (s *Server) apiPharmacyCheck(w http.ResponseWriter, r *http.Request, c apiclient.Client) {
	var in apiCheckIn
	svc, lines, ok := s.pharmacyRequest(w, r, &in, &in.Lines)
	if !ok {
		return
	}
	chk, err := svc.Check(r.Context(), callerOf(c), pharmacy.CheckRequest{IdentityCode: in.IdentityCode, Lines: lines})
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := apiCheckOut{PurchaseID: chk.PurchaseID, Date: chk.On, Direct: chk.Direct, Rights: []apiRight{},
		Before: apiYearOf(chk.Result, chk.Before), After: apiYearOf(chk.Result, chk.After), Lines: apiLines(chk.Lines),
		Totals: apiTotals{chk.Price, chk.CustomerShare, chk.Reimbursement, chk.Deductible, chk.Ceiling}}
	for _, rt := range chk.Rights {
		if !rt.To.IsZero() && rt.To.Before(chk.On) {
			continue
		}
		ar := apiRight{Kind: rt.Kind, From: rt.From}
		if !rt.To.IsZero() {
			to := rt.To
			ar.To = &to
		}
		out.Rights = append(out.Rights, ar)
	}
	writeJSON(w, http.StatusOK, out)
}

func apiPurchase(p pharmacy.Purchase) apiPurchaseOut {
	return apiPurchaseOut{PurchaseID: p.PurchaseID, Status: p.Status, PurchasedOn: p.PurchasedOn, Fallback: p.Fallback,
		Lines: apiLines(p.Lines), Totals: apiTotals{p.Price, p.CustomerShare, p.Reimbursement, p.Deductible, p.Ceiling}}
}

// apiPharmacyPurchase records a completed purchase, once per purchase ID.
func (s *Server) apiPharmacyPurchase(w http.ResponseWriter, r *http.Request, c apiclient.Client) {
	var in apiPurchaseIn
	svc, lines, ok := s.pharmacyRequest(w, r, &in, &in.Lines)
	if !ok {
		return
	}
	req := pharmacy.PurchaseRequest{PurchaseID: in.PurchaseID, IdentityCode: in.IdentityCode, Fallback: in.Fallback, Lines: lines}
	if in.PurchasedOn != nil {
		req.PurchasedOn = *in.PurchasedOn
	}
	p, err := svc.RecordPurchase(r.Context(), callerOf(c), req)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, apiPurchase(p))
}

// apiPharmacyCancel reverses a purchase the pharmacy recorded.
func (s *Server) apiPharmacyCancel(w http.ResponseWriter, r *http.Request, c apiclient.Client) {
	svc := s.pharmacyService(w, r)
	if svc == nil {
		return
	}
	p, err := svc.Cancel(r.Context(), callerOf(c), r.PathValue("purchase_id"))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiPurchase(p))
}
