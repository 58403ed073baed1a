## Office queries
working = Working on it…
summary-usage = Usage: /summary or /summary 2026-11 (year-month)
export-usage = Usage: /export or /export 2026-11 (year-month)
export-caption = { $root } { $month } progress table
chart-caption = { $root } { $month } coverage and install rate
missing-no-deadline = No submission is open now.
missing-none = [{ $title }]: everyone has submitted.
missing-head = [{ $title }] due { $due }: { $count } areas have not submitted:
missing-no-contact = (no contact)
btn-nudge = 🔔 Remind them
nudge = 🔔 From the office: [{ $title }] is due { $due }. Please submit soon.
nudge-wait = Already reminded within the hour. Try again in { $minutes } min.
nudge-done = Reminded { $count } people.
weekly-title = 📅 Last week's digest
