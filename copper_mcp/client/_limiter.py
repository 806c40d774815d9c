"""Client-side rate limiting, so Copper never has to refuse a request with 429, and never a silent wait.

Copper allows 180 requests per rolling minute, plus 3 per second on bulk endpoints. Each request
reserves the earliest moment it may be sent, in arrival order, then sleeps until then: so the
wait is known before anyone waits. A call that would wait longer than its patience (see
``copper_mcp.core.requester.PATIENCE``) is refused at once, nothing sent, saying when to retry;
a shorter wait is announced to whoever listens (a host's progress bar).

``SlidingWindow`` is the pure bookkeeping (reservations in, earliest admissible moment out);
``RateLimiter`` does the reserving and waiting, with an injected clock and sleep, and is shared by
every concurrent request of one client.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import anyio
import anyio.lowlevel

from copper_mcp.core.errors import WaitTooLongError
from copper_mcp.core.requester import PATIENCE

__all__ = ["ANNOUNCED_WAIT", "SAFETY_MARGIN", "RateLimiter", "RateLimits", "SlidingWindow"]

logger = logging.getLogger("copper_mcp.client")

SAFETY_MARGIN = 0.01
"""Share of each window added to it. We stamp a request when it leaves; Copper counts it when it
arrives, and network latency varies, so a window exactly as long as Copper's could let the 181st
request arrive inside the server's window. A share, not fixed seconds, so the 1-second bulk window
loses 1% of its throughput rather than 10% (0.6 s on the 60-second window)."""
ANNOUNCED_WAIT = 1.0
"""Waits at least this long (seconds) are announced to the call's listener; shorter ones pass unseen."""


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
    """At most ``limit`` requests in any rolling ``window`` seconds, over reserved send times.

    Pure bookkeeping: reservations may lie in the future (a request asleep until its moment),
    and a new one is admissible at a moment only if every window holding that moment stays
    within the limit, later reservations included.
    """

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._stamps: list[float] = []  # sorted

    def earliest(self, now: float, not_before: float | None = None) -> float:
        """The earliest moment at or after ``now`` (and ``not_before``) one more request fits."""
        self._forget(now)
        start = now if not_before is None else max(now, not_before)
        # A window frees a slot only when a reservation leaves it, so the answer is the start or
        # the moment some reservation's window ends.
        for moment in [start, *(stamp + self.window for stamp in self._stamps if stamp + self.window > start)]:
            if self._fits(moment):
                return moment
        raise AssertionError("the last reservation's window always ends")  # pragma: no cover

    def wait_time(self, now: float) -> float:
        """Seconds until one more request fits; 0.0 when it fits now."""
        return self.earliest(now) - now

    def record(self, moment: float) -> None:
        """Reserve ``moment`` for a request."""
        bisect.insort(self._stamps, moment)

    def __len__(self) -> int:
        return len(self._stamps)

    def _fits(self, moment: float) -> bool:
        # Every window ending at this moment or at a later reservation less than a window away.
        ends = [moment, *self._stamps[bisect.bisect_left(self._stamps, moment) :]]
        for end in ends:
            if end >= moment + self.window:
                break
            held = bisect.bisect_right(self._stamps, end) - self._gone_by(end)
            if held + 1 > self.limit:
                return False
        return True

    def _gone_by(self, moment: float) -> int:
        """How many stamps have left the window ending at ``moment``.

        Computed as stamp + window <= moment, the same sum the candidate moments are made of,
        so a candidate and the stamp it waits for never disagree by a rounding error.
        """
        return bisect.bisect_right(self._stamps, moment, key=lambda stamp: stamp + self.window)

    def _forget(self, now: float) -> None:
        # A stamp no window ending now or later can hold.
        del self._stamps[: self._gone_by(now)]


class RateLimiter:
    """Reserves each request's moment under both of Copper's limits, then waits until it comes.

    Reservations are made in arrival order, and no request is sent before one that arrived
    earlier: those that must wait sleep one after another (a FIFO lock), each until its own
    moment. A request that need not wait goes at once, so ordinary requests flow while a bulk
    request waits for the bulk window.
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
        self._sleepers = anyio.Lock()

    def wait_time(self, *, bulk: bool = False) -> float:
        """Seconds one more request (a bulk one if ``bulk``) would wait if sent now; nothing is reserved."""
        now = self._clock()
        return self._moment(now, bulk) - now

    async def acquire(self, *, bulk: bool = False) -> None:
        """Wait until one more request may be sent, and count it as sent.

        Raises:
            WaitTooLongError: The wait is longer than the current call's patience; nothing is reserved.
        """
        # A point where the call can be cancelled before anything is reserved or sent.
        await anyio.lowlevel.checkpoint()
        now = self._clock()
        moment = self._moment(now, bulk)
        wait = moment - now
        patience = PATIENCE.get()
        if patience is not None and wait > patience.seconds:
            raise WaitTooLongError(wait=wait, patience=patience.seconds, per_minute=self.limits.per_minute)
        self._all.record(moment)
        if bulk:
            self._bulk.record(moment)
        if wait <= 0:
            return
        logger.info("rate limiter: waiting %.2f s for Copper's %s limit", wait, "bulk" if bulk else "per-minute")
        if patience is not None:
            patience.seconds -= wait
            if wait >= ANNOUNCED_WAIT and patience.on_wait is not None:
                await patience.on_wait(wait)
        async with self._sleepers:
            remaining = moment - self._clock()
            if remaining > 0:
                await self._sleep(remaining)

    def _moment(self, now: float, bulk: bool) -> float:
        moment = self._all.earliest(now)
        if not bulk:
            return moment
        while True:  # both windows must fit: alternate until neither moves the moment
            later = self._all.earliest(now, self._bulk.earliest(now, moment))
            if later == moment:
                return moment
            moment = later
