"""group_by: bytes of a totals answer against the records it adds up, and requests per 1,000 records."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

import httpx2
from mcp import Client
from mcp.types import TextContent
from starlette.applications import Starlette

from bench.figure import UNLIMITED, Figure, Options, Row
from copper_mcp.client import RateLimits
from copper_mcp.core.pages import MAX_PAGE_SIZE
from copper_mcp.sandbox import SandboxConfig, create_app
from copper_mcp.shaping.budget import json_size
from copper_mcp.shaping.groups import MOST_RECORDS
from tests.conftest import SANDBOX_URL, shaped_server

TARGET = 0.05
"""The answer may weigh at most this share of the records it sums up."""
GROWN = 2_000
"""Deals in the sandbox for the request count: ten pages' worth."""
ASKED = {"group_by": ["stage"]}
HEADERS = {"X-PW-AccessToken": "bench", "X-PW-Application": "developer_api", "X-PW-UserEmail": "bench@example.com"}


class Counting(httpx2.AsyncBaseTransport):
    """Passes requests on to the sandbox, counting them by path."""

    def __init__(self, inner: httpx2.AsyncBaseTransport) -> None:
        self.inner = inner
        self.paths: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.paths[request.url.path.removeprefix("/developer_api/v1")] += 1
        return await self.inner.handle_async_request(request)


async def _text(client: Client, tool: str, args: Mapping[str, Any]) -> str:
    result = await client.call_tool(tool, dict(args))
    texts = [c.text for c in result.content if isinstance(c, TextContent)]
    assert not result.is_error and texts, texts
    return texts[0]


async def _grow(app: Starlette, count: int) -> None:
    """Add deals through the sandbox's own bulk endpoint until it holds ``count``."""
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), headers=HEADERS) as http:
        pipelines = (await http.get(f"{SANDBOX_URL}/pipelines")).json()
        stages = [(p["id"], s["id"]) for p in pipelines for s in p["stages"]]
        first = await http.post(f"{SANDBOX_URL}/opportunities/search", json={"page_size": 1})
        held = int(first.headers["X-PW-TOTAL"])
        for start in range(held, count, 10):
            batch = [
                {"name": f"Bench deal {n}", "pipeline_id": stages[n % len(stages)][0],
                 "pipeline_stage_id": stages[n % len(stages)][1], "monetary_value": n % 97 * 100}
                for n in range(start, min(start + 10, count))
            ]  # fmt: skip
            response = await http.post(f"{SANDBOX_URL}/opportunities/bulk_create", json={"opportunities": batch})
            response.raise_for_status()


async def measure(_options: Options) -> Figure:
    """Weigh the answer and the records on the demo data; count requests on a sandbox grown to GROWN deals."""
    roomy = SandboxConfig(requests_per_minute=UNLIMITED, bulk_requests_per_second=UNLIMITED)
    limits = RateLimits(per_minute=UNLIMITED, bulk_per_second=UNLIMITED)
    app = create_app(roomy)
    async with Client(shaped_server(app=app, limits=limits)) as client:
        grouped = await _text(client, "search_opportunities", ASKED)
    async with Client(shaped_server(app=app, limits=limits, budget=UNLIMITED)) as client:
        listed = json.loads(await _text(client, "search_opportunities", {"max_records": 1000}))
    answer = json.loads(grouped)
    records = listed["records"]
    assert answer["records_read"] == len(records) and not listed["has_more"]
    answer_bytes, record_bytes = len(grouped.encode()), json_size(records)

    await _grow(app, GROWN)
    counting = Counting(httpx2.ASGITransport(app=app))
    async with Client(shaped_server(transport=counting, limits=limits)) as client:
        cold = json.loads(await _text(client, "search_opportunities", ASKED))
        lists = sorted(path for path in counting.paths if not path.endswith("/search"))
        lists_cold = sum(counting.paths[path] for path in lists)
        counting.paths.clear()
        warm = json.loads(await _text(client, "search_opportunities", ASKED))
    searches = counting.paths["/opportunities/search"]
    per_thousand = searches * 1000 / warm["records_read"]
    ratio = answer_bytes / record_bytes
    row = Row(
        f"group_by: demo deals by stage ({len(records)} records); requests per 1,000 records",
        f"{answer_bytes:,} B answer; {per_thousand:.1f} requests per 1,000 records",
        f"{record_bytes:,} B of the compact records",
        f"{ratio:.3f}",
        f"<= {TARGET}",
        ratio <= TARGET,
    )
    notes = [
        "- **group_by**: `search_opportunities` with `group_by: [\"stage\"]` through an in-memory MCP client on a "
        f"sandbox with the demo data ({len(records)} deals, {len(answer['groups'])} stages): bytes of the answer's "
        "text as the model reads it, against `json_size` of the same deals as `max_records: 1000` answers them "
        "(compact, the response budget lifted so none is cut). "
        f"Requests: the sandbox grown to {GROWN:,} deals through its bulk endpoint, then the same call twice on "
        f"a fresh server, each request counted by a transport in front of the sandbox: {searches} searches of "
        f"{MAX_PAGE_SIZE} for {warm['records_read']:,} records ({per_thousand:.1f} per 1,000), and on the first "
        f"call {lists_cold} more for the account's lists ({', '.join(f'`{p}`' for p in lists)}, kept five "
        "minutes), so "
        f"{(searches + lists_cold) * 1000 / cold['records_read']:.1f} per 1,000 then. One call reads at most "
        f"{MOST_RECORDS:,} records.",
    ]
    return Figure(row, notes)
