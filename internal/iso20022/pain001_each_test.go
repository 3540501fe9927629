package iso20022

import (
	"bytes"
	"errors"
	"testing"
)

// eachOf gives a batch's payments through Batch.Each, with the totals
// declared.
func eachOf(b Batch) Batch {
	ps := b.Payments
	b.Payments = nil
	for _, p := range ps {
		b.Count++
		b.SumCents += p.AmountCents
	}
	b.Each = func(fn func(*Payment) error) error {
		for i := range ps {
			p := ps[i]
			if err := fn(&p); err != nil {
				return err
			}
		}
		return nil
	}
	return b
}

// A batch given by Each is written byte for byte as the same batch given
// by Payments.
func TestWritePain001EachMatchesPayments(t *testing.T) {
	in := sampleInitiation()
	var want bytes.Buffer
	if err := WritePain001(&want, in); err != nil {
		t.Fatal(err)
	}
	for i := range in.Batches {
		in.Batches[i] = eachOf(in.Batches[i])
	}
	var got bytes.Buffer
	if err := WritePain001(&got, in); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Errorf("streamed batch differs:\n%s", got.Bytes())
	}
}

func TestWritePain001EachRefuses(t *testing.T) {
	for name, tc := range map[string]struct {
		change func(b *Batch)
		reason Reason
	}{
		"fewer payments than declared": {func(b *Batch) { b.Count++ }, ReasonTotals},
		"another sum than declared":    {func(b *Batch) { b.SumCents-- }, ReasonTotals},
		"nothing declared":             {func(b *Batch) { b.Count, b.SumCents = 0, 0 }, ReasonTotals},
		"both Payments and Each":       {func(b *Batch) { b.Payments = sampleInitiation().Batches[0].Payments }, ReasonConflict},
		"a bad payment on the way": {func(b *Batch) {
			each := b.Each
			b.Each = func(fn func(*Payment) error) error {
				return each(func(p *Payment) error {
					if p.InstrID == "2" {
						p.CreditorIBAN = "FI00"
					}
					return fn(p)
				})
			}
		}, ReasonFormat},
	} {
		t.Run(name, func(t *testing.T) {
			in := sampleInitiation()
			in.Batches = in.Batches[:1]
			in.Batches[0] = eachOf(in.Batches[0])
			tc.change(&in.Batches[0])
			err := WritePain001(&bytes.Buffer{}, in)
			var e *Error
			if !errors.As(err, &e) || e.Reason != tc.reason {
				t.Fatalf("err = %v, want an *Error with reason %v", err, tc.reason)
			}
			if tc.reason == ReasonFormat && (e.Batch != 1 || e.Payment != 2) {
				t.Errorf("error names batch %d payment %d, want 1 and 2", e.Batch, e.Payment)
			}
		})
	}
}
