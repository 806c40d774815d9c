"""Custom activity types, field layouts and Connect links, used through an MCP client on the sandbox."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.server import MCPServer

from copper_mcp.core.entities import BY_PLURAL
from copper_mcp.sandbox import SandboxConfig, create_app
from tests.conftest import shaped_server
from tests.mcp.conftest import Tools


async def _person(tools: Tools) -> dict[str, Any]:
    found: dict[str, Any] = (await tools.ok("search_people", {"page_size": 1}))["records"][0]
    return found


async def test_a_new_custom_activity_type_is_usable_by_name_at_once(server: MCPServer) -> None:
    async with Client(server) as client:
        tools = Tools(client)
        parent = {"id": (await _person(tools))["id"], "type": "person"}
        # Both lists are now kept: a new type is found only if the create makes them be fetched again.
        await tools.ok("create_activity", {"parent": parent, "type": "Note", "details": "Before."})
        await tools.ok("create_task", {"name": "Before", "custom_activity_type_id": "Meeting"})

        made = await tools.ok("create_custom_activity_type", {"name": "Site Survey", "icon_type": "Room"})
        logged = await tools.ok("create_activity", {"parent": parent, "type": "site survey", "details": "Walked it."})
        task = await tools.ok("create_task", {"name": "Write up the survey", "custom_activity_type_id": "Site Survey"})

        renamed = await tools.ok("update_custom_activity_type", {"id": made["id"], "name": "Site Audit"})
        again = await tools.ok("create_task", {"name": "Audit again", "custom_activity_type_id": "site audit"})
        first = await tools.ok("get_task", {"id": task["id"]})
        stale = await tools.error("create_task", {"name": "x", "custom_activity_type_id": "Site Survey"})

    assert (logged["type"], logged["type_name"]) == ({"category": "user", "id": made["id"]}, "Site Survey")
    assert (task["custom_activity_type_id"], task["custom_activity_type"]) == (made["id"], "Site Survey")
    assert renamed == {**made, "name": "Site Audit"}
    assert (again["custom_activity_type_id"], again["custom_activity_type"]) == (made["id"], "Site Audit")
    assert first["custom_activity_type"] == "Site Audit"
    assert "no custom activity type named 'Site Survey'" in stale and "Site Audit (id " in stale


@pytest.mark.parametrize("entity", ["leads", "people", "companies", "opportunities", "projects", "tasks"])
async def test_a_field_layout_names_fields_the_create_tool_takes(server: MCPServer, entity: str) -> None:
    singular = BY_PLURAL[entity].singular
    args: dict[str, Any] = {"entity": entity}
    if entity == "opportunities":
        args["pipeline_id"] = "Sales"  # a deal's layout is its pipeline's, and the pipeline goes by name
    async with Client(server) as client:
        tools = Tools(client)
        layout = await tools.ok("get_field_layout", args)
        definitions = (await tools.ok("list_custom_field_definitions", {}))["records"]
        create = next(t for t in (await client.list_tools()).tools if t.name == f"create_{singular}")
    custom = [d["name"] for d in definitions if singular in d["available_on"]]
    own = [name for name in layout["fields"] if name not in layout["custom_fields"]]
    assert set(layout) == {"fields", "custom_fields"}
    assert own[0] == "name"
    assert set(own) <= set(create.input_schema["properties"])  # each is an argument of the create tool
    assert layout["custom_fields"] == custom  # and each custom field by the name custom_fields takes
    assert len(layout["fields"]) == len(own) + len(custom)


async def test_a_connect_link_is_listed_from_both_records_and_deleted(server: MCPServer) -> None:
    async with Client(server) as client:
        tools = Tools(client)
        people = (await tools.ok("search_people", {"page_size": 50, "fields": ["name"]}))["records"]

        async def links(person: dict[str, Any], **narrow: Any) -> list[dict[str, Any]]:
            args = {"source_type": "people", "source_id": person["id"], **narrow}
            found: list[dict[str, Any]] = (await tools.ok("list_related_links", args))["records"]
            return found

        lonely = [p for p in people if not await links(p)]
        referrer, referred = lonely[:2]
        made = await tools.ok(
            "create_related_link",
            {
                "custom_field_definition_id": "referred by",
                "source": {"id": referred["id"], "entity_type": "people"},
                "target": {"id": referrer["id"], "entity_type": "people"},
            },
        )
        from_referred = await links(referred, custom_field_definition_id="Referred by")
        from_referrer = await links(referrer)
        shown = await tools.ok("get_person", {"id": referred["id"]})
        gone = await tools.ok("delete_related_link", {"id": from_referrer[0]["id"]})
        after = (await links(referred), await links(referrer))
        twice = await tools.error("delete_related_link", {"id": made["id"]})

    def end(person: dict[str, Any]) -> dict[str, Any]:
        return {"id": person["id"], "entity_type": "people", "name": person["name"]}

    assert made["custom_field_definition"] == "Referred by"
    assert (made["source"], made["target"]) == (end(referred), end(referrer))
    assert from_referred == [made]
    assert [(link["source"], link["target"]) for link in from_referrer] == [(end(referrer), end(referred))]
    assert shown["custom_fields"]["Referred by"] == [referrer["id"]]
    assert sorted(gone["ids"]) == sorted([made["id"], from_referrer[0]["id"]]) and gone["is_deleted"] is True
    assert after == ([], [])
    assert "No such record" in twice


class IdsForNames(httpx2.AsyncBaseTransport):
    """The sandbox, with related links answered as Copper's docs show them: a record's id as its name."""

    def __init__(self) -> None:
        self.inner = httpx2.ASGITransport(app=create_app(SandboxConfig()))

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response = await self.inner.handle_async_request(request)
        if "/related_links" not in request.url.path or response.status_code != 200:
            return response
        body = json.loads(await response.aread())
        for link in body if isinstance(body, list) else [body]:
            for end in (link["source"], link["target"]):
                end["name"] = str(end["id"])
        return httpx2.Response(200, json=body)


async def test_connect_links_name_records_by_looking_them_up_not_by_copper_s_text() -> None:
    async with Client(shaped_server(transport=IdsForNames())) as client:
        tools = Tools(client)
        ada, bo = (await tools.ok("search_people", {"page_size": 2, "fields": ["name"]}))["records"]
        ends = {
            "source": {"id": ada["id"], "entity_type": "people"},
            "target": {"id": bo["id"], "entity_type": "people"},
        }
        made = await tools.ok("create_related_link", {"custom_field_definition_id": "Referred by", **ends})
        listed = await tools.ok("list_related_links", {"source_type": "people", "source_id": bo["id"]})
    assert (made["source"]["name"], made["target"]["name"]) == (ada["name"], bo["name"])
    assert (ada["name"], bo["name"]) in [(link["target"]["name"], link["source"]["name"]) for link in listed["records"]]
