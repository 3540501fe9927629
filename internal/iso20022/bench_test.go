package iso20022

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"
)

var benchHeader = Header{
	MessageID:   "BENCH-20240301",
	CreatedAt:   time.Date(2024, 3, 1, 6, 0, 0, 0, time.UTC),
	AccountIBAN: "FI2112345600000785",
	Currency:    "EUR",
}

// benchEntries generates n entries shaped like a day of incoming reference
// payments: mostly single credits with a national or RF reference, every
// tenth a batch of three, every fiftieth a debit.
func benchEntries(n int) iter.Seq[Entry] {
	return func(yield func(Entry) bool) {
		for i := range n {
			id := strconv.Itoa(i + 1)
			e := Entry{
				EntryRef:    id,
				AcctSvcrRef: "240301593497R" + id,
				CreditDebit: Credit,
				Status:      StatusBooked,
				BookingDate: "2024-03-01",
				ValueDate:   "2024-03-01",
			}
			tx := Transaction{
				AmountCents:   int64(1000 + i%50000),
				Reference:     "1234561",
				ReferenceType: "SCOR",
				DebtorName:    "Matti Meikäläinen",
				EndToEndID:    "NOTPROVIDED",
				AcctSvcrRef:   e.AcctSvcrRef,
			}
			switch {
			case i%50 == 49:
				e.CreditDebit = Debit
				tx = Transaction{AmountCents: tx.AmountCents, CreditorName: "Liisa Virtanen", EndToEndID: "PAY-" + id, RemittanceText: "Asumistuki 03/2024"}
				e.Transactions = []Transaction{tx}
			case i%10 == 9:
				rf := tx
				rf.Reference, rf.ReferenceIssuer = "RF9811112", "ISO"
				e.Transactions = []Transaction{tx, rf, tx}
			default:
				e.Transactions = []Transaction{tx}
			}
			for _, t := range e.Transactions {
				e.AmountCents += t.AmountCents
			}
			if !yield(e) {
				return
			}
		}
	}
}

// readCount reads a camt file to the end with NewReader and returns the
// number of entries.
func readCount(b *testing.B, r io.Reader, sample func(int)) int {
	return readCountWith(b, NewReader, r, sample)
}

func readCountWith(b *testing.B, newReader func(io.Reader) (*Reader, error), r io.Reader, sample func(int)) int {
	rd, err := newReader(r)
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for {
		_, err := rd.Next()
		if err == io.EOF {
			return n
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
		if sample != nil {
			sample(n)
		}
	}
}

// BenchmarkReaderCamt054 parses a generated 100 000-entry camt.054 (about
// 150 MB) from memory, in one goroutine, with the scanner NewReader uses
// and with the reference implementation on encoding/xml. Parse only:
// nothing is done with the entries. cpu-µs/entry is the CPU time of the
// whole process (garbage collection included) per entry.
//
//	go test -run '^$' -bench 'ReaderCamt054$' -benchtime 3x ./internal/iso20022/
func BenchmarkReaderCamt054(b *testing.B) {
	const n = 100_000
	var buf bytes.Buffer
	if err := WriteCamt054(&buf, benchHeader, benchEntries(n)); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	for _, impl := range []struct {
		name      string
		newReader func(io.Reader) (*Reader, error)
	}{{"scanner", NewReader}, {"encoding-xml", newReferenceReader}} {
		b.Run(impl.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			cpu := processCPU()
			for b.Loop() {
				if got := readCountWith(b, impl.newReader, bytes.NewReader(data), nil); got != n {
					b.Fatalf("read %d entries, want %d", got, n)
				}
			}
			cpu = processCPU() - cpu
			runtime.ReadMemStats(&after)
			entries := float64(n) * float64(b.N)
			b.ReportMetric(entries/b.Elapsed().Seconds(), "entries/s")
			b.ReportMetric(b.Elapsed().Seconds()/entries*1e6, "µs/entry")
			if cpu > 0 {
				b.ReportMetric(cpu.Seconds()/entries*1e6, "cpu-µs/entry")
			}
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/entries, "allocs/entry")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/entries, "B/entry")
		})
	}
}

// BenchmarkReaderCamt054Million writes a 1 000 000-entry camt.054 to a
// temporary file and reads it back, sampling the heap as it goes: the peak
// must not grow with the file. Run it alone, it takes a while:
//
//	go test -run '^$' -bench Million -benchtime 1x ./internal/iso20022/
func BenchmarkReaderCamt054Million(b *testing.B) {
	const n = 1_000_000
	path := filepath.Join(b.TempDir(), "camt054-1m.xml")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := WriteCamt054(w, benchHeader, benchEntries(n)); err != nil {
		b.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(info.Size())

	runtime.GC()
	var ms runtime.MemStats
	var peak uint64
	sample := func(i int) {
		// ReadMemStats stops the world; every 10 000 entries is plenty to
		// see growth and costs nothing measurable.
		if i%10_000 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		if got := readCount(b, f, sample); got != n {
			b.Fatalf("read %d entries, want %d", got, n)
		}
		f.Close()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(info.Size())/(1<<20), "file-MiB")
}

// BenchmarkWritePain001 writes a payment run of 100 000 payments.
func BenchmarkWritePain001(b *testing.B) {
	const n = 100_000
	in := sampleInitiation()
	template := in.Batches[0].Payments[0]
	in.Batches = in.Batches[:1]
	in.Batches[0].Payments = make([]Payment, n)
	for i := range in.Batches[0].Payments {
		p := template
		p.EndToEndID = fmt.Sprintf("PAY-2024-03-%07d", i)
		in.Batches[0].Payments[i] = p
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := WritePain001(io.Discard, in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "payments/s")
}
