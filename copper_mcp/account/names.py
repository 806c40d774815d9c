"""Names of the records that records point at (a deal's primary contact, a task's record).

Copper sends ``company_name`` beside a ``company_id`` but no name beside ``primary_contact_id``
or a task's ``related_resource``. Showing one costs a request, so every id an answer needs is
asked for in one search per record type, and names are kept for a while: a page of deals costs one
extra request, not one per deal.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping

from copper_mcp.core.entities import BY_SINGULAR
from copper_mcp.core.pages import MAX_PAGE_SIZE
from copper_mcp.core.requester import Requester

# Names kept at most; a server browsing a large account for days must not grow without end.
MAX_KEPT = 20_000


class RecordNames:
    """Names of records by record type and id, fetched in bulk and kept for ttl seconds."""

    def __init__(
        self,
        client: Requester,
        ttl: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        max_kept: int = MAX_KEPT,
    ) -> None:
        self._client = client
        self._ttl = ttl
        self._max_kept = max_kept
        self._clock = clock
        self._names: dict[tuple[str, int], tuple[str, float]] = {}

    async def lookup(self, wanted: Mapping[str, Collection[int]]) -> dict[tuple[str, int], str]:
        """{(record_type, id): name} for the wanted ids that exist; record types are singular (``person``).

        Raises the client's CopperError if a search fails.
        """
        now = self._clock()
        for record_type, ids in wanted.items():
            entity = BY_SINGULAR.get(record_type)
            if entity is None or not entity.named:
                continue  # nothing Copper can name; it keeps its id alone
            missing = sorted(i for i in ids if not self._fresh((record_type, i), now))
            for i in missing:  # a record deleted since must not keep its old name
                self._names.pop((record_type, i), None)
            for start in range(0, len(missing), MAX_PAGE_SIZE):
                chunk = missing[start : start + MAX_PAGE_SIZE]
                body = {"ids": chunk, "page_size": MAX_PAGE_SIZE}
                records = (await self._client.request("POST", entity.search_path, json=body)).data
                for record in records or []:
                    if isinstance(record.get("name"), str):
                        self._names[(record_type, record["id"])] = (record["name"], now)
        keys = [(record_type, i) for record_type, ids in wanted.items() for i in ids]
        found = {key: self._names[key][0] for key in keys if key in self._names}
        if len(self._names) > self._max_kept:
            self._names = {key: kept for key, kept in self._names.items() if now - kept[1] < self._ttl}
            if len(self._names) > self._max_kept:  # all fresh: keep what this answer needed
                self._names = {key: self._names[key] for key in found}
        return found

    def __len__(self) -> int:
        """How many names are kept."""
        return len(self._names)

    def forget(self) -> None:
        """Drop every kept name (after a write that may have renamed someone)."""
        self._names.clear()

    def _fresh(self, key: tuple[str, int], now: float) -> bool:
        kept = self._names.get(key)
        return kept is not None and now - kept[1] < self._ttl
