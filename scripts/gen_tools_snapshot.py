"""Write the snapshot of tools/list that hosts receive: every schema change shows in review.

Usage: python scripts/gen_tools_snapshot.py [--check]
With --check it writes nothing and exits 1 when the checked-in snapshot is stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import anyio
import httpx2
from mcp import Client

from copper_mcp.client import CopperClient
from copper_mcp.core.settings import Settings
from copper_mcp.mcp import build_server
from scripts.generated import write_or_check

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "tests" / "catalog" / "tools_list.json"


def _nothing_is_sent(request: httpx2.Request) -> httpx2.Response:
    raise AssertionError(f"listing tools sent {request.method} {request.url}")


async def render() -> str:
    """tools/list as an in-memory MCP client receives it, as indented JSON."""
    client = CopperClient(api_key="snapshot", user_email="snapshot@example.com",
                          transport=httpx2.MockTransport(_nothing_is_sent))  # fmt: skip
    server = build_server(Settings(api_key="snapshot", user_email="snapshot@example.com"), client)
    async with Client(server) as mcp:
        listed = await mcp.list_tools()
    tools = listed.model_dump(mode="json", by_alias=True, exclude_none=True)["tools"]
    return json.dumps(tools, indent=1, ensure_ascii=False) + "\n"


def main() -> int:
    """Write the snapshot, or with --check report whether it is current."""
    return write_or_check(SNAPSHOT, anyio.run(render), "gen_tools_snapshot.py")


if __name__ == "__main__":
    sys.exit(main())
