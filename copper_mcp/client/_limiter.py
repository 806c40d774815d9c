"""Client-side rate limiting, so Copper never has to refuse a request with 429, and never a silent wait.

Copper allows 180 requests per rolling minute, plus 3 per second on bulk endpoints. Each request
reserves the earliest moment it may be sent, in arrival order, then sleeps until then: so the
wait is known before anyone waits. A call that would wait longer than its patience (see
``copper_mcp.core.requester.PATIENCE``) is refused at once, nothing sent, saying when to retry;
a shorter wait is announced to whoever listens (a host's progress bar). When a request's answer
is in, it is counted at that moment instead (``settle``): Copper counted it on arrival, at the
latest then, whatever it met on the way.

``SlidingWindow`` is the pure bookkeeping (reservations in, earliest admissible moment out);
``RateLimiter`` does the reserving and waiting, with an injected clock and sleep, and is shared by
every concurrent request of one client.
"""

from __future__ import annotations

import bisect
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import anyio
import anyio.lowlevel

from copper_mcp.core.errors import WaitTooLongError
from copper_mcp.core.requester import PATIENCE

__all__ = ["ANNOUNCED_WAIT", "SAFETY_MARGIN", "RateLimiter", "RateLimits", "SlidingWindow"]

logger = logging.getLogger("copper_mcp.client")

SAFETY_MARGIN = 0.01
"""Share of each window added to it. A request counts from its answer once that is in (``settle``),
which is never earlier than Copper counted it; one still on its way counts from when it left, and
Copper's clock need not run at ours: the margin covers those. A share, not fixed seconds, so the
1-second bulk window loses 1% of its throughput rather than 10% (0.6 s on the 60-second window)."""
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
        self._waiting: Counter[float] = Counter()  # the stamps of requests asleep until their moment

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

    def room_after(self, now: float) -> float:
        """The earliest moment at or after ``now`` with room for one more among the requests gone by ``now``.

        Requests still asleep are left out: each looks again itself when its moment comes.
        """
        asleep = Counter(self._waiting)
        held = []
        for stamp in self._stamps[: bisect.bisect_right(self._stamps, now)]:
            if asleep[stamp] > 0:
                asleep[stamp] -= 1
            elif stamp + self.window > now:
                held.append(stamp)
        if len(held) < self.limit:
            return now
        return held[len(held) - self.limit] + self.window

    def wait_time(self, now: float) -> float:
        """Seconds until one more request fits; 0.0 when it fits now."""
        return self.earliest(now) - now

    def record(self, moment: float, *, waiting: bool = False) -> None:
        """Reserve ``moment`` for a request (``waiting``: one that sleeps until then)."""
        bisect.insort(self._stamps, moment)
        if waiting:
            self._waiting[moment] += 1

    def remove(self, moment: float, *, waiting: bool = False) -> None:
        """Cancel one reservation at ``moment`` (made with the same ``waiting``); nothing if forgotten."""
        index = bisect.bisect_left(self._stamps, moment)
        if index < len(self._stamps) and self._stamps[index] == moment:
            del self._stamps[index]
        if waiting:
            self._waiting[moment] -= 1
            if self._waiting[moment] <= 0:
                del self._waiting[moment]

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

    async def acquire(self, *, bulk: bool = False) -> float:
        """Wait until one more request may be sent, and count it as sent at the moment returned.

        Hand that moment to ``settle`` when the request's answer (or failure) is in.

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
        if wait <= 0:
            for window in self._windows(bulk):
                window.record(moment)
            return moment
        for window in self._windows(bulk):
            window.record(moment, waiting=True)
        logger.info("rate limiter: waiting %.2f s for Copper's %s limit", wait, "bulk" if bulk else "per-minute")
        try:
            if patience is not None:
                patience.seconds -= wait
                if wait >= ANNOUNCED_WAIT and patience.on_wait is not None:
                    await patience.on_wait(wait)
            async with self._sleepers:
                while True:
                    remaining = moment - self._clock()
                    if remaining > 0:
                        await self._sleep(remaining)
                    # Requests answered while this one slept now count at their answers, later than
                    # the moments its reservation was made against: look again before sending.
                    now = max(self._clock(), moment)
                    later = self._rebook(moment, now, bulk)
                    if later <= now:
                        return later
                    if patience is not None:
                        patience.seconds -= later - now
                    moment = later
        except BaseException:  # cancelled, or the listener failed: nothing was sent
            for window in self._windows(bulk):
                window.remove(moment, waiting=True)
            raise

    def settle(self, moment: float, *, bulk: bool = False) -> None:
        """Count the request sent at ``moment`` (from ``acquire``) as sent when its answer came: now.

        Copper counts a request when it arrives, which is after it left and no later than its
        answer. Counting it at its answer keeps the windows right however long the request waited
        for a connection or on the way, which a fixed margin only guesses at.
        """
        now = self._clock()
        if now <= moment:
            return
        for window in self._windows(bulk):
            window.remove(moment)
            window.record(now)

    def _rebook(self, moment: float, now: float, bulk: bool) -> float:
        """Move a sleeping request's reservation at ``moment`` to the first moment from ``now`` with
        room among the requests gone by then; it stays asleep (reserved as waiting) if that is later."""
        windows = self._windows(bulk)
        for window in windows:
            window.remove(moment, waiting=True)
        later = max(window.room_after(now) for window in windows)
        for window in windows:
            window.record(later, waiting=later > now)
        return later

    def _windows(self, bulk: bool) -> tuple[SlidingWindow, ...]:
        return (self._all, self._bulk) if bulk else (self._all,)

    def _moment(self, now: float, bulk: bool) -> float:
        moment = self._all.earliest(now)
        if not bulk:
            return moment
        while True:  # both windows must fit: alternate until neither moves the moment
            later = self._all.earliest(now, self._bulk.earliest(now, moment))
            if later == moment:
                return moment
            moment = later
