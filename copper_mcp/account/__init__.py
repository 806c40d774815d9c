"""What is fetched from the Copper account and kept a while.

The account's lists (the account itself, users, pipelines, contact types, customer sources,
loss reasons, lead statuses, activity types, custom field definitions, custom activity types)
name the ids inside records. Each list is fetched the first time something needs it and kept
``ttl`` seconds, so a call costs only the lists it uses, and a change reloads only the list it
changed.
``names.RecordNames`` does the same for the names of linked records.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import anyio

from copper_mcp.core.errors import CopperError
from copper_mcp.core.pages import every_page
from copper_mcp.core.requester import Requester
from copper_mcp.shaping.reference import ReferenceData

LIST_PATHS: Mapping[str, str] = MappingProxyType(
    {
        "account": "/account",
        "users": "/users/search",
        "pipelines": "/pipelines",
        "contact_types": "/contact_types",
        "customer_sources": "/customer_sources",
        "loss_reasons": "/loss_reasons",
        "lead_statuses": "/lead_statuses",
        "activity_types": "/activity_types",
        "custom_field_definitions": "/custom_field_definitions",
        "custom_activity_types": "/custom_activity_types",
    }
)
"""Every account list and where it comes from: the one list of reference endpoints."""
REFERENCE_LISTS = (
    "contact_types",
    "customer_sources",
    "loss_reasons",
    "lead_statuses",
    "activity_types",
    "custom_activity_types",
)
"""The short lists that name a record's categories (what ``copper://reference`` shows)."""


def leads_enabled(account: Mapping[str, Any]) -> bool:
    """Whether the account uses leads: with them switched off, lead endpoints answer 403."""
    return bool((account.get("settings") or {}).get("setting_enable_leads", True))


async def fetch_list(requester: Requester, name: str) -> Any:
    """One account list as Copper sends it (users: every page)."""
    path = LIST_PATHS[name]
    if name == "users":
        return await every_page(requester, path)
    return (await requester.request("GET", path)).data


@dataclass
class _Kept:
    value: Any
    at: float
    serial: int
    """Which fetch this was: tells apart two fetches made at the same clock reading."""


class Account:
    """The account's lists, each fetched when first needed and kept ``ttl`` seconds.

    Concurrent callers needing the same list share one fetch. ``changed`` makes the next use
    of a list fetch it again, and a fetch that started before the change is not kept after it.
    """

    def __init__(
        self,
        requester: Requester,
        ttl: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._requester = requester
        self._ttl = ttl
        self._clock = clock
        self._kept: dict[str, _Kept] = {}
        self._locks = {name: anyio.Lock() for name in LIST_PATHS}
        self._generations = dict.fromkeys(LIST_PATHS, 0)
        self._fetches = 0
        self._reference: tuple[tuple[int, ...], ReferenceData] | None = None

    async def list(self, name: str) -> Any:
        """One list, from what is kept while it is fresh."""
        kept = self._fresh(name)
        if kept is not None:
            return kept.value
        async with self._locks[name]:
            kept = self._fresh(name)  # another caller may have fetched it while this one waited
            if kept is not None:
                return kept.value
            return await self._fetch(name)

    async def refresh(self, name: str) -> Any:
        """One list fetched now, and kept (what a reader who wants it current uses)."""
        async with self._locks[name]:
            return await self._fetch(name)

    async def reference(self, lists: Iterable[str]) -> ReferenceData:
        """Reference data holding at least these lists (the account's, always, for its time zone).

        Lists already kept are included too, so the same object serves the next call.
        """
        wanted = {"account", *lists}
        if "lead_statuses" in wanted and not leads_enabled(await self.list("account")):
            wanted.discard("lead_statuses")  # leads switched off: Copper answers 403
        missing = [name for name in wanted if self._fresh(name) is None]
        if len(missing) == 1:
            await self.list(missing[0])
        elif missing:
            await gather(self.list(name) for name in missing)
        return self._assembled()

    def renew(self, names: Iterable[str], *, older_than: float) -> bool:
        """Forget the lists among ``names`` kept longer than ``older_than`` seconds; whether any was.

        For a name a kept list lacks: a colleague may have just added it. A list fetched moments
        ago is not fetched again, so a name that is simply wrong costs no request per call.
        """
        now = self._clock()
        stale = [name for name in names if name in self._kept and now - self._kept[name].at >= older_than]
        for name in stale:
            self.changed(name)
        return bool(stale)

    def changed(self, name: str) -> None:
        """Forget a list after a change to it, so its next use fetches it again."""
        self._kept.pop(name, None)
        self._generations[name] += 1

    async def _fetch(self, name: str) -> Any:
        generation = self._generations[name]
        started = self._clock()
        self._fetches += 1
        value = await fetch_list(self._requester, name)
        if generation == self._generations[name]:
            self._kept[name] = _Kept(value, started, self._fetches)
        return value

    def _fresh(self, name: str) -> _Kept | None:
        kept = self._kept.get(name)
        return kept if kept is not None and self._clock() - kept.at < self._ttl else None

    def _assembled(self) -> ReferenceData:
        # Rebuilt only when a kept list changed: answers reuse one object between fetches.
        kept = dict(self._kept)
        stamp = tuple(kept[name].serial if name in kept else 0 for name in LIST_PATHS)
        if self._reference is None or self._reference[0] != stamp:
            data = ReferenceData.from_lists({name: entry.value for name, entry in kept.items()})
            self._reference = (stamp, data)
        return self._reference[1]


async def gather(calls: Iterable[Awaitable[Any]]) -> list[Any]:
    """Await independent calls concurrently (the client's limiter still paces them).

    The first CopperError is raised as it is, not wrapped in an ExceptionGroup callers would
    not recognise.
    """
    pending = list(calls)
    results: list[Any] = [None] * len(pending)
    failures: list[CopperError] = []

    async def run(index: int, call: Awaitable[Any]) -> None:
        try:
            results[index] = await call
        except CopperError as exc:
            failures.append(exc)

    async with anyio.create_task_group() as group:
        for index, call in enumerate(pending):
            group.start_soon(run, index, call)
    if failures:
        raise failures[0]
    return results
