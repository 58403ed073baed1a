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
m-lectures = events
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
n = { $n }
btn-none = none / 0
btn-skip = Skip
btn-share-location = 📍 Send my location
btn-confirm = ✅ Confirm
btn-edit = ✏️ Change
btn-cancel = ✖️ Cancel
btn-save = ✅ Save
btn-sure = ✅ Yes, correct
btn-undo-id = Undo #{ $id }
btn-edit-id = Edit #{ $id }
btn-redo = Restore #{ $id }
ask-houses = Which households? Send house numbers separated by commas or lines, or tap Skip.
ask-place = Where? Tap "Send my location" or type an address, or Skip.
ask-place-required = Where was it put up? Tap "Send my location" or type an address (required).
ask-photo = Send a photo, or tap Skip.
ask-photo-required = Please send a photo (required).
ask-day = Which day? Today by default, or type a date (e.g. 11-20).
day-today = Today
day-yesterday = Yesterday
day-before = Day before
got-it = Got it.
bad-number = Please send a number, e.g. 15.
need-one-figure = At least one figure is needed. Please fill them in again.
bad-day = The day must be today or within 7 days back, e.g. 11-20. Please choose again.
wrong-input = That is not needed here. Please answer the question, or send /cancel.
log-expired = This step has ended (the bot may have restarted). Please send /log to start again.
photo-duplicate = ⚠️ This photo was used before. It will be saved but flagged for the office.
card-title = Please check [{ $kind }]:
card-no-figures = (no figures)
card-day = Day: { $day }
card-place = Place: { $place }
card-houses = Houses: { $count } ({ $houses }…)
card-photos = Photos: { $count }
recheck = These are large: { $figures }. Are they correct? They will be reviewed by the office.
saved = Saved { $ids }.
saved-next = Wrong? Tap Undo below, or send /mine.
flag-duplicate_evidence = ⚠️ Photo reused: flagged for review.
flag-needs_review = ⚠️ Large figure: sent for office review.
flag-over_registered = ⚠️ Households logged exceed the registered households: flagged.
cancelled = Cancelled. Nothing was saved.
nothing-to-cancel = Nothing in progress. Send /log to start.

## One-line reports
quick-nothing = I found no figures. Try: "visited 15 households, 3 posters", or log step by step:
quick-card-title = I read:
quick-card-ask = Correct? Tap Save. If not, tap Change and send it again.
quick-place-hint = Tip: posters need a photo and a place; use /poster to log them step by step.
quick-expired = This card was already handled or has expired. Please send again.
quick-edit = OK, please send the corrected line.

## My entries
mine-none = No entries this month. Type today's work in one line, or send /log.
mine-head = Today { $today }, this month { $month }:
mine-more = { $count } older entries not shown.
undone = Undid #{ $id }. Tap to restore if that was a mistake.
already-undone = #{ $id } was already undone.
restored = Restored #{ $id }.
edit-ask = Editing #{ $id } (now: { $now }). Send the new number, or a line like "12 households".
edit-bad = I did not understand. Send the new number (now: { $now }), or /cancel.
edited = Changed #{ $id }: { $now }. The earlier version is kept.
stats-mine = Me this month: { $figures }
stats-area = { $area } this month: { $figures }
stats-progress = { $measure ->
    [coverage] Coverage
   *[other] APP installs
  } { $done }/{ $goal }, { $missing } to go (target due { $due })
