"""The conversations, channel-neutral, and the one place that assembles their routes."""
from __future__ import annotations

from bot.kinds import KINDS

from .core import Command, Core, Routes

KIND_COMMANDS = tuple(KINDS)  # /visit, /poster, …: one per kind (the later ones are not in the menus)


def routes() -> Routes:
    from . import admin, log, mine, quick, report, start, summary, warnings
    from .common import cancel

    commands = {
        "start": Command(start.start, role=None),
        "help": Command(start.help_), "me": Command(start.me), "lang": Command(start.lang),
        "cancel": Command(cancel),
        "log": Command(log.show_menu), **{k: Command(log.start_kind) for k in KIND_COMMANDS},
        "mine": Command(mine.mine), "stats": Command(mine.stats),
        "deadlines": Command(report.deadlines), "report": Command(report.start_report),
        "summary": Command(summary.summary, role="contact", heavy=True, group=True),
        "missing": Command(summary.missing, role="contact", group=True),
        "export": Command(summary.export, role="office", heavy=True, group=True),
        "invite": Command(admin.invite, role="office"),
        "users": Command(admin.users, role="office"),
        "bind_office": Command(admin.bind_office, role="office", group=True),
        "warn": Command(warnings.warn, role="office"),
        "warnings": Command(warnings.warnings),
    }
    actions = {
        "log": (log.on_action, "worker"), "quick": (quick.on_action, "worker"),
        "mine": (mine.on_action, "worker"), "report": (report.on_action, "worker"),
        "missing": (summary.on_action, "contact"), "users": (admin.on_action, "office"),
        "lang": (start.on_lang, "worker"),
        "warn": (warnings.on_action, "worker"), "proof": (summary.on_proof, "office"),
    }
    flows = {"log": log.on_input, "report": report.on_input, "mine": mine.on_input, "quick": quick.on_input,
             "warn": warnings.on_input}  # named as their features
    return Routes(commands=commands, actions=actions, flows=flows, free=quick.on_free, stranger=start.stranger,
                  document=warnings.on_document, urgent=warnings.typed_outcome, heavy=frozenset({"proof"}))


def build_core(services) -> Core:
    s = services.settings
    return Core(services, routes(), admins={"telegram": {str(i) for i in s.admin_telegram_ids},
                                            "wecom": set(s.admin_wecom_userids)})
