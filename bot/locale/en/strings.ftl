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
ask-houses = Which households? Send house numbers separated by commas or lines, or tap Skip.
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
summary-due = { $day }/{ $month }
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
summary-total-visits = { $title } door-to-door: { $households } households visited ({ $listed } with house number, { $unique } unique), { $people } people, { $pledges } pledges
summary-total-coverage = Coverage { $rate } (this year { $reached }/{ $base } households{ $target })
summary-materials = Posters { $posters } · banners { $banners } · slogans { $slogans } · boards { $boards } ({ $placed } with photo and place, { $placed_entries }/{ $poster_entries } entries)
summary-total-activities = Leaflets { $leaflets } · events { $lectures }, { $attendees } attendees{ $quota } · pushes { $pushes } · broadcasts { $broadcasts }
summary-total-audit = Photos { $evidence } · flagged { $flagged } · entries { $entries }
summary-total-submitted = Reports: on time { $on_time } · late { $late } · missing { $missing } · not yet due { $pending }
summary-area-line1 = ▪ { $name }: visits { $households } ({ $unique } unique) coverage { $coverage }{ $cov_pace } · APP { $installs } rate { $rate }{ $inst_pace }
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
xlsx-caption = { $root } anti-fraud publicity progress table   period: { $start } to { $end }   as of: { $asof }   report: { $period }
xlsx-note = Coverage = households reached this year ÷ registered households (a house number counts once; visits without house numbers count as logged); install rate = installs in all (imported count + installs logged since, never reset in January) ÷ population; the pace runs linearly from the previous target to this one.
col-township = Township
col-area = Village / community
col-registered = Registered households
col-population = Population
col-households = Households visited
col-listed = With house number
col-unique = Unique house numbers
col-people = People reached
col-pledges = Pledges
col-reached = Households reached this year
col-coverage = Coverage
col-coverage-target = Coverage target
col-coverage-due = Coverage due
col-coverage-expected = Coverage pace
col-coverage-pace = Coverage on pace
col-installs = APP installs (period)
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
col-pushes = Group pushes
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
ledger-measures = Figures
ledger-place = Place
ledger-evidence = Photos
ledger-listed = House numbers
ledger-flags = Flags

## Chart
chart-title = { $root }: coverage and APP install rate (as of { $asof })
chart-coverage = Coverage
chart-install = APP install rate
chart-coverage-target = Coverage target
chart-install-target = Install target
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

## APP installs as a running total
summary-total-installs-running = Anti-fraud APP: { $installs } installs this period, { $reached }/{ $base } people in all, install rate { $rate }{ $target }
summary-area-installs = { $rate } ({ $reached } in all)
summary-footnote-running = Coverage counts the year to date; APP installs are a running total (imported count + installs logged since), never reset in January; a house number counts once; ✅ on pace, ⚠️ behind.
report-installs = Anti-fraud APP: { $reached }/{ $base } people installed in all, install rate { $rate }
