package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/i18n"
)

// runPayments is `etuus payments status-report FILE` (a pain.002 answering
// our pain.001) and `etuus payments returns FILE` (a camt.054 of the
// payments account with the bank's returns).
func runPayments(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c config
	var p payConfig
	fs := newFlagSet("payments status-report|returns FILE", "status-report reads a pain.002.001.03 payment status report and marks each\npayment the bank rejected as rejected, with the reason, in the staff queue\n(/staff/payments/returns). returns reads a camt.054 of the account benefits\nare paid from and marks the payments the bank sent back as returned. A\nmalformed file, a report for a message or payment that is not ours, or\nanother account's file records nothing and exits 1; the same file again\nchanges nothing.", stderr)
	storageFlags(fs, &c)
	payFlags(fs, &p)
	var lang string
	fs.enumVar(&lang, "lang", "ETUUS_LANG", "en", i18n.Languages, "language of the messages: fi, sv or en")
	if len(args) == 0 || (args[0] != "status-report" && args[0] != "returns") {
		return usageError(fs, "say 'etuus payments status-report FILE' or 'etuus payments returns FILE'")
	}
	sub := args[0]
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError(fs, "give exactly one file")
	}
	cat, err := i18n.Load()
	if err != nil {
		return err
	}
	l := cat.For(lang)
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	db, err := c.openTool(ctx, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	// Recording the bank's answers offsets nothing; the next pay run,
	// with recovery, pays again.
	svc, err := paymentService(&p, db, nil)
	if err != nil {
		return err
	}
	refused := func(err error) error {
		if k := fault.KindOf(err); k == fault.Invalid || k == fault.Conflict {
			return fmt.Errorf("%s: %s", fs.Arg(0), l.T(fault.KeyOf(err), fault.DataOf(err)))
		}
		return err
	}
	if sub == "status-report" {
		res, err := svc.ImportStatusReport(ctx, access.AsSystem("cli"), f)
		if err != nil {
			return refused(err)
		}
		fmt.Fprintf(stdout, "%s: %s\n", fs.Arg(0), l.T("payment.returns.imported_report", res.Counts()))
		return nil
	}
	res, err := svc.ImportReturns(ctx, access.AsSystem("cli"), f)
	if err != nil {
		return refused(err)
	}
	fmt.Fprintf(stdout, "%s: %s\n", fs.Arg(0), l.T("payment.returns.imported_returns", res.Counts()))
	for _, id := range res.Unknown {
		fmt.Fprintf(stdout, "  %s: %s\n", id, l.T("payment.returns.not_ours"))
	}
	return nil
}
