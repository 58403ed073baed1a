## Submissions and deadlines
deadlines-head = Deadlines:
deadlines-none = No deadlines coming up.
deadlines-next = To submit, send /report.
status-on_time = submitted on time
status-late = submitted late
status-owed = still owed
status-na = not yours to submit
report-none = Nothing for you to submit now. Send /deadlines to see what is coming.
report-pick = Which one do you want to submit?
report-pick-btn = { $title } (due { $due })
report-gone = This submission is closed or has expired. Please send /report again.
report-card = [{ $title }] { $start }–{ $end }, due { $due }
report-evidence = Evidence: { $count }
report-note = Note: { $note }
report-nil = No activity this period, because: { $reason }
report-will-be-late = ⚠️ The deadline has passed: this will be recorded as late.
report-ask-note = Send a note; photos are welcome too.
report-ask-nil = No activity this period? Please write the reason briefly.
report-done = ✅ Submitted [{ $title }]. You may submit again before { $due }; the earlier one is kept.
report-done-late = ⏰ Submitted [{ $title }] after the deadline: recorded as late.
btn-submit = ✅ Submit
btn-add-note = 📝 Add note/photos
btn-nil = No activity
btn-report-now = Submit now

## Reminders
remind = ⏰ Reminder: [{ $title }] is due by { $due } ({ $period }).
    { $progress }
    Tap "Submit now" below.
escalate-contact = [{ $title }] is nearly due; these workers have not finished: { $names }. Please remind them.
escalate-office = [{ $title }] due { $due }: { $count } areas have not submitted: { $names }
