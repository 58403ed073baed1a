"""Pydantic errors worded for the administrator who edits a TOML file."""
from __future__ import annotations

from typing import Any


def describe(err: Any) -> str:
    """Turn one pydantic error into a sentence an administrator can act on."""
    field = ".".join(str(part) for part in err["loc"])
    kind = err["type"]
    if kind == "missing":
        return f"missing key '{field}'"
    if kind == "extra_forbidden":
        return f"unknown key '{field}'"
    if kind == "literal_error":
        return f"{field} must be {err['ctx']['expected']}, got {err['input']!r}"
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    if kind.startswith(("float_", "int_")) and kind.endswith("_parsing"):
        return f"{field} must be a number, got {err['input']!r}"
    return f"{field}: {err['msg']}"
