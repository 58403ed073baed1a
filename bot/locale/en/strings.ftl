## General
stranger = Hello! You are not registered yet. Ask your office for an invite code, then send: /start CODE
not-allowed = Sorry, your role cannot use this. Send /help to see what you can do.
not-understood = I did not understand that. Type your work in one line (e.g. "visited 15 households, 3 posters") or send /log.
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
welcome = Welcome, { $name }! You are { $role } of { $path }.
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
help-head = Commands you can use:
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
invite-usage = Usage: /invite ORG_CODE ROLE [USES] [DAYS]
    ROLE: worker, contact or office
    e.g. /invite BHQ-1 worker 10 7
    Codes: { $codes }
invite-bad-org = { $code } was not found, or is outside your area.
invite-made = Invite code: { $code }
    { $org } · { $role } · { $uses } use(s) · valid { $days } day(s)
    { $link }
    Forward it; they send: /start { $code }
bind-office-group-only = Send /bind_office in your work group, not in a private chat.
bind-office-done = Done: summaries will go to "{ $title }".
users-none = Nobody else in your area yet. Send /invite to invite people.
users-head = { $count } people:
users-deactivate-btn = Deactivate { $name }
users-deactivated = { $name } is deactivated.
