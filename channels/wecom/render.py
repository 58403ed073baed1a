"""The core's replies as WeCom message bodies: text as markdown, choices as template cards
of type button_interaction (at most 6 buttons each), a card whose choices are over as a
text_notice card (no buttons), files and images by media_id."""
from __future__ import annotations

import uuid

from aibot import generate_req_id

from bot.i18n import t
from handlers.core import Button

from .. import encode, split, utf8_size

MAX_BUTTONS = 6           # WeCom: a button_interaction card has at most 6 buttons
TITLE, SUBTITLE = 26, 112  # WeCom's suggested lengths for a card's title and the text below it
MAX_TEXT_BYTES = 4000     # one markdown message holds 4,096 bytes; a little room kept


# Our texts are plain, but WeCom renders them as markdown: a typed name or note could carry
# a link or a <font> tag, and a masked phone's ** would turn bold. WeCom documents no
# escaping, so these characters go as their full-width forms, which read the same in Chinese.
LITERAL = str.maketrans({"*": "＊", "[": "［", "]": "］", "<": "＜", ">": "＞", "`": "｀"})


def markdown(text: str) -> list[dict]:
    """A text as markdown messages that show it as written, cut at line ends when long."""
    return [{"msgtype": "markdown", "markdown": {"content": part}}
            for part in split(text.translate(LITERAL), MAX_TEXT_BYTES, utf8_size)]


def as_response(body: dict) -> dict:
    """A message body as a reply to a callback (aibot_respond_msg), where text goes as a
    finished stream (markdown is for proactive messages only)."""
    if body["msgtype"] != "markdown":
        return body
    return {"msgtype": "stream", "stream": {"id": generate_req_id("stream"), "finish": True,
                                            "content": body["markdown"]["content"]}}


def media(kind: str, media_id: str) -> dict:
    """A 'file' or 'image' message of an uploaded file."""
    return {"msgtype": kind, kind: {"media_id": media_id}}


def card_message(card: dict) -> dict:
    return {"msgtype": "template_card", "template_card": card}


def cards(text: str, buttons: list[list[Button]], lang: str,
          task_id: str | None = None) -> tuple[str, list[dict]]:
    """Choices as button_interaction cards of at most 6 buttons, and the text that must go
    before them as a message ('' when it fits in the first card: its first line as the
    title, the rest below). A card that does not carry the text is titled with its last
    line, or 请选择; further cards 更多选择. `task_id` names the first card (a tapped one)."""
    seen, flat = set(), []
    for button in (b for row in buttons for b in row):
        if button.action not in seen:  # WeCom refuses two buttons with one key on a card
            seen.add(button.action)
            flat.append(button)
    chunks = [flat[n:n + MAX_BUTTONS] for n in range(0, len(flat), MAX_BUTTONS)]
    fit = on_card(text)
    if fit:
        before, titles = "", [fit]
    else:
        last = text.split("\n")[-1].strip()
        before, titles = text, [(last if 0 < len(last) <= TITLE else t(lang, "wecom-choose"), "")]
    titles += [(t(lang, "wecom-more"), "")] * (len(chunks) - 1)
    return before, [card(title, sub, chunk, task_id if n == 0 else None)
                    for n, ((title, sub), chunk) in enumerate(zip(titles, chunks))]


def closed(text: str, lang: str, task_id: str) -> tuple[str, dict]:
    """A tapped card whose choices are over (取消, 处理中…): a text_notice card, no buttons,
    with the same task_id; and the text that must go as a message when it does not fit."""
    fit = on_card(text)
    title, sub = fit or (t(lang, "wecom-see-below"), "")
    # text_notice: WeCom's card without buttons. Should WeCom refuse it, the update fails
    # (logged) and the answer goes as a new message, the old card left as it was.
    made = {"card_type": "text_notice", "main_title": {"title": title}, "task_id": task_id}
    if sub:
        made["sub_title_text"] = sub
    return ("" if fit else text), made


def on_card(text: str) -> tuple[str, str] | None:
    """(title, the text below it) when the text fits on a card: its first line as the title."""
    head, _, rest = text.partition("\n")
    return (head, rest) if head and len(head) <= TITLE and len(rest) <= SUBTITLE else None


def card(title: str, sub: str, buttons: list[Button], task_id: str | None = None) -> dict:
    made = {"card_type": "button_interaction", "main_title": {"title": title},
            "button_list": [{"text": b.label, "style": 1, "key": encode(b.action)} for b in buttons],
            "task_id": task_id or new_task_id()}
    if sub:
        made["sub_title_text"] = sub
    return made


def new_task_id() -> str:
    """A card's task_id: unique per bot for good, 0-9 a-z only (WeCom allows [0-9A-Za-z_-@], 128 bytes)."""
    return uuid.uuid4().hex
