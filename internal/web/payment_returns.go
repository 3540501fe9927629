package web

import (
	"bytes"
	"io"
	"net/http"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/payment"
)

// returnsPage is the staff page of rejected and returned payments: the
// queue, the forms that import the bank's status reports and returns, and
// on each payment the form that records the corrected account.
type returnsPage struct {
	Queue  []payment.Return
	Done   string         // i18n key of what was just done
	Counts map[string]any // its numbers
	// Form is the return whose account form is refused, ""; Unknown the
	// returns of an import that are not ours.
	Form    string
	Unknown []string
	// Employers is the employers' payments the bank rejected or
	// returned, with what has happened since.
	Employers []payment.EmployerReturn
}

// paymentReturns renders the queue with the page's state.
func (s *Server) paymentReturns(w http.ResponseWriter, r *http.Request, status int, p *page, d returnsPage) {
	sess := s.requireStaffMay(w, r, access.PaymentRun)
	if sess == nil {
		return
	}
	q, err := s.cfg.Payments.ReturnQueue(r.Context(), actorOf(sess), 500)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Queue = q
	if d.Employers, err = s.cfg.Payments.EmployerReturnQueue(r.Context(), actorOf(sess), 500); err != nil {
		s.fail(w, r, err)
		return
	}
	if r.URL.Query().Get("ordered") == "1" && d.Done == "" {
		d.Done = "payment.returns.ordered"
	}
	p.Title, p.Data = "payment.returns.title", d
	s.render(w, r, status, "payment_returns", p)
}

func (s *Server) paymentReturnsShow(w http.ResponseWriter, r *http.Request) {
	s.paymentReturns(w, r, http.StatusOK, &page{}, returnsPage{})
}

// paymentReturnsUpload imports a pain.002 status report or a camt.054 of
// the payments account, as the form's action says.
func (s *Server) paymentReturnsUpload(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaffMay(w, r, access.PaymentRun)
	if sess == nil {
		return
	}
	data, err := uploadedFile(r)
	if err != nil {
		l := s.localizer(r)
		s.paymentReturns(w, r, http.StatusBadRequest, &page{L: l, Message: l.T("bank.error.no_file"), Field: "file"}, returnsPage{})
		return
	}
	var d returnsPage
	kind := r.PathValue("kind")
	if kind != "status-report" && kind != "returns" {
		s.renderError(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	if kind == "status-report" {
		res, ierr := s.cfg.Payments.ImportStatusReport(r.Context(), actorOf(sess), bytes.NewReader(data))
		err = ierr
		d.Done, d.Counts = "payment.returns.imported_report", res.Counts()
	} else {
		res, ierr := s.cfg.Payments.ImportReturns(r.Context(), actorOf(sess), bytes.NewReader(data))
		err = ierr
		d.Done, d.Counts, d.Unknown = "payment.returns.imported_returns", res.Counts(), res.Unknown
	}
	if fault.Is(err, fault.Invalid) {
		l := s.localizer(r)
		s.paymentReturns(w, r, http.StatusUnprocessableEntity, &page{L: l, Message: l.T(fault.KeyOf(err), fault.DataOf(err)), Field: "file"}, returnsPage{})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.paymentReturns(w, r, http.StatusOK, &page{}, d)
}

// uploadedFile is the form's "file" part, read whole (the body limit
// bounds it).
func uploadedFile(r *http.Request) ([]byte, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, err
	}
	for {
		part, err := mr.NextPart()
		if err != nil {
			return nil, err
		}
		if part.FormName() == "file" {
			b, err := io.ReadAll(part)
			if err == nil && len(b) == 0 {
				err = io.ErrUnexpectedEOF
			}
			return b, err
		}
	}
}

// paymentRepay records the corrected account of a rejected or returned
// payment: the next run pays it again.
func (s *Server) paymentRepay(w http.ResponseWriter, r *http.Request) {
	sess := s.requireStaffMay(w, r, access.PaymentRun)
	if sess == nil {
		return
	}
	id := r.PathValue("id")
	_, err := s.cfg.Payments.OrderRepay(r.Context(), actorOf(sess), id, r.PostFormValue("iban"))
	if k := fault.KindOf(err); k == fault.Invalid || k == fault.Conflict {
		s.paymentReturns(w, r, k.Status(), &page{Error: fault.KeyOf(err), Field: "iban", Anchor: "iban-" + id}, returnsPage{Form: id})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/staff/payments/returns?ordered=1", http.StatusSeeOther)
}
