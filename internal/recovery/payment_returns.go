package recovery

import (
	"context"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/iso20022"
)

// ReasonPaymentReturn: a credit that is the bank sending back one of the
// institution's own benefit payments (a return, by its end-to-end ID). The
// payment capability records it; it is no customer's repayment and is
// booked to no claim.
const ReasonPaymentReturn = "bank.reason.payment_return"

// PaymentReturns is the hook through which an import hands the returns of
// our own outgoing payments to the payment capability
// (payment.Service.TakeReturns, wired in cmd/etuus). It answers the
// end-to-end IDs it took — returned now, or before.
type PaymentReturns interface {
	TakeReturnsOf(ctx context.Context, a access.Actor, source string, ts []iso20022.Transaction) (map[string]bool, error)
}

// takeReturns hands the chunk's returns to the hook, outside the chunk's
// transaction (the payment capability writes in its own; a chunk cut
// short and booked again hands them again, which records nothing twice).
func (s *Service) takeReturns(ctx context.Context, a access.Actor, source string, chunk []iso20022.Entry) (map[string]bool, error) {
	if s.cfg.PaymentReturns == nil {
		return nil, nil
	}
	var ts []iso20022.Transaction
	for i := range chunk {
		e := &chunk[i]
		for j := range e.Transactions {
			t := &e.Transactions[j]
			if iso20022.IsReturn(e, t) {
				ts = append(ts, *t)
			}
		}
	}
	if len(ts) == 0 {
		return nil, nil
	}
	return s.cfg.PaymentReturns.TakeReturnsOf(ctx, a, source, ts)
}
