package payment

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/etuus/etuus/internal/iso20022"
)

// Writer is where a run's file is written.
type Writer = io.Writer

// Publisher hands a run's file to the bank's transfer: Publish writes it
// with write and makes it visible under name only when whole, returning its
// SHA-256 in hex. Publishing the same name again with the same bytes must
// be harmless: a run cut short after publishing, before recording it, is
// published again.
type Publisher interface {
	Publish(ctx context.Context, name string, write func(Writer) error) (string, error)
}

// Dir publishes files into a folder the bank's transfer picks them up
// from: written to a hidden temporary name in the folder, synced, then
// renamed to the final name (atomic on one file system) and the folder
// synced. The transfer must ignore names starting with a dot.
type Dir string

// Publish implements Publisher.
func (d Dir) Publish(ctx context.Context, name string, write func(Writer) error) (string, error) {
	if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
		return "", fmt.Errorf("payment: bad file name %q", name)
	}
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return "", err
	}
	tmp := filepath.Join(string(d), "."+name+"."+hex.EncodeToString(rnd[:])+".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp) // gone after the rename; left only on failure
	h := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(f, h), 1<<20)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, filepath.Join(string(d), name)); err != nil {
		return "", err
	}
	if dir, err := os.Open(string(d)); err == nil {
		err = dir.Sync()
		dir.Close()
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Discard publishes nowhere: it writes the file to compute its hash only
// (tests and benchmarks).
type Discard struct{}

// Publish implements Publisher.
func (Discard) Publish(ctx context.Context, name string, write func(Writer) error) (string, error) {
	h := sha256.New()
	bw := bufio.NewWriterSize(h, 1<<16)
	if err := write(bw); err != nil {
		return "", err
	}
	if err := bw.Flush(); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// remittance is the message on the customer's bank statement, in their
// language: the benefit and the period.
func remittance(kind, period, lang string) string {
	names, ok := benefitNames[kind]
	if !ok {
		names = [3]string{kind, kind, kind}
	}
	i := 0
	switch lang {
	case "sv":
		i = 1
	case "en":
		i = 2
	}
	return "Kela " + names[i] + " " + strings.TrimPrefix(period, "report:")
}

// benefitNames are the benefits' names on bank statements (fi, sv, en).
var benefitNames = map[string][3]string{
	"pension":                     {"kansaneläke", "folkpension", "national pension"},
	"guarantee-pension":           {"takuueläke", "garantipension", "guarantee pension"},
	"child-benefit":               {"lapsilisä", "barnbidrag", "child benefit"},
	"housing-allowance":           {"asumistuki", "bostadsbidrag", "housing allowance"},
	"child-maintenance-allowance": {"elatustuki", "underhållsstöd", "maintenance allowance"},
	"backdated":                   {"takautuva etuus", "retroaktiv förmån", "backdated benefit"},
	"unemployment":                {"työttömyysetuus", "arbetslöshetsförmån", "unemployment benefit"},
}

// writeFile writes the run's pain.001 from its recorded payments alone, so
// that writing it again gives the same bytes. The payments are read and
// written one at a time (memory does not grow with the run); the file's
// headers carry the run's recorded count and sum, and a file whose
// payments do not add up to them fails (the publisher throws it away).
func (s *Service) writeFile(ctx context.Context, w io.Writer, r *Run, progress func(int, int)) error {
	step := max(r.Payments/100, 1)
	n := 0
	each := func(fn func(*iso20022.Payment) error) error {
		return s.repo.RunPayments(ctx, r.ID, func(p *Payment) error {
			if progress != nil && n%step == 0 {
				progress(n, r.Payments)
			}
			n++
			text := remittance(p.Kind, p.Period, p.Lang)
			if p.ApplicationID != "" {
				text = employerRemittance(p.Kind, p.ApplicationID)
			}
			return fn(&iso20022.Payment{
				EndToEndID: p.EndToEndID, AmountCents: p.AmountCents,
				CreditorName: truncate(p.Holder, 70), CreditorIBAN: p.IBAN,
				RemittanceText: truncate(text, 140),
			})
		})
	}
	d := s.cfg.Debtor
	in := iso20022.Initiation{
		MessageID: r.MessageID, CreatedAt: r.CreatedAt, InitiatingParty: d.Name, InitiatingPartyID: d.OrgID,
		Batches: []iso20022.Batch{{
			PaymentInfoID: r.MessageID + "-1", RequestedExecutionDate: r.PayDate.String(),
			DebtorName: d.Name, DebtorIBAN: d.IBAN.String(), DebtorBIC: d.BIC,
			Each: each, Count: r.Payments, SumCents: r.TotalCents,
		}},
	}
	if err := iso20022.WritePain001(w, in); err != nil {
		return fmt.Errorf("payment run %d: %w", r.Number, err)
	}
	if progress != nil {
		progress(n, n)
	}
	return nil
}

// truncate cuts s to at most n characters.
func truncate(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
