"""Shared fixtures: an MCP server wired to an in-memory sandbox through ASGITransport.

Fixtures here only build objects; each test opens its own ``Client(server)`` in its body
(an async yield fixture holding a client breaks anyio's cancel scopes at teardown).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.server import MCPServer

from copper_mcp.client import CopperClient
from copper_mcp.presentation import DEFAULT_BUDGET, ReferenceCache, ReferenceData, load_reference_data
from copper_mcp.presentation.shaper import CopperShaper
from copper_mcp.sandbox import SandboxConfig, create_app
from copper_mcp.server import build_server
from copper_mcp.settings import Settings
from copper_mcp.tools.catalog import load_catalog

SANDBOX_URL = "http://sandbox.test/developer_api/v1"

ServerFactory = Callable[..., MCPServer]


def sandbox_client(config: SandboxConfig | None = None, **client_options: Any) -> CopperClient:
    """A CopperClient talking in-process to a fresh sandbox app."""
    app = create_app(config or SandboxConfig())
    return CopperClient(
        api_key="test-key",
        user_email="tester@example.com",
        base_url=SANDBOX_URL,
        transport=httpx2.ASGITransport(app=app),
        **client_options,
    )


def shaped_server(
    *,
    budget: int = DEFAULT_BUDGET,
    load: Callable[[CopperClient], Awaitable[ReferenceData]] = load_reference_data,
) -> MCPServer:
    """A server on a fresh sandbox whose shaper has this answer budget and loads reference data with ``load``."""
    client = sandbox_client()
    settings = Settings(api_key="test-key", user_email="tester@example.com", base_url=SANDBOX_URL)
    shaper = CopperShaper(ReferenceCache(lambda: load(client)), load_catalog().entities, budget=budget)
    return build_server(settings, client, shaper)


@pytest.fixture
def sandbox_server() -> ServerFactory:
    """Build an MCP server on a fresh in-memory sandbox: ``sandbox_server(read_only=True)``."""

    def build(
        *, toolsets: frozenset[str] | None = None, read_only: bool = False, config: SandboxConfig | None = None
    ) -> MCPServer:
        settings = Settings(
            api_key="test-key", user_email="tester@example.com", base_url=SANDBOX_URL,
            toolsets=toolsets, read_only=read_only,
        )
        return build_server(settings, sandbox_client(config))

    return build


async def answer(client: Client, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    """The structured answer of a tool call that must succeed."""
    result = await client.call_tool(tool, args)
    assert result.is_error is False, result.content
    assert result.structured_content is not None
    return result.structured_content
