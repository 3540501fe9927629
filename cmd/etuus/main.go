// Command etuus runs the etuus e-service and back office: the web front, the
// batch worker and the operators' tools.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the e-service", runServe},
		{"worker", "send the outbox's e-mail and SMS notices, apart from the web front", runWorker},
		{"migrate", "bring the database schema up to date", runMigrate},
		{"seed", "write the reference data and, with --demo, the demo data", runSeed},
		{"reconcile", "book a camt.054 or camt.053 bank file's payments to claims by reference", runReconcile},
		{"pay", "run the benefit payments of a pay day and publish their pain.001 file", runPay},
		{"payments", "the bank's answers: 'etuus payments status-report FILE' (pain.002), 'etuus payments returns FILE' (camt.054)", runPayments},
		{"collect", "run the Recovery Centre's daily collection: interest, reminders, enforcement", runCollect},
		{"healthcare-fees", "create a term's student healthcare fees from a CSV of students", runHealthcareFees},
		{"mandates", "mandate register tools: 'etuus mandates import FILE' loads a feed of the register", runMandates},
		{"api-client", "issue, list and revoke the JSON API's client secrets", runAPIClient},
		{"audit", "audit log tools: 'etuus audit verify' checks the hash chain", runAudit},
		{"version", "print the version", runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// exitError carries an exit code other than 1.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		}
		fmt.Fprintf(stderr, "etuus %s: %s\n", c.name, oneLine(err.Error()))
		var ee *exitError
		if errors.As(err, &ee) {
			return ee.code
		}
		return 1
	}
	fmt.Fprintf(stderr, "etuus: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

// oneLine folds a multi-line error (pgx lists every address it tried) into
// the single line an operator reads first.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "etuus — social insurance e-services and back office")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: etuus COMMAND [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'etuus COMMAND --help' for a command's flags. Every flag can also be")
	fmt.Fprintln(w, "set by an ETUUS_* environment variable, named in the flag's help.")
}

func runVersion(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", "print the version", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "etuus", version)
	return nil
}
