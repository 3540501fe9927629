package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/store"
)

func runReconcile(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c config
	fs := newFlagSet("reconcile FILE", "Reads an ISO 20022 camt.054 or camt.053 file and books each credit to the\nclaim its reference names. Each bank transaction is booked once, whatever the\nfile or order it comes in; reversals take their payment back. Entries that\ncannot be booked go to the staff queue with the reason. A malformed file,\nanother account's file, or a file imported before books nothing and exits 1;\nan import cut short carries on when the same file is imported again.", stderr)
	storageFlags(fs, &c)
	recoveryFlags(fs, &c)
	var lang string
	var dryRun bool
	fs.enumVar(&lang, "lang", "ETUUS_LANG", "en", i18n.Languages, "language of the report: fi, sv or en")
	fs.boolVar(&dryRun, "dry-run", "", false, "report what would be booked, and write nothing")
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
	// A smaller SQLite page cache: the import's memory is mostly the cache.
	c.dbOptions = append(c.dbOptions, store.ForImport())
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
	rep, err := svc.ImportStatement(ctx, access.AsSystem("cli"), recovery.StatementFile{
		Name: filepath.Base(name), DryRun: dryRun, Progress: progressBar(stderr),
	}, f)
	if err != nil {
		if k := fault.KindOf(err); k == fault.Invalid || k == fault.Conflict {
			return fmt.Errorf("%s: %s", name, l.T(fault.KeyOf(err), fault.DataOf(err)))
		}
		return err
	}
	if rep.DryRun {
		fmt.Fprintf(stdout, "%s: %s\n", name, l.T("bank.dry_run"))
	}
	fmt.Fprintf(stdout, "%s: %s %d (%s), %s %d, %s %d, %s %d, %s %d\n", name,
		l.T("bank.booked"), rep.Booked, euros(rep.BookedCents), l.T("bank.queued"), rep.Queued, l.T("bank.refused"), rep.Refused,
		l.T("bank.reported_again"), rep.ReportedAgain, l.T("bank.reversed"), rep.Reversed)
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

// progressBar draws the import's progress on stderr when it is a terminal,
// and nothing otherwise (a timer's log wants no carriage returns).
func progressBar(w io.Writer) func(done, total int) {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return func(done, total int) {
		const width = 30
		n := width
		if total > 0 {
			n = done * width / total
		}
		fmt.Fprintf(w, "\r[%s%s] %d/%d", strings.Repeat("#", n), strings.Repeat(" ", width-n), done, total)
		if done >= total {
			fmt.Fprintln(w)
		}
	}
}

func euros(cents int64) string {
	return fmt.Sprintf("%d.%02d €", cents/100, cents%100)
}
