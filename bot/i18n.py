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
    """The message `key` in `lang` (falls back to Chinese, then to the key itself)."""
    for code in (lang if lang in LANGS else DEFAULT_LANG, DEFAULT_LANG):
        bundle = _bundle(code)
        if bundle.has_message(key):
            text, errors = bundle.format_pattern(bundle.get_message(key).value, args)
            for err in errors:
                log.error("i18n %s/%s: %s", code, key, err)
            return text
    log.error("i18n: missing message %s", key)
    return key


def keys(lang: str) -> set[str]:
    return set(_bundle(lang)._messages)
