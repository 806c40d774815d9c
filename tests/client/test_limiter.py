"""The rate limiter: pure window bookkeeping, then waiting, fairness and the bulk limit."""

from __future__ import annotations

import anyio
import pytest

from copper_mcp.client import RateLimiter, RateLimits
from copper_mcp.client._limiter import SAFETY_MARGIN, SlidingWindow

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
