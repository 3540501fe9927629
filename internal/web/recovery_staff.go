package web

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/auth"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/recovery"
)

type recoveryQueueData struct {
	Exemptions       []exemptionRow
	ExemptionApprove []string
	ExemptionReject  []string
	Proposals        []recovery.Proposal
	Entries          []recovery.QueuedEntry
	Reasons          []string
	Decided          string
	CanResolve       bool // may book, return or close a queued payment
	// More, for each list longer than the page, how many wait in it
	// ("1000+" past recovery.WaitingCap); empty when all are shown.
	MoreProposals, MoreExemptions, MoreEntries string
	// Typed is what was typed in a refused row's fields, by control id.
	Typed map[string]string
}

// queueNotices are the ?decided= values the work queue confirms; any other
// value shows nothing.
var queueNotices = []string{"approved", "rejected", "exemption_approved", "exemption_rejected", "entry"}

// recoveryQueue is the Centre's work queue: plan proposals and exemption
// applications waiting for a decision, claims the next collection acts on,
// and bank payments that could not be booked by themselves.
func (s *Server) recoveryQueue(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaff(w, r)
	if sess == nil {
		return
	}
	s.showQueue(w, r, sess, http.StatusOK, nil, nil)
}

// showQueue renders the work queue; a decision or resolution refused in
// one of its rows (refusal, its fields named by the row's controls, see
// inRow) is shown in the error summary and beside the row's control, with
// what was typed there.
func (s *Server) showQueue(w http.ResponseWriter, r *http.Request, sess *auth.Session, status int, refusal error, typed map[string]string) {
	q, err := s.cfg.Recovery.Service.WorkQueue(r.Context(), actorOf(sess), recovery.QueuePage)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows := make([]exemptionRow, len(q.Exemptions))
	for i, x := range q.Exemptions {
		rows[i] = exemptionRow{Exemption: x}
		if x.Request.Kind == recovery.ExemptInterest {
			rows[i].Limit, rows[i].HasLimit = recovery.IncomeLimit(x.Request.Children, civil.Of(x.CreatedAt))
		}
	}
	d := recoveryQueueData{Exemptions: rows, ExemptionApprove: recovery.ExemptionApproveReasons,
		ExemptionReject: recovery.ExemptionRejectReasons, Proposals: q.Proposals, Entries: q.Entries,
		Reasons: recovery.PlanRejectReasons, CanResolve: s.cfg.Recovery.Service.MayResolve(actorOf(sess)), Typed: typed}
	d.MoreProposals = moreWaiting(q.Waiting.Proposals, len(q.Proposals))
	d.MoreExemptions = moreWaiting(q.Waiting.Exemptions, len(q.Exemptions))
	d.MoreEntries = moreWaiting(q.Waiting.Entries, len(q.Entries))
	if refusal == nil {
		d.Decided = oneOf(r.URL.Query().Get("decided"), queueNotices)
	}
	s.renderContentCached(w, r, status, "recovery_queue", &page{Title: "recovery.queue.title", Data: d, Err: refusal})
}

// collectionPreview lists the overdue claims the next collection run acts
// on, and what it will do to each.
func (s *Server) collectionPreview(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaff(w, r)
	if sess == nil {
		return
	}
	due, err := s.cfg.Recovery.Service.CollectionPreview(r.Context(), actorOf(sess), recovery.QueuePage)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "recovery_due", &page{Title: "recovery.queue.due", Data: due})
}

// moreWaiting is how many wait in a list of which shown are listed: ""
// when that is all of them, "1000+" past the capped count.
func moreWaiting(waiting, shown int) string {
	switch {
	case waiting <= shown:
		return ""
	case waiting > recovery.WaitingCap:
		return strconv.Itoa(recovery.WaitingCap) + "+"
	}
	return strconv.Itoa(waiting)
}

// refuseInQueue answers a decision or resolution the service refused as
// invalid or already made by showing the queue again with the refusal in
// the row's controls (ids: the control id prefix of each field the
// service names); other errors fail the request.
func (s *Server) refuseInQueue(w http.ResponseWriter, r *http.Request, sess *auth.Session, err error, ids map[string]string, typed map[string]string) {
	if !fault.Is(err, fault.Invalid) && !fault.Is(err, fault.Conflict) {
		s.fail(w, r, err)
		return
	}
	s.showQueue(w, r, sess, fault.KindOf(err).Status(), inRow(err, r.PathValue("id"), ids), typed)
}

// inRow names err's problems by the controls of one table row: the
// field "note" of the row with id 7 is the control "note-7" when ids maps
// "note" to "note". Problems about no field stay so (listed, not linked).
func inRow(err error, id string, ids map[string]string) error {
	var out []error
	for _, e := range fault.All(err) {
		c := *e
		if p, ok := ids[e.Field]; ok {
			c.Field = p + "-" + id
		}
		out = append(out, &c)
	}
	return errors.Join(out...)
}

// proposalDecide approves or rejects a proposal with a reason from the list.
func (s *Server) proposalDecide(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaffMay(w, r, access.RecoveryDecidePlan)
	if sess == nil {
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	decision := r.PostForm.Get("decision")
	ids := map[string]string{"reason": "reason"}
	if decision != "approve" && decision != "reject" {
		s.refuseInQueue(w, r, sess, fault.InvalidField("reason", "recovery.queue.reason_needed", nil), ids, nil)
		return
	}
	approve := decision == "approve"
	if _, err := s.cfg.Recovery.Service.DecidePlan(r.Context(), actorOf(sess), r.PathValue("id"), approve, r.PostForm.Get("reason")); err != nil {
		s.refuseInQueue(w, r, sess, err, ids, nil)
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
	if !s.cfg.Recovery.Service.MayImport(actorOf(sess)) {
		s.renderError(w, r, http.StatusForbidden, "staff.error.unit")
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
	if !s.cfg.Recovery.Service.MayImport(actorOf(sess)) {
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
	rep, err := s.cfg.Recovery.Service.ImportStatement(r.Context(), actorOf(sess), recovery.StatementFile{
		Name: part.FileName(), SHA256: hex.EncodeToString(h.Sum(nil)),
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
	s.render(w, r, status, "bank", &page{L: l, Title: "bank.title", Message: l.T(key, data), Field: "file"})
}

// oneOf is v when it is one of the allowed values, else "".
func oneOf(v string, allowed []string) string {
	if slices.Contains(allowed, v) {
		return v
	}
	return ""
}

// entryResolve books a queued bank payment to a claim staff name, records
// it returned to the payer, or marks it handled, with the reason.
func (s *Server) entryResolve(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaff(w, r)
	if sess == nil {
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	f, id := r.PostForm, r.PathValue("id")
	_, err := s.cfg.Recovery.Service.ResolveEntry(r.Context(), actorOf(sess), id, recovery.Resolution{
		Action: f.Get("action"), Reference: f.Get("reference"), Note: f.Get("note")})
	if err != nil {
		s.refuseInQueue(w, r, sess, err, map[string]string{"action": "act", "reference": "ref", "note": "note"},
			map[string]string{"act-" + id: f.Get("action"), "ref-" + id: f.Get("reference"), "note-" + id: f.Get("note")})
		return
	}
	http.Redirect(w, r, "/staff/recovery?decided=entry", http.StatusSeeOther)
}

// bankFileShow is every transaction of an imported file with what became
// of it: the bulk view of a file.
func (s *Server) bankFileShow(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaff(w, r)
	if sess == nil {
		return
	}
	n := pageParam(r.URL.Query())
	const per = 200
	file, entries, err := s.cfg.Recovery.Service.FileEntries(r.Context(), actorOf(sess), r.PathValue("id"), per+1, (n-1)*per)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	more := len(entries) > per
	if more {
		entries = entries[:per]
	}
	s.render(w, r, http.StatusOK, "bank_file", &page{Title: "bank.file_title", Data: struct {
		File    recovery.BankFileRecord
		Entries []recovery.BankEntry
		Next    int
		More    bool
	}{file, entries, n + 1, more}})
}
