"""The fixed resources: account, users, pipelines, custom fields and reference lists.

They answer Copper's own JSON, fetched when read: these are the definitions a host shows
so a person can see what the ids and names in records mean.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import anyio

from copper_mcp.client import CopperError, PermissionDeniedError
from copper_mcp.presentation.cache import every_page
from copper_mcp.tools.registry import Requester

# copper://reference: key in the answer -> list endpoint.
REFERENCE_LISTS = {
    "contact_types": "/contact_types",
    "customer_sources": "/customer_sources",
    "loss_reasons": "/loss_reasons",
    "lead_statuses": "/lead_statuses",
    "activity_types": "/activity_types",
}


@dataclass(frozen=True)
class Fixed:
    """One fixed resource and how to fetch its content."""

    path: str
    title: str
    description: str
    fetch: Callable[[Requester], Awaitable[Any]]

    @property
    def uri(self) -> str:
        """``copper://<path>``."""
        return f"copper://{self.path}"


async def _get(client: Requester, path: str) -> Any:
    return (await client.request("GET", path)).data


async def _gather(calls: dict[str, Callable[[], Awaitable[Any]]]) -> dict[str, Any]:
    """Run independent requests concurrently (the client's limiter still paces them)."""
    results: dict[str, Any] = {}
    failures: list[CopperError] = []

    async def run(key: str, call: Callable[[], Awaitable[Any]]) -> None:
        # Kept out of the task group, which would wrap it in an ExceptionGroup callers cannot
        # catch as a CopperError.
        try:
            results[key] = await call()
        except CopperError as exc:
            failures.append(exc)

    async with anyio.create_task_group() as group:
        for key, call in calls.items():
            group.start_soon(run, key, call)
    if failures:
        raise failures[0]
    return {key: results[key] for key in calls}  # in the order asked, not the order answered


async def account(client: Requester) -> Any:
    """The account and the user the API key belongs to."""
    return await _gather({"account": lambda: _get(client, "/account"), "user": lambda: _get(client, "/users/me")})


async def users(client: Requester) -> Any:
    """Every user, all pages."""
    return await every_page(client, "/users/search")


async def reference(client: Requester) -> Any:
    """The short lists records refer to by id."""

    async def fetch(path: str) -> Any:
        try:
            return await _get(client, path)
        except PermissionDeniedError:
            # With Leads switched off, /lead_statuses answers 403 "Feature not enabled".
            if path != "/lead_statuses":
                raise
            return []

    return await _gather({key: partial(fetch, path) for key, path in REFERENCE_LISTS.items()})


FIXED = (
    Fixed("account", "Copper account", "The account's settings and the user the API key belongs to.", account),
    Fixed("users", "Copper users", "Every user of the account (ids, names, emails).", users),
    Fixed(
        "pipelines",
        "Copper pipelines",
        "Opportunity pipelines with their stages, in order.",
        lambda client: _get(client, "/pipelines"),
    ),
    Fixed(
        "custom-fields",
        "Copper custom fields",
        "Custom field definitions: data type, where each applies, and dropdown options.",
        lambda client: _get(client, "/custom_field_definitions"),
    ),
    Fixed(
        "reference",
        "Copper reference lists",
        "Contact types, customer sources, loss reasons, lead statuses and activity types.",
        reference,
    ),
)
