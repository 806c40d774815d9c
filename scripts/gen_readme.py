"""Regenerate the tool catalogue section of README.md from the tool registry.

Usage: python scripts/gen_readme.py [--check]
"""

from __future__ import annotations

import sys
from pathlib import Path

from copper_mcp.catalog import Catalog, load_catalog
from scripts.generated import write_or_check

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- tools:start -->", "<!-- tools:end -->"


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


def updated_readme(text: str, catalog: Catalog) -> str:
    """README text with the catalogue section replaced."""
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return head + render_catalog(catalog) + tail


def main() -> int:
    """Rewrite README.md, or with --check report whether it is current."""
    return write_or_check(README, updated_readme(README.read_text(encoding="utf-8"), load_catalog()), "gen_readme.py")


if __name__ == "__main__":
    sys.exit(main())
