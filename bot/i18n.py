"""Every user-facing string lives in one catalogue per language, locale/<lang>/strings.ftl."""
from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from fluent.runtime import FluentBundle, FluentResource

LOCALE_DIR = Path(__file__).parent / "locale"
LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
log = logging.getLogger(__name__)


@lru_cache(maxsize=None)
def _bundle(lang: str) -> FluentBundle:
    # use_isolating=False: bidi marks around numbers show as junk on some phones.
    bundle = FluentBundle([lang], use_isolating=False)
    bundle.add_resource(FluentResource((LOCALE_DIR / lang / "strings.ftl").read_text("utf-8")))
    return bundle


def t(lang: str | None, key: str, **args: object) -> str:
    """The message `key` in `lang` (falls back to Chinese, then to the key itself).

    Formatting with Fluent costs tens of microseconds, and the same few dozen labels and
    units are asked for on every message: results with short arguments are remembered."""
    if all(isinstance(v, (int, float)) or (isinstance(v, str) and len(v) <= 40) for v in args.values()):
        return _cached(lang, key, tuple(sorted(args.items())))
    return _format(lang, key, args)


@lru_cache(maxsize=8192)
def _cached(lang: str | None, key: str, args: tuple) -> str:
    return _format(lang, key, dict(args))


def _format(lang: str | None, key: str, args: dict) -> str:
    # Fluent refuses a placeable longer than 2,500 characters and shows "{???}" instead: a
    # long text (a typed note, a list of names) goes in behind a short stand-in.
    long = {f"\x00{n}\x00": v for n, v in enumerate(v for v in args.values() if isinstance(v, str) and len(v) > 1000)}
    if long:
        stand_in = {v: k for k, v in long.items()}
        args = {k: stand_in.get(v, v) if isinstance(v, str) else v for k, v in args.items()}
    for code in (lang if lang in LANGS else DEFAULT_LANG, DEFAULT_LANG):
        bundle = _bundle(code)
        if bundle.has_message(key):
            text, errors = bundle.format_pattern(bundle.get_message(key).value, args)
            for err in errors:
                log.error("i18n %s/%s: %s", code, key, err)
            for marker, value in long.items():
                text = text.replace(marker, value)
            return text
    log.error("i18n: missing message %s", key)
    return key


def keys(lang: str) -> set[str]:
    return set(_bundle(lang)._messages)
