package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/etuus/etuus/internal/customer"
	"github.com/etuus/etuus/internal/fi/bankday"
	"github.com/etuus/etuus/internal/fi/civil"
	"github.com/etuus/etuus/internal/iso20022"
	"github.com/etuus/etuus/internal/payment"
	"github.com/etuus/etuus/internal/recovery"
	"github.com/etuus/etuus/internal/store"
	"github.com/etuus/etuus/internal/store/storetest"
)

// envPayHelper carries the arguments (separated by \x1f) of the `etuus`
// command that TestHelperEtuusProcess runs in a child process.
const envPayHelper = "ETUUS_PAY_HELPER"

// TestHelperEtuusProcess is not a test: it is the etuus process the kill
// test starts and kills — the command's own run function, as main calls it.
func TestHelperEtuusProcess(t *testing.T) {
	arg := os.Getenv(envPayHelper)
	if arg == "" {
		return
	}
	os.Exit(run(context.Background(), strings.Split(arg, "\x1f"), os.Stdout, os.Stderr))
}

// killDays are the pay days the kill test runs, in turn: each brings
// payments of other benefits (housing 1.3, pensions 7.3, child benefit
// 26.3, housing 2.4 …).
var killDays = []string{"2024-03-01", "2024-03-07", "2024-03-08", "2024-03-22", "2024-03-26", "2024-04-02", "2024-04-05", "2024-04-26"}

// TestPayKilled starts `etuus pay` as a child process at least 50 times,
// kills it with SIGKILL at a random moment (selecting, recording, writing
// the file, between the file and its record), and after every kill checks
// the invariants over the database and the published files; at the end
// it runs every day to completion and checks that each payment due was
// made exactly once, in exactly one published file.
func TestPayKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("kills 50 child processes; not in -short")
	}
	t.Run("sqlite", func(t *testing.T) {
		testPayKilled(t, filepath.Join(t.TempDir(), "etuus.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		testPayKilled(t, storetest.PostgresURL(t))
	})
}

func testPayKilled(t *testing.T, dbURL string) {
	ctx := context.Background()
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	benefits := killFixture(t, db, 150)
	approved := addEmployerApps(t, db, 5, 2, 2)
	out := t.TempDir()
	args := func(day string) []string {
		return []string{"pay", "--db", dbURL, "--data", t.TempDir(), "--out", out, "--date", day, "--log-level", "error"}
	}

	// How long a whole run takes here, to spread the kills over it.
	benefits = append(benefits, addBackdated(t, db, 100, bankday.Previous(civil.MustParseISO(killDays[0])))...)
	start := time.Now()
	child := exec.Command(os.Args[0], "-test.run=^TestHelperEtuusProcess$")
	child.Env = append(os.Environ(), envPayHelper+"="+strings.Join(args(killDays[0]), "\x1f"))
	if b, err := child.CombinedOutput(); err != nil {
		t.Fatalf("a whole run: %v\n%s", err, b)
	}
	whole := time.Since(start)
	// est is how long a run is expected to take; each kill lands at a
	// random point inside it.
	est := whole

	const rounds = 50
	killed := 0
	phases := map[string]int{}
	last := int64(0) // the newest run's number
	for i := range rounds {
		day := killDays[(i+1)%len(killDays)]
		// Every round has new work: backdated benefits decided the banking
		// day before, paid on the day.
		benefits = append(benefits, addBackdated(t, db, 40, bankday.Previous(civil.MustParseISO(day)))...)
		// And an employer's application approved, to be paid once by
		// whichever run records next.
		waiting := 0
		if i%3 == 2 {
			waiting = 1
		}
		approved = append(approved, addEmployerApps(t, db, 1, 0, waiting)...)
		child := exec.Command(os.Args[0], "-test.run=^TestHelperEtuusProcess$")
		child.Env = append(os.Environ(), envPayHelper+"="+strings.Join(args(day), "\x1f"))
		begun := time.Now()
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- child.Wait() }()
		var err error
		select {
		case err = <-done:
			// The run ended before its kill: runs take this long now (the
			// first, cold one is slower), so the next kills aim inside it.
			est = time.Since(begun)
		case <-time.After(time.Duration(float64(est) * (0.4 + 0.6*rand.Float64()))):
			child.Process.Signal(syscall.SIGKILL)
			err = <-done
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				killed++
			} else {
				t.Fatalf("round %d: the run failed: %v", i, err)
			}
		}
		checkPaid(t, db, out, false)
		var phase string
		phase, last = killPhase(t, db, out, last)
		phases[phase]++
		if t.Failed() {
			t.Fatalf("round %d (%s) broke the invariants", i, day)
		}
	}
	// Every day once more, to completion: cut runs are finished.
	for _, day := range killDays {
		if code, _, errOut := runCmd(t, args(day)...); code != 0 {
			t.Fatalf("pay %s: %s", day, errOut)
		}
	}
	files := checkPaid(t, db, out, true)
	t.Logf("%d rounds, %d killed mid-run (a whole run takes %v); %d files; state after each kill: %v", rounds, killed, whole.Round(time.Millisecond), files, phases)
	// Where the kills land depends on the machine's speed and load (11 of
	// 50 under CI's load); a few mid-run kills are what the test needs.
	if killed < 3 {
		t.Errorf("only %d of %d rounds were killed mid-run", killed, rounds)
	}

	// Not zero times: each instalment the schedule makes due on the days
	// run has its payment.
	want := map[string]bool{}
	for _, b := range benefits {
		for _, day := range killDays {
			due, _ := payment.DefaultSchedules().DueOn(b, civil.MustParseISO(day))
			for _, d := range due {
				want[b.ID+" "+d.Period] = true
			}
		}
	}
	have := map[string]bool{}
	rows, err := db.SQL().QueryContext(ctx, `SELECT benefit_id, period FROM payments`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var b, p string
		rows.Scan(&b, &p)
		have[b+" "+p] = true
	}
	rows.Close()
	if len(have) != len(want) {
		t.Errorf("%d payments recorded, %d due", len(have), len(want))
	}
	for k := range want {
		if !have[k] {
			t.Errorf("never paid: %s", k)
		}
	}
	// Each approved employer application once (the invariants refuse a
	// payment of any other).
	paidApps := map[string]int{}
	rows, err = db.SQL().QueryContext(ctx, `SELECT application_id FROM employer_payments`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		paidApps[id]++
	}
	rows.Close()
	if len(paidApps) != len(approved) {
		t.Errorf("%d employer applications paid, %d approved", len(paidApps), len(approved))
	}
	for _, id := range approved {
		if paidApps[id] != 1 {
			t.Errorf("employer application %s paid %d times", id, paidApps[id])
		}
	}
}

// addEmployerApps stores approved (every other one for occupational
// healthcare), refused and waiting employer applications of one
// organisation, as staff's decisions leave them
// (written directly: the employer service would need the mandate
// register), and returns the approved ones' IDs.
func addEmployerApps(t *testing.T, db *store.DB, approved, refused, waiting int) []string {
	t.Helper()
	ctx := context.Background()
	const org = "2077474-0"
	now := time.Now().UTC()
	if _, err := db.SQL().ExecContext(ctx, `INSERT INTO organisations (id, business_id, name, created_at)
		VALUES ('kill-org', $1, 'Kill Test Oy', $2) ON CONFLICT (business_id) DO NOTHING`, org, now); err != nil {
		t.Fatal(err)
	}
	p := customer.Person{GivenName: "Pay", FamilyName: "Roll"}
	if err := db.CreatePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	var ids []string
	add := func(status string, amount int64, reason string) {
		id := store.NewID()
		if _, err := db.SQL().ExecContext(ctx, `INSERT INTO employer_applications (id, org_id, kind, benefit, employee_hetu,
			period_start, period_end, salary_cents, iban, status, amount_cents, reason, submitted_by, created_at, decided_at, decided_by)
			VALUES ($1, $2, 'daily_allowance', 'sickness', '100871-998D', $3, $4, 250000, 'FI4250001510000023', $5, $6, $7, $8, $9, $9, 'kill-staff')`,
			id, org, civil.New(2024, 1, 8), civil.New(2024, 1, 19), status, amount, reason, p.ID, now); err != nil {
			t.Fatal(err)
		}
		if status == "approved" {
			ids = append(ids, id)
		}
	}
	// Every other approved one is an occupational-healthcare application
	// (one workplace's accounting period, claimed 3,000 €): the run pays
	// both kinds by application ID alike.
	addOHC := func(i int, amount int64) {
		id := store.NewID()
		if _, err := db.SQL().ExecContext(ctx, `INSERT INTO employer_applications (id, org_id, kind, benefit, employee_hetu,
			period_start, period_end, salary_cents, workplace, employees, class1_cents, iban, status, amount_cents,
			submitted_by, created_at, decided_at, decided_by)
			VALUES ($1, $2, 'occupational_healthcare', '', '', $3, $4, 0, $5, 3, 500000, 'FI4250001510000023', 'approved', $6,
			$7, $8, $8, 'kill-staff')`,
			id, org, civil.New(2024, 1, 1), civil.New(2024, 12, 31), fmt.Sprint(1000+i), amount, p.ID, now); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	for i := range approved {
		if i%2 == 1 {
			addOHC(i, 150000+int64(i))
			continue
		}
		add("approved", 150000+int64(i), "")
	}
	for range refused {
		add("refused", 0, "Ei oikeutta")
	}
	for range waiting {
		add("pending", 0, "")
	}
	return ids
}

// addBackdated adds n backdated benefits decided on the day, each of a
// new customer.
func addBackdated(t *testing.T, db *store.DB, n int, decided civil.Date) []payment.Benefit {
	t.Helper()
	ctx := context.Background()
	bs := make([]payment.Benefit, n)
	for i := range bs {
		p := customer.Person{GivenName: "Back", FamilyName: "Dated"}
		if err := db.CreatePerson(ctx, &p); err != nil {
			t.Fatal(err)
		}
		bs[i] = payment.Benefit{PersonID: p.ID, Kind: "backdated", AmountCents: 12000 + int64(i), IBAN: "FI1410093000123458",
			Starts: decided.AddDays(-90), Decided: decided}
		if err := db.AddBenefit(ctx, &bs[i]); err != nil {
			t.Fatal(err)
		}
	}
	return bs
}

// killPhase names the state a killed run left: nothing recorded (killed
// starting, selecting or recording), recorded but not published (killed
// writing the file), published but not recorded as such (killed between
// the rename and the record), or done.
func killPhase(t *testing.T, db *store.DB, out string, last int64) (string, int64) {
	t.Helper()
	runs, err := db.Payment().Runs(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) == 0 || runs[0].Number == last && runs[0].Status == payment.RunPublished {
		return "nothing recorded", last
	}
	r := runs[0]
	if r.Status == payment.RunPublished {
		return "published", r.Number
	}
	if _, err := os.Stat(filepath.Join(out, r.FileName)); err == nil {
		return "file published, run not marked", r.Number
	}
	return "recorded, file not published", r.Number
}

// killFixture makes n customers with a pension, a child benefit and every
// other one a housing allowance.
func killFixture(t *testing.T, db *store.DB, n int) []payment.Benefit {
	t.Helper()
	ctx := context.Background()
	var bs []payment.Benefit
	for i := range n {
		p := customer.Person{GivenName: "Kill", FamilyName: fmt.Sprintf("Test %d", i)}
		if err := db.CreatePerson(ctx, &p); err != nil {
			t.Fatal(err)
		}
		mine := []payment.Benefit{
			{PersonID: p.ID, Kind: "pension", AmountCents: 70000 + int64(i), IBAN: "FI4950009420028730", Starts: civil.New(2024, 1, 1)},
			{PersonID: p.ID, Kind: "child-benefit", AmountCents: 9491, IBAN: "FI4950009420028730", Starts: civil.New(2024, 1, 1)},
		}
		if i%2 == 0 {
			mine = append(mine, payment.Benefit{PersonID: p.ID, Kind: "housing-allowance", AmountCents: 31000, IBAN: "FI1410093000123458", Starts: civil.New(2024, 2, 1)})
		}
		if i%5 == 0 {
			// An overdue overpayment: the runs offset from this person's
			// payments, in the transaction a kill may cut.
			c := recovery.Claim{PersonID: p.ID, Kind: recovery.Overpayment, Principal: 300000 + int64(i), DueDate: civil.New(2024, 1, 15)}
			if err := db.CreateClaim(ctx, &c); err != nil {
				t.Fatal(err)
			}
		}
		for j := range mine {
			if err := db.AddBenefit(ctx, &mine[j]); err != nil {
				t.Fatal(err)
			}
		}
		bs = append(bs, mine...)
	}
	return bs
}

// checkPaid checks the database's invariants and the published files: a
// published run's file is there with its hash; every file published is a
// recorded run's (one cut short may have published before its record);
// no payment is in two files. With done, every run is published and every
// payment is in its run's file. It returns the number of files.
func checkPaid(t *testing.T, db *store.DB, out string, done bool) int {
	t.Helper()
	for _, v := range storetest.Violations(t, db) {
		t.Error(v)
	}
	runs, err := db.Payment().Runs(context.Background(), 100000)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]payment.Run{}
	for _, r := range runs {
		byName[r.FileName] = r
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	files := 0
	// What each payment pays out (after its offset), by end-to-end ID.
	amounts := map[string]int64{}
	rows, err := db.SQL().Query(`SELECT end_to_end_id, amount_cents FROM payments
		UNION ALL SELECT end_to_end_id, amount_cents FROM employer_payments`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var cents int64
		if err := rows.Scan(&id, &cents); err != nil {
			t.Fatal(err)
		}
		amounts[id] = cents
	}
	rows.Close()
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue // a temporary file of a killed run: never picked up
		}
		files++
		r, ok := byName[e.Name()]
		if !ok {
			t.Errorf("file %s is no recorded run's", e.Name())
			continue
		}
		b, err := os.ReadFile(filepath.Join(out, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if r.Status == payment.RunPublished && hex.EncodeToString(sum[:]) != r.SHA256 {
			t.Errorf("file %s differs from the one recorded", e.Name())
		}
		in, err := iso20022.ReadPain001(strings.NewReader(string(b)))
		if err != nil {
			t.Errorf("file %s: %v", e.Name(), err)
			continue
		}
		n := 0
		for _, batch := range in.Batches {
			for _, p := range batch.Payments {
				if prev, dup := seen[p.EndToEndID]; dup {
					t.Errorf("payment %s in %s and %s", p.EndToEndID, prev, e.Name())
				}
				seen[p.EndToEndID] = e.Name()
				if amounts[p.EndToEndID] != p.AmountCents {
					t.Errorf("payment %s pays %d in %s, %d recorded", p.EndToEndID, p.AmountCents, e.Name(), amounts[p.EndToEndID])
				}
				n++
			}
		}
		if n != r.Payments {
			t.Errorf("file %s has %d payments, its run %d", e.Name(), n, r.Payments)
		}
	}
	for _, r := range runs {
		if r.Status == payment.RunPublished {
			if _, err := os.Stat(filepath.Join(out, r.FileName)); err != nil {
				t.Errorf("run %d published without its file: %v", r.Number, err)
			}
		} else if done {
			t.Errorf("run %d left %s", r.Number, r.Status)
		}
	}
	if done {
		var n int
		if err := db.SQL().QueryRow(`SELECT (SELECT COUNT(*) FROM payments) + (SELECT COUNT(*) FROM employer_payments)`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != len(seen) {
			t.Errorf("%d payments recorded, %d in the files", n, len(seen))
		}
		var offsets int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM payment_offsets`).Scan(&offsets); err != nil {
			t.Fatal(err)
		}
		if offsets == 0 {
			t.Error("no payment was offset")
		}
	}
	return files
}
