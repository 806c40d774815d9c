"""Keeping a list of records inside a response size budget, and saying honestly what was cut."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

# About 15k tokens: well under the 25k-token default cap some clients put on a tool result.
DEFAULT_BUDGET = 60_000
# The brackets of the JSON array that holds the records.
_ARRAY = 2


def json_size(value: Any) -> int:
    """UTF-8 bytes of value as compact JSON, the measure every budget here uses."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str).encode())


def sizes(records: Sequence[Any]) -> list[int]:
    """Each record's size: measured once, then summed as often as needed."""
    return [json_size(record) for record in records]


def fitting(record_sizes: Sequence[int], budget: int = DEFAULT_BUDGET, used: int = _ARRAY) -> int:
    """How many leading records fit when ``used`` bytes of the array are already spent.

    A comma separates records, so each after the first (counting those in ``used``) costs one byte more.
    """
    for count, size in enumerate(record_sizes):
        used += size + (0 if used == _ARRAY else 1)
        if used > budget:
            return count
    return len(record_sizes)


def array_size(record_sizes: Sequence[int]) -> int:
    """Bytes of the JSON array holding records of these sizes."""
    return _ARRAY + sum(record_sizes) + max(len(record_sizes) - 1, 0)


def aligned_page(offset: int, fitting: int) -> tuple[int, int]:
    """(page_size, page_number) of the largest page, at most ``fitting`` long, starting at ``offset``.

    Copper pages by number and size only, so a page can start at ``offset`` only if its size
    divides it; from offset 0 any size does.
    """
    size = next(k for k in range(fitting, 0, -1) if offset % k == 0)
    return size, offset // size + 1


def within_budget(
    data: dict[str, Any], budget: int = DEFAULT_BUDGET, record_sizes: Sequence[int] | None = None
) -> dict[str, Any]:
    """An answer holding ``records`` cut to the budget: never silently, and never losing the way on.

    A cut search page is described again as the smaller page it now is (page_size and
    page_number change), so continuing from next_page_number with that page_size neither
    skips nor repeats a record. ``record_sizes``, when the caller measured them already, saves measuring twice.
    """
    records = data.get("records")
    if not isinstance(records, list):
        return data
    count = fitting(sizes(records) if record_sizes is None else record_sizes, budget)
    if count == len(records):
        return data
    kept = records[:count]
    page, size = data.get("page_number"), data.get("page_size")
    if not (isinstance(page, int) and isinstance(size, int)) or not kept:
        note = (
            f"Only {len(kept)} of the {len(records)} records fit in one answer; "
            "narrow the request (filters, or a get per record) to see the rest."
        )
        return {**data, "records": kept, "has_more": True, "notes": [*data.get("notes", []), note]}
    smaller, number = aligned_page((page - 1) * size, len(kept))
    note = (
        f"Only {smaller} of the {len(records)} records asked for fit in one answer: this is page {number} "
        f"of {smaller} records. Continue with page_number={number + 1} and page_size={smaller}."
    )
    return {
        **data,
        "records": kept[:smaller],
        "page_number": number,
        "page_size": smaller,
        "has_more": True,
        "next_page_number": number + 1,
        "notes": [*data.get("notes", []), note],
    }
