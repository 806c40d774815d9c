"""The server as a whole: modes (read-only, toolsets), tool metadata, the catalogue's ties to the
API description and the client, the size of tools/list, and the API key staying secret."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx2
import pytest
import yaml
from mcp import Client
from mcp.server import MCPServer
from mcp.types import CallToolResult, TextContent, Tool

from copper_mcp.catalog import Operation, load_catalog
from copper_mcp.client import CopperClient, RateLimits, is_read
from copper_mcp.core.settings import Settings
from copper_mcp.mcp import INSTRUCTIONS, build_server
from copper_mcp.sandbox import SandboxConfig, create_app
from scripts import gen_catalog
from tests.conftest import SANDBOX_URL, ServerFactory

SPEC = Path(__file__).resolve().parents[2] / "copper_mcp" / "spec" / "copper-api.yml"
OPERATIONS = {op.name: op for op in load_catalog().operations}
WRITES = {name for name, op in OPERATIONS.items() if not op.read_only}
SEED_TOOLS = [
    "search_people", "get_person", "create_person", "update_person", "delete_person",
    "search_companies", "get_company", "create_company", "update_company", "delete_company",
    "search_leads", "get_lead", "create_lead", "update_lead", "delete_lead", "convert_lead",
    "search_opportunities", "get_opportunity", "create_opportunity", "update_opportunity", "delete_opportunity",
    "search_tasks", "get_task", "create_task", "update_task", "delete_task",
    "create_activity", "search_activities", "list_webhooks", "create_webhook", "delete_webhook",
    "search_projects", "get_project", "create_project", "update_project", "delete_project",
]
# MCP's values for hints a tool leaves out.
HINT_DEFAULTS = {"read_only_hint": False, "destructive_hint": True, "idempotent_hint": False, "open_world_hint": True}


def _text(result: CallToolResult) -> str:
    return "\n".join(c.text for c in result.content if isinstance(c, TextContent))


async def _listed(server: MCPServer) -> list[Tool]:
    async with Client(server) as client:
        return list((await client.list_tools()).tools)


# --- read-only and toolsets -----------------------------------------------------------------------


async def test_read_only_server_lists_only_reads_and_refuses_writes_saying_why(sandbox_server: ServerFactory) -> None:
    async with Client(sandbox_server(read_only=True)) as client:
        listed = {tool.name for tool in (await client.list_tools()).tools}
        result = await client.call_tool("create_person", {"name": "Should Not Exist"})
        found = await client.call_tool("search_people", {"name": "Should Not Exist"})
    assert listed == set(OPERATIONS) - WRITES
    assert result.is_error
    assert _text(result).endswith("create_person changes data and copper-mcp is running read-only: nothing was sent.")
    assert not found.is_error and json.loads(_text(found))["records"] == []


@pytest.mark.parametrize("name", ["update_opportunity", "delete_webhook", "convert_lead"])
async def test_a_refused_write_sends_nothing(name: str) -> None:
    def nothing_may_be_sent(request: httpx2.Request) -> httpx2.Response:
        raise AssertionError(f"{request.method} {request.url} was sent")

    client = CopperClient(api_key="k", user_email="e@x.com", transport=httpx2.MockTransport(nothing_may_be_sent))
    server = build_server(Settings(api_key="k", user_email="e@x.com", read_only=True), client)
    async with Client(server) as mcp:
        result = await mcp.call_tool(name, {"id": 1})
    assert result.is_error and "running read-only" in _text(result)


async def test_a_toolset_limits_the_tools(sandbox_server: ServerFactory) -> None:
    async with Client(sandbox_server(toolsets=frozenset({"people"}))) as client:
        listed = {tool.name for tool in (await client.list_tools()).tools}
        refused = await client.call_tool("search_companies", {})
        allowed = await client.call_tool("search_people", {"page_size": 1})
    assert listed == {name for name, op in OPERATIONS.items() if op.toolset == "people"}
    assert listed >= {"search_people", "get_person", "create_person", "update_person", "delete_person"}
    assert all("people" in name or "person" in name for name in listed)
    assert refused.is_error and "Unknown tool: search_companies" in _text(refused)
    assert not allowed.is_error


# --- tool metadata --------------------------------------------------------------------------------

# The kind of each tool, read from its name rather than the catalogue.
KIND_BY_PREFIX = [
    ("search_", "read"), ("get_", "read"), ("list_", "read"), ("fetch_", "read"),
    ("create_", "create"), ("bulk_create_", "create"), ("add_", "create"),
    ("update_", "update"), ("bulk_update_", "update"), ("upsert_", "update"),
    ("delete_", "delete"), ("remove_", "delete"), ("convert_", "convert"),
]


def _kind(name: str) -> str:
    kinds = {kind for prefix, kind in KIND_BY_PREFIX if name.startswith(prefix)}
    assert len(kinds) == 1, f"no single kind for {name}"
    return kinds.pop()


def _hints(tool: Tool) -> dict[str, bool]:
    """The hints a host concludes: what the tool states, MCP's defaults for the rest."""
    stated = tool.annotations.model_dump() if tool.annotations else {}
    return {hint: default if stated.get(hint) is None else stated[hint] for hint, default in HINT_DEFAULTS.items()}


async def test_titles_and_annotations_follow_each_tools_kind(sandbox_server: ServerFactory) -> None:
    tools = await _listed(sandbox_server())
    assert len(tools) == len(OPERATIONS)
    for tool in tools:
        kind, hints = _kind(tool.name), _hints(tool)
        # A title is sent only when it adds words to the name ("Search deals" for search_opportunities).
        assert tool.title == OPERATIONS[tool.name].shown_title, tool.name
        assert tool.description, tool.name
        assert hints["read_only_hint"] is (kind == "read"), tool.name
        if kind == "create":
            assert hints["destructive_hint"] is False, tool.name
        if kind in ("update", "delete"):
            assert hints["idempotent_hint"] is True, tool.name
        if kind == "convert":
            assert hints["idempotent_hint"] is False, tool.name
        assert hints["open_world_hint"] is True, tool.name


# --- the catalogue --------------------------------------------------------------------------------


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


async def test_tools_are_the_operations_of_the_api_description(sandbox_server: ServerFactory) -> None:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    operation_ids = [
        operation["operationId"]
        for item in spec["paths"].values()
        for method, operation in item.items()
        if method in ("get", "put", "post", "delete", "patch")
    ]
    expected = {_snake(operation_id) for operation_id in operation_ids}
    listed = {tool.name for tool in await _listed(sandbox_server())}
    assert len(operation_ids) == len(expected)
    assert listed == expected
    assert len(SEED_TOOLS) == 36
    assert set(SEED_TOOLS) <= listed


def test_checked_in_catalogue_is_current() -> None:
    assert gen_catalog.CATALOG.read_text(encoding="utf-8") == gen_catalog.render(), (
        "catalog.json is stale: run python scripts/gen_catalog.py"
    )


@pytest.mark.parametrize("op", OPERATIONS.values(), ids=lambda op: op.name)
def test_client_retries_exactly_the_reads(op: Operation) -> None:
    assert is_read(op.method, op.path) == op.read_only


CATALOGUE_BUDGET = 60_000
"""Bytes of the compact tools/list JSON: every model reads all of it, on every turn."""


async def test_tools_list_fits_the_catalogue_budget(sandbox_server: ServerFactory) -> None:
    async with Client(sandbox_server()) as client:
        result = await client.list_tools()
    compact = json.dumps(result.model_dump(mode="json", by_alias=True, exclude_none=True), separators=(",", ":"))
    assert len(compact.encode()) <= CATALOGUE_BUDGET


# --- the API key ----------------------------------------------------------------------------------

KEY = "sk-copper-Q7Zx9-DistinctiveTestKey-4411"
WRONG_KEY = "sk-copper-W2ong-AnotherDistinctKey-8822"
EMAIL = "tester@example.com"
# Arguments every tool gets: schema errors, 404s, successes (and, with the wrong key, 401s).
PROBES: list[dict[str, Any]] = [{}, {"id": 999_999_999}, {"id": "me"}]
ROOMY = RateLimits(per_minute=100_000, bulk_per_second=1_000)


def _keyed_server(client_key: str) -> MCPServer:
    """A server whose sandbox accepts only KEY, reached with ``client_key``."""
    app = create_app(SandboxConfig(api_key=KEY, user_email=EMAIL, requests_per_minute=100_000,
                                   bulk_requests_per_second=1_000))
    client = CopperClient(api_key=client_key, user_email=EMAIL, base_url=SANDBOX_URL,
                          transport=httpx2.ASGITransport(app=app), limits=ROOMY, max_retries=0)
    return build_server(Settings(api_key=client_key, user_email=EMAIL, base_url=SANDBOX_URL), client)


@pytest.mark.parametrize("client_key", [KEY, WRONG_KEY], ids=["accepted", "rejected"])
async def test_api_key_never_reaches_the_model(client_key: str) -> None:
    texts: list[str] = [INSTRUCTIONS]
    async with Client(_keyed_server(client_key)) as client:
        listing = await client.list_tools()
        texts.append(listing.model_dump_json())
        for tool in listing.tools:
            texts += [_text(await client.call_tool(tool.name, args)) for args in PROBES]
        unauthorised = await client.call_tool("get_account", {})
    if client_key == WRONG_KEY:
        assert unauthorised.is_error
        assert "Copper rejected the credentials (401)" in _text(unauthorised)
    else:
        assert not unauthorised.is_error
    for text in texts:
        assert KEY not in text
        assert WRONG_KEY not in text
