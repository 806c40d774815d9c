"""The server factory: ``build_server(settings, client)``. Nothing here touches the network
until a host connects and the lifespan opens the client."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from mcp.server import MCPServer

from copper_mcp import __version__
from copper_mcp.client import CopperClient
from copper_mcp.presentation.cache import ReferenceCache, load_reference_data
from copper_mcp.presentation.names import RecordNames
from copper_mcp.presentation.shaper import CopperShaper
from copper_mcp.resources import register_resources
from copper_mcp.settings import Settings
from copper_mcp.tools.catalog import load_catalog
from copper_mcp.tools.registry import Shaper, build_tools

INSTRUCTIONS = """\
Tools for one Copper CRM account.
- Records come back compact, from reads and writes alike: names beside ids, ISO dates, empty
  fields left out; raw: true on a get or search gives Copper's record untouched.
- Searches answer one page: `total` is an upper bound, `has_more` says whether to ask for the
  next page_number. max_records collects up to that many over several pages in one call. An
  answer too long for one reply comes back as a smaller page; go on from next_page_number
  with the answer's page_size.
- Search filters are AND-ed; in *_ids filters -2 matches records with none; tags matches any
  of a list, or all with {"value": [..], "option": "ALL"}; followed: 1 followed, 2 not.
- Where an id of a user, pipeline, stage, contact type, customer source, loss reason, lead
  status or activity type goes, its name works too (a user also by email), bulk items and a
  conversion's details included. Ids of people and companies come from searches.
- Dates: ISO 8601 (2026-12-05 or 2026-12-05T15:00:00-05:00); without a zone the account's time
  zone applies and the answer says so.
- custom_fields: {"Field name": value}, dropdown values by option name; in searches a value or
  {"minimum_value": .., "maximum_value": ..}.
- Updates change only the fields passed; null clears a field; lists are replaced whole."""


def build_server(settings: Settings, client: CopperClient, shaper: Shaper | None = None) -> MCPServer:
    """An MCP server exposing the catalogue's tools for these settings, talking through ``client``.

    The client is opened by the server's lifespan and closed when the server stops, so one
    HTTP connection pool serves every tool call of a run.
    """

    @asynccontextmanager
    async def lifespan(_: MCPServer) -> AsyncIterator[None]:
        async with client:
            yield

    catalog = load_catalog()
    operations = catalog.select(settings.toolsets, settings.read_only)
    # One cache for tools and resources: a custom-field change made by a tool refreshes both.
    cache = ReferenceCache(lambda: load_reference_data(client))
    names = RecordNames(client)
    if shaper is None:
        shaper = CopperShaper(cache, catalog.entities, names=names)
    tools = build_tools(operations, client, shaper, read_only=settings.read_only)
    server = MCPServer(
        "copper-mcp",
        title="Copper CRM",
        version=__version__,
        instructions=INSTRUCTIONS,
        tools=tools,
        lifespan=lifespan,
        log_level="WARNING",
    )
    register_resources(server, client, cache, names)
    # The SDK configures the root logger; keep HTTP chatter out of the host's log.
    logging.getLogger("httpx2").setLevel(logging.WARNING)
    return server
