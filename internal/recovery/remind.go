package recovery

import "github.com/etuus/etuus/internal/fi/civil"

// ActionKind is what the collection run should do with a claim.
type ActionKind string

// The actions NextAction decides between.
const (
	ActNone         ActionKind = "none"
	ActReminder     ActionKind = "reminder"
	ActEnforcement  ActionKind = "enforcement"   // hand over to enforcement (ulosotto)
	ActBreakPlan    ActionKind = "break_plan"    // the plan is broken; the whole balance is due
	ActPlanComplete ActionKind = "plan_complete" // instalments paid, interest accrued meanwhile left to bill
)

// Action is NextAction's decision.
type Action struct {
	Kind ActionKind
	// Reminder is the reminder's number: 1…count of the kind's rule, or
	// within a plan 1…the plan rule's Reminders.
	Reminder int
	// FeeCents is the reminder fee to charge with the reminder.
	FeeCents int64
	// Instalment is the missed instalment's number, for plan actions.
	Instalment int
	// Next is, when Kind is ActNone, the first day the answer may change;
	// zero when nothing is pending.
	Next civil.Date
	// Note is an i18n key explaining the decision.
	Note string
}

// NextAction decides what to do with a claim today, from its history (in
// the order things happened) and the reminder rule for its kind in force on
// its due date. Only Open, Reminded and InPlan claims with a balance get
// anything but ActNone.
//
// Without a plan: the first reminder goes DaysAfterDue days after the due
// date, the next ones DaysBetween days after the previous, up to the
// kind's Count (two for overpayments and student loans, one for the
// healthcare fee; DOMAIN.md §5), each with the kind's fee (5 € for the
// healthcare fee); DaysToEnforcement days after the last one the claim
// moves to enforcement. A kind with Count 0 gets no reminder: child
// support debt goes to enforcement without a separate payment demand,
// DaysToEnforcement days after the due date. Offsetting the healthcare fee from study grant
// (DOMAIN.md §5) is not a step here: OffsetAmount applies whenever a
// benefit is paid.
//
// In a plan: an instalment unpaid GraceDays after its due date (paid
// means the payments since approval cover the instalments so far) gets a
// reminder; a plan still behind ReminderIntervalDays after a reminder,
// or missing again once the plan rule's Reminders are used up, is broken.
// After a break the whole balance is due at once: the count of reminders
// starts again, from the day of the break instead of the due date.
func NextAction(c Claim, history []Event, today civil.Date, rules *Rules) (Action, error) {
	if !c.Status.Collecting() || c.Balance() <= 0 {
		return Action{Kind: ActNone, Note: "recovery.action.closed"}, nil
	}
	rule, err := rules.RemindersAt(c.Kind, c.DueDate)
	if err != nil {
		return Action{}, err
	}
	if c.Status == InPlan && c.Plan != nil && len(c.Plan.Instalments) > 0 {
		return planAction(c, history, today, rules, rule)
	}

	start := c.DueDate
	reminders, last := 0, civil.Date{}
	for _, e := range history {
		switch e.Kind {
		case EventPlanBroken:
			if e.On.After(start) {
				start = e.On
			}
			reminders, last = 0, civil.Date{}
		case EventPlanApproved:
			reminders, last = 0, civil.Date{}
		case EventReminder:
			reminders, last = reminders+1, e.On
		}
	}
	if start.IsZero() {
		return Action{Kind: ActNone, Note: "recovery.action.closed"}, nil
	}
	if reminders < rule.Count {
		at := start.AddDays(rule.DaysAfterDue)
		if reminders > 0 {
			at = last.AddDays(rule.DaysBetween)
		}
		if today.Before(at) {
			return Action{Kind: ActNone, Next: at, Note: "recovery.action.not_yet"}, nil
		}
		return Action{Kind: ActReminder, Reminder: reminders + 1, FeeCents: rule.FeeCents, Note: "recovery.action.reminder"}, nil
	}
	// The reminders are used up, or the kind has none (Count 0).
	at := start.AddDays(rule.DaysToEnforcement)
	if reminders > 0 {
		at = last.AddDays(rule.DaysToEnforcement)
	}
	if today.Before(at) {
		return Action{Kind: ActNone, Next: at, Note: "recovery.action.not_yet"}, nil
	}
	return Action{Kind: ActEnforcement, Note: "recovery.action.enforcement"}, nil
}

func planAction(c Claim, history []Event, today civil.Date, rules *Rules, rule ReminderRule) (Action, error) {
	plan := c.Plan
	pr, err := rules.PlanAt(plan.ProposedOn)
	if err != nil {
		return Action{}, err
	}
	paid := c.Paid.Total() - plan.PaidAtApproval
	var missed *Instalment
	for i := range plan.Instalments {
		if plan.Instalments[i].Cumulative > paid {
			missed = &plan.Instalments[i]
			break
		}
	}
	if missed == nil {
		return Action{Kind: ActPlanComplete, Note: "recovery.action.plan_complete"}, nil
	}
	late := missed.Due.AddDays(pr.GraceDays)
	if today.Before(late) {
		return Action{Kind: ActNone, Next: late, Note: "recovery.action.on_schedule"}, nil
	}

	// Reminders sent since the plan was approved.
	sent, last := 0, civil.Date{}
	for _, e := range history {
		switch e.Kind {
		case EventPlanApproved:
			sent, last = 0, civil.Date{}
		case EventReminder:
			sent, last = sent+1, e.On
		}
	}
	if !last.IsZero() && !last.Before(late) {
		// This miss has been reminded of: give it the interval.
		if at := last.AddDays(pr.ReminderIntervalDays); today.Before(at) {
			return Action{Kind: ActNone, Next: at, Instalment: missed.N, Note: "recovery.action.not_yet"}, nil
		}
	}
	if sent < pr.Reminders {
		return Action{Kind: ActReminder, Reminder: sent + 1, FeeCents: rule.FeeCents, Instalment: missed.N,
			Note: "recovery.action.plan_reminder"}, nil
	}
	return Action{Kind: ActBreakPlan, Instalment: missed.N, Note: "recovery.action.plan_broken"}, nil
}
