"""Reference requests: what the account's lists cost a session, at its start and after a change.

Each account list (users, pipelines, custom field definitions...) is fetched the first time a
call needs it and kept; a write that changes one fetches that one again. This counts the list
fetches a session makes for a run of ordinary first calls, then for a custom-field write and
the read after it, through an in-memory MCP client on a demo sandbox.
"""

from __future__ import annotations

from typing import Any

import httpx2
from mcp import Client

from bench.figure import Figure, Options, Row
from copper_mcp.account import LIST_PATHS
from copper_mcp.mcp import build_server
from copper_mcp.sandbox import SandboxConfig, create_app
from tests.conftest import sandbox_client, sandbox_settings

FIRST_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("search_opportunities", {"status_ids": ["Open"], "minimum_monetary_value": 10000}),
    ("get_person", {"id": 1001}),
    ("create_task", {"name": "Follow up with Dana", "due_date": "2026-12-04", "assignee_id": "Dana"}),
]
"""A session's ordinary first calls: a deals search, a contact, a follow-up by name and date."""


class _Counted(httpx2.AsyncBaseTransport):
    def __init__(self, inner: httpx2.AsyncBaseTransport) -> None:
        self.inner = inner
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        path = request.url.path.rsplit("/developer_api/v1", 1)[-1]
        # A list is read with GET (users with a search); a POST to /custom_field_definitions makes one.
        reads = request.method == "GET" or path.endswith("/search")
        self.paths.append(path if reads else f"{request.method} {path}")
        return await self.inner.handle_async_request(request)

    def lists(self, since: int = 0) -> list[str]:
        """The account-list fetches among the requests since the ``since``-th."""
        return [path for path in self.paths[since:] if path in LIST_PATHS.values()]


async def measure(_options: Options) -> Figure:
    """Run the first calls, then a custom-field write and a read, counting list fetches."""
    counted = _Counted(httpx2.ASGITransport(app=create_app(SandboxConfig())))
    async with Client(build_server(sandbox_settings(), sandbox_client(transport=counted))) as client:
        for tool, args in FIRST_CALLS:
            result = await client.call_tool(tool, args)
            assert not result.is_error, (tool, result.content)
        at_start = counted.lists()
        mark = len(counted.paths)
        await client.call_tool("create_custom_field_definition",
                               {"name": "Territory", "data_type": "String", "available_on": ["company"]})  # fmt: skip
        await client.call_tool("search_companies", {"fields": ["*"], "page_size": 5})
        after_write = counted.lists(mark)
    every = len(LIST_PATHS)
    row = Row(
        f"reference requests: {len(FIRST_CALLS)} first calls of a session, then a custom-field write",
        f"{len(at_start)} list fetches at start, {len(after_write)} after the write",
        f"{every} lists in all",
        f"{len(at_start) / every:.2f}",
        "lists a call needs; one after a write",
        len(after_write) <= 1,
    )
    note = (
        f"- **Reference requests**: a fresh server on a demo sandbox, a transport counting requests to the "
        f"{every} account-list endpoints. First calls: "
        + "; ".join(f"`{tool}` {args}" for tool, args in FIRST_CALLS)
        + f". Lists fetched: {', '.join(at_start) or 'none'}. Then `create_custom_field_definition` and a "
        f"`search_companies` showing whole records: {', '.join(after_write) or 'none'} fetched again."
    )
    return Figure(row, [note])
