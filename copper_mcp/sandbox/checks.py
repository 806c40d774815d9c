"""Shape checks shared by every route: what kind of JSON value an input is, and whether it is
one of a fixed set of choices.

A request body is arbitrary JSON, so any value may be an object or an array where a string
or a number belongs. Field checks (entities.py), search filters (search.py) and the other
routes test shapes only through these helpers before using a value, so a wrong shape is a
422 naming the field, never a ``TypeError`` (``{} in {...}`` raises "unhashable").
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Any

from copper_mcp.sandbox.errors import invalid

_INT64 = 2**63


def is_int(value: Any) -> bool:
    """True for a JSON integer (bools are not numbers here) that SQLite could store."""
    return type(value) is int and -_INT64 <= value < _INT64


def is_number(value: Any) -> bool:
    """True for a finite JSON number."""
    return (type(value) is int or type(value) is float) and math.isfinite(value)


def is_one_of(value: Any, choices: Collection[str]) -> bool:
    """True when ``value`` is a string among ``choices`` (a tuple, set or dict of names).

    Only strings are looked up, so an object or array never reaches a hash lookup.
    """
    return isinstance(value, str) and value in choices


def choice(name: str, value: Any, choices: Collection[str]) -> str:
    """``value`` when it is one of ``choices``; else a 422 naming ``name`` and listing them."""
    if not is_one_of(value, choices):
        raise invalid(name, f"must be one of {', '.join(choices)}")
    return str(value)

