"""MCP resources against the in-memory sandbox: reads, paged listing, completions, errors."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import Any

import pytest
from mcp import Client, MCPError
from mcp.types import PromptReference, ResourceTemplateReference, TextResourceContents

from copper_mcp.core.entities import BY_PLURAL
from copper_mcp.mcp.resources import PAGE_SIZE, Position, _title
from copper_mcp.sandbox import SandboxConfig
from tests.conftest import answer

ENTITIES = list(BY_PLURAL)
FIXED = ["copper://account", "copper://users", "copper://pipelines", "copper://custom-fields", "copper://reference"]


async def read_json(client: Client, uri: str) -> Any:
    """The one JSON content of a resource."""
    result = await client.read_resource(uri)
    (content,) = result.contents
    assert isinstance(content, TextResourceContents)
    assert content.mime_type == "application/json"
    return json.loads(content.text)


async def search(client: Client, entity: str, **args: Any) -> dict[str, Any]:
    """A search tool's structured answer."""
    return await answer(client, f"search_{entity}", args)


def complete_ref(entity: str) -> ResourceTemplateReference:
    return ResourceTemplateReference(type="ref/resource", uri=f"copper://{entity}/{{id}}")


async def test_templates_are_listed_one_per_entity(sandbox_server: Any) -> None:
    async with Client(sandbox_server()) as client:
        templates = (await client.list_resource_templates()).resource_templates
    assert [t.uri_template for t in templates] == [f"copper://{e}/{{id}}" for e in ENTITIES]
    assert {t.mime_type for t in templates} == {"application/json"}


async def test_every_record_kind_reads_compact(sandbox_server: Any) -> None:
    async with Client(sandbox_server()) as client:
        for entity in ENTITIES:
            (first,) = (await search(client, entity, page_size=1))["records"]
            record = await read_json(client, f"copper://{entity}/{first['id']}")

            assert record["id"] == first["id"]
            assert record.get("name") == first.get("name")
            # Compact: Unix seconds became ISO date-times, empty values were left out.
            datetime.fromisoformat(record["date_modified"])
            assert all(value not in (None, "", [], {}) for value in record.values())
            for ref_field, name_field in (("assignee_id", "assignee"), ("user_id", "user")):
                if ref_field in record:
                    assert isinstance(record[name_field], str)


async def test_fixed_resources(sandbox_server: Any) -> None:
    async with Client(sandbox_server()) as client:
        listed = [r.uri for r in (await client.list_resources()).resources[: len(FIXED)]]
        account = await read_json(client, "copper://account")
        users = await read_json(client, "copper://users")
        pipelines = await read_json(client, "copper://pipelines")
        fields = await read_json(client, "copper://custom-fields")
        reference = await read_json(client, "copper://reference")
        users_total = (await client.call_tool("search_users", {"page_size": 1})).structured_content

    assert listed == FIXED
    assert account["account"]["name"] and account["user"]["email"]
    assert users_total is not None and len(users) == users_total["total"]
    assert account["user"]["id"] in {u["id"] for u in users}
    assert pipelines and all(p["stages"] for p in pipelines)
    assert any(f.get("options") for f in fields if f["data_type"] == "Dropdown")
    assert list(reference) == [
        "contact_types",
        "customer_sources",
        "loss_reasons",
        "lead_statuses",
        "activity_types",
        "custom_activity_types",
    ]
    assert all(reference[key] for key in reference)


async def test_listing_pages_through_every_record_once(sandbox_server: Any) -> None:
    async with Client(sandbox_server()) as client:
        first = await client.list_resources()
        pages, cursor = [first.resources], first.next_cursor
        while cursor is not None:
            page = await client.list_resources(cursor=cursor)
            pages.append(page.resources)
            cursor = page.next_cursor
        totals = {entity: (await search(client, entity, page_size=1))["total"] for entity in ENTITIES}
        newest = await search(client, "people", sort_by="date_modified", sort_direction="desc", page_size=10)

    uris = [r.uri for page in pages for r in page]
    assert uris[: len(FIXED)] == FIXED and not set(FIXED) & set(uris[len(FIXED) :])
    records = [r for page in pages for r in page if r.uri not in FIXED]
    assert all(len(page) <= PAGE_SIZE for page in pages[1:])
    assert len({r.uri for r in records}) == len(records)  # each record exactly once
    assert dict(Counter(r.uri.split("/")[2] for r in records)) == totals
    assert all(r.title and r.name and r.mime_type == "application/json" for r in records)
    # Within an entity, most recently modified first.
    assert [r.uri for r in records[:10]] == [f"copper://people/{p['id']}" for p in newest["records"]]
    assert records[0].title == newest["records"][0]["name"]


async def test_listing_refuses_a_forged_cursor(sandbox_server: Any) -> None:
    async with Client(sandbox_server()) as client:
        with pytest.raises(MCPError) as caught:
            await client.list_resources(cursor="not-a-cursor")
    assert caught.value.error.code == -32602


@pytest.mark.parametrize("entity", ["people", "companies", "leads", "opportunities", "projects", "tasks"])
async def test_completion_offers_ids_whose_names_match(sandbox_server: Any, entity: str) -> None:
    """A part of a word finds the records, on every entity: Copper's name filter takes whole names
    of opportunities, so those are matched here."""
    async with Client(sandbox_server()) as client:
        (sample,) = (await search(client, entity, page_size=1))["records"]
        typed = sample["name"].split()[-1][1:4]  # part of a word, not its start
        completion = (await client.complete(complete_ref(entity), {"name": "id", "value": typed})).completion
        ids = [int(value) for value in completion.values]
        found = await search(client, entity, ids=ids, page_size=20)

    assert sample["id"] in ids and 0 < len(ids) <= 20
    names = {r["id"]: r["name"] for r in found["records"]}
    assert set(names) == set(ids)
    assert all(typed.casefold() in name.casefold() for name in names.values())


async def test_completion_limits_and_declines(sandbox_server: Any) -> None:
    async with Client(sandbox_server()) as client:
        recent = (await client.complete(complete_ref("people"), {"name": "id", "value": ""})).completion
        activities = (await client.complete(complete_ref("activities"), {"name": "id", "value": "x"})).completion
        prompt = await client.complete(PromptReference(type="ref/prompt", name="p"), {"name": "id", "value": "a"})

    assert len(recent.values) == 20 and recent.has_more
    assert activities.values == [] and prompt.completion.values == []


@pytest.mark.parametrize("uri", ["copper://people/999999", "copper://tasks/abc", "copper://opportunities/-1"])
async def test_missing_record_is_not_found(sandbox_server: Any, uri: str) -> None:
    async with Client(sandbox_server()) as client:
        with pytest.raises(MCPError) as caught:
            await client.read_resource(uri)
    assert caught.value.error.code == -32602
    assert uri in caught.value.error.message


async def test_deleted_activity_is_not_found(sandbox_server: Any) -> None:
    async with Client(sandbox_server()) as client:
        (activity,) = (await search(client, "activities", page_size=1))["records"]
        deleted = await client.call_tool("delete_activity", {"id": activity["id"]})
        assert not deleted.is_error
        with pytest.raises(MCPError) as caught:
            await client.read_resource(f"copper://activities/{activity['id']}")
    assert caught.value.error.code == -32602


async def test_copper_failure_reaches_the_host(sandbox_server: Any) -> None:
    server = sandbox_server(config=SandboxConfig(api_key="someone-else"))
    async with Client(server) as client:
        with pytest.raises(MCPError) as caught:
            await client.read_resource("copper://pipelines")
    assert caught.value.error.code == -32603
    assert "copper://pipelines" in caught.value.error.message and "test-key" not in caught.value.error.message


# -- pure parts: cursors and titles ------------------------------------------------------------


def test_cursor_round_trips_and_walks_entities_in_order() -> None:
    at = Position("leads", 3, 20)
    assert Position.decode(at.encode()) == at
    assert Position.decode(None) == Position("people", 1, PAGE_SIZE)
    assert at.following() == Position("opportunities", 1)
    assert Position("activities", 9).following() is None


@pytest.mark.parametrize(
    "cursor",
    ["", "%%%", Position("webhooks", 1).encode(), Position("people", 0).encode(), "WyJwZW9wbGUiLCAiMSJd",
     Position("people", 1, PAGE_SIZE + 1).encode()],
)  # fmt: skip
def test_forged_cursors_are_invalid_params(cursor: str) -> None:
    with pytest.raises(MCPError) as caught:
        Position.decode(cursor)
    assert caught.value.error.code == -32602


def test_titles() -> None:
    assert _title(BY_PLURAL["people"], {"id": 7, "name": "Ada Lovelace"}) == "Ada Lovelace"
    assert _title(BY_PLURAL["tasks"], {"id": 7, "name": " "}) == "Task 7"
    activity = {"id": 1, "type_name": "Note", "activity_date": "2026-01-17T20:59:14-05:00", "details": "x" * 80}
    assert _title(BY_PLURAL["activities"], activity) == "Note on 2026-01-17: " + "x" * 59 + "…"
    assert _title(BY_PLURAL["activities"], {"id": 1}) == "Activity"
