"""A transport that loses the answers of chosen creates: after the sandbox stored them, or before it saw them.

The sandbox's own faults strike before a route runs, so nothing is ever stored; a create whose
outcome is unknown needs the other case too. Shared by tests/test_recover.py and
bench/unknown_creates.py.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx2

from copper_mcp.core.entities import ENTITIES

_CREATE_PATHS = tuple(f"/{entity.plural}" for entity in ENTITIES) + tuple(
    f"/{entity.plural}/bulk_create" for entity in ENTITIES
)


class Fault(enum.Enum):
    """How a create's answer is lost."""

    TIMEOUT_AFTER = "stored, then the answer timed out"
    DROP_AFTER = "stored, then the connection dropped"
    ERROR_AFTER = "stored, then a 502"
    DROP_BEFORE = "the connection dropped before it arrived"
    ERROR_BEFORE = "a 503 before it arrived"

    @property
    def stores(self) -> bool:
        """Whether the sandbox sees (and may store) the create."""
        return self in (Fault.TIMEOUT_AFTER, Fault.DROP_AFTER, Fault.ERROR_AFTER)


@dataclass(frozen=True)
class Lost:
    """One create whose answer was lost, and what the sandbox made of it (None: nothing stored)."""

    fault: Fault
    path: str
    stored: Any


Plan = Callable[[httpx2.Request], Fault | None]
"""Which fault, if any, strikes this create."""


def is_create(request: httpx2.Request) -> bool:
    """Whether a request creates records (``POST /people``, ``POST /people/bulk_create``...)."""
    return request.method == "POST" and request.url.path.endswith(_CREATE_PATHS)


def once(fault: Fault, path: str) -> Plan:
    """A plan that strikes the next create whose URL path ends with ``path``, and no other."""
    armed = [True]

    def plan(request: httpx2.Request) -> Fault | None:
        if armed[0] and request.url.path.endswith(path):
            armed[0] = False
            return fault
        return None

    return plan


class LostAnswers(httpx2.AsyncBaseTransport):
    """Passes every request on to ``inner``, except the creates ``plan`` picks: their answer is lost.

    ``lost`` records each one, with what the sandbox stored (its answer when it was a 2xx).
    """

    def __init__(self, inner: httpx2.AsyncBaseTransport, plan: Plan) -> None:
        self.inner = inner
        self.plan = plan
        self.lost: list[Lost] = []
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.paths.append(f"{request.method} {request.url.path}")
        fault = self.plan(request) if is_create(request) else None
        if fault is None:
            return await self.inner.handle_async_request(request)
        stored = None
        if fault.stores:
            response = await self.inner.handle_async_request(request)
            content = await response.aread()
            stored = json.loads(content) if response.is_success else None
        self.lost.append(Lost(fault, request.url.path, stored))
        if fault in (Fault.ERROR_AFTER, Fault.ERROR_BEFORE):
            status = 502 if fault is Fault.ERROR_AFTER else 503
            return httpx2.Response(status, json={"success": False, "status": status, "message": "injected fault"})
        error = {
            Fault.TIMEOUT_AFTER: httpx2.ReadTimeout,
            Fault.DROP_AFTER: httpx2.RemoteProtocolError,
            Fault.DROP_BEFORE: httpx2.ReadError,
        }[fault]
        raise error(f"injected fault: {fault.value}", request=request)
