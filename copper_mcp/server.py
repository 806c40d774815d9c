"""The server factory: ``build_server(settings, client)``. Nothing here touches the network
until a host connects and the lifespan opens the client."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from mcp.server import MCPServer

from copper_mcp import __version__
from copper_mcp.client import CopperClient
from copper_mcp.settings import Settings
from copper_mcp.tools.catalog import load_catalog
from copper_mcp.tools.registry import PassThrough, Shaper, build_tools

INSTRUCTIONS = """\
Tools for one Copper CRM account. Search tools page through records (page_size up to 200;
`total` is an upper bound, `has_more` says whether to ask for the next page). Ids of users,
pipelines, stages and other reference values come from the list_* tools. Updates change only
the fields you pass; null clears a field."""


def build_server(settings: Settings, client: CopperClient, shaper: Shaper | None = None) -> MCPServer:
    """An MCP server exposing the catalogue's tools for these settings, talking through ``client``.

    The client is opened by the server's lifespan and closed when the server stops, so one
    HTTP connection pool serves every tool call of a run.
    """

    @asynccontextmanager
    async def lifespan(_: MCPServer) -> AsyncIterator[None]:
        async with client:
            yield

    operations = load_catalog().select(settings.toolsets, settings.read_only)
    tools = build_tools(operations, client, shaper or PassThrough(), read_only=settings.read_only)
    server = MCPServer(
        "copper-mcp",
        title="Copper CRM",
        version=__version__,
        instructions=INSTRUCTIONS,
        tools=tools,
        lifespan=lifespan,
        log_level="WARNING",
    )
    # The SDK configures the root logger; keep HTTP chatter out of the host's log.
    logging.getLogger("httpx2").setLevel(logging.WARNING)
    return server
