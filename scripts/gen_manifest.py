"""Regenerate the generated parts of manifest.json (the MCP bundle's manifest): the version,
from copper_mcp.__version__, and the tools list, from the tool catalogue. The rest of the
file is written by hand.

Usage: python scripts/gen_manifest.py [--check]
With --check it writes nothing and exits 1 when manifest.json is stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from copper_mcp import __version__
from copper_mcp.catalog import Catalog, load_catalog
from scripts.generated import write_or_check

MANIFEST = Path(__file__).resolve().parent.parent / "manifest.json"


def updated_manifest(manifest: dict[str, Any], catalog: Catalog, version: str) -> dict[str, Any]:
    """The manifest with this version and one tools entry per catalogue operation, in catalogue order."""
    tools = [{"name": op.name, "description": op.description} for op in catalog.operations]
    return {**manifest, "version": version, "tools": tools}


def render(manifest: dict[str, Any]) -> str:
    """manifest.json's text for this manifest."""
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    """Rewrite manifest.json, or with --check report whether it is current."""
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return write_or_check(MANIFEST, render(updated_manifest(manifest, load_catalog(), __version__)), "gen_manifest.py")


if __name__ == "__main__":
    sys.exit(main())
