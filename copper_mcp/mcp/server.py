"""The server factory: ``build_server(settings, client)``. Nothing here touches the network
until a host connects and the lifespan opens the client."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from mcp.server import MCPServer
from mcp.server.auth.provider import TokenVerifier
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, InputRequiredResult

from copper_mcp import __version__
from copper_mcp.account import Account
from copper_mcp.account.names import RecordNames
from copper_mcp.calls import Calls
from copper_mcp.catalog import load_catalog
from copper_mcp.client import CopperClient
from copper_mcp.core.settings import Settings
from copper_mcp.shaping.budget import DEFAULT_BUDGET

from .resources import register_resources
from .stdio import serve, stdio
from .tools import build_tools

INSTRUCTIONS = """\
Tools for one Copper CRM account. Copper's words: a deal is an opportunity, a contact a person,
a call, meeting or note an activity, a to-do or follow-up a task.
- Records come back compact, from reads and writes alike: names beside ids, ISO dates, empty
  fields left out; raw: true on a get or search gives Copper's record untouched.
- Searches answer one page: `total` is an upper bound, `has_more` says whether to ask for the
  next page_number. max_records collects up to that many over several pages in one call. An
  answer too long for one reply comes back as a smaller page; go on from next_page_number
  with the answer's page_size.
- Search filters are AND-ed; in *_ids filters -2 matches records with none; tags: {"value":
  [..]} matches any of them, with "option": "ALL" all; followed: true or false.
- Where an id of a user, pipeline, stage, contact type, customer source, loss reason, lead
  status, activity or task type, or Connect field goes, its name works too (a user also by
  email), as text; bulk items and a conversion's details included. Ids of people, companies and other records are
  numbers from searches.
- Dates: ISO 8601 (2026-12-05 or 2026-12-05T15:00:00-05:00); without a zone the account's time
  zone applies and the answer says so.
- custom_fields: a list of {"field": "Field name", "value": "..."}; the value is text: a
  number, an ISO date, true/false, an option name, or several option names separated by
  commas. In searches also minimum_value/maximum_value, and option ANY/ALL/NONE for
  multi-select fields.
- Updates change only the fields passed; null clears a field (the schemas show one type, null
  is accepted too); lists are replaced whole. Bulk tools answer one result per item, in order."""


class CopperServer(MCPServer):
    """MCPServer that says why a write tool hidden by read-only mode cannot be called, and
    answers every line it reads on stdio.

    A host may remember a tool from another session, and a model may guess a name; "Unknown
    tool" would leave it wondering whether the tool exists at all.
    """

    def __init__(self, name: str, *, refused: frozenset[str] = frozenset(), **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self._refused = refused

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        """Call a tool; a write refused by read-only mode is a ToolError saying so."""
        if name in self._refused:
            raise ToolError(f"{name} changes data and copper-mcp is running read-only: nothing was sent.")
        return await super().call_tool(name, arguments, context)

    async def run_stdio_async(self) -> None:
        """Serve over stdin/stdout with ``copper_mcp.mcp.stdio``, which answers the lines the SDK's reader drops."""
        with stdio() as (stdin, stdout):
            await serve(self._lowlevel_server, stdin, stdout)


def build_server(
    settings: Settings,
    client: CopperClient,
    *,
    budget: int = DEFAULT_BUDGET,
    token_verifier: TokenVerifier | None = None,
    auth: AuthSettings | None = None,
) -> MCPServer:
    """An MCP server exposing the catalogue's tools for these settings, talking through ``client``.

    The client is opened by the server's lifespan and closed when the server stops, so one
    HTTP connection pool serves every tool call of a run (over HTTP the lifespan runs once per
    process, so every session shares it). Tools and resources share one ``Calls``: one account
    cache and one set of record names, so a change made by a tool is seen by the next resource
    read. ``token_verifier`` and ``auth`` pass to ``MCPServer`` for the HTTP transport.
    """

    @asynccontextmanager
    async def lifespan(_: MCPServer) -> AsyncIterator[None]:
        async with client:
            yield

    catalog = load_catalog()
    calls = Calls(client, catalog, Account(client), RecordNames(client), budget=budget)
    exposed = catalog.select(settings.toolsets, settings.read_only)
    writes = {op.name for op in catalog.select(settings.toolsets, read_only=False)} - {op.name for op in exposed}
    server = CopperServer(
        "copper-mcp",
        refused=frozenset(writes),
        title="Copper CRM",
        version=__version__,
        instructions=INSTRUCTIONS,
        tools=build_tools(exposed, calls),
        lifespan=lifespan,
        log_level="WARNING",
        token_verifier=token_verifier,
        auth=auth,
    )
    register_resources(server, calls)
    # The SDK configures the root logger; keep HTTP chatter out of the host's log.
    logging.getLogger("httpx2").setLevel(logging.WARNING)
    return server
