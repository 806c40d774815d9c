"""Keeping a list of records inside a response size budget."""

from __future__ import annotations

import json
from typing import Any

# About 15k tokens: well under the 25k-token default cap some clients put on a tool result.
DEFAULT_BUDGET = 60_000


def json_size(value: Any) -> int:
    """UTF-8 bytes of value as compact JSON, the measure fit_to_budget uses."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str).encode())


def fit_to_budget(
    records: list[dict[str, Any]], budget_bytes: int = DEFAULT_BUDGET
) -> tuple[list[dict[str, Any]], bool]:
    """Keep as many leading records as fit in budget_bytes of JSON; return (kept, cut).

    The size counted is that of the JSON array of the kept records. If even the first record does
    not fit, nothing is kept and cut is True, so the caller can say so rather than send it.
    """
    used = 2  # the brackets
    for count, record in enumerate(records):
        used += json_size(record) + (1 if count else 0)  # comma between records
        if used > budget_bytes:
            return records[:count], True
    return list(records), False


def aligned_page(offset: int, fitting: int) -> tuple[int, int]:
    """(page_size, page_number) of the largest page, at most ``fitting`` long, starting at ``offset``.

    Copper pages by number and size only, so a page can start at ``offset`` only if its size
    divides it; from offset 0 any size does.
    """
    size = next(k for k in range(fitting, 0, -1) if offset % k == 0)
    return size, offset // size + 1
