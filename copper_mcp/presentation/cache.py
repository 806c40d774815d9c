"""Loading reference data from Copper and keeping it for a while."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import anyio

from .reference import ReferenceData

MAX_PAGE_SIZE = 200  # Copper's largest page (also how many ids one search takes)
LIST_PATHS = ("/pipelines", "/contact_types", "/customer_sources", "/loss_reasons", "/activity_types")


class CopperResponse(Protocol):
    """What this package reads from a client response: the parsed JSON body."""

    @property
    def data(self) -> Any: ...


class CopperRequester(Protocol):
    """The part of CopperClient this package uses (kept structural so it does not import it)."""

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> CopperResponse: ...


async def load_reference_data(client: CopperRequester) -> ReferenceData:
    """Fetch the account, users, pipelines, reference lists and custom field definitions."""
    account = (await client.request("GET", "/account")).data
    bodies: dict[str, Any] = {}

    async def fetch(path: str) -> None:
        bodies[path] = (await client.request("GET", path)).data

    try:
        async with anyio.create_task_group() as group:
            for path in LIST_PATHS:
                group.start_soon(fetch, path)
            group.start_soon(fetch, "/custom_field_definitions")
            # With Leads switched off, /lead_statuses answers 403 "Feature not enabled".
            if (account.get("settings") or {}).get("setting_enable_leads", True):
                group.start_soon(fetch, "/lead_statuses")
            users = await every_page(client, "/users/search")
    except BaseExceptionGroup as group_error:
        # Callers handle Copper's own errors (a 401, a 429 after retries); hand them the first
        # one as it is rather than wrapped in a group they would not recognise.
        raise group_error.exceptions[0] from None
    return ReferenceData.from_copper(
        account,
        users,
        bodies["/pipelines"],
        bodies["/contact_types"],
        bodies["/customer_sources"],
        bodies["/loss_reasons"],
        bodies.get("/lead_statuses", []),
        bodies["/activity_types"],
        bodies["/custom_field_definitions"],
    )


async def every_page(client: CopperRequester, path: str) -> list[Any]:
    """Everything a search at ``path`` finds, asking for the largest pages until a short one."""
    found: list[Any] = []
    page = 1
    while True:
        body = {"page_number": page, "page_size": MAX_PAGE_SIZE}
        batch = (await client.request("POST", path, json=body)).data or []
        found.extend(batch)
        if len(batch) < MAX_PAGE_SIZE:
            return found
        page += 1


class ReferenceCache:
    """Reference data loaded once and kept for ttl seconds; concurrent callers share one load."""

    def __init__(
        self,
        load: Callable[[], Awaitable[ReferenceData]],
        ttl: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self._ttl = ttl
        self._clock = clock
        self._lock = anyio.Lock()
        self._value: ReferenceData | None = None
        self._loaded_at = 0.0
        # Bumped by invalidate(), so a load that started before a change is not kept after it.
        self._generation = 0

    async def get(self) -> ReferenceData:
        """The cached reference data, loading it first if missing, expired or invalidated."""
        value = self._fresh()
        if value is not None:
            return value
        async with self._lock:
            value = self._fresh()  # another caller may have loaded it while this one waited
            if value is not None:
                return value
            generation = self._generation
            started = self._clock()
            value = await self._load()
            if generation == self._generation:
                self._value, self._loaded_at = value, started
            return value

    def invalidate(self) -> None:
        """Make the next get() load again (after a change to users, pipelines or custom fields)."""
        self._value = None
        self._generation += 1

    def _fresh(self) -> ReferenceData | None:
        if self._value is not None and self._clock() - self._loaded_at < self._ttl:
            return self._value
        return None
