"""Lean lists: bytes of what a default search answers against Copper's raw records, the same records.

Every record of each entity is read twice through an in-memory MCP client on a demo sandbox, all
in one answer (the response budget raised for this figure): once as a search answers by default
(the entity's list view, ``x-copper-list`` in the API description) and once with ``raw: true``.
"""

from __future__ import annotations

import json
from typing import Any

from mcp import Client

from bench.figure import Figure, Options, Row, markdown_table
from copper_mcp.core.entities import BY_PLURAL
from tests.conftest import shaped_server

TARGET = 0.40


def _bytes(records: list[Any]) -> int:
    return len(json.dumps(records, ensure_ascii=False, separators=(",", ":")).encode())


async def measure(_options: Options) -> Figure:
    """Search every entity by default and raw; compare the bytes of the records."""
    sizes: dict[str, tuple[int, int, int]] = {}
    async with Client(shaped_server(budget=10**9)) as client:
        for entity in BY_PLURAL:
            search = f"search_{entity}"
            raw = (await client.call_tool(search, {"max_records": 1000, "raw": True})).structured_content or {}
            lean = (await client.call_tool(search, {"max_records": 1000})).structured_content or {}
            sizes[entity] = (len(raw["records"]), _bytes(raw["records"]), _bytes(lean["records"]))
    records = sum(count for count, _, _ in sizes.values())
    raw_bytes = sum(size for _, size, _ in sizes.values())
    lean_bytes = sum(size for _, _, size in sizes.values())
    ratio = lean_bytes / raw_bytes
    row = Row(
        f"lean lists: default searches of all {records:,} demo records",
        f"{lean_bytes:,} B",
        f"{raw_bytes:,} B raw",
        f"{ratio:.2f}",
        f"<= {TARGET}",
        ratio <= TARGET,
    )
    table = markdown_table(
        ["entity", "records", "raw", "list view", "ratio"],
        [[e, n, f"{r:,} B", f"{lean:,} B", f"{lean / r:.2f}"] for e, (n, r, lean) in sizes.items()],
        indent="  ",
    )
    note = (
        "- **Lean lists**: every record of each entity through `search_<entity>` with `max_records: 1000` "
        "in an in-memory MCP client on a demo sandbox (response budget raised so each entity is one answer), "
        "once by default (its list view: the fields a person scans, owners, stages and statuses by name, the "
        "record's id) and once with `raw: true` (Copper's record). Bytes are the records' compact JSON."
    )
    return Figure(row, [note, *table])
