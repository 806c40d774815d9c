"""ASGI middleware in front of every route: injected faults, authentication, rate limits."""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from typing import NoReturn

import anyio
import httpx2
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from copper_mcp.sandbox.config import Faults, SandboxConfig
from copper_mcp.sandbox.errors import error_response

APPLICATION = "developer_api"
MINUTE = 60.0
SECOND = 1.0


class ConnectionDropped(httpx2.ReadError):
    """Raised to make the server drop a connection without answering (an injected fault).

    An ``httpx2.ReadError`` because under ``httpx2.ASGITransport`` the app's exception reaches
    the client unchanged: the client sees what a dropped connection looks like to it.
    """


class AnswerLost(ConnectionDropped):
    """The request was handled in full, then the connection dropped before the answer."""


class FaultInjector:
    """Outermost layer: adds latency, hangs, drops, lost answers, 5xx and 429 answers at configured rates."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults
        self._rng = random.Random(faults.random_seed)
        # A stream of its own, so adding this fault left every seed's other faults where they were.
        self._lost_rng = random.Random(f"{faults.random_seed}:lost_answer")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        faults = self.faults
        # One draw per fault type, every request, so the sequence depends only on the seed.
        drop, hang, error, limited, which = (self._rng.random() for _ in range(5))
        lost = self._lost_rng.random()
        if faults.latency > 0:
            await anyio.sleep(faults.latency)
        if drop < faults.drop_rate:
            await _hang_up(send, ConnectionDropped("injected fault: connection dropped"))
        if hang < faults.timeout_rate:
            await anyio.sleep(faults.timeout_seconds)
        if error < faults.error_rate:
            status = 500 if which < 0.5 else 503
            message = "Internal server error" if status == 500 else "Service unavailable"
            await error_response(status, f"{message} (injected fault)")(scope, receive, send)
            return
        if limited < faults.force_429_rate:
            await error_response(429, "Rate limit exceeded (injected fault)")(scope, receive, send)
            return
        if lost < faults.lost_answer_rate:
            await self.app(scope, receive, _nowhere)
            await _hang_up(send, AnswerLost("injected fault: request handled, then the connection dropped"))
        await self.app(scope, receive, send)


async def _nowhere(_message: Message) -> None:
    """Where a lost answer goes."""


async def _hang_up(send: Send, error: ConnectionDropped) -> NoReturn:
    """Drop the connection by raising ``error``.

    Over real HTTP, uvicorn answers 500 to an app that raises before answering but closes the
    connection when the answer has already begun, so one begins first (the client's read of
    the body then fails). In process, the exception itself reaches the client.
    """
    await send({"type": "http.response.start", "status": 200, "headers": []})
    raise error


class RollingWindow:
    """Counts events in a rolling window of ``span`` seconds on an injectable clock."""

    def __init__(self, limit: int, span: float, clock: Callable[[], float]) -> None:
        self.limit = limit
        self.span = span
        self.clock = clock
        self._times: dict[str, deque[float]] = {}

    def full(self, key: str) -> bool:
        """True when ``key`` has used its allowance in the current window."""
        times = self._times.setdefault(key, deque())
        now = self.clock()
        while times and times[0] <= now - self.span:
            times.popleft()
        return len(times) >= self.limit

    def record(self, key: str) -> None:
        """Count one accepted request for ``key``."""
        self._times.setdefault(key, deque()).append(self.clock())


class Gatekeeper:
    """Checks the three X-PW headers, then the per-token rate limits (429s are not counted)."""

    def __init__(self, app: ASGIApp, config: SandboxConfig) -> None:
        self.app = app
        self.config = config
        self.minute = RollingWindow(config.requests_per_minute, MINUTE, config.clock)
        self.bulk = RollingWindow(config.bulk_requests_per_second, SECOND, config.clock)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        problem = self._auth_problem(headers)
        if problem:
            await error_response(401, problem)(scope, receive, send)
            return
        token = headers["x-pw-accesstoken"]
        is_bulk = str(scope.get("path", "")).rstrip("/").endswith(("/bulk_create", "/bulk_update"))
        if self.minute.full(token):
            message = f"Rate limit exceeded: {self.minute.limit} requests per minute"
            await error_response(429, message)(scope, receive, send)
            return
        if is_bulk and self.bulk.full(token):
            message = f"Rate limit exceeded: {self.bulk.limit} bulk requests per second"
            await error_response(429, message)(scope, receive, send)
            return
        self.minute.record(token)
        if is_bulk:
            self.bulk.record(token)
        await self.app(scope, receive, send)

    def _auth_problem(self, headers: dict[str, str]) -> str | None:
        # Messages never echo the token: it is a secret.
        token = headers.get("x-pw-accesstoken", "").strip()
        if not token:
            return "Missing X-PW-AccessToken header"
        if self.config.api_key is not None and token != self.config.api_key:
            return "API key not found or not authorized"
        application = headers.get("x-pw-application", "").strip()
        if not application:
            return "Missing X-PW-Application header"
        if application != APPLICATION:
            return f"Invalid X-PW-Application header: must be {APPLICATION}"
        email = headers.get("x-pw-useremail", "").strip()
        if not email:
            return "Missing X-PW-UserEmail header"
        if self.config.user_email is not None and email.lower() != self.config.user_email.lower():
            return "X-PW-UserEmail does not match the API key's user"
        return None
