package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/store"
)

func runReconcile(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c config
	fs := newFlagSet("reconcile FILE", "Reads an ISO 20022 camt.054 or camt.053 file and books each credit to the\nclaim its reference names, in one transaction. Entries that cannot be booked\ngo to the staff queue with the reason; a malformed file, another account's\nfile, or a file imported before books nothing and exits 1.", stderr)
	storageFlags(fs, &c)
	recoveryFlags(fs, &c)
	var lang string
	fs.enumVar(&lang, "lang", "ETUUS_LANG", "en", i18n.Languages, "language of the report: fi, sv or en")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError(fs, "give exactly one file")
	}
	name := fs.Arg(0)
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	db, err := c.openTool(ctx, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	cat, err := i18n.Load()
	if err != nil {
		return err
	}
	l := cat.For(lang)
	svc, err := recoveryService(&c, db)
	if err != nil {
		return err
	}
	defer store.TuneForImport()()
	rep, err := svc.ImportStatement(ctx, access.AsSystem("cli"), recovery.StatementFile{Name: filepath.Base(name)}, bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		if k := fault.KindOf(err); k == fault.Invalid || k == fault.Conflict {
			return fmt.Errorf("%s: %s", name, l.T(fault.KeyOf(err), fault.DataOf(err)))
		}
		return err
	}
	fmt.Fprintf(stdout, "%s: %s %d (%s), %s %d, %s %d\n", name,
		l.T("bank.booked"), rep.Booked, euros(rep.BookedCents), l.T("bank.queued"), rep.Queued, l.T("bank.refused"), rep.Refused)
	if len(rep.Lines) > 0 {
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", l.T("bank.line"), l.T("bank.entry"), l.T("claim.reference"), l.T("claim.amount"), l.T("bank.reason"))
		for _, ln := range rep.Lines {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", ln.Line, ln.EntryRef, ln.Reference, euros(ln.AmountCents), l.T(ln.Reason))
		}
		tw.Flush()
		if more := rep.Queued + rep.Refused - len(rep.Lines); more > 0 {
			fmt.Fprintf(stdout, "… (+%d)\n", more)
		}
	}
	return nil
}

func euros(cents int64) string {
	return fmt.Sprintf("%d.%02d €", cents/100, cents%100)
}
