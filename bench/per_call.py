"""Per-call overhead: ``get_person`` through an in-memory MCP client against the same GET made directly
with CopperClient, both on an in-process sandbox."""

from __future__ import annotations

import statistics

from mcp import Client

from bench.figure import (
    UNLIMITED,
    UNLIMITED_CLIENT,
    UNLIMITED_SANDBOX,
    Figure,
    Options,
    Row,
    first_person,
    ms,
    timed_in_turn,
)
from bench.floor_server import server as floor_server
from tests.conftest import sandbox_client, shaped_server

TARGET = 1.5


async def measure(options: Options) -> Figure:
    """Time the MCP path, the direct request and two diagnostic paths, in turn, ``options.calls`` times each."""
    server = shaped_server(config=UNLIMITED_SANDBOX, limits=UNLIMITED_CLIENT)
    direct = sandbox_client(UNLIMITED_SANDBOX, limits=UNLIMITED_CLIENT)  # a sandbox of its own, same demo data
    async with Client(server) as mcp_client, Client(floor_server) as floor_client, direct:
        person_id = await first_person(mcp_client)
        path = f"/people/{person_id}"

        async def via_mcp() -> None:
            res = await mcp_client.call_tool("get_person", {"id": person_id})
            if res.is_error:
                raise RuntimeError(f"get_person failed: {res.content}")

        async def via_client() -> None:
            await direct.request("GET", path)

        async def via_tool() -> None:
            # Diagnostic: our tool layer (validation, shaping, the same request) without the MCP protocol.
            res = await server.call_tool("get_person", {"id": person_id})
            if getattr(res, "is_error", False):
                raise RuntimeError(f"get_person failed: {res}")

        async def via_floor() -> None:
            # Diagnostic: the SDK's own in-memory round trip for a trivial tool.
            await floor_client.call_tool("ping", {})

        steps = {"mcp": via_mcp, "direct": via_client, "tool": via_tool, "floor": via_floor}
        times = await timed_in_turn(steps, options.calls, options.warmup)
    mean = {k: statistics.mean(v) for k, v in times.items()}
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = mean["mcp"] / mean["direct"]
    row = Row(
        f"per-call: `get_person` via in-memory MCP client ({options.calls} calls)",
        f"mean {ms(mean['mcp'])}, median {ms(med['mcp'])}",
        f"direct `CopperClient.request`: mean {ms(mean['direct'])}, median {ms(med['direct'])}",
        f"{ratio:.2f}x (medians {med['mcp'] / med['direct']:.2f}x)",
        f"<= {TARGET:.1f}x (means)",
        ratio <= TARGET,
    )
    ours = mean["tool"] - mean["direct"]
    protocol = mean["mcp"] - mean["tool"]
    notes = [
        "- **Per-call**: server built by `shaped_server` of `tests/conftest.py` on an in-memory sandbox through "
        f'`httpx2.ASGITransport`; the baseline is `await client.request("GET", "{path}")` '
        "on a CopperClient over a second, identical sandbox. Person id found by `search_people` first. "
        f"{options.warmup} warm-up calls each, then {options.calls} timed calls of each path below, in turn. "
        "Rate limits raised for this row only (every limit of the sandbox and of the client's `RateLimits` "
        f"= {UNLIMITED:,}): it measures overhead, not limiting. Mean overhead "
        f"added: {ms(mean['mcp'] - mean['direct'])} per call.",
        "  Where it goes (means, same loop): our tool layer alone (`await server.call_tool(...)` on the "
        f"MCPServer: argument validation, shaping, the same request, no protocol) {ms(mean['tool'])}, "
        f"so {ms(ours)} is ours and {ms(protocol)} is the MCP client/server round trip; the SDK's "
        f"in-memory round trip for `bench/floor_server.py`'s trivial `ping` tool is {ms(mean['floor'])} "
        f"on its own. A {TARGET:g}x target leaves {ms((TARGET - 1) * mean['direct'])} for everything above "
        f"the direct request; with our layer free the ratio would still be "
        f"{(protocol + mean['direct']) / mean['direct']:.2f}x.",
    ]
    return Figure(row, notes)
