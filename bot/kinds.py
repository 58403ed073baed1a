"""Activity kinds and their canonical measure keys (the contract for parsing and exports)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    code: str
    measures: tuple[str, ...]
    photo: str  # "required" | "optional"
    place: str  # "required" | "optional"


# Order matters: it is the order of menus, cards and spreadsheet columns.
KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind("visit", ("households", "people", "pledges", "app_installs"), "optional", "optional"),
        Kind("poster", ("posters", "banners", "slogans", "boards"), "required", "required"),
        Kind("app", ("app_installs",), "optional", "optional"),
        Kind("leaflet", ("leaflets",), "optional", "optional"),
        Kind("lecture", ("lectures", "attendees"), "required", "optional"),
        Kind("push", ("group_pushes",), "optional", "optional"),
        Kind("broadcast", ("broadcasts",), "optional", "optional"),
        # Added after the first seven so that a number typed for the menu keeps its kind.
        Kind("sms", ("sms",), "optional", "optional"),
        Kind("site", ("sites",), "required", "required"),
        Kind("receipt", ("receipts",), "optional", "optional"),  # 回执 of a letter home: never leaflets
        # Dissuading a warned person and visiting a victim again are not publicity: they are
        # counted apart (the early warnings read them) and never added to people reached.
        Kind("dissuade", ("dissuasions", "follow_ups"), "optional", "optional"),
    )
}

# No single entry can honestly hold more than this of anything; larger numbers are typing
# slips (or attacks on the sums) and are refused, not stored.
MAX_FIGURE = 100_000

MEASURES: tuple[str, ...] = (
    "households", "people", "pledges", "app_installs", "posters", "banners",
    "slogans", "boards", "leaflets", "receipts", "lectures", "attendees", "group_pushes", "broadcasts",
    "sms", "sites", "dissuasions", "follow_ups",
)

# Which kind a one-line report's measure is filed under. app_installs alone is an
# "app" entry; next to households it belongs to the visit (see split_by_kind).
MEASURE_KIND: dict[str, str] = {
    "households": "visit", "people": "visit", "pledges": "visit",
    "posters": "poster", "banners": "poster", "slogans": "poster", "boards": "poster",
    "app_installs": "app", "leaflets": "leaflet", "receipts": "receipt", "lectures": "lecture",
    "attendees": "lecture", "group_pushes": "push", "broadcasts": "broadcast",
    "sms": "sms", "sites": "site", "dissuasions": "dissuade", "follow_ups": "dissuade",
}


def split_by_kind(figures: dict[str, int]) -> dict[str, dict[str, int]]:
    """Group a one-line report's figures into one measure dict per kind, in menu order."""
    out: dict[str, dict[str, int]] = {}
    visiting = "households" in figures or "people" in figures
    for key, value in figures.items():
        kind = "visit" if key == "app_installs" and visiting else MEASURE_KIND[key]
        out.setdefault(kind, {})[key] = value
    return {k: out[k] for k in KINDS if k in out}
