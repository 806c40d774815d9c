"""Test doubles for the client: a fake clock and a scripted fake Copper behind httpx2.MockTransport."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio.lowlevel
import httpx2

from copper_mcp.client import CopperClient

KEY = "cu-SECRET-api-key-0123456789abcdef"
EMAIL = "owner@example.com"
BASE_URL = "https://api.copper.com/developer_api/v1"

# A scripted outcome: a response to return, or an httpx2 exception class to raise.
Outcome = httpx2.Response | type[httpx2.RequestError]


class FakeClock:
    """A monotonic clock whose sleep returns at once after moving time forward."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(seconds, 0.0)
        await anyio.lowlevel.checkpoint()  # still let other tasks run, as a real sleep would


class FakeCopper:
    """A MockTransport handler that plays a script of outcomes and records every request it gets."""

    def __init__(self, *script: Outcome, clock: FakeClock | None = None) -> None:
        self.script = list(script)
        self.clock = clock
        self.requests: list[httpx2.Request] = []
        self.arrivals: list[float] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        if self.clock is not None:
            self.arrivals.append(self.clock.now)
        if not self.script:
            raise AssertionError(f"unexpected extra request: {request.method} {request.url}")
        outcome = self.script.pop(0)
        if isinstance(outcome, httpx2.Response):
            return outcome
        raise outcome(f"simulated {outcome.__name__}", request=request)

    @property
    def sends(self) -> int:
        return len(self.requests)


def ok(data: Any = None, *, status: int = 200, headers: dict[str, str] | None = None) -> httpx2.Response:
    return httpx2.Response(status, json=data if data is not None else {}, headers=headers)


def make_client(
    handler: Callable[[httpx2.Request], httpx2.Response],
    clock: FakeClock | None = None,
    **options: Any,
) -> CopperClient:
    """A client wired to ``handler``, a fake clock, and jitter fixed at zero."""
    clock = clock or FakeClock()
    options.setdefault("random", lambda: 0.0)
    return CopperClient(
        api_key=KEY,
        user_email=EMAIL,
        transport=httpx2.MockTransport(handler),
        clock=clock,
        sleep=clock.sleep,
        **options,
    )


def max_in_window(times: list[float], window: float) -> int:
    """The most timestamps that fall in any half-open interval [t, t + window)."""
    ordered = sorted(times)
    most = 0
    start = 0
    for end, stamp in enumerate(ordered):
        while ordered[start] <= stamp - window:
            start += 1
        most = max(most, end - start + 1)
    return most
