package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/store"
)

// RejectReasons are the reasons a staff member can give for rejecting a
// payment plan; each is a translated template text.
var RejectReasons = []string{"plan.reject.amount", "plan.reject.earlier_broken", "plan.reject.enforcement", "plan.reject.other"}

type recoveryQueueData struct {
	Due              []store.DueClaim
	Exemptions       []exemptionRow
	ExemptionApprove []string
	ExemptionReject  []string
	Proposals        []store.Proposal
	Entries          []store.QueuedEntry
	Reasons          []string
	Decided          string
}

// recoveryQueue is the Centre's work queue: plan proposals waiting for a
// decision and bank payments that could not be booked by themselves.
// Reading it reads personal data: each customer shown is audited.
func (s *Server) recoveryQueue(w http.ResponseWriter, r *http.Request) {
	sess := s.requireUnitStaff(w, r, "recovery")
	if sess == nil {
		return
	}
	ps, err := s.store.PendingProposals(r.Context(), 200)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	es, err := s.store.QueuedEntries(r.Context(), 200)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	xs, err := s.store.PendingExemptions(r.Context(), 200)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	due, err := s.store.DueForCollection(r.Context(), s.today(), s.cfg.Recovery.Rules, 50)
	if err != nil {
		s.fail(w, r, err)
		return
	}

	seen := map[string]bool{}
	var ids []string
	for _, p := range ps {
		if !seen[p.PersonID] {
			seen[p.PersonID] = true
			ids = append(ids, p.PersonID)
		}
	}
	rows := make([]exemptionRow, len(xs))
	for i, x := range xs {
		rows[i] = exemptionRow{Exemption: x}
		if x.Request.Kind == recovery.ExemptInterest {
			rows[i].Limit, rows[i].HasLimit = recovery.IncomeLimit(x.Request.Children, civil.Of(x.CreatedAt))
		}
		if !seen[x.PersonID] {
			seen[x.PersonID] = true
			ids = append(ids, x.PersonID)
		}
	}
	for _, d := range due {
		if !seen[d.Claim.PersonID] {
			seen[d.Claim.PersonID] = true
			ids = append(ids, d.Claim.PersonID)
		}
	}
	if err := s.store.AuditStaffRead(r.Context(), sess.StaffID, "staff.view_recovery_queue", ids...); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "recovery_queue", &page{Title: "recovery.queue.title",
		Data: recoveryQueueData{Due: due, Exemptions: rows, ExemptionApprove: ExemptionApproveReasons, ExemptionReject: ExemptionRejectReasons, Proposals: ps, Entries: es,
			Reasons: RejectReasons, Decided: r.URL.Query().Get("decided")}})
}

// proposalDecide approves or rejects a proposal with a reason from the list.
func (s *Server) proposalDecide(w http.ResponseWriter, r *http.Request) {
	sess := s.requireUnitStaff(w, r, "recovery")
	if sess == nil {
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	approve := r.PostForm.Get("decision") == "approve"
	reason := r.PostForm.Get("reason")
	if !approve {
		ok := false
		for _, x := range RejectReasons {
			ok = ok || x == reason
		}
		if !ok || r.PostForm.Get("decision") != "reject" {
			s.renderError(w, r, http.StatusUnprocessableEntity, "recovery.queue.reason_needed")
			return
		}
	} else {
		reason = ""
	}
	if err := s.store.DecideProposal(r.Context(), sess.StaffID, r.PathValue("id"), approve, reason); err != nil {
		s.fail(w, r, err)
		return
	}
	what := "rejected"
	if approve {
		what = "approved"
	}
	http.Redirect(w, r, "/staff/recovery?decided="+what, http.StatusSeeOther)
}

func (s *Server) bankForm(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaff(w, r)
	if sess == nil {
		return
	}
	s.render(w, r, http.StatusOK, "bank", &page{Title: "bank.title"})
}

// bankUpload imports a bank statement file sent by staff. The file is
// spooled to disk while its hash is taken, so a large file never sits in
// memory, and then booked in one transaction.
func (s *Server) bankUpload(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaff(w, r)
	if sess == nil {
		return
	}
	if sess.Role != "operations" && sess.UnitID != "recovery" {
		s.renderError(w, r, http.StatusForbidden, "staff.error.unit")
		return
	}
	// A bank file can be large: give the upload and the booking time
	// beyond the server's usual deadlines.
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Now().Add(30 * time.Minute))
	rc.SetWriteDeadline(time.Now().Add(30 * time.Minute))
	mr, err := r.MultipartReader()
	if err != nil {
		s.renderBankErr(w, r, http.StatusBadRequest, "bank.error.no_file", nil)
		return
	}
	part, err := mr.NextPart()
	for err == nil && part.FormName() != "file" {
		part, err = mr.NextPart()
	}
	if err != nil {
		s.renderBankErr(w, r, http.StatusBadRequest, "bank.error.no_file", nil)
		return
	}
	tmp, err := os.CreateTemp("", "etuus-bank-*.xml")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), part)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errorsAs(err, &tooBig) {
			s.renderBankErr(w, r, http.StatusRequestEntityTooLarge, "error.too_large", nil)
			return
		}
		s.renderBankErr(w, r, http.StatusBadRequest, "bank.error.no_file", nil)
		return
	}
	if n == 0 {
		s.renderBankErr(w, r, http.StatusBadRequest, "bank.error.no_file", nil)
		return
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		s.fail(w, r, err)
		return
	}
	rep, err := s.store.ImportBankFile(r.Context(), store.BankFile{
		Name: part.FileName(), SHA256: hex.EncodeToString(h.Sum(nil)), By: sess.StaffID, Creditor: s.cfg.Recovery.Creditor,
	}, tmp)
	if err != nil {
		k := fault.KindOf(err)
		if k == fault.Invalid || k == fault.Conflict {
			s.renderBankErr(w, r, k.Status(), fault.KeyOf(err), fault.DataOf(err))
			return
		}
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "bank_report", &page{Title: "bank.report_title", Data: rep})
}

func (s *Server) renderBankErr(w http.ResponseWriter, r *http.Request, status int, key string, data map[string]any) {
	l := s.localizer(r)
	s.render(w, r, status, "bank", &page{L: l, Title: "bank.title", Message: l.T(key, data)})
}
