"""Helpers for driving tools the way a model does: through an MCP client, reading the text it gets.

``Tools`` wraps a connected ``Client`` (opened in the test body); ``discover`` finds the ids a
case needs in the fresh sandbox, so no test hard-codes demo ids.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.server import MCPServer
from mcp.types import TextContent

from copper_mcp.sandbox import SandboxConfig
from tests.conftest import ServerFactory

# An id no sandbox record has.
MISSING = 999_999_999
# Kinds whose records have an activity log (list_record_activities), singular -> plural.
LOGGED_KINDS = {"person": "people", "company": "companies", "lead": "leads", "opportunity": "opportunities"}
HOOK = "https://example.com/hook"


class Tools:
    """A connected MCP client, seen as the model sees it: JSON answers and error texts."""

    def __init__(self, client: Client) -> None:
        self.client = client

    async def text(self, name: str, args: dict[str, Any]) -> tuple[bool, str]:
        """(is_error, the text the model reads) for one call."""
        result = await self.client.call_tool(name, args)
        texts = [c.text for c in result.content if isinstance(c, TextContent)]
        assert texts, f"{name} answered no text"
        return bool(result.is_error), "\n".join(texts)

    async def ok(self, name: str, args: dict[str, Any]) -> Any:
        """The parsed answer of a call that must succeed."""
        failed, text = await self.text(name, args)
        assert not failed, f"{name}({args}) failed: {text}"
        return json.loads(text)

    async def error(self, name: str, args: dict[str, Any]) -> str:
        """The error text of a call that must fail."""
        failed, text = await self.text(name, args)
        assert failed, f"{name}({args}) unexpectedly succeeded: {text[:500]}"
        return text

    async def names(self) -> set[str]:
        return {tool.name for tool in (await self.client.list_tools()).tools}


@dataclass(frozen=True)
class Named:
    id: int
    name: str


@dataclass(frozen=True)
class Ids:
    """Ids of existing sandbox records and reference data, found at run time."""

    person: int
    person_email: str
    """The email of that person."""
    company: int
    lead: int
    opportunity: int
    project: int
    task: int
    activity: int
    logged: tuple[str, int]
    """(entity, id) of a record with at least one activity, for list_record_activities."""
    pipeline: Named
    """The pipeline named "Sales"."""
    stage: Named
    """The first stage of that pipeline."""
    user: Named
    user_email: str
    contact_type: Named
    lead_status: Named
    """A lead status other than the default one, so setting it is observable."""
    dropdown: str
    """A Dropdown custom field available on companies ..."""
    option: Named
    """... and one of its options."""
    custom_field: int
    webhook: int
    """A webhook created during discovery (the demo data has none)."""
    task_type: Named
    """An enabled custom activity type."""
    connect_field: Named
    """The demo's Connect custom field (on people)."""
    related_link: int
    """A Connect link from ``person`` (one is made during discovery if the demo data has none)."""
    stranger: int
    """A person ``person`` has no Connect link to."""


async def _first(tools: Tools, name: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
    records = (await tools.ok(name, {"page_size": 1, **(args or {})}))["records"]
    assert records, f"{name} found nothing in the demo data"
    return records[0]  # type: ignore[no-any-return]


async def discover(tools: Tools) -> Ids:
    """Look up every id the cases use, with search and list tools (plus a webhook and a Connect link
    when the demo data has none)."""
    people = (await tools.ok("search_people", {"page_size": 20}))["records"]
    person = next(p for p in people if p.get("emails"))
    pipelines = (await tools.ok("list_pipelines", {}))["records"]
    sales = next(p for p in pipelines if p["name"] == "Sales")
    users = (await tools.ok("search_users", {}))["records"]
    statuses = (await tools.ok("list_lead_statuses", {}))["records"]
    status = next(s for s in statuses if not s["is_default"])
    contact_type = (await tools.ok("list_contact_types", {}))["records"][0]
    definitions = (await tools.ok("list_custom_field_definitions", {}))["records"]
    dropdown = next(d for d in definitions if d["data_type"] == "Dropdown" and "company" in d["available_on"])
    activities = (await tools.ok("search_activities", {"page_size": 50}))["records"]
    logged = next(a["parent"] for a in activities if a["parent"]["type"] in LOGGED_KINDS)
    hooks = (await tools.ok("list_webhooks", {}))["records"]
    if not hooks:
        hooks = [await tools.ok("create_webhook", {"target": HOOK, "type": "person", "event": "update"})]
    task_type = next(t for t in (await tools.ok("list_custom_activity_types", {}))["records"] if not t["is_disabled"])
    connect = next(d for d in definitions if d["data_type"] == "Connect")
    links = (await tools.ok("list_related_links", {"source_type": "people", "source_id": person["id"]}))["records"]
    linked = {link["target"]["id"] for link in links} | {person["id"]}
    strangers = [p["id"] for p in people if p["id"] not in linked]
    if not links:
        ends = {
            "source": {"id": person["id"], "entity_type": "people"},
            "target": {"id": strangers.pop(), "entity_type": "people"},
        }
        links = [await tools.ok("create_related_link", {"custom_field_definition_id": connect["id"], **ends})]
    return Ids(
        person=person["id"],
        person_email=person["emails"][0]["email"],
        company=(await _first(tools, "search_companies"))["id"],
        lead=(await _first(tools, "search_leads"))["id"],
        opportunity=(await _first(tools, "search_opportunities"))["id"],
        project=(await _first(tools, "search_projects"))["id"],
        task=(await _first(tools, "search_tasks"))["id"],
        activity=activities[0]["id"],
        logged=(LOGGED_KINDS[logged["type"]], logged["id"]),
        pipeline=Named(sales["id"], sales["name"]),
        stage=Named(sales["stages"][0]["id"], sales["stages"][0]["name"]),
        user=Named(users[-1]["id"], users[-1]["name"]),
        user_email=users[-1]["email"],
        contact_type=Named(contact_type["id"], contact_type["name"]),
        lead_status=Named(status["id"], status["name"]),
        dropdown=dropdown["name"],
        option=Named(dropdown["options"][-1]["id"], dropdown["options"][-1]["name"]),
        custom_field=definitions[0]["id"],
        webhook=hooks[0]["id"],
        task_type=Named(task_type["id"], task_type["name"]),
        connect_field=Named(connect["id"], connect["name"]),
        related_link=links[0]["id"],
        stranger=strangers[0],
    )


@pytest.fixture
def server(sandbox_server: ServerFactory) -> MCPServer:
    """A server on a fresh sandbox whose webhook deliveries go to an in-memory receiver, not the network."""
    receiver = httpx2.MockTransport(lambda request: httpx2.Response(204))
    return sandbox_server(config=SandboxConfig(webhook_transport=receiver))
