"""Regenerate the tool catalogue section of README.md, and its table of group_by keys, from the tool registry.

Usage: python scripts/gen_readme.py [--check]
"""

from __future__ import annotations

import sys
from pathlib import Path

from copper_mcp.catalog import Catalog, load_catalog
from copper_mcp.core.pages import MAX_PAGE_SIZE
from copper_mcp.shaping.groups import MOST_PAGES, MOST_RECORDS, PERIODS
from scripts.generated import write_or_check

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- tools:start -->", "<!-- tools:end -->"
GROUPS_START, GROUPS_END = "<!-- group-by:start -->", "<!-- group-by:end -->"


def render_catalog(catalog: Catalog) -> str:
    """The Markdown catalogue: one table per toolset, one row per tool."""
    lines = [START, f"{len(catalog.operations)} tools in {len(catalog.toolsets)} toolsets.", ""]
    for toolset in catalog.toolsets:
        lines += [f"**{toolset}**", "", "| tool | kind | what it does |", "| --- | --- | --- |"]
        for op in catalog.operations:
            if op.toolset == toolset:
                kind = "read" if op.read_only else op.action
                lines.append(f"| `{op.name}` | {kind} | {op.description.replace('|', '/')} |")
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def render_group_by(catalog: Catalog) -> str:
    """The bound of a group_by call and the keys of each record search."""
    lines = [
        GROUPS_START,
        f"One call reads at most {MOST_RECORDS:,} records ({MOST_PAGES} pages of {MAX_PAGE_SIZE}).",
        "",
        f"| search | keys | dates, by {', '.join(':' + period for period in PERIODS)} | each group also sums |",
        "| --- | --- | --- | --- |",
    ]
    for op in catalog.operations:
        if op.group_by is None or op.answer.record is None:
            continue
        dates = ", ".join(f"`{name}`" for name in catalog.records[op.answer.record].dates)
        sums = op.group_by.sums
        summed = f"`{sums['value']}` per `{sums['currency']}`" if sums else ""
        if "weight" in sums:
            summed += f", and weighted by `{sums['weight']}`"
        keys = ", ".join(f"`{key}`" for key in op.group_by.keys)
        lines.append(f"| `{op.name}` | {keys} | {dates} | {summed or 'count only'} |")
    lines.append(GROUPS_END)
    return "\n".join(lines)


def _replaced(text: str, start: str, end: str, block: str) -> str:
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return head + block + tail


def updated_readme(text: str, catalog: Catalog) -> str:
    """README text with the catalogue section and the group_by keys replaced."""
    text = _replaced(text, START, END, render_catalog(catalog))
    return _replaced(text, GROUPS_START, GROUPS_END, render_group_by(catalog))


def main() -> int:
    """Rewrite README.md, or with --check report whether it is current."""
    return write_or_check(README, updated_readme(README.read_text(encoding="utf-8"), load_catalog()), "gen_readme.py")


if __name__ == "__main__":
    sys.exit(main())
