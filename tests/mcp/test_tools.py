"""max_records: a search walks pages for the caller, through an MCP client, as a model would call it.

The reference for every walk is the same search asked page by page without max_records.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.server import MCPServer

from copper_mcp.catalog import load_catalog
from copper_mcp.core.settings import Settings
from copper_mcp.mcp import build_server
from copper_mcp.shaping.budget import json_size
from tests.client.fakes import EMAIL, KEY, make_client, ok
from tests.conftest import ServerFactory, shaped_server
from tests.mcp.conftest import Tools

# A budget a few pages of ten people (in the list view) fit in, but not fifty.
SMALL_BUDGET = 7_000


def _small_budget_server() -> MCPServer:
    return shaped_server(budget=SMALL_BUDGET)


async def _page_by_page(tools: Tools, tool: str, size: int, numbers: range) -> list[dict[str, Any]]:
    """The records of these pages, each asked for on its own without max_records."""
    records: list[dict[str, Any]] = []
    for number in numbers:
        records += (await tools.ok(tool, {"page_size": size, "page_number": number}))["records"]
    return records


async def test_max_records_walks_whole_pages_in_order(sandbox_server: ServerFactory) -> None:
    async with Client(sandbox_server()) as client:
        tools = Tools(client)
        walked = await tools.ok("search_people", {"max_records": 60, "page_size": 20})
        expected = await _page_by_page(tools, "search_people", 20, range(1, 4))
        single = await tools.ok("search_people", {"page_size": 20})
    assert walked["records"] == expected
    assert len({r["id"] for r in walked["records"]}) == 60
    facts = {k: v for k, v in walked.items() if k != "records"}
    assert facts == {
        "page_number": 1, "page_size": 20, "pages": 3, "total": single["total"], "has_more": True,
        "next_page_number": 4,
    }


async def test_progress_rises_page_by_page_to_the_count(sandbox_server: ServerFactory) -> None:
    seen: list[tuple[float, float | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total))

    async with Client(sandbox_server()) as client:
        result = await client.call_tool(
            "search_people", {"max_records": 50, "page_size": 10}, progress_callback=on_progress
        )
    count = len(json.loads(result.content[0].text)["records"])  # type: ignore[union-attr]
    assert [p for p, _ in seen] == [10, 20, 30, 40, 50] and count == 50
    assert {t for _, t in seen} == {50}


async def test_continuing_from_next_page_number_skips_and_repeats_nothing(sandbox_server: ServerFactory) -> None:
    async with Client(sandbox_server()) as client:
        tools = Tools(client)
        first = await tools.ok("search_people", {"max_records": 30})  # one page of 30
        onward = {"page_size": first["page_size"], "page_number": first["next_page_number"]}
        second = await tools.ok("search_people", {"max_records": 60, **onward})
        expected = await _page_by_page(tools, "search_people", 30, range(1, 4))
    assert (first["page_size"], first["pages"], first["next_page_number"]) == (30, 1, 2)
    assert (second["page_number"], second["pages"], second["next_page_number"]) == (2, 2, 4)
    assert first["records"] + second["records"] == expected


async def test_the_budget_stops_the_walk_before_a_page_that_would_not_fit() -> None:
    async with Client(_small_budget_server()) as client:
        tools = Tools(client)
        walked = await tools.ok("search_people", {"max_records": 100, "page_size": 10})
        pages = walked["pages"]
        expected = await _page_by_page(tools, "search_people", 10, range(1, pages + 1))
        after = await tools.ok("search_people", {"page_size": 10, "page_number": pages + 1})
        continued = await tools.ok(
            "search_people", {"max_records": 10, "page_size": 10, "page_number": walked["next_page_number"]}
        )
    assert 1 <= pages < 10
    assert walked["records"] == expected
    assert (walked["has_more"], walked["next_page_number"]) == (True, pages + 1)
    assert json_size(walked["records"]) <= SMALL_BUDGET < json_size(walked["records"] + after["records"])
    assert "next_page_number" in walked["notes"][-1]
    assert continued["records"] == after["records"]


async def test_a_first_page_over_the_budget_comes_back_cut_as_without_max_records() -> None:
    async with Client(_small_budget_server()) as client:
        tools = Tools(client)
        walked = await tools.ok("search_people", {"max_records": 100, "page_size": 50})
        plain = await tools.ok("search_people", {"page_size": 50})
    assert 0 < len(walked["records"]) < 50
    assert walked == {**plain, "pages": 1}
    assert f"page_size={len(walked['records'])}" in walked["notes"][-1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"max_records": 0}, "max_records: 0 is less than the minimum of 1"),
        ({"max_records": 1001}, "max_records: 1001 is greater than the maximum of 1000"),
        ({"max_records": "ten"}, "max_records: 'ten' is not of type 'integer'"),
        ({"max_records": 10, "page_size": 20}, "max_records (10) is less than page_size (20)"),
    ],
)
async def test_max_records_out_of_range_is_a_clear_error(
    sandbox_server: ServerFactory, args: dict[str, Any], message: str
) -> None:
    async with Client(sandbox_server()) as client:
        error = await Tools(client).error("search_opportunities", args)
    assert message in error


class FakeSearch:
    """A Copper whose /people/search serves ``count`` small people, recording every request body."""

    def __init__(self, count: int, *, send_total: bool) -> None:
        self.people = [{"id": n, "name": f"Person {n}"} for n in range(1, count + 1)]
        self.send_total = send_total
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        assert request.url.path.endswith("/people/search"), request.url
        body = json.loads(request.content)
        self.bodies.append(body)
        start = (body["page_number"] - 1) * body["page_size"]
        headers = {"X-PW-TOTAL": str(len(self.people))} if self.send_total else None
        return ok(self.people[start : start + body["page_size"]], headers=headers)

    def server(self) -> MCPServer:
        return build_server(Settings(api_key=KEY, user_email=EMAIL), make_client(self))


async def test_without_page_size_the_fewest_whole_pages_are_asked_until_the_last_match() -> None:
    copper = FakeSearch(300, send_total=True)
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    async with Client(copper.server()) as client:
        args = {"max_records": 1000, "raw": True}
        result = await client.call_tool("search_people", args, progress_callback=on_progress)
    walked = json.loads(result.content[0].text)  # type: ignore[union-attr]
    assert copper.bodies == [{"page_number": 1, "page_size": 200}, {"page_number": 2, "page_size": 200}]
    assert walked["records"] == copper.people
    assert {k: v for k, v in walked.items() if k != "records"} == {
        "page_number": 1, "page_size": 200, "pages": 2, "total": 300, "has_more": False,
    }
    assert seen == [(200, 300, "200 records"), (300, 300, "300 records")]


@pytest.mark.parametrize(
    ("max_records", "page_size", "pages"), [(1000, 200, 5), (250, 125, 2), (201, 100, 2), (45, 45, 1), (1, 1, 1)]
)
async def test_the_default_page_size_asks_the_fewest_pages_and_never_more_than_max_records(
    max_records: int, page_size: int, pages: int
) -> None:
    copper = FakeSearch(1001, send_total=True)
    async with Client(copper.server()) as client:
        walked = await Tools(client).ok("search_people", {"max_records": max_records, "raw": True})
    assert copper.bodies == [{"page_number": n, "page_size": page_size} for n in range(1, pages + 1)]
    assert walked["records"] == copper.people[: pages * page_size]
    assert (walked["page_size"], walked["pages"], walked["next_page_number"]) == (page_size, pages, pages + 1)


async def test_max_records_is_never_sent_and_a_short_page_ends_the_walk() -> None:
    """Without X-PW-TOTAL, the walk stops at the first page shorter than asked."""
    copper = FakeSearch(45, send_total=False)
    async with Client(copper.server()) as client:
        walked = await Tools(client).ok("search_people", {"max_records": 100, "page_size": 20, "raw": True})
    assert copper.bodies == [{"page_number": n, "page_size": 20} for n in (1, 2, 3)]
    assert walked["records"] == copper.people
    assert (walked["pages"], walked["total"], walked["has_more"]) == (3, None, False)


def test_every_record_search_and_only_those_take_max_records() -> None:
    taking = {op.name for op in load_catalog().operations if "max_records" in op.validation_schema["properties"]}
    assert taking == {
        "search_people", "search_companies", "search_leads", "search_opportunities", "search_projects",
        "search_tasks", "search_activities",
    }
    for op in load_catalog().operations:
        if op.name in taking:
            assert op.is_search and "max_records" not in op.body_params
            bounds = op.validation_schema["properties"]["max_records"]
            assert bounds == {"type": "integer", "minimum": 1, "maximum": 1000}
