"""The API description's record schemas against the records the sandbox sends (as Copper documents them).

If Copper sends a field the description does not declare, its marks are missing too: a date
stays Unix seconds, an id gets no name. These tests catch that for every record of the demo data.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from mcp import Client

from copper_mcp.catalog import load_catalog
from copper_mcp.core.entities import BY_CONNECT, BY_PLURAL
from copper_mcp.core.pages import every_page
from copper_mcp.sandbox import SandboxConfig
from copper_mcp.sandbox.recordtypes import TYPES
from tests.conftest import SANDBOX_URL, answer, sandbox_client, shaped_server

SPEC = yaml.safe_load((Path(__file__).resolve().parents[2] / "copper_mcp" / "spec" / "copper-api.yml").read_text())
DECLARED = {
    schema["x-copper-record"]: set(schema["properties"])
    for schema in SPEC["components"]["schemas"].values()
    if "x-copper-record" in schema
}
RECORDS = sorted(BY_PLURAL)


async def _sandbox_records(entity: str) -> list[dict[str, Any]]:
    """Every demo record of an entity as the sandbox sends it, after one lead conversion (which
    adds the records that carry ``leads_converted_from``)."""
    async with sandbox_client(SandboxConfig()) as client:
        (lead,) = (await client.request("POST", "/leads/search", json={"page_size": 1})).data
        pipeline = (await client.request("GET", "/pipelines")).data[0]["id"]
        details = {"opportunity": {"name": "Converted", "pipeline_id": pipeline}}
        await client.request("POST", f"/leads/{lead['id']}/convert", json={"details": details})
        found: list[dict[str, Any]] = await every_page(client, f"/{entity}/search")
        one = (await client.request("GET", f"/{entity}/{found[0]['id']}")).data
    return [*found, one]


def test_every_record_entity_has_a_record_schema() -> None:
    assert set(BY_PLURAL) | {"webhooks", "related_links"} == set(DECLARED) == set(load_catalog().records)


@pytest.mark.parametrize("entity", RECORDS)
async def test_every_key_the_sandbox_sends_is_declared(entity: str) -> None:
    records = await _sandbox_records(entity)
    sent = {key for record in records for key in record}
    assert sent - DECLARED[entity] == set()


async def test_every_key_of_a_webhook_is_declared() -> None:
    async with sandbox_client(SandboxConfig()) as client:
        body = {"target": "https://example.com/hook", "type": "person", "event": "new"}
        hook = (await client.request("POST", "/webhooks", json=body)).data
    assert set(hook) - DECLARED["webhooks"] == set()


def _declared(schema: str) -> set[str]:
    """The properties a component schema of the description declares."""
    return set(SPEC["components"]["schemas"][schema]["properties"])


async def test_every_key_of_a_connect_link_and_its_ends_is_declared() -> None:
    async with sandbox_client(SandboxConfig()) as client:
        people = (await client.request("POST", "/people/search", json={"page_size": 200})).data
        for person in people:
            links = (
                await client.request(
                    "GET", "/related_links", params={"source_type": "people", "source_id": person["id"]}
                )
            ).data
            if links:
                break
    assert links, "the demo data has Connect links"
    for link in links:
        assert set(link) - DECLARED["related_links"] == set()
        assert (set(link["source"]) | set(link["target"])) - _declared("ConnectEnd") == set()


def test_connect_links_spell_record_types_alike_in_the_description_the_package_and_the_sandbox() -> None:
    spelled = {spelling: entity.singular for spelling, entity in BY_CONNECT.items()}
    assert set(SPEC["components"]["schemas"]["ConnectEntityType"]["enum"]) == {*spelled, "user"}
    assert spelled == {t.connect_type: t.singular for t in TYPES if t.connect_type}


async def test_every_key_of_a_custom_activity_type_and_a_layout_field_is_declared() -> None:
    async with sandbox_client(SandboxConfig()) as client:
        types = (await client.request("GET", "/custom_activity_types")).data
        layout = (await client.request("GET", "/field_layouts/by_entity/people")).data
    assert types and layout
    assert {key for t in types for key in t} - _declared("CustomActivityType") == set()
    assert {key for field in layout for key in field} - _declared("FieldLayoutField") == set()


@pytest.mark.parametrize("entity", RECORDS)
async def test_every_date_the_description_marks_is_shown_as_a_date(entity: str) -> None:
    marks = load_catalog().records[entity]
    search = f"search_{entity}"
    async with Client(shaped_server(budget=10**9)) as mcp:  # every record in one answer
        raw = (await answer(mcp, search, {"max_records": 1000, "raw": True}))["records"]
        shown = {r["id"]: r for r in (await answer(mcp, search, {"max_records": 1000, "fields": ["*"]}))["records"]}
    checked = 0
    for record in raw:
        for field, form in marks.dates.items():
            if record.get(field) is None:
                continue
            value = shown[record["id"]][field]
            if form == "unix":
                assert datetime.fromisoformat(value).tzinfo is not None, (entity, field, value)
            else:
                assert datetime.strptime(value, "%Y-%m-%d"), (entity, field, value)
            checked += 1
    assert checked >= len(raw)  # every record has at least its creation date


def test_the_sandbox_url_is_not_copper() -> None:
    """Guards the fixtures: these tests must never reach a real account."""
    assert "copper.com" not in SANDBOX_URL
