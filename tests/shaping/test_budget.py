"""fitting(): as many leading records as fit, and whether it cut; aligned_page() for the rest."""

from __future__ import annotations

import json
from typing import Any

import pytest

from copper_mcp.shaping.budget import DEFAULT_BUDGET, aligned_page, fitting, json_size, sizes

Records = list[dict[str, Any]]


def fit_to_budget(records: Records, budget: int = DEFAULT_BUDGET) -> tuple[Records, bool]:
    """The leading records that fit, and whether any was cut."""
    count = fitting(sizes(records), budget)
    return records[:count], count < len(records)


RECORDS = [{"id": n, "name": f"Record {n}", "details": "é" * 20} for n in range(10)]
ONE = json_size(RECORDS[0])  # every record has the same size


@pytest.mark.parametrize(
    ("budget", "kept", "cut"),
    [
        (10_000, 10, False),
        (2 + 10 * ONE + 9, 10, False),  # exactly the whole array
        (2 + 10 * ONE + 8, 9, True),  # one byte short
        (2 + 3 * ONE + 2, 3, True),
        (2 + ONE, 1, True),
        (ONE, 0, True),  # not even the first one fits
    ],
)
def test_keeps_leading_records_that_fit(budget: int, kept: int, cut: bool) -> None:
    result, was_cut = fit_to_budget(RECORDS, budget)
    assert result == RECORDS[:kept]
    assert was_cut is cut
    assert json_size(result) <= budget or kept == 0


def test_size_is_utf8_bytes_of_compact_json() -> None:
    text = json.dumps(RECORDS, ensure_ascii=False, separators=(",", ":"))
    assert json_size(RECORDS) == len(text.encode()) == 2 + 10 * ONE + 9
    assert len(text) < json_size(RECORDS)  # "é" is two bytes


def test_empty_and_default_budget() -> None:
    assert fit_to_budget([]) == ([], False)
    big = [{"details": "x" * 1000} for _ in range(100)]
    kept, cut = fit_to_budget(big)
    assert cut and json_size(kept) <= 60_000 < json_size(kept + big[:1])


@pytest.mark.parametrize(
    ("offset", "fitting", "page"),
    [(0, 30, (30, 1)), (100, 30, (25, 5)), (100, 7, (5, 21)), (97, 10, (1, 98)), (40, 40, (40, 2)), (60, 45, (30, 3))],
)
def test_aligned_page_is_the_largest_starting_at_the_offset(offset: int, fitting: int, page: tuple[int, int]) -> None:
    assert aligned_page(offset, fitting) == page
