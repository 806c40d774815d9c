"""Catalogue size: bytes of the compact tools/list JSON, all toolsets, not read-only."""

from __future__ import annotations

import json
import statistics

from mcp import Client
from mcp.types import ListToolsResult, Tool

from bench.figure import Figure, Options, Row
from tests.conftest import shaped_server
from tests.mcp.test_server import CATALOGUE_BUDGET as TARGET


def dumped_size(model: ListToolsResult | Tool) -> int:
    """Characters of the model's compact JSON, as a client receives it."""
    return len(json.dumps(model.model_dump(mode="json", by_alias=True, exclude_none=True), separators=(",", ":")))


async def measure(_options: Options) -> Figure:
    """List every tool through an in-memory client and weigh the answer and each tool in it."""
    async with Client(shaped_server()) as client:
        result = await client.list_tools()
        tools = list(result.tools)
        cursor = result.next_cursor
        while cursor:  # MCPServer answers in one page; follow cursors anyway
            page = await client.list_tools(cursor=cursor)
            tools.extend(page.tools)
            cursor = page.next_cursor
    whole = dumped_size(result if result.next_cursor is None else ListToolsResult(tools=tools))
    sizes = {t.name: dumped_size(t) for t in tools}
    largest = max(sizes, key=lambda name: sizes[name])
    row = Row(
        f"catalogue: compact tools/list JSON ({len(tools)} tools)",
        f"{whole:,} B (mean {statistics.mean(sizes.values()):,.0f} B/tool; largest `{largest}` {sizes[largest]:,} B)",
        f"{TARGET:,} B",
        f"{whole / TARGET:.2f}x",
        f"<= {TARGET:,} B",
        whole <= TARGET,
    )
    note = (
        '- **Catalogue**: `json.dumps(result.model_dump(mode="json", by_alias=True, exclude_none=True), '
        'separators=(",", ":"))` of the tools/list result from an in-memory `Client(server)`, all '
        "toolsets, not read-only. Per tool: the same dump of each `Tool`."
    )
    return Figure(row, [note])
