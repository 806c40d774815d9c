"""Per-call overhead: ``get_person`` through an in-memory MCP client against the same GET made directly
with CopperClient, both on an in-process sandbox."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable

from mcp import Client

from bench.figure import UNLIMITED, Figure, Options, Row, ms
from bench.floor_server import server as floor_server
from copper_mcp.client import RateLimits
from copper_mcp.sandbox import SandboxConfig
from tests.conftest import sandbox_client, shaped_server

TARGET = 1.5


async def measure(options: Options) -> Figure:
    """Time the MCP path, the direct request and two diagnostic paths, in turn, ``options.calls`` times each."""
    config = SandboxConfig(requests_per_minute=UNLIMITED)
    limits = RateLimits(per_minute=UNLIMITED)
    server = shaped_server(config=config, limits=limits)
    direct = sandbox_client(config, limits=limits)  # a sandbox of its own, with the same demo data
    times: dict[str, list[float]] = {"mcp": [], "direct": [], "tool": [], "floor": []}
    async with Client(server) as mcp_client, Client(floor_server) as floor_client, direct:
        found = await mcp_client.call_tool("search_people", {"page_size": 1})
        if found.is_error or not found.structured_content:
            raise RuntimeError(f"search_people failed: {found.content}")
        person_id = found.structured_content["records"][0]["id"]
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

        steps: dict[str, Callable[[], Awaitable[None]]] = {
            "mcp": via_mcp,
            "direct": via_client,
            "tool": via_tool,
            "floor": via_floor,
        }
        for _ in range(options.warmup):
            for step in steps.values():
                await step()
        for _ in range(options.calls):  # alternate, so every path sees the same machine state
            for key, step in steps.items():
                t0 = time.perf_counter()
                await step()
                times[key].append(time.perf_counter() - t0)
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
        "Rate limits raised for this row only (sandbox `requests_per_minute` and client "
        f"`RateLimits.per_minute` = {UNLIMITED:,}): it measures overhead, not limiting. Mean overhead "
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
