package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/etuus/etuus/internal/access"
	"github.com/etuus/etuus/internal/apiclient"
	"github.com/etuus/etuus/internal/fault"
)

// runAPIClient is `etuus api-client issue|list|revoke`: the same use cases
// as the staff page /staff/api-clients, by an operator at the console.
func runAPIClient(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := func() {
		fmt.Fprintln(stderr, "Usage: etuus api-client issue --name NAME --subject ID --scope SCOPE[,SCOPE] [flags]\n       etuus api-client list [flags]\n       etuus api-client revoke [flags] CLIENT-ID")
	}
	if len(args) == 0 {
		usage()
		return &exitError{code: 2, err: errors.New("name a command: issue, list or revoke")}
	}
	var c config
	sub := args[0]
	var fs *flagSet
	switch sub {
	case "issue":
		fs = newFlagSet("api-client issue", "Issues a client secret for the JSON API and prints it once; only its hash is kept.", stderr)
	case "list":
		fs = newFlagSet("api-client list", "Lists the API's clients, newest first.", stderr)
	case "revoke":
		fs = newFlagSet("api-client revoke", "Revokes a client's secret; servers stop accepting it within 5 seconds.", stderr)
	case "-h", "--help":
		usage()
		return flag.ErrHelp
	default:
		usage()
		return &exitError{code: 2, err: fmt.Errorf("unknown api-client command %q: use issue, list or revoke", sub)}
	}
	storageFlags(fs, &c)
	name := fs.String("name", "", "issue: what staff call the client, e.g. \"Apteekki Keskusta, kassa\"")
	subject := fs.String("subject", "", "issue: whom the client speaks for: a pharmacy's ID or a partner's business ID")
	scopes := fs.String("scope", "", "issue: comma-separated scopes: "+strings.Join(apiclient.Scopes, ", "))
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if sub == "revoke" && fs.NArg() != 1 {
		return usageError(fs, "revoke takes one client ID")
	}
	if sub != "revoke" && fs.NArg() != 0 {
		return usageError(fs, "unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	db, err := c.openExisting(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := apiclient.NewService(db.APIClients(), access.Default())
	actor := access.AsSystem("cli")
	switch sub {
	case "issue":
		var list []string
		for _, s := range strings.Split(*scopes, ",") {
			if s = strings.TrimSpace(s); s != "" {
				list = append(list, s)
			}
		}
		cl, secret, err := svc.Issue(ctx, actor, *name, *subject, list)
		if fault.Is(err, fault.Invalid) {
			return usageError(fs, "%s: %s", fault.FieldOf(err), map[string]string{
				"name": "--name is required (at most 200 characters)", "subject": "--subject is required (at most 100 characters)",
				"scopes": "--scope must name one or more of " + strings.Join(apiclient.Scopes, ", "),
			}[fault.FieldOf(err)])
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "client %s issued for %s with %s\nsecret (shown once): %s\n", cl.ID, cl.Subject, strings.Join(cl.Scopes, ","), secret)
	case "list":
		cs, err := svc.List(ctx, actor)
		if err != nil {
			return err
		}
		for _, cl := range cs {
			state := "active until " + cl.ExpiresAt().UTC().Format(time.RFC3339)
			switch {
			case cl.Revoked():
				state = "revoked " + cl.RevokedAt.UTC().Format(time.RFC3339)
			case cl.Expired(time.Now()):
				state = "expired " + cl.ExpiresAt().UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\t%s\n", cl.ID, cl.Subject, strings.Join(cl.Scopes, ","), state, cl.Name)
		}
	case "revoke":
		cl, err := svc.Revoke(ctx, actor, fs.Arg(0))
		switch {
		case fault.Is(err, fault.NotFound):
			return &exitError{code: 1, err: fmt.Errorf("no API client %s", fs.Arg(0))}
		case fault.Is(err, fault.Conflict):
			return &exitError{code: 1, err: fmt.Errorf("API client %s was revoked already", fs.Arg(0))}
		case err != nil:
			return err
		}
		fmt.Fprintf(stdout, "client %s revoked\n", cl.ID)
	}
	return nil
}
