"""Compact records: bytes of every demo record in the compact form against Copper's raw form."""

from __future__ import annotations

from pathlib import Path

import tests.shaping.test_nothing_lost as nothing_lost
from bench.figure import REPO, UNLIMITED_CLIENT, Figure, Options, Row
from copper_mcp.account import LIST_PATHS, Account
from copper_mcp.account.names import RecordNames
from copper_mcp.catalog import load_catalog
from copper_mcp.core.entities import BY_PLURAL
from copper_mcp.core.pages import MAX_PAGE_SIZE, every_page
from copper_mcp.shaping.budget import json_size
from copper_mcp.shaping.reads import compact, linked_ids
from tests.conftest import sandbox_client

TARGET = 0.5
SIZES = ("records", "raw", "compact", "unnamed", "undated")


async def measure(_options: Options) -> Figure:
    """Weigh every demo record as Copper sends it and as the tools answer it."""
    entities = {name: marks for name, marks in load_catalog().records.items() if name in BY_PLURAL}
    sizes: dict[str, dict[str, int]] = {}
    async with sandbox_client(limits=UNLIMITED_CLIENT) as client:
        reference = await Account(client).reference(LIST_PATHS)
        names = RecordNames(client)
        for entity, fields in entities.items():
            raw = await every_page(client, f"/{entity}/search")
            linked = await names.lookup(linked_ids((r, fields) for r in raw))
            shaped = [compact(r, fields, reference, linked) for r in raw]
            # The same records without what compaction adds (names beside ids), then also with
            # dates left as Copper sends them: what remains is what dropping empties saved.
            unnamed = [{k: v for k, v in c.items() if k in r} for c, r in zip(shaped, raw, strict=True)]
            undated = [
                {k: r[k] if k in fields.dates else v for k, v in u.items()} for u, r in zip(unnamed, raw, strict=True)
            ]
            sizes[entity] = {
                "records": len(raw),
                "raw": sum(map(json_size, raw)),
                "compact": sum(map(json_size, shaped)),
                "unnamed": sum(map(json_size, unnamed)),
                "undated": sum(map(json_size, undated)),
            }
    total = {key: sum(s[key] for s in sizes.values()) for key in SIZES}
    ratio = total["compact"] / total["raw"]
    row = Row(
        f"compact records: all {total['records']:,} demo records of {len(sizes)} entities",
        f"{total['compact']:,} B compact",
        f"{total['raw']:,} B raw",
        f"{ratio:.2f}",
        f"<= {TARGET}",
        ratio <= TARGET,
    )
    per_entity = ", ".join(
        f"{entity} {s['compact'] / s['raw']:.2f} ({s['records']})" for entity, s in sorted(sizes.items())
    )
    added_names = total["compact"] - total["unnamed"]
    added_dates = total["unnamed"] - total["undated"]
    check = Path(nothing_lost.__file__).relative_to(REPO)
    notes = [
        "- **Compact records**: every record of each entity, fetched from an in-process sandbox (demo data) "
        f"with `POST /{{entity}}/search` {MAX_PAGE_SIZE} at a time, exactly as Copper sends them (raw), and "
        f"the same records through `{compact.__module__}.{compact.__name__}` with the catalogue's field marks, "
        "the sandbox's reference data and the names of linked records (as the tools answer). Bytes are "
        "`json_size` (compact JSON, UTF-8), the measure of the response budget. Ratio per entity (records): "
        f"{per_entity}.",
        "  Where the bytes go: leaving out empty values and unset custom fields (and keying custom fields by "
        f"name) takes the raw {total['raw']:,} B down to {total['undated']:,} B "
        f"({total['undated'] / total['raw']:.2f}); ISO dates in place of Unix seconds add {added_dates:,} B and "
        f"names beside ids add {added_names:,} B, both asked for by the same issue. "
        f"`{check.as_posix()}` checks on the same data that every non-empty raw value comes back from the "
        "compact form.",
    ]
    return Figure(row, notes)
