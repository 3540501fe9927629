package recovery

import "testing"

func TestNextAction(t *testing.T) {
	rules := DefaultRules()
	due := d("2025-03-17")
	overpayment := Claim{Kind: Overpayment, Principal: euro(400), DueDate: due, Status: Open}
	reminded := overpayment
	reminded.Status = Reminded
	fee := Claim{Kind: HealthcareFee, Principal: 3560, DueDate: due, Status: Open}
	support := Claim{Kind: ChildSupport, Principal: euro(400), DueDate: due, Status: Open}
	loan := Claim{Kind: StudentLoan, Principal: euro(400), DueDate: due, Status: Open}
	reminder := func(on string) Event { return Event{On: d(on), Kind: EventReminder} }

	tests := []struct {
		name     string
		claim    Claim
		history  []Event
		today    string
		kind     ActionKind
		reminder int
		fee      int64
		next     string
	}{
		{"before the due date", overpayment, nil, "2025-03-10", ActNone, 0, 0, "2025-03-31"},
		{"13 days late: not yet", overpayment, nil, "2025-03-30", ActNone, 0, 0, "2025-03-31"},
		{"14 days late: first reminder", overpayment, nil, "2025-03-31", ActReminder, 1, 0, ""},
		{"overpayments get a second reminder", reminded, []Event{reminder("2025-03-31")}, "2025-04-14", ActReminder, 2, 0, ""},
		{"waiting for the second", reminded, []Event{reminder("2025-03-31")}, "2025-04-13", ActNone, 0, 0, "2025-04-14"},
		{"after two reminders: wait", reminded, []Event{reminder("2025-03-31"), reminder("2025-04-14")}, "2025-04-27", ActNone, 0, 0, "2025-04-28"},
		{"after two reminders: enforcement", reminded, []Event{reminder("2025-03-31"), reminder("2025-04-14")}, "2025-04-28", ActEnforcement, 0, 0, ""},
		{"healthcare fee: one reminder with a 5 € fee", fee, nil, "2025-03-31", ActReminder, 1, 500, ""},
		{"healthcare fee: then enforcement", fee, []Event{reminder("2025-03-31")}, "2025-04-14", ActEnforcement, 0, 0, ""},
		// Child support debt goes to enforcement without a separate
		// payment demand, 14 days after the due date.
		{"child support: 13 days late, no reminder", support, nil, "2025-03-30", ActNone, 0, 0, "2025-03-31"},
		{"child support: 14 days late, enforcement", support, nil, "2025-03-31", ActEnforcement, 0, 0, ""},
		{"child support reminded under the old rule: enforcement 14 days after", support, []Event{reminder("2025-04-01")}, "2025-04-14", ActNone, 0, 0, "2025-04-15"},
		{"child support reminded under the old rule: then enforcement", support, []Event{reminder("2025-04-01")}, "2025-04-15", ActEnforcement, 0, 0, ""},
		// Student loan debt: usually two payment demands.
		{"student loan: first payment demand", loan, nil, "2025-03-31", ActReminder, 1, 0, ""},
		{"student loan: second payment demand", loan, []Event{reminder("2025-03-31")}, "2025-04-14", ActReminder, 2, 0, ""},
		{"student loan: waiting after the second", loan, []Event{reminder("2025-03-31"), reminder("2025-04-14")}, "2025-04-27", ActNone, 0, 0, "2025-04-28"},
		{"student loan: then enforcement", loan, []Event{reminder("2025-03-31"), reminder("2025-04-14")}, "2025-04-28", ActEnforcement, 0, 0, ""},
		{"paid claims rest", Claim{Kind: Overpayment, Principal: 100, Paid: Parts{Principal: 100}, DueDate: due, Status: Open}, nil, "2025-06-01", ActNone, 0, 0, ""},
		{"claims in enforcement rest", Claim{Kind: Overpayment, Principal: 100, DueDate: due, Status: Enforcement}, nil, "2025-06-01", ActNone, 0, 0, ""},
		{"waived claims rest", Claim{Kind: Overpayment, Principal: 100, DueDate: due, Status: Waived}, nil, "2025-06-01", ActNone, 0, 0, ""},
		{"after a broken plan the count starts again from the break", overpayment,
			[]Event{reminder("2025-03-31"), {On: d("2025-04-05"), Kind: EventPlanApproved}, reminder("2025-06-01"), {On: d("2025-06-20"), Kind: EventPlanBroken}},
			"2025-07-03", ActNone, 0, 0, "2025-07-04"},
		{"after a broken plan: first reminder", overpayment,
			[]Event{reminder("2025-03-31"), {On: d("2025-04-05"), Kind: EventPlanApproved}, reminder("2025-06-01"), {On: d("2025-06-20"), Kind: EventPlanBroken}},
			"2025-07-04", ActReminder, 1, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := NextAction(tt.claim, tt.history, d(tt.today), rules)
			if err != nil {
				t.Fatal(err)
			}
			if a.Kind != tt.kind || a.Reminder != tt.reminder || a.FeeCents != tt.fee {
				t.Errorf("action %+v, want %s %d fee %d", a, tt.kind, tt.reminder, tt.fee)
			}
			if tt.next != "" && a.Next != d(tt.next) {
				t.Errorf("next %s, want %s", a.Next, tt.next)
			}
			if a.Note == "" {
				t.Error("no note")
			}
		})
	}
}

func TestNextActionInPlan(t *testing.T) {
	rules := DefaultRules()
	// 300 € at 100 € a month: due 17.3., 15.4. and 15.5.2025.
	plan, err := ProposePlan(euro(300), PlanRequest{MonthlyCents: euro(100), FirstDue: d("2025-03-15")}, d("2025-03-01"), rules)
	if err != nil {
		t.Fatal(err)
	}
	base := Claim{Kind: Overpayment, Principal: euro(300), DueDate: d("2025-02-14"), Status: Open}
	approved := Event{On: d("2025-03-01"), Kind: EventPlanApproved}
	inPlan := func(paid int64) Claim {
		c := base
		c.ApprovePlan(d("2025-03-01"), plan)
		c.Paid.Principal += paid
		return c
	}
	reminder := func(on string) Event { return Event{On: d(on), Kind: EventReminder} }

	tests := []struct {
		name       string
		claim      Claim
		history    []Event
		today      string
		kind       ActionKind
		instalment int
		next       string
	}{
		{"on schedule before the first instalment", inPlan(0), []Event{approved}, "2025-03-20", ActNone, 0, "2025-03-31"},
		{"first instalment missed: reminder", inPlan(0), []Event{approved}, "2025-03-31", ActReminder, 1, ""},
		{"reminded: time to catch up", inPlan(0), []Event{approved, reminder("2025-03-31")}, "2025-04-13", ActNone, 1, "2025-04-14"},
		{"still behind after the reminder: plan broken", inPlan(0), []Event{approved, reminder("2025-03-31")}, "2025-04-14", ActBreakPlan, 1, ""},
		{"caught up after the reminder", inPlan(euro(100)), []Event{approved, reminder("2025-03-31")}, "2025-04-14", ActNone, 0, "2025-04-29"},
		{"a second miss after the reminder breaks the plan", inPlan(euro(100)), []Event{approved, reminder("2025-03-31")}, "2025-04-29", ActBreakPlan, 2, ""},
		{"part of an instalment is not enough", inPlan(euro(150)), []Event{approved}, "2025-04-29", ActReminder, 2, ""},
		{"reminders before the plan do not count", inPlan(0), []Event{reminder("2025-02-28"), approved}, "2025-03-31", ActReminder, 1, ""},
		{"paying ahead keeps the plan on schedule", inPlan(euro(200)), []Event{approved}, "2025-04-29", ActNone, 0, "2025-05-29"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := NextAction(tt.claim, tt.history, d(tt.today), rules)
			if err != nil {
				t.Fatal(err)
			}
			if a.Kind != tt.kind || tt.instalment != 0 && a.Instalment != tt.instalment {
				t.Errorf("action %+v, want %s for instalment %d", a, tt.kind, tt.instalment)
			}
			if tt.next != "" && a.Next != d(tt.next) {
				t.Errorf("next %s, want %s", a.Next, tt.next)
			}
		})
	}

	t.Run("instalments paid but interest left", func(t *testing.T) {
		c := inPlan(euro(300))
		c.Interest = 250
		a, err := NextAction(c, []Event{approved}, d("2025-06-01"), rules)
		if err != nil || a.Kind != ActPlanComplete {
			t.Errorf("action %+v, %v; want plan_complete", a, err)
		}
	})
	t.Run("payments before approval do not count towards instalments", func(t *testing.T) {
		c := base
		c.Principal = euro(400)
		c.Paid.Principal = euro(100)
		c.ApprovePlan(d("2025-03-01"), plan)
		a, _ := NextAction(c, []Event{approved}, d("2025-03-31"), rules)
		if a.Kind != ActReminder {
			t.Errorf("action %+v, want a reminder for instalment 1", a)
		}
	})
}
