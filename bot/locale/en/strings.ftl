## General
stranger = Hello! You are not registered yet. Ask your office for an invite code, then send: /start CODE
not-allowed = Sorry, your role cannot use this. Send /help to see what you can do.
button-expired = This button has expired. Please send the command again.
error-generic = Something went wrong and was logged. Please try again later, or send /help.

## Roles
role-worker = grid worker
role-contact = village/community contact
role-office = office

## Joining
start-no-code = Welcome to the anti-fraud work log! Ask your office for an invite code, then send: /start CODE
invite-unknown = That invite code is wrong. Check it and send again: /start CODE
invite-expired = That invite code has expired. Ask your office for a new one.
invite-used_up = That invite code has been used up. Ask your office for a new one.
welcome = Welcome, { $name }! You are { $role } of { $org }.
    { $next }
welcome-back = Hello { $name }! You are { $role } of { $path }. Send /help for commands.
next-worker = Next: type today's work in one line, or send /log to record it step by step.
next-contact = Next: send /deadlines to see what is due and /report to submit your area's figures.
next-office = Next: send /summary for the summary, /invite to invite people, and /bind_office in your work group to receive summaries there.

## About me
me = Name: { $name }
    Role: { $role }
    Place: { $path }
me-office-chat = Summaries go to group: { $chat }
me-no-office-chat = No summary group yet: send /bind_office in your work group.
help-head = Log work: type one line, e.g. "入户15户，海报3张"
    Step by step: /log
    See or fix what I logged: /mine
    All commands:
lang-usage = Usage: /lang zh (中文) or /lang en (English)
lang-set = Language set to English.

## Command menu
cmd-log = log work step by step
cmd-visit = door-to-door visit
cmd-poster = posters and banners
cmd-app = anti-fraud APP installs
cmd-leaflet = leaflets
cmd-lecture = lecture or event
cmd-push = group push
cmd-broadcast = loudspeaker broadcast
cmd-mine = my entries (undo/edit)
cmd-stats = this month's progress
cmd-deadlines = reporting deadlines
cmd-report = submit figures
cmd-summary = summary
cmd-missing = who has not submitted
cmd-export = export the progress table
cmd-invite = create an invite
cmd-users = manage people
cmd-bind_office = send summaries to this group
cmd-me = about me
cmd-lang = change language
cmd-cancel = cancel the current step
cmd-help = help

## Office tools
invite-bad-org = { $code } was not found, or is outside your area.
bind-office-group-only = Send /bind_office in your work group, not in a private chat.
bind-office-done = Done: summaries will go to "{ $title }".
users-none = Nobody else in your area yet. Send /invite to invite people.
users-head = { $count } people:
users-deactivate-btn = Deactivate { $name }
users-deactivated = { $name } is deactivated.

## Kinds
kind-visit = door-to-door visit
kind-poster = posters and banners
kind-app = APP installs
kind-leaflet = leaflets
kind-lecture = lecture or event
kind-push = group push
kind-broadcast = broadcast

## Measures and units
m-households = households
m-people = people
m-pledges = pledges
m-app_installs = APP installs
m-posters = posters
m-banners = banners
m-slogans = slogans
m-boards = boards
m-leaflets = leaflets
m-lectures = lectures
m-attendees = attendees
m-group_pushes = pushes
m-broadcasts = broadcasts
u-households = {""}
u-people = {""}
u-pledges = {""}
u-app_installs = {""}
u-posters = {""}
u-banners = {""}
u-slogans = {""}
u-boards = {""}
u-leaflets = {""}
u-lectures = {""}
u-attendees = {""}
u-group_pushes = {""}
u-broadcasts = {""}
measure-value = { $measure } { $value }

## Guided logging
log-pick-kind = What did you do? Tap one:
ask-number = How many { $measure }? Tap a number or type it.
btn-skip = Skip
btn-share-location = 📍 Send my location
btn-confirm = ✅ Confirm
btn-edit = ✏️ Change
btn-cancel = ✖️ Cancel
btn-save = ✅ Save
btn-sure = ✅ Yes, correct
btn-undo-id = Undo { $kind }
btn-redo = Restore
ask-houses = Which households? Send house numbers separated by commas, spaces or lines, or tap Skip.
ask-place = Where? Tap "Send my location" or type an address, or Skip.
ask-place-required = Where was it put up? Tap "Send my location" or type an address (required).
ask-photo = Send a photo, or tap Skip.
ask-photo-required = Please take a photo and send it (required): tap 📎 next to the text box. If you cannot now, send /cancel and log it later.
day-today = Today
day-yesterday = Yesterday
day-before = 2 days ago
bad-number = Just a number, e.g. 30.
need-one-figure = At least one figure is needed. Please fill them in again.
wrong-input = That is not what this step needs.
photo-duplicate = ⚠️ This photo was used before. It will be saved but flagged for the office.
card-title = Please check [{ $kind }]:
card-no-figures = (no figures)
card-day = Day: { $day }
card-place = Place: { $place }
card-houses = Houses: { $count } ({ $houses })
card-photos = Photos: { $count }
recheck = These are large: { $figures }. Are they correct? They will be reviewed by the office.
saved = Saved: { $what }.
saved-next = Wrong? Tap Undo below, or send /mine.
flag-duplicate_evidence = ⚠️ Photo reused: flagged for review.
flag-needs_review = ⚠️ Large figure: sent for office review.
flag-over_registered = ⚠️ Households logged exceed the registered households: flagged.
cancelled = Cancelled. Nothing was saved.
nothing-to-cancel = Nothing in progress. Send /log to start.

## One-line reports
quick-nothing = I found no figures. Type your work in one line the way you post to the work group, e.g. "入户15户，海报3张", or tap below to log step by step:
quick-card-title = I read:
quick-place-hint = Tip: posters need a photo and a place; use /poster to log them step by step.
quick-expired = This card was already handled or has expired. Please send again.
## My entries
mine-none = No entries this month. Type today's work in one line, or send /log.
mine-head = Today { $today }, this month { $month }:
undone = Removed: { $what }. Tap Restore if that was a mistake.
already-undone = This entry was already removed.
restored = Restored: { $what }.
edit-ask = Editing: { $now }. Send the new number, or a line like "入户12户".
edit-bad = I did not understand. Send the new number (now: { $now }), or /cancel.
edited = Changed to: { $now }. The earlier version is kept.
stats-mine = Me this month: { $figures }
stats-area = { $area } this month: { $figures }
stats-progress = { $measure ->
    [coverage] Coverage
   *[other] APP installs
  } { $done }/{ $goal }, { $missing } to go ({ $passed ->
    [yes] the { $due } target has passed
   *[other] by { $due }
  })
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
report-pick-btn = { $title } (due { $due }{ $late ->
    [yes] , overdue
   *[other] {""}
  })
report-gone = This submission is closed or has expired. Please send /report again.
report-card = [{ $title }] covering { $start } to { $end }, due { $due }
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
remind = ⏰ [{ $title }] is due by { $due } (covering { $period }).
    { $progress }
    Tap "Submit now" to check and submit.
escalate-contact = [{ $title }] is nearly due; these workers have not finished: { $names }. Please remind them.
escalate-office = [{ $title }] due { $due }: { $count } areas have not submitted: { $names }

## Office queries
working = Working on it…
summary-usage = Usage: /summary or /summary 2026-11 (year-month)
export-usage = Usage: /export or /export 2026-11 (year-month)
export-caption = { $root } { $month } progress table
chart-caption = { $root } { $month } coverage and install rate
missing-no-deadline = No submission is open now.
missing-none = [{ $title }]: everyone has submitted.
missing-head = [{ $title }] due { $due }: { $count } areas have not submitted:
missing-no-contact = (no contact yet: send /invite)
btn-nudge = 🔔 Remind them
nudge = 🔔 From the office: [{ $title }] is due { $due }. Please submit soon.
nudge-wait = Just reminded. You can remind again in { $minutes } min.
nudge-done = Reminding now: { $names }.
weekly-title = 📅 Last week's digest

## Summaries (bot/summary.py): the text summary, the progress table and the chart. Keep the keys identical in both languages.

summary-title = 📊 { $root }: anti-fraud publicity summary
summary-all-orgs = all organisations
summary-period = Period: { $start } to { $end } (as of { $asof })
summary-deadline = Report: { $period }, due { $due }
summary-totals = [Total]
summary-township-title = [{ $name }]
summary-township-head = —— { $name } ——
summary-direct = { $name } (own entries)
summary-no-rows = No village or community figures.
summary-no-contact = no contact
summary-pace-ok = ✅
summary-pace-behind = ⚠️behind
summary-target = ; target { $target } by { $due }, pace { $expected }{ $pace }
summary-quota = { " " }(pace { $quota }{ $pace })
summary-materials = Posters { $posters } · banners { $banners } · slogans { $slogans } · boards { $boards } ({ $placed } with photo and place, { $placed_entries }/{ $poster_entries } entries)
summary-total-activities = Leaflets { $leaflets } · events { $lectures }, { $attendees } attendees{ $quota } · pushes { $pushes } · broadcasts { $broadcasts }
summary-total-audit = Photos { $evidence } · flagged { $flagged } · entries { $entries }
summary-total-submitted = Reports: on time { $on_time } · late { $late } · missing { $missing } · not yet due { $pending }
summary-area-line2 = { "  " }materials { $materials } ({ $placed } photo+place) · leaflets { $leaflets } · events { $lectures }/{ $attendees } · pushes { $pushes }{ $push_pace } · broadcasts { $broadcasts } · photos { $evidence } · flagged { $flagged }
summary-status-on_time = ✅on time ({ $who })
summary-status-late = ⏰late ({ $who })
summary-status-missing = ❌missing ({ $who })
summary-status-pending = ⏳not yet, not due ({ $who })

## Statuses, kinds, measures, flags (table and ledger)
summary-status-label-on_time = on time
summary-status-label-late = late
summary-status-label-missing = missing
summary-status-label-pending = missing (not yet due)
summary-kind-visit = door-to-door visit
summary-kind-poster = publicity material
summary-kind-app = APP installs
summary-kind-leaflet = leaflets
summary-kind-lecture = event
summary-kind-push = group push
summary-kind-broadcast = broadcast
summary-m-households = { $n } households
summary-m-people = { $n } people
summary-m-pledges = { $n } pledges
summary-m-app_installs = { $n } APP installs
summary-m-posters = { $n } posters
summary-m-banners = { $n } banners
summary-m-slogans = { $n } slogans
summary-m-boards = { $n } boards
summary-m-leaflets = { $n } leaflets
summary-m-lectures = { $n } events
summary-m-attendees = { $n } attendees
summary-m-group_pushes = { $n } pushes
summary-m-broadcasts = { $n } broadcasts
summary-flag-duplicate_evidence = reused photo
summary-flag-needs_review = needs review
summary-flag-over_registered = above registered households
summary-yes = yes
summary-no = no

## Progress table (xlsx)
xlsx-sheet-progress = Progress
xlsx-sheet-ledger = Ledger
xlsx-totals = Total
xlsx-note = Coverage = unique households this year ÷ registered households (a house number counts once; visits without house numbers count as logged); install rate = installs in all (imported count + installs logged since, never reset in January) ÷ population; the pace runs linearly from the previous target to this one.
col-township = Township
col-area = Village / community
col-registered = Registered households
col-population = Population
col-households = Household visits
col-listed = Of which with house number
col-people = People reached
col-pledges = Pledges
col-reached = Unique households this year
col-coverage = Coverage
col-coverage-target = Coverage target
col-coverage-due = Coverage due
col-coverage-expected = Coverage pace
col-coverage-pace = Coverage on pace
col-installs-ytd = APP installs in all
col-install-rate = Install rate
col-install-target = Install target
col-install-due = Install due
col-install-expected = Install pace
col-install-pace = Install on pace
col-posters = Posters
col-banners = Banners
col-slogans = Slogans
col-boards = Boards
col-placed = With photo and place
col-leaflets = Leaflets
col-lectures = Events
col-attendees = Attendees
col-pushes-quota = Pushes due
col-broadcasts = Broadcasts
col-evidence = Photos
col-entries = Entries
col-flagged = Flagged
col-status = Report
col-submitter = Submitted by / contact
col-submitted-at = Submitted at
ledger-id = ID
ledger-date = Date
ledger-recorded = Logged at
ledger-who = Logged by
ledger-org = Grid / village
ledger-kind = Kind
ledger-place = Place
ledger-evidence = Photos
ledger-listed = Of which with house number
ledger-flags = Flags

## Chart
chart-title = { $root }: coverage and APP install rate (as of { $asof })
chart-coverage = Coverage
chart-install = APP install rate
chart-by-township = { " " }(by township)
ask-number-short = How many { $measure }?
card-place-gps = Place: 📍 location shared
deadlines-worker = Village/community contacts submit the reports; you only log your work.
report-none-worker = Village/community contacts submit the reports; you only log your work. Send /stats for this month's progress.
status-owed-late = overdue, not submitted
nudge-nobody = Nobody to remind: these areas have no contact yet.
quick-unread-only = Not understood: { $parts }.
invite-deactivated = Your account has been deactivated, so an invite cannot re-activate it. Please contact your office.
edit-gone = That entry was removed or no longer exists. Send /mine to see your entries.
houses-raised = { $count } house numbers given: households set to { $count }.
choices-numbered = Reply { $choices }
choices-words = You can reply: { $choices }

# one-line reports and /mine
quick-location = Got a location, but nothing is waiting for a place. To log work, send one line like "海报3张", or /log.
quick-photo-kept = Photo received ({ $count } in all). Within 10 minutes, send one line about the work, e.g. "海报3张"; the photos are saved with it.
quick-reread = Read again as edited; the earlier card is void.
quick-card-check = Correct? Tap Save. If a figure is wrong, tap Change, or just send the line again.
quick-card-missed = Not understood: { $parts }. If something is missing, send the line again.
quick-edit-pick = Which one? Tap it, then send the new number.
btn-quick-day = Day { $day }
quick-ask-figure = { $measure } is { $now }{ $unit } now. What should it be? Send the number.
quick-changed = Changed.
mine-pick = Page { $page }/{ $pages }. Tap a number to undo or change that entry.
mine-pick-one = Tap a number to undo or change that entry.
mine-entry = { $line }
    Undo or change it?
btn-older = ⬅️ Older
btn-newer = Newer ➡️
btn-undo = Undo
edit-other-kind = This entry is { $kind }; it has no { $measures }. Send its new figures (now: { $now }), or /cancel.

# report, office and admin
invite-help = Usage: /invite ORG ROLE [USES] [DAYS]
    ORG: its code or name; ROLE: worker, contact or office (网格员, 联络员, 平安办)
    e.g. /invite BHQ-1 worker 10 7
    Places:
    { $codes }
invite-more = …and { $count } more
invite-code = Invite code: { $code }
    { $org } · { $role } · { $uses } use(s) · valid { $days } day(s)
    Forward it; they send: /start { $code }
invite-link = Or they open this link: { $link }
users-line = #{ $id } { $name } · { $role } · { $org }
nudge-later = It is quiet hours: { $names } will be reminded { $day ->
        [today] this morning
       *[other] tomorrow
    } at { $time }.

# guided logging (log.py)
btn-zero = None
btn-more = ➕ More
btn-back = ↩️ Back
btn-houses = House numbers
btn-place = Place
btn-photo = Photo
btn-day = Day
log-ask-day = Which day? Tap one, or type a date (e.g. { $example }).
log-bad-day = Only the last 7 days can be logged ({ $first } to { $today }).
log-skip-required = This one is required and cannot be skipped.
log-edit-pick = Which one to change? Tap it; then you are back at the card.
log-more-pick = What else to add? Tap it; then you are back at the card.
log-photo-kept = Photo kept.
log-place-kept = Place kept.
log-gone = This card was already handled or has expired; nothing more is saved. Send /log to log again.

# office views (summary.py)
missing-line = · { $area }: { $people }

# own entries (mine.py)
mine-redo-not-yours = The office removed this entry, so you cannot restore it. Ask the office if in doubt.

# one-line reports (quick.py): edits of saved reports, photos onto the card
quick-already-saved = This one is already saved. To change it, send /mine and find it there.
quick-photo-added = Photo added to this card.
quick-photo-full = At most { $most } photos per report; this one was not kept.

# evidence and invite codes (evidence.py, start.py)
evidence-full = The photo storage is full: this photo was not kept. Please tell your office. Everything else is recorded as usual.
invite-wait = Too many wrong invite codes. Please try again in { $minutes ->
    [one] a minute
   *[other] { $minutes } minutes
}.

# WeCom channel (channels/wecom): card titles, people reminders cannot reach (summary.py)
wecom-choose = Choose:
wecom-more = More choices:
missing-unreachable = { $name } (cannot be reached)
missing-unreachable-hint = Reminders do not reach people marked "cannot be reached" (for one, they never wrote to the bot): please phone them, and ask them to send the bot a message.

## submissions match what was submitted (report.py, summary.py, deadlines.py)
deadline-name = { $title } (due { $due })
changes-more = logged { $measures } more
changes-less = { $measures } undone
report-changed = since submitted: { $changes }
status-changed = changed since submitted
btn-resubmit = 🔄 Submit again (due { $due })
report-pick-redo-btn = { $title } (due { $due }, submit again)
report-pick-changed = { $title }: { $changes }
report-nil-has-figures = This period already has: { $figures }. Report no activity anyway?
btn-nil-anyway = No activity anyway
summary-status-changed = ⚠️ changed since submitted: { $changes }
summary-status-nil-despite = ⚠️ no activity reported, yet entries logged
status-label-changed = , changed since
status-label-nil-despite = , no activity yet entries
missing-overdue = Overdue, still not submitted:
missing-overdue-line = · { $title }, due { $due }, { $count } missing: { $areas }
summary-deadlines-head = Each deadline (areas):
summary-deadline-tally = · { $name }: { $counts }
summary-tally-changed = { " " }({ $count } changed since submitted)
## early warnings (warnings.py: 预警劝阻)
warn-file-bad = This warning file was not imported (none of it): row { $row }, { $reason }. Fix it and send it again.
warn-err-unreadable = the file cannot be read; save it as .xlsx or CSV and send it again
warn-err-type = only .xlsx or .csv files can be imported
warn-err-empty = the file holds no warnings
warn-err-columns = missing column(s): { $columns }
warn-err-too-many = at most { $most } warnings at a time
warn-err-missing = "{ $column }" is empty
warn-err-text = "{ $column }" is too long or holds invisible characters
warn-err-phone = the phone number is wrong (a mobile or landline number)
warn-err-time = the warning time must read like 2026-11-24 14:30, not "{ $value }"
warn-err-id4 = the last four of the ID must be 4 digits (the last may be X)
warn-err-long = the name or the warning type is too long
warn-card = Warning #{ $id } (act within { $hours } hours)
    Name: { $name }
    Phone: { $phone }
    Address: { $address }
    Type: { $kind }
    Grid: { $area }
    Warned at: { $at }
    Contact them now, then tap the outcome.
warn-btn-met = Met, dissuaded
warn-btn-phone = Phoned, dissuaded
warn-btn-nr = Not reached
warn-btn-lost = Already defrauded
warn-btn-away = Not in my grid
warn-btn-skip = Skip
warn-btn-fu = Record follow-up
warn-btn-fu-id = Follow-up #{ $id }
warn-btn-move = Reassign #{ $id }
warn-new = URGENT WARNING: someone may be being defrauded right now. Contact them at once.
warn-retry = Warning again: not reached last time (try { $tries } of { $most }). Please try again.
warn-half = Reminder: no outcome recorded for this warning yet. Please contact them soon.
warn-late-head = OVERDUE: { $count } { $count ->
    [one] warning
   *[other] warnings
} without an outcome within { $hours } hours:
warn-late-line = · { $who } { $kind } ({ $area })
warn-office-only = Only the office can import warnings.
warn-file-too-big = The file is too large and was not received. Send it in smaller files, or ask the admin to import it on the server.
warn-imported = Imported { $added } warnings ({ $known } already known, { $unassigned } with no known grid); sent to the grids at once. Reassign the unmatched ones with /warnings.
warn-ask-name = New warning. The person's name? (send "cancel" to stop)
warn-ask-phone = Phone number?
warn-ask-area = Which grid or village? Its name or code (e.g. BHQ-1).
warn-ask-kind = Warning type? Tap one or type it.
warn-ask-address = Address? (optional)
warn-one-usage = Or on one line: /warn name phone grid type [address]
warn-bad-amount = Type the amount lost in yuan, e.g. 5000 or 1.2万; skip if unknown.
warn-ask-amount = How much was lost, in yuan? (optional)
warn-ask-note = Add a note or a photo if you like (optional).
warn-note-saved = Added to warning { $who }.
warn-skipped = OK.
warn-already = Warning { $who } already has an outcome: { $outcome }.
warn-out-met = dissuaded in person
warn-out-phone = dissuaded by phone
warn-out-unreachable = unreachable
warn-out-defrauded = already defrauded
warn-returned-office = Warning { $who } was returned by { $by }: not in their grid. Reassign it with /warnings.
warn-returned = Returned to the office for reassignment: warning { $who }.
warn-try-later = Recorded: warning { $who } not reached (try { $tries } of { $most }). You will be asked again in 2 hours.
warn-unreachable = Warning { $who } not reached { $most } times: recorded as unreachable.
warn-recorded = Recorded: warning { $who } { $outcome }.
warn-fu-open = This warning has no outcome yet; a follow-up cannot be recorded.
warn-fu-done = Follow-up recorded: warning { $who }.
warn-move-usage = To reassign: /warnings ID grid-name-or-code, e.g. /warnings 12 BHQ-2
warn-none-open = No open warnings.
warn-view-head = { $count } open { $count ->
    [one] warning
   *[other] warnings
}:
warn-view-unassigned = To reassign ({ $count }):
warn-view-overdue = Overdue ({ $count }):
warn-view-open = In progress ({ $count }):
warn-view-line = #{ $id } { $name } { $phone } { $kind } ({ $area }){ $tries ->
        [0] {""}
       *[other] not reached { $tries }x
    }
warn-move-hint = Tap "Reassign" to pick a grid, or type /warnings ID grid.
warn-move-ask = Reassign warning { $who } to where?
warn-moved = Warning { $who } reassigned to { $area } and sent at once.
warn-none-mine = You have no warnings to handle.
warn-own-closed = Handled warnings (a follow-up can be recorded):
warn-own-line = · { $who } { $outcome } { $fu }
warn-fu-mark = (followed up)
warn-figures = Warnings { $received }: reached in time { $reached }, dissuaded { $dissuaded }, unreachable { $unreachable }, defrauded { $defrauded }; median time to first contact { $median }. Logged dissuasions { $logged }, follow-ups { $followups }.
warn-minutes = { $n } min
warn-hours = { $n } h
cmd-warnings = early warnings to handle
cmd-warn = enter one warning
warn-btn-undo = Change it
warn-undone = The outcome was taken back; choose again.
warn-bad-area = No grid or village "{ $area }". Type its name or code (e.g. BHQ-1).
## One-line reader: new readings; households said one way (issue 11)
kind-sms = text messages
kind-site = publicity sites
kind-receipt = receipts back
kind-dissuade = dissuasion and follow-up
m-receipts = receipts
m-sms = text messages
m-sites = publicity sites
m-dissuasions = dissuaded
m-follow_ups = followed up
u-receipts = {""}
u-sms = {""}
u-sites = {""}
u-dissuasions = {""}
u-follow_ups = {""}
summary-kind-sms = text messages
summary-kind-site = publicity sites
summary-kind-receipt = receipts back
summary-kind-dissuade = dissuasion and follow-up
summary-m-receipts = { $n } receipts
summary-m-sms = { $n } text messages
summary-m-sites = { $n } publicity sites
summary-m-dissuasions = { $n } dissuaded
summary-m-follow_ups = { $n } followed up
quick-card-approx = Ranges taken at the lower number: { $figures }
quick-card-not-added = Running totals, sums and breakdowns ("of which") not added again: { $parts }
quick-place-hint-site = Tip: publicity sites need a photo and a place; /site logs one step by step.
-households-year = unique households this year
u-households-summed = {""}
summary-visits = { $title } door-to-door: { $households } visits ({ $listed } of them with a house number), { $people } people, { $pledges } pledges
summary-coverage = Coverage { $rate } ({ -households-year } { $reached }/{ $base }{ $target })
summary-area-visits = ▪ { $name }: { $households } visits · { -households-year } { $reached }, coverage { $coverage }{ $cov_pace } · APP { $installs } rate { $rate }{ $inst_pace }
summary-footnote-households = Note: { -households-year } = each house number once, plus the visits logged without one.
stats-progress-households = { -households-year } { $done }/{ $goal }, { $missing } to go ({ $passed ->
    [yes] the { $due } target has passed
   *[other] by { $due }
  })
## printable progress table, chart pace, report notes, evidence zip (export.py, evidence_zip.py)
xlsx-title = { $root } anti-fraud publicity progress table
xlsx-title-for = { $root } anti-fraud publicity progress table ({ $deadline })
xlsx-period = Period: { $start } to { $end }   as of: { $asof }
xlsx-constant = { $name }: { $value }
xlsx-lectures-quota = Events due so far: { $n }
col-app_installs = APP installs (period)
col-group_pushes = Group pushes
col-note = Report note
chart-coverage-pace = Coverage pace for the day
chart-install-pace = Install pace for the day
summary-note = { "  " }note: { $note }
btn-evidence-zip = Evidence photos
evidence-zip-offer = Forwarding the evidence photos too? Tap "Evidence photos": they come zipped by village.
evidence-zip-working = Packing { $count } evidence photos, one moment…
evidence-zip-none = No stored evidence photos for { $month }.
evidence-zip-part = { $root } { $month } evidence (part { $part } of { $parts }, { $count } photos)
evidence-zip-caption = { $root } { $month } evidence ({ $count } photos)
evidence-zip-missing = { $count } more photos were kept as links only, without a stored file, and are not in the zip.
evidence-report-kind = report
csv-file = file
csv-entry = entry
csv-area = village / community
csv-date = date
csv-kind = kind
csv-who = logged by
csv-figures = figures
csv-place = place
csv-recorded = logged at
csv-reused = photo reused
## wecom: card updates and refused files (channels/wecom)
wecom-see-below = See the next message
wecom-busy = Got it, working on it…
wecom-file-failed = The file could not be sent; please try again later.
nudge-unreachable = Cannot be reached by the bot, please phone: { $names }.
## APP installs as a running total
summary-total-installs-running = Anti-fraud APP: { $installs } installs this period, { $reached }/{ $base } people in all, install rate { $rate }{ $target }
summary-area-installs = { $rate } ({ $reached } in all)
summary-footnote-running = Coverage counts the year to date; APP installs are a running total (imported count + installs logged since), never reset in January; a house number counts once; ✅ on pace, ⚠️ behind.
report-installs = Anti-fraud APP: { $reached }/{ $base } people installed in all, install rate { $rate }

## 提醒他们：逾期的也提醒（issue 11）
nudge-many = 🔔 From the office: these are still to submit, please do it soon:
nudge-many-line = · { $title }, due { $due }

## 报送后有变动：截止当天告诉报送人一次（issue 11）
changed-tell = 📝 [{ $title }] since you submitted: { $changes }. Submit again by the end of { $due } and it is still on time.

## early warnings review (warn2)
warn-late-unassigned = to reassign
warn-imported-old = { $old } warnings are older than { $days } days, past any deadline: not imported.

## security review (revB)
warn-err-formula = "{ $column }" starts with = + - @, which a spreadsheet runs as a formula
warn-err-unpacked = the file unpacks to over { $most } MB: not a warnings sheet
## integration review (revA)
warn-flow-kept = What you were doing is still open: go on where you were.
log-day-unread = "{ $text }" is not a day I can read.
## summary: the later measures written as the lines above them
summary-more-receipts = receipts { $n }
summary-more-sms = text messages { $n }
summary-more-sites = publicity sites { $n }
