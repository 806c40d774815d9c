"""What every figure module shares: the options it is run with, the row and notes it returns, and
the few helpers several figures use."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from mcp import Client

from copper_mcp.client import RateLimits
from copper_mcp.sandbox import SandboxConfig

REPO = Path(__file__).resolve().parent.parent

UNLIMITED = 10**9
"""A rate limit that is never reached, for figures that measure something other than limiting."""
UNLIMITED_SANDBOX = SandboxConfig(requests_per_minute=UNLIMITED, bulk_requests_per_second=UNLIMITED)
"""A sandbox that never answers 429."""
UNLIMITED_CLIENT = RateLimits(per_minute=UNLIMITED, bulk_per_second=UNLIMITED)
"""A Copper client whose limiter never waits."""


@dataclass(frozen=True)
class Options:
    """How much work a run does (``--quick`` makes less)."""

    runs: int
    """Timed spawns of each server, for the cold start."""
    calls: int
    """Timed calls of each in-process path, for the per-call overhead."""
    remote_calls: int
    """Timed calls of each path, for the per-call overhead across transports (stdio and HTTP are slower)."""
    warmup: int
    """Untimed calls of each path before the timed ones."""
    session_calls: int
    """Calls each HTTP session makes, for the throughput."""
    creates: int
    """Creates whose answer is lost, for the unknown creates."""
    rate: int
    """R, the scaled per-minute limit of the rate-limiter burst."""


@dataclass(frozen=True)
class Row:
    """One line of the table."""

    benchmark: str
    ours: str
    baseline: str
    ratio: str
    target: str
    met: bool | None
    """None where no target is set: the figure is reported, not judged."""


@dataclass(frozen=True)
class Figure:
    """A measured figure: its table row and the Markdown lines that say how it was measured."""

    row: Row
    notes: list[str]


Measure = Callable[[Options], Awaitable[Figure]]
Step = Callable[[], Awaitable[None]]
"""One call of a timed path."""


def ms(seconds: float) -> str:
    """Milliseconds, with decimals only below 100 ms."""
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.1 else f"{seconds * 1000:.3f} ms"


def markdown_table(head: Sequence[str], rows: Iterable[Sequence[object]], *, indent: str = "") -> list[str]:
    """The lines of a Markdown table; ``indent`` places it inside a list item of the notes."""
    lines = [head, ["---"] * len(head), *rows]
    return [indent + "| " + " | ".join(str(cell) for cell in line) + " |" for line in lines]


async def timed_in_turn(steps: Mapping[str, Step], calls: int, warmup: int) -> dict[str, list[float]]:
    """Seconds taken by each of ``calls`` timed calls of every step, after ``warmup`` untimed ones.

    The steps take turns, so drift in the machine's load hits every path alike.
    """
    for _ in range(warmup):
        for step in steps.values():
            await step()
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(calls):
        for name, step in steps.items():
            t0 = time.perf_counter()
            await step()
            times[name].append(time.perf_counter() - t0)
    return times


async def first_person(client: Client) -> int:
    """The id of the first person ``search_people`` finds through ``client``."""
    found = await client.call_tool("search_people", {"page_size": 1})
    if found.is_error or not found.structured_content:
        raise RuntimeError(f"search_people failed: {found.content}")
    return int(found.structured_content["records"][0]["id"])
