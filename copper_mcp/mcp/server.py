"""The server factory: ``build_server(settings, client)``. Nothing here touches the network
until a host connects and the lifespan opens the client."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
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
from copper_mcp.calls import PATIENCE_SECONDS, Calls
from copper_mcp.catalog import load_catalog
from copper_mcp.client import CopperClient
from copper_mcp.core.settings import Settings
from copper_mcp.shaping.budget import DEFAULT_BUDGET
from copper_mcp.shaping.groups import MOST_RECORDS, PERIODS

from .resources import register_resources
from .stdio import serve, stdio
from .tools import build_tools

INSTRUCTIONS = """\
Tools for one Copper CRM account. Copper's words: a deal is an opportunity, a contact a person,
a call, meeting or note an activity, a to-do or follow-up a task.
- Records come back compact, from reads and writes alike: names beside ids, ISO dates, empty
  fields left out; raw: true on a get or search gives Copper's record untouched.
- A search shows each record's list view: the fields a person scans, the owner, stage or status
  by name. fields: [...] shows others instead (a field, a name such as assignee, a custom field
  by name); fields: ["*"] whole records, as a get shows them.
- Searches answer one page: `total` is an upper bound, `has_more` says whether to ask for the
  next page_number. max_records collects up to that many over several pages in one call. An
  answer too long for one reply comes back as a smaller page; go on from next_page_number
  with the answer's page_size.
- Search filters are AND-ed; in *_ids filters -2 matches records with none; tags: {"value":
  [..]} matches any of them, with "option": "ALL" all; followed: true or false.
- Where an id of a user, pipeline, stage, contact type, customer source, loss reason, lead
  status, activity or task type, or Connect field goes, its name works too (a user also by
  email), as text; bulk items and a conversion's details included. Case and accents do not
  matter, and a unique start or word of a name is enough ("priya", "Herrera"). Ids of people,
  companies and other records are numbers from searches.
- Dates: ISO 8601 (2026-12-05 or 2026-12-05T15:00:00-05:00); without a zone the account's time
  zone applies and the answer says so.
- custom_fields: a list of {"field": "Field name", "value": "..."}; the value is text: a
  number, an ISO date, true/false, an option name, or several option names separated by
  commas. In searches also minimum_value/maximum_value, and option ANY/ALL/NONE for
  multi-select fields.
- Updates change only the fields passed; null clears a field (the schemas show one type, null
  is accepted too); lists are replaced whole. Bulk tools answer one result per item, in order.
""" + (
    f"- Copper allows 180 requests a minute. A call waits at most {PATIENCE_SECONDS:g} s for it (progress says\n"
    "  so); past that it answers at once, nothing sent, with when to try again."
)


READ_ONLY_NOTE = """
- This server is read-only: it offers only the tools that read, and refuses any that would change
  data (nothing is sent). Ask the person to make the change in Copper."""


def _totals() -> str:
    """The instructions on group_by: its keys from the catalogue, its bound from ``shaping.groups``."""
    keys = dict.fromkeys(key for op in load_catalog().operations if op.group_by for key in op.group_by.keys)
    periods = ", ".join(f":{period}" for period in PERIODS[:-1]) + f" or :{PERIODS[-1]}"
    return f"""
- Totals: group_by (one or two keys) on a record search adds up every matching record instead
  of listing them, e.g. deal value by stage, open tasks per owner, deals won per month. Keys,
  as each search has them: {", ".join(keys)};
  a date field with {periods} (close_date:month), in the account's time
  zone; a dropdown, multi-select or checkbox custom field by name. A wrong key is refused with
  the valid ones. Answers {{groups: [{{key, count}}], group_count, records_read, complete}},
  largest first; deals and leads also sum value per currency (deals weighted_value by
  win_probability too), records without one counted in without_value. top keeps the largest
  groups. One call reads at most {MOST_RECORDS:,} records; past that complete is false and
  partial_groups are not totals: narrow the filters."""


INSTRUCTIONS += _totals()


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
    clock: Callable[[], float] = time.monotonic,
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
    calls = Calls(client, catalog, Account(client, clock=clock), RecordNames(client, clock=clock), budget=budget)
    exposed = catalog.select(settings.toolsets, settings.read_only)
    writes = {op.name for op in catalog.select(settings.toolsets, read_only=False)} - {op.name for op in exposed}
    server = CopperServer(
        "copper-mcp",
        refused=frozenset(writes),
        title="Copper CRM",
        version=__version__,
        instructions=INSTRUCTIONS + (READ_ONLY_NOTE if settings.read_only else ""),
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
