"""Copper's paging: how large a page can be, how far a search reaches, whether more follows."""

from __future__ import annotations

from typing import Any

from .requester import Requester

MAX_PAGE_SIZE = 200
"""Copper's largest page, and how many ids one search's ``ids`` filter takes."""
SEARCH_CAP = 100_000
"""Copper answers at most the first 100,000 matches of a search, whatever the page."""


def has_more(page_number: int, page_size: int, returned: int, total: int | None) -> bool:
    """Whether a search has records after this page.

    A short page is the last. ``total`` (Copper's X-PW-TOTAL) is an upper bound, so it can end
    a walk early but never extend it.
    """
    seen = (page_number - 1) * page_size + returned
    return returned == page_size and (total is None or seen < total) and seen < SEARCH_CAP


async def every_page(requester: Requester, path: str) -> list[Any]:
    """Everything a search at ``path`` finds, asking for the largest pages until a short one."""
    found: list[Any] = []
    page = 1
    while True:
        body = {"page_number": page, "page_size": MAX_PAGE_SIZE}
        batch = (await requester.request("POST", path, json=body)).data or []
        found.extend(batch)
        if len(batch) < MAX_PAGE_SIZE:
            return found
        page += 1
