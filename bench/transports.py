"""Per-call overhead across transports: ``get_person`` over Streamable HTTP next to stdio and in-memory,
and the same GET made directly with CopperClient.

The stdio and HTTP servers run in child processes (``bench/serve_child.py``); every server has a
sandbox of its own with the same demo data and every rate limit raised.
"""

from __future__ import annotations

import statistics
from contextlib import AsyncExitStack

from mcp import Client

from bench.figure import (
    UNLIMITED_CLIENT,
    UNLIMITED_SANDBOX,
    Figure,
    Options,
    Row,
    Step,
    first_person,
    markdown_table,
    ms,
    timed_in_turn,
)
from bench.serve_child import MODULE, http_child, stdio_child
from tests.conftest import sandbox_client, shaped_server

TOOL = "get_person"
PATHS = {
    "memory": "in-memory `Client(server)`",
    "stdio": f"stdio (`python -m {MODULE} stdio`)",
    "http": "Streamable HTTP, 2026-07-28 (`Client(url)`)",
    "legacy": 'Streamable HTTP, 2025-11-25 session (`Client(url, mode="legacy")`)',
    "direct": "direct `CopperClient.request` (no MCP)",
}
"""Every timed path, in the notes' order."""


def via(client: Client, person_id: int, path: str) -> Step:
    """One ``get_person`` call through ``client``, which must succeed."""

    async def call() -> None:
        result = await client.call_tool(TOOL, {"id": person_id})
        if result.is_error:
            raise RuntimeError(f"{TOOL} failed over {PATHS[path]}: {result.content}")

    return call


async def measure(options: Options) -> Figure:
    """Time every path in turn, ``options.remote_calls`` times each."""
    with http_child() as child:
        async with AsyncExitStack() as stack:
            clients = {
                "memory": Client(shaped_server(config=UNLIMITED_SANDBOX, limits=UNLIMITED_CLIENT)),
                "stdio": Client(stdio_child()),
                "http": Client(child.url),
                "legacy": Client(child.url, mode="legacy"),
            }
            for client in clients.values():
                await stack.enter_async_context(client)
            direct = await stack.enter_async_context(sandbox_client(UNLIMITED_SANDBOX, limits=UNLIMITED_CLIENT))
            ids = {path: await first_person(client) for path, client in clients.items()}
            steps = {path: via(client, ids[path], path) for path, client in clients.items()}

            async def direct_request() -> None:
                await direct.request("GET", f"/people/{ids['memory']}")

            steps["direct"] = direct_request
            times = await timed_in_turn(steps, options.remote_calls, options.warmup)
    mean = {path: statistics.mean(seconds) for path, seconds in times.items()}
    median = {path: statistics.median(seconds) for path, seconds in times.items()}
    row = Row(
        f"transports: `{TOOL}` over Streamable HTTP and stdio ({options.remote_calls} calls each)",
        f"HTTP mean {ms(mean['http'])}, median {ms(median['http'])}",
        f"stdio mean {ms(mean['stdio'])}, median {ms(median['stdio'])}",
        f"{mean['http'] / mean['stdio']:.2f}x (medians {median['http'] / median['stdio']:.2f}x)",
        "none set",
        None,
    )
    table = markdown_table(
        ["path", "mean", "median", "over in-memory (means)", "over direct (means)"],
        (
            [label, ms(mean[path]), ms(median[path]), ms(mean[path] - mean["memory"]), ms(mean[path] - mean["direct"])]
            for path, label in PATHS.items()
        ),
        indent="  ",
    )
    notes = [
        f"- **Transports**: `{TOOL}` on one person (found by `search_people` first) through each path below, "
        f"{options.warmup} warm-up calls each, then {options.remote_calls} timed calls of each path in turn. The "
        f"stdio and HTTP servers are child processes (`python -m {MODULE} stdio|http`: `build_server` and "
        "`copper_mcp.mcp.http.serve` as `copper-mcp --sandbox` uses them); the in-memory server is "
        "`shaped_server` of `tests/conftest.py`; the direct request is a CopperClient of its own. Each has a "
        "sandbox of its own with the demo data, reached in-process through `httpx2.ASGITransport`, every rate "
        "limit raised on both sides (it measures the transports, not the limiter). HTTP is the modern "
        "protocol in the row; the 2025-11-25 session protocol, which HTTP hosts still speak, is in the table. "
        "The ratio is HTTP against stdio, the transport hosts spawn; no target is set for it.",
        "",
        *table,
        "",
    ]
    return Figure(row, notes)
