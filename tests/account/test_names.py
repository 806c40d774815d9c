"""Names of linked people and companies: one search per kind, kept a while, shown beside the ids."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest
from mcp import Client

from copper_mcp.account.names import RecordNames
from copper_mcp.core.pages import MAX_PAGE_SIZE as SEARCH_PAGE
from copper_mcp.core.requester import CopperResponse
from tests.conftest import ServerFactory, answer, shaped_server


class _People:
    """A Copper that knows people 1..500 (named "P<id>") and records every search."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.gone: set[int] = set()

    async def request(
        self, method: str, path: str, *, json: Any = None, params: Mapping[str, object] | None = None
    ) -> CopperResponse:
        assert (method, path) == ("POST", "/people/search")
        self.bodies.append(json)
        return CopperResponse([{"id": i, "name": f"P{i}"} for i in json["ids"] if i <= 500 and i not in self.gone])


async def test_one_search_per_page_of_ids_and_none_for_names_already_kept() -> None:
    copper = _People()
    names = RecordNames(copper)
    wanted = set(range(1, 251)) | {900}  # 900 does not exist
    found = await names.lookup({"person": wanted})
    assert found == {("person", i): f"P{i}" for i in range(1, 251)}
    assert [len(body["ids"]) for body in copper.bodies] == [SEARCH_PAGE, 251 - SEARCH_PAGE]
    assert all(body["page_size"] == SEARCH_PAGE for body in copper.bodies)
    copper.bodies.clear()
    assert await names.lookup({"person": {3, 7}}) == {("person", 3): "P3", ("person", 7): "P7"}
    assert copper.bodies == []


async def test_names_expire_and_a_deleted_record_loses_its_name() -> None:
    copper, now = _People(), [0.0]
    names = RecordNames(copper, ttl=60, clock=lambda: now[0])
    await names.lookup({"person": {1, 2}})
    copper.gone.add(2)
    now[0] = 61.0
    assert await names.lookup({"person": {1, 2}}) == {("person", 1): "P1"}
    assert [body["ids"] for body in copper.bodies] == [[1, 2], [1, 2]]


async def test_the_names_kept_stay_bounded() -> None:
    copper, now = _People(), [0.0]
    names = RecordNames(copper, ttl=60, clock=lambda: now[0], max_kept=3)
    await names.lookup({"person": {1, 2}})
    await names.lookup({"person": {3, 4}})
    assert len(names) == 2  # over the bound with nothing expired: only what the last answer needed
    now[0] = 30.0
    await names.lookup({"person": {5, 6}})
    assert len(names) == 2
    now[0] = 100.0
    assert await names.lookup({"person": {7}}) == {("person", 7): "P7"}
    assert len(names) == 3  # under the bound: nothing dropped, the expired 5 and 6 included


async def test_forget_asks_again() -> None:
    copper = _People()
    names = RecordNames(copper)
    await names.lookup({"person": {1}})
    names.forget()
    await names.lookup({"person": {1}})
    assert len(copper.bodies) == 2


async def test_primary_contacts_are_named_and_a_rename_shows_at_once(sandbox_server: ServerFactory) -> None:
    async with Client(sandbox_server()) as client:
        deals = (await answer(client, "search_opportunities", {"page_size": 50, "fields": ["*"]}))["records"]
        linked = [d for d in deals if "primary_contact_id" in d]
        ids = sorted({d["primary_contact_id"] for d in linked})
        found = await answer(client, "search_people", {"ids": ids, "page_size": len(ids)})
        people = {p["id"]: p["name"] for p in found["records"]}
        deal = linked[0]
        await answer(client, "update_person", {"id": deal["primary_contact_id"], "name": "Renamed Contact"})
        again = await answer(client, "get_opportunity", {"id": deal["id"]})
        resource = await client.read_resource(f"copper://opportunities/{deal['id']}")
    assert linked and all(d["primary_contact"] == people[d["primary_contact_id"]] for d in linked)
    assert again["primary_contact"] == "Renamed Contact"
    assert json.loads(resource.contents[0].text)["primary_contact"] == "Renamed Contact"  # type: ignore[union-attr]


async def test_a_write_whose_answer_cannot_be_shaped_still_reports_success() -> None:
    # The account's time zone, which its dates need, cannot be fetched.
    async with Client(shaped_server(missing=("/account",))) as mcp:
        made = await answer(mcp, "create_task", {"name": "Only once", "due_date": 1_796_400_000})
        found = await answer(mcp, "search_tasks", {"raw": True, "page_size": 200})
    # Copper's own record, said so, rather than an error a model would answer by creating it again.
    assert made["due_date"] == 1_796_400_000
    assert "could not be added" in made["notes"][-1]
    assert [t["id"] for t in found["records"] if t["name"] == "Only once"] == [made["id"]]


GET_TOOLS = {"person": "get_person", "company": "get_company", "lead": "get_lead",
             "opportunity": "get_opportunity", "project": "get_project", "task": "get_task"}  # fmt: skip


@pytest.mark.parametrize(("tool", "link"), [("search_tasks", "related_resource"), ("search_activities", "parent")])
async def test_links_to_other_records_are_named(sandbox_server: ServerFactory, tool: str, link: str) -> None:
    async with Client(sandbox_server()) as client:
        records = (await answer(client, tool, {"page_size": 30}))["records"]
        linked = [r for r in records if link in r]
        expected = [(await answer(client, GET_TOOLS[r[link]["type"]], {"id": r[link]["id"]}))["name"] for r in linked]
    assert len({r[link]["type"] for r in linked}) > 1  # several kinds of record, each searched for once
    assert [r[f"{link}_name"] for r in linked] == expected
