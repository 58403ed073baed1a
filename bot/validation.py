"""The TOML files an administrator edits: reading them, and wording what is wrong."""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Callable


def read_toml(path: str | Path, error: Callable[[str, str], Exception]) -> dict[str, Any]:
    """Read a TOML file; an unreadable or malformed one becomes `error(file, reason)`."""
    name = str(path)
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise error(name, f"cannot read: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise error(name, f"invalid TOML: {exc}") from exc


def table_entries(data: dict[str, Any], table: str, name: str,
                  error: Callable[[str, str], Exception]) -> list[Any]:
    """The [[table]] entries of a file that may hold nothing else, and at least one of them."""
    unknown = sorted(set(data) - {table})
    if unknown:
        raise error(name, f"unknown top-level key {unknown[0]!r} (expected [[{table}]])")
    entries = data.get(table)
    if not isinstance(entries, list) or not entries:
        raise error(name, f"expected one or more [[{table}]] entries")
    return entries


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
