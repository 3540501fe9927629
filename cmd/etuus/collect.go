package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/fault"
	"github.com/etuus/etuus/internal/i18n"
	"github.com/etuus/etuus/internal/recovery"
)

func runCollect(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c config
	fs := newFlagSet("collect", "Runs the Overpayment Recovery Centre's daily collection: sends the reminders\nthe rules call for (with their fees), breaks plans whose instalments are\nmissed, hands claims over to enforcement, and charges interest when it acts\nand once a month on each claim's due-date day.\nIt looks at the claims that are due or changed since it last looked at them.\nRun it once a day from a timer; a second run on the same day changes nothing.", stderr)
	storageFlags(fs, &c)
	recoveryFlags(fs, &c)
	day := fs.String("date", "", "the day to collect for, YYYY-MM-DD; default today in Finland")
	dry := fs.Bool("dry-run", false, "list what the run would do to each claim, and why, and write nothing")
	all := fs.Bool("all", false, "look at every claim still collected, not only those due: once after changing the rule table's reminder or plan rules")
	if err := fs.Parse(args); err != nil {
		return err
	}
	today, err := dayOrToday(fs, *day)
	if err != nil {
		return err
	}
	if _, _, err := c.recovery(); err != nil {
		return err
	}
	db, err := c.openTool(ctx, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	svc, err := recoveryService(&c, db)
	if err != nil {
		return err
	}
	verb := "collected"
	if *dry {
		verb = "dry run, nothing written; would have collected"
	}
	rep, err := svc.CollectWith(ctx, access.AsSystem("collect"), today, recovery.CollectOptions{DryRun: *dry, All: *all})
	if err != nil {
		return err
	}
	if *dry {
		cat, err := i18n.Load()
		if err != nil {
			return err
		}
		l := cat.For("en")
		for _, a := range rep.Actions {
			fmt.Fprintf(stdout, "%s\tinterest %s\t%s\t%s\n", a.Reference, euros(a.Interest), a.Action, l.T(a.Note))
		}
	}
	fmt.Fprintf(stdout, "%s %s: %d claims (%d changed), interest %s on %d, %d reminders (fees %s), %d to enforcement, %d plans broken, %d plans completed, %d waiting for a decision on the customer's application\n",
		verb, today, rep.Claims, rep.Acted, euros(rep.Interest), rep.InterestRuns, rep.Reminders, euros(rep.Fees), rep.Enforcement, rep.PlansBroken, rep.PlansDone, rep.Paused)
	return nil
}

func runHealthcareFees(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c config
	fs := newFlagSet("healthcare-fees FILE", "Creates the higher-education student healthcare fees of a term from a CSV of\nstudents (columns person or hetu, term like 2026S or 2026A, registered date),\nwith the term's fee and due date from the rule table. A file with any bad row,\nor naming a student who is not a customer, creates nothing and exits 1.", stderr)
	storageFlags(fs, &c)
	recoveryFlags(fs, &c)
	var lang string
	fs.enumVar(&lang, "lang", "ETUUS_LANG", "en", i18n.Languages, "language of the messages: fi, sv or en")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError(fs, "give exactly one file")
	}
	_, rules, err := c.recovery()
	if err != nil {
		return err
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
	students, err := recovery.ParseStudentsCSV(f)
	if err != nil {
		var es recovery.CSVErrors
		if errorsAs(err, &es) {
			for _, e := range es {
				fmt.Fprintln(stderr, l.T(e.Key, map[string]any{"Line": e.Line}))
			}
			return fmt.Errorf("%s: %d rows refused; nothing was created", fs.Arg(0), len(es))
		}
		return fmt.Errorf("%s: %s", fs.Arg(0), l.T(fault.KeyOf(err), fault.DataOf(err)))
	}
	db, err := c.openTool(ctx, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	for i := range students {
		s := &students[i]
		if s.PersonID != "" {
			continue
		}
		p, err := db.PersonByHETU(ctx, s.HETU.String())
		if err != nil {
			if fault.Is(err, fault.NotFound) {
				return fmt.Errorf("%s: %s; nothing was created", fs.Arg(0), l.T("recovery.fee.person_unknown", map[string]any{"Line": s.Line}))
			}
			return err
		}
		s.PersonID = p.ID
	}
	claims, err := recovery.HealthcareFees(students, rules)
	if err != nil {
		return err
	}
	svc, err := recoveryService(&c, db)
	if err != nil {
		return err
	}
	n, err := svc.CreateClaims(ctx, access.AsSystem("cli"), claims)
	if fault.Is(err, fault.Conflict) {
		return fmt.Errorf("%s: %s", fs.Arg(0), l.T("recovery.fee.already_charged"))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d healthcare fees created\n", fs.Arg(0), n)
	return nil
}
