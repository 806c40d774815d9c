"""The rate limiter: pure window bookkeeping, then waiting, fairness and the bulk limit."""

from __future__ import annotations

import anyio
import pytest

from copper_mcp.client import RateLimiter, RateLimits, WaitTooLongError
from copper_mcp.client._limiter import SAFETY_MARGIN, SlidingWindow
from copper_mcp.core.requester import PATIENCE, Patience

from .fakes import FakeClock, max_in_window


def test_window_admits_up_to_limit_then_waits_for_the_oldest() -> None:
    window = SlidingWindow(limit=3, window=10.0)
    for now in (0.0, 1.0, 2.0):
        assert window.wait_time(now) == 0.0
        window.record(now)
    assert window.wait_time(2.0) == 8.0
    assert window.wait_time(9.5) == 0.5
    assert window.wait_time(10.0) == 0.0  # the stamp at 0.0 has left
    window.record(10.0)
    assert window.wait_time(10.0) == 1.0  # now the stamp at 1.0 is the oldest that counts


def test_window_forgets_expired_stamps() -> None:
    window = SlidingWindow(limit=2, window=5.0)
    for now in (0.0, 0.0, 5.0, 5.0):
        assert window.wait_time(now) == 0.0
        window.record(now)
    assert len(window) == 2


@pytest.mark.parametrize(
    "options",
    [{"per_minute": 0}, {"bulk_per_second": 0}, {"window": 0.0}, {"bulk_window": -1.0}],
)
def test_limits_validate(options: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RateLimits(**options)  # type: ignore[arg-type]


async def test_waits_with_the_injected_sleep_until_a_slot_opens() -> None:
    clock = FakeClock(start=0.0)
    limiter = RateLimiter(RateLimits(per_minute=2, window=60.0), clock=clock, sleep=clock.sleep)
    await limiter.acquire()
    clock.now = 10.0
    await limiter.acquire()
    await limiter.acquire()
    assert clock.sleeps == [pytest.approx(60.0 * (1 + SAFETY_MARGIN) - 10.0)]
    assert clock.now == pytest.approx(60.0 * (1 + SAFETY_MARGIN))


async def test_admits_waiters_in_arrival_order() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(per_minute=2, window=1.0), clock=clock, sleep=clock.sleep)
    admitted: list[int] = []

    async def one(index: int) -> None:
        await limiter.acquire()
        admitted.append(index)

    async with anyio.create_task_group() as group:
        for index in range(12):
            group.start_soon(one, index)
    assert admitted == list(range(12))


async def test_a_waiting_bulk_request_does_not_hold_up_ordinary_ones() -> None:
    clock = FakeClock()
    gate = anyio.Event()

    async def gated_sleep(seconds: float) -> None:
        clock.sleeps.append(seconds)
        await gate.wait()
        clock.now += seconds

    limiter = RateLimiter(RateLimits(bulk_per_second=3), clock=clock, sleep=gated_sleep)
    bulk_done: list[float] = []

    async def bulk() -> None:
        await limiter.acquire(bulk=True)
        bulk_done.append(clock.now)

    async with anyio.create_task_group() as group:
        for _ in range(4):
            group.start_soon(bulk)
        await anyio.wait_all_tasks_blocked()
        assert len(bulk_done) == 3  # the fourth is asleep, waiting for the bulk window
        for _ in range(20):
            await limiter.acquire()  # ordinary calls go straight through
        assert clock.sleeps == [pytest.approx(1.0 * (1 + SAFETY_MARGIN))]
        gate.set()
    assert bulk_done[3] == pytest.approx(bulk_done[0] + 1.0 * (1 + SAFETY_MARGIN))


async def test_bulk_requests_also_count_against_the_general_limit() -> None:
    clock = FakeClock(start=0.0)
    limiter = RateLimiter(
        RateLimits(per_minute=4, bulk_per_second=3, window=60.0), clock=clock, sleep=clock.sleep
    )
    stamps: list[float] = []
    for bulk in (True, True, True, False, True):
        await limiter.acquire(bulk=bulk)
        stamps.append(clock.now)
    # Four calls fill the minute; the fifth (bulk) waits for the general window, not just the bulk one.
    assert stamps[:4] == [0.0, 0.0, 0.0, 0.0]
    assert stamps[4] == pytest.approx(60.0 * (1 + SAFETY_MARGIN))


async def test_many_concurrent_bulk_requests_stay_under_three_per_second() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(), clock=clock, sleep=clock.sleep)
    stamps: list[float] = []

    async def bulk() -> None:
        await limiter.acquire(bulk=True)
        stamps.append(clock.now)

    async with anyio.create_task_group() as group:
        for _ in range(10):
            group.start_soon(bulk)
    assert max_in_window(stamps, 1.0) == 3
    assert stamps[3] == pytest.approx(stamps[0] + 1.0 * (1 + SAFETY_MARGIN))


# -- patience: no silent waits ---------------------------------------------------------------------


async def test_a_wait_longer_than_the_calls_patience_is_refused_at_once_and_reserves_nothing() -> None:
    clock = FakeClock(start=0.0)
    limiter = RateLimiter(RateLimits(per_minute=2, window=60.0), clock=clock, sleep=clock.sleep)
    await limiter.acquire()
    await limiter.acquire()
    token = PATIENCE.set(Patience(seconds=20.0))
    try:
        with pytest.raises(WaitTooLongError) as refused:
            await limiter.acquire()
    finally:
        PATIENCE.reset(token)
    assert clock.sleeps == [] and clock.now == 0.0  # answered at once
    assert refused.value.wait == pytest.approx(60.0 * (1 + SAFETY_MARGIN))
    assert "Nothing was sent; try again in 61 s" in str(refused.value)
    assert limiter.wait_time() == pytest.approx(60.0 * (1 + SAFETY_MARGIN))  # no slot was taken


async def test_a_shorter_wait_is_announced_then_spent_from_the_patience() -> None:
    clock = FakeClock(start=0.0)
    limiter = RateLimiter(RateLimits(per_minute=1, window=10.0), clock=clock, sleep=clock.sleep)
    heard: list[float] = []

    async def on_wait(seconds: float) -> None:
        heard.append(seconds)
        assert clock.now == 0.0  # announced before the wait, not after

    await limiter.acquire()
    patience = Patience(seconds=30.0, on_wait=on_wait)
    token = PATIENCE.set(patience)
    try:
        await limiter.acquire()
    finally:
        PATIENCE.reset(token)
    assert heard == [pytest.approx(10.0 * (1 + SAFETY_MARGIN))]
    assert patience.seconds == pytest.approx(30.0 - 10.0 * (1 + SAFETY_MARGIN))


async def test_a_wait_too_short_to_notice_is_not_announced() -> None:
    clock = FakeClock(start=0.0)
    limiter = RateLimiter(RateLimits(bulk_per_second=1, bulk_window=0.5), clock=clock, sleep=clock.sleep)
    heard: list[float] = []

    async def on_wait(seconds: float) -> None:
        heard.append(seconds)

    token = PATIENCE.set(Patience(seconds=30.0, on_wait=on_wait))
    try:
        await limiter.acquire(bulk=True)
        await limiter.acquire(bulk=True)
    finally:
        PATIENCE.reset(token)
    assert clock.sleeps == [pytest.approx(0.5 * (1 + SAFETY_MARGIN))] and heard == []


async def test_a_request_counts_from_when_its_answer_came() -> None:
    clock = FakeClock(start=0.0)
    limiter = RateLimiter(RateLimits(per_minute=1, window=10.0), clock=clock, sleep=clock.sleep)
    moment = await limiter.acquire()
    clock.now = 3.0  # the answer came 3 s later: Copper may have counted it as late as that
    limiter.settle(moment)
    assert limiter.wait_time() == pytest.approx(10.0 * (1 + SAFETY_MARGIN))


async def test_a_sleeping_request_looks_again_when_an_earlier_answer_came_late() -> None:
    clock = FakeClock(start=0.0)
    sleeps: list[float] = []
    answered: list[float] = []  # the first request's moment, once its answer is in

    async def sleep(seconds: float) -> None:
        if not answered:  # while the second request sleeps, the first one's answer comes, at 2.0
            clock.now = 2.0
            limiter.settle(first)
            answered.append(first)
        sleeps.append(seconds)
        clock.now = max(clock.now, sum(sleeps))

    limiter = RateLimiter(RateLimits(per_minute=1, window=10.0), clock=clock, sleep=sleep)
    first = await limiter.acquire()
    second = await limiter.acquire()
    window = 10.0 * (1 + SAFETY_MARGIN)
    assert sleeps == [pytest.approx(window), pytest.approx(2.0)]
    assert second == pytest.approx(2.0 + window)


def test_a_cancelled_reservation_frees_its_place() -> None:
    window = SlidingWindow(limit=1, window=10.0)
    window.record(0.0)
    window.remove(0.0)
    assert window.wait_time(0.0) == 0.0
    window.remove(5.0)  # one never made (or already forgotten): nothing to do
    assert len(window) == 0


def test_a_reservation_in_the_future_keeps_later_windows_within_the_limit() -> None:
    """An ordinary request may take a moment before a bulk request's future one, but never so that
    a window around that future moment would hold too many."""
    window = SlidingWindow(limit=2, window=10.0)
    window.record(5.0)  # a request asleep until 5.0
    window.record(5.5)
    # At 0.0 the window ending at 5.5 would hold three: the first free moment is when 5.0 leaves.
    assert window.earliest(0.0) == 15.0
    window = SlidingWindow(limit=2, window=10.0)
    window.record(5.0)
    assert window.earliest(0.0) == 0.0  # two in every window: allowed
