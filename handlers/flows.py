"""Conversations that know when they are over.

A flow is alive while its draft (a key in user_data) exists and was touched within
FLOW_IDLE by the bot's clock. A step of a dead flow is not taken: the update goes on
to the next handler (a one-line report, the 'button expired' answer), so an abandoned
poster flow can never swallow tomorrow's report as an address. Starting any flow, or
a 修改, drops the other drafts, so what a person types goes to what they are doing now."""
from __future__ import annotations

from datetime import datetime, timedelta

from telegram import Update
from telegram.ext import Application, ConversationHandler

FLOW_IDLE = timedelta(hours=2)
DRAFT_KEYS = ("draft", "report", "editing")  # the log flow, the report flow, a pending 修改


def drop_other_drafts(user_data: dict, keep: str | None = None) -> None:
    for key in DRAFT_KEYS:
        if key != keep:
            user_data.pop(key, None)


def touched(draft: dict, now: datetime) -> datetime:
    """When the person last moved this draft on (a draft from before stamps were kept: now)."""
    return datetime.fromisoformat(draft["at"]) if draft.get("at") else now


class Flow(ConversationHandler):
    def __init__(self, *args, draft_key: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.draft_key = draft_key
        self.application: Application | None = None  # set by bind(); check_update needs it

    def bind(self, application: Application) -> "Flow":
        self.application = application
        return self

    def _draft(self, update: Update) -> dict | None:
        user = update.effective_user
        if self.application is None or user is None:
            return None
        return self.application.user_data.get(user.id, {}).get(self.draft_key)

    def _now(self) -> datetime:
        return self.application.bot_data["svc"].clock.now()

    def check_update(self, update: object):
        result = super().check_update(update)
        if result is None or not isinstance(update, Update):
            return result
        _state, key, handler, _check = result
        if handler in self.entry_points:
            return result
        draft = self._draft(update)
        if draft is None or self._now() - touched(draft, self._now()) > FLOW_IDLE:
            self._update_state(self.END, key)  # PTB's own way of ending a conversation
            if draft is not None:
                self.application.user_data[update.effective_user.id].pop(self.draft_key, None)
            return None
        return result

    async def handle_update(self, update, application, check_result, context):
        if check_result[2] in self.entry_points:
            drop_other_drafts(context.user_data, keep=self.draft_key)
        try:
            return await super().handle_update(update, application, check_result, context)
        finally:
            draft = context.user_data.get(self.draft_key)
            if isinstance(draft, dict):
                draft["at"] = self._now().isoformat()
