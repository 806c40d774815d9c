"""Shared fixtures: an MCP server wired to an in-memory sandbox through ASGITransport.

Fixtures here only build objects; each test opens its own ``Client(server)`` in its body
(an async yield fixture holding a client breaks anyio's cancel scopes at teardown).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.server import MCPServer
from starlette.applications import Starlette

from copper_mcp.client import CopperClient
from copper_mcp.core.settings import Settings
from copper_mcp.mcp import build_server
from copper_mcp.sandbox import SandboxConfig, create_app
from copper_mcp.shaping.budget import DEFAULT_BUDGET

SANDBOX_URL = "http://sandbox.test/developer_api/v1"

# A raw Streamable HTTP initialize request and the headers every raw MCP POST carries.
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}

ServerFactory = Callable[..., MCPServer]


class Missing(httpx2.AsyncBaseTransport):
    """A transport answering 404 for some paths and passing the rest on: a Copper that lacks them."""

    def __init__(self, inner: httpx2.AsyncBaseTransport, paths: tuple[str, ...]) -> None:
        self.inner = inner
        self.paths = paths

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith(self.paths):
            return httpx2.Response(404, json={"success": False, "status": 404, "message": "Resource not found"})
        return await self.inner.handle_async_request(request)


def sandbox_client(
    config: SandboxConfig | None = None,
    *,
    app: Starlette | None = None,
    missing: tuple[str, ...] = (),
    transport: httpx2.AsyncBaseTransport | None = None,
    **client_options: Any,
) -> CopperClient:
    """A CopperClient talking in-process to a fresh sandbox app built from ``config`` (where the
    ``missing`` paths answer 404).

    ``app`` is a sandbox the caller built itself; ``transport`` replaces the app altogether (a
    wrapper around one, say). ``client_options`` go to CopperClient (``limits=``...).
    """
    transport = transport or httpx2.ASGITransport(app=app or create_app(config or SandboxConfig()))
    if missing:
        transport = Missing(transport, missing)
    return CopperClient(
        api_key="test-key",
        user_email="tester@example.com",
        base_url=SANDBOX_URL,
        transport=transport,
        **client_options,
    )


def sandbox_settings(**options: Any) -> Settings:
    """Settings for a server on ``sandbox_client``'s sandbox; ``options`` go to Settings (``read_only=True``...)."""
    return Settings(api_key="test-key", user_email="tester@example.com", base_url=SANDBOX_URL, **options)


def shaped_server(
    *,
    budget: int = DEFAULT_BUDGET,
    missing: tuple[str, ...] = (),
    app: Starlette | None = None,
    config: SandboxConfig | None = None,
    **client_options: Any,
) -> MCPServer:
    """A server on a fresh sandbox (or ``app``) with this answer budget, where the ``missing`` paths answer 404.

    ``config`` and ``client_options`` go to ``sandbox_client`` (a sandbox and client without rate limits, say).
    """
    client = sandbox_client(config, app=app, missing=missing, **client_options)
    return build_server(sandbox_settings(), client, budget=budget)


@pytest.fixture
def sandbox_server() -> ServerFactory:
    """Build an MCP server on a fresh in-memory sandbox: ``sandbox_server(read_only=True)``."""

    def build(
        *, toolsets: frozenset[str] | None = None, read_only: bool = False, config: SandboxConfig | None = None
    ) -> MCPServer:
        return build_server(sandbox_settings(toolsets=toolsets, read_only=read_only), sandbox_client(config))

    return build


async def answer(client: Client, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    """The structured answer of a tool call that must succeed."""
    result = await client.call_tool(tool, args)
    assert result.is_error is False, result.content
    assert result.structured_content is not None
    structured: dict[str, Any] = result.structured_content
    return structured
