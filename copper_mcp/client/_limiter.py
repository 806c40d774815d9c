"""Client-side rate limiting, so Copper never has to refuse a request with 429.

Copper allows 180 requests per rolling minute, plus 3 per second on bulk endpoints. ``SlidingWindow``
is the pure bookkeeping (timestamps in, seconds-to-wait out); ``RateLimiter`` does the waiting, with an
injected clock and sleep, and is shared by every concurrent request of one client.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import anyio

__all__ = ["SAFETY_MARGIN", "RateLimiter", "RateLimits", "SlidingWindow"]

logger = logging.getLogger("copper_mcp.client")

SAFETY_MARGIN = 0.01
"""Share of each window added to it. We stamp a request when it leaves; Copper counts it when it
arrives, and network latency varies, so a window exactly as long as Copper's could let the 181st
request arrive inside the server's window. A share, not fixed seconds, so the 1-second bulk window
loses 1% of its throughput rather than 10% (0.6 s on the 60-second window)."""


@dataclass(frozen=True)
class RateLimits:
    """How many requests one client may send.

    Attributes:
        per_minute: Requests allowed in any rolling ``window`` seconds, for every call.
        bulk_per_second: Additional limit for bulk endpoints, per rolling ``bulk_window`` seconds.
        window: Length of the general window, in seconds.
        bulk_window: Length of the bulk window, in seconds.
    """

    per_minute: int = 180
    bulk_per_second: int = 3
    window: float = 60.0
    bulk_window: float = 1.0

    def __post_init__(self) -> None:
        if self.per_minute < 1 or self.bulk_per_second < 1:
            raise ValueError("rate limits must allow at least one request")
        if self.window <= 0 or self.bulk_window <= 0:
            raise ValueError("rate limit windows must be positive")


class SlidingWindow:
    """At most ``limit`` events in any rolling ``window`` seconds (pure bookkeeping, no waiting)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._stamps: deque[float] = deque()

    def wait_time(self, now: float) -> float:
        """Seconds until one more event fits; 0.0 when it fits now."""
        while self._stamps and self._stamps[0] + self.window <= now:
            self._stamps.popleft()
        if len(self._stamps) < self.limit:
            return 0.0
        # Full: the next slot opens when the oldest stamp still counted leaves the window.
        return self._stamps[-self.limit] + self.window - now

    def record(self, now: float) -> None:
        """Count an event at ``now``."""
        self._stamps.append(now)

    def __len__(self) -> int:
        return len(self._stamps)


class RateLimiter:
    """Waits until a request fits both of Copper's limits, then lets it go.

    Requests are admitted in arrival order: each waiter holds a FIFO ``anyio.Lock`` while it sleeps, so
    a later request can never overtake an earlier one. Bulk requests first queue for the bulk window
    under their own lock, so ordinary requests are not held up behind a bulk request that waits.
    """

    def __init__(
        self,
        limits: RateLimits,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self.limits = limits
        self._clock = clock
        self._sleep = sleep
        self._all = SlidingWindow(limits.per_minute, limits.window * (1 + SAFETY_MARGIN))
        self._bulk = SlidingWindow(limits.bulk_per_second, limits.bulk_window * (1 + SAFETY_MARGIN))
        self._all_lock = anyio.Lock()
        self._bulk_lock = anyio.Lock()

    async def acquire(self, *, bulk: bool = False) -> None:
        """Wait until one more request (a bulk one if ``bulk``) may be sent, and count it as sent."""
        if not bulk:
            async with self._all_lock:
                await self._wait_for(self._all, "per-minute")
                self._all.record(self._clock())
            return
        async with self._bulk_lock:
            # Only the holder of the bulk lock records bulk stamps, so once the bulk window has room it
            # keeps it while we queue for the general window below.
            await self._wait_for(self._bulk, "bulk")
            async with self._all_lock:
                await self._wait_for(self._all, "per-minute")
                now = self._clock()
                self._bulk.record(now)
                self._all.record(now)

    async def _wait_for(self, window: SlidingWindow, name: str) -> None:
        while (wait := window.wait_time(self._clock())) > 0:
            logger.info("rate limiter: waiting %.2f s for the %s limit", wait, name)
            await self._sleep(wait)
