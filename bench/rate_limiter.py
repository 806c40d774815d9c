"""Rate limiter: a concurrent burst against a sandbox whose clock runs 60 times faster."""

from __future__ import annotations

import time
from dataclasses import dataclass

import anyio
import httpx2

from bench.figure import Figure, Options, Row
from copper_mcp.client import RateLimits
from copper_mcp.client._limiter import SAFETY_MARGIN
from copper_mcp.sandbox import SandboxConfig, create_app
from tests.conftest import sandbox_client

TARGET = 0.95

SCALE = 60.0
"""The sandbox clock runs this many times faster: its 60 s window lasts 1 s."""
WINDOW = 60.0 / SCALE
"""Real seconds of the sandbox's window, and the client's window to match."""
BURSTS = 4
"""The burst is this many windows' worth of requests."""


class Recording(httpx2.AsyncBaseTransport):
    """Wraps a transport and records every status code and send time before the client sees them."""

    def __init__(self, inner: httpx2.AsyncBaseTransport) -> None:
        self.inner = inner
        self.statuses: list[int] = []
        self.sent: list[float] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.sent.append(time.perf_counter())
        response = await self.inner.handle_async_request(request)
        self.statuses.append(response.status_code)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def scaled_clock() -> float:
    """The sandbox's clock: monotonic time, SCALE times faster."""
    return time.monotonic() * SCALE


@dataclass(frozen=True)
class Burst:
    """What one burst of ``n`` concurrent GETs against a limit of ``per_minute`` per window did."""

    per_minute: int
    n: int
    sent: list[float]
    statuses: list[int]
    last_done: float

    @property
    def elapsed(self) -> float:
        """First send to last completion."""
        return self.last_done - self.sent[0]

    @property
    def achieved(self) -> float:
        """Requests per second beyond the first window's worth, which go at once."""
        return (self.n - self.per_minute) / self.elapsed

    @property
    def allowed(self) -> float:
        return self.per_minute / WINDOW

    @property
    def share(self) -> float:
        return self.achieved / self.allowed

    @property
    def waited(self) -> float:
        """First send to the first send of the last window's worth: the time spent waiting for windows."""
        return self.sent[-self.per_minute] - self.sent[0]


async def burst(per_minute: int) -> Burst:
    """Fire BURSTS * per_minute concurrent GETs; the sandbox allows per_minute per (scaled) minute."""
    app = create_app(SandboxConfig(requests_per_minute=per_minute, clock=scaled_clock))
    ids = [doc["id"] for doc in app.state.sandbox.store.list("people")]  # from the store: no request spent
    recorder = Recording(httpx2.ASGITransport(app=app))
    client = sandbox_client(transport=recorder, limits=RateLimits(per_minute=per_minute, window=WINDOW))
    n = BURSTS * per_minute
    finished: list[float] = []

    async def one(i: int) -> None:
        await client.request("GET", f"/people/{ids[i % len(ids)]}")
        finished.append(time.perf_counter())

    with anyio.fail_after(30):
        async with client, anyio.create_task_group() as tg:
            for i in range(n):
                tg.start_soon(one, i)
    return Burst(per_minute, n, recorder.sent, recorder.statuses, max(finished))


async def measure(options: Options) -> Figure:
    """Fire one burst at limit ``options.rate`` and compare the rate achieved with the rate allowed."""
    result = await burst(options.rate)
    rejected = result.statuses.count(429)
    other = sorted({s for s in result.statuses if s not in (200, 429)})
    row = Row(
        f"rate limiter: {result.n} concurrent GETs, limit {options.rate}/window of {WINDOW:g} s",
        f"{result.achieved:.1f} req/s, {rejected} x 429",
        f"{result.allowed:.1f} req/s allowed",
        f"{result.share:.3f}",
        f">= {TARGET} and 0 x 429",
        result.share >= TARGET and rejected == 0,
    )
    # The client counts each window as window * (1 + SAFETY_MARGIN), so after the first window's worth,
    # which goes at once, every later one waits that long: achieved / allowed can reach 1 / (1 + margin).
    ceiling = 1 / (1 + SAFETY_MARGIN)
    windows = BURSTS - 1
    ideal_wait = windows * WINDOW * (1 + SAFETY_MARGIN)
    notes = [
        f"- **Rate limiter**: sandbox with `clock=lambda: time.monotonic() * {SCALE:g}` (its 60 s window lasts "
        f"{WINDOW:g} s) and `requests_per_minute={options.rate}`; client "
        f"`RateLimits(per_minute={options.rate}, window={WINDOW})`; "
        f"{result.n} `GET /people/{{id}}` fired at once in an anyio task group. A wrapping transport records "
        "each status before the client sees it (the client retries 429s). Achieved = (N - R) / (first send to "
        f"last completion) = ({result.n} - {options.rate}) / {result.elapsed:.3f} s; allowed = R / window. "
        f"Sends: {len(result.sent)}; statuses other than 200/429: {other or 'none'}.",
        f"  The client lengthens every window by the share `SAFETY_MARGIN` = {SAFETY_MARGIN:g} of it "
        f"(`copper_mcp/client/_limiter.py`: window x {1 + SAFETY_MARGIN:g}), on Copper's 60 s window as on this "
        f"{WINDOW:g} s one, which caps achieved/allowed at 1 / (1 + margin) = {ceiling:.3f}; this burst reached "
        f"{result.share / ceiling:.3f} of that cap. Where the rest went: the last {options.rate} sends began "
        f"{result.waited:.3f} s after the first ({windows} windows of {WINDOW * (1 + SAFETY_MARGIN):g} s = "
        f"{ideal_wait:.3f} s, so {result.waited - ideal_wait:.3f} s more than the windows alone: each request "
        "counts from its answer, not from when it left, and a burst's answers come one after another), and "
        f"those {options.rate} requests took {result.elapsed - result.waited:.3f} s to complete.",
    ]
    return Figure(row, notes)
