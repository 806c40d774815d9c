"""A local Copper Developer API v1 (Starlette + SQLite) with deterministic demo data.

``create_app(SandboxConfig(...))`` returns an ASGI app serving ``/developer_api/v1``;
it needs no lifespan events, so ``httpx2.ASGITransport`` can drive it directly.
"""

from copper_mcp.sandbox.app import create_app
from copper_mcp.sandbox.config import Faults, SandboxConfig
from copper_mcp.sandbox.store import Store

__all__ = ["Faults", "SandboxConfig", "Store", "create_app"]
