package iso20022

// IsReturn reports whether a transaction of a camt entry is a payment of
// ours sent back by the bank: a booked credit naming the original
// end-to-end ID, with a return reason (RtrInf) or as the reversal of a
// debit (RvslInd on a credit).
func IsReturn(e *Entry, t *Transaction) bool {
	return e.Status == StatusBooked && e.CreditDebit == Credit && t.EndToEndID != "" && (t.ReturnReason != "" || e.Reversal)
}
