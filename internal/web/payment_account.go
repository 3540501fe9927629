package web

import (
	"net/http"
	"strings"

	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/payment"
)

// accountData is the payment account page: the account, its history, the
// form as typed and, after a change, the day it applies from.
type accountData struct {
	Account payment.Account
	Input   payment.AccountInput
	Changed civil.Date
}

// accountShow is the customer's payment account with the form to change it.
func (s *Server) accountShow(w http.ResponseWriter, r *http.Request) {
	sess := s.requireCustomer(w, r)
	if sess == nil {
		return
	}
	acct, err := s.cfg.Payments.MyAccount(r.Context(), actorOf(sess))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// ?changed= is the day a change just made applies from.
	changed, _ := civil.ParseISO(r.URL.Query().Get("changed"))
	s.render(w, r, http.StatusOK, "payment_account", &page{Title: "payment.account.title",
		Data: accountData{Account: acct, Input: payment.AccountInput{Holder: acct.Holder}, Changed: changed}})
}

// accountSubmit is both steps of a change: without confirm it checks the
// form and shows the masked old and new accounts to confirm; with confirm
// it changes the account and shows the page with the day it applies from.
// Bad input shows the form again with the field and the reason.
func (s *Server) accountSubmit(w http.ResponseWriter, r *http.Request) {
	sess := s.requireCustomer(w, r)
	if sess == nil {
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	a := actorOf(sess)
	in := payment.AccountInput{IBAN: strings.TrimSpace(r.PostForm.Get("iban")), Holder: strings.TrimSpace(r.PostForm.Get("holder"))}
	var err error
	status := http.StatusUnprocessableEntity
	if r.PostForm.Get("confirm") == "" {
		var p payment.AccountPreview
		if p, err = s.cfg.Payments.PreviewAccount(r.Context(), a, in); err == nil {
			s.render(w, r, http.StatusOK, "payment_account_confirm", &page{Title: "payment.account.confirm_heading", Data: p})
			return
		}
	} else {
		var c payment.AccountChange
		if c, err = s.cfg.Payments.ChangeAccount(r.Context(), a, in, r.PostForm.Get("old")); err == nil {
			http.Redirect(w, r, "/my/payments/account?changed="+c.AppliesFrom.String(), http.StatusSeeOther)
			return
		}
	}
	switch {
	case fault.Is(err, fault.Invalid):
	case fault.Is(err, fault.Conflict):
		status = http.StatusConflict
	default:
		s.fail(w, r, err)
		return
	}
	acct, aerr := s.cfg.Payments.MyAccount(r.Context(), a)
	if aerr != nil {
		s.fail(w, r, aerr)
		return
	}
	s.render(w, r, status, "payment_account", &page{Title: "payment.account.title",
		Data: accountData{Account: acct, Input: in}, Err: err})
}
