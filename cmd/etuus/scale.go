package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"time"

	"github.com/etuus/etuus/internal/message"
	"github.com/etuus/etuus/internal/store"
)

// seedScale writes n synthetic customers (etuus seed --scale N) and prints
// what it wrote and how fast.
func seedScale(ctx context.Context, c *config, db *store.DB, n int, seed uint64, stdout io.Writer, log *slog.Logger) error {
	cat, err := c.catalogue(ctx, db)
	if err != nil {
		return err
	}
	if cat == nil {
		units, err := db.Units(ctx)
		if err != nil {
			return err
		}
		if cat, err = message.DefaultCatalogue(message.KnownUnits(units)); err != nil {
			return err
		}
	}
	rules, err := c.rules()
	if err != nil {
		return err
	}
	start := time.Now()
	chunk := 100_000
	if n < chunk {
		chunk = n
	}
	rep, err := db.LoadScale(ctx, store.ScaleOptions{N: n, Seed: seed, Catalogue: cat, Rules: rules, Chunk: chunk,
		Progress: func(done int) {
			log.Info("synthetic customers written", "done", done, "of", n, "elapsed", time.Since(start).Round(time.Second).String())
		}})
	if err != nil {
		return fmt.Errorf("--scale: %w", err)
	}
	took := time.Since(start)
	var total int64
	tables := make([]string, 0, len(rep.Rows))
	for t, rows := range rep.Rows {
		total += rows
		tables = append(tables, t)
	}
	sort.Strings(tables)
	fmt.Fprintf(stdout, "scale batch %d: %d synthetic customers (numbers %d–%d) in %s: %d rows, %.0f rows/s\n",
		rep.Batch, n, rep.First, rep.First+int64(n)-1, took.Round(time.Millisecond), total, float64(total)/took.Seconds())
	for _, t := range tables {
		fmt.Fprintf(stdout, "  %-22s %10d\n", t, rep.Rows[t])
	}
	// The identity code is artificial (individual number 900–999): printed
	// so that benchmarks can sign in as the customer with the longest inbox.
	fmt.Fprintf(stdout, "customer with many threads: %s (artificial identity code %s)\n", rep.Heavy.ID, rep.Heavy.HETU)
	return nil
}
