"""What every figure module shares: the options it is run with and the row and notes it returns."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

UNLIMITED = 10**9
"""A rate limit (sandbox ``requests_per_minute``, client ``RateLimits.per_minute``) that is never reached,
for figures that measure something other than limiting."""


@dataclass(frozen=True)
class Options:
    """How much work a run does (``--quick`` makes less)."""

    runs: int
    """Timed spawns of each server, for the cold start."""
    calls: int
    """Timed calls of each path, for the per-call overhead."""
    warmup: int
    """Untimed calls of each path before those."""
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
    met: bool


@dataclass(frozen=True)
class Figure:
    """A measured figure: its table row and the Markdown lines that say how it was measured."""

    row: Row
    notes: list[str]


Measure = Callable[[Options], Awaitable[Figure]]


def ms(seconds: float) -> str:
    """Milliseconds, with decimals only below 100 ms."""
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.1 else f"{seconds * 1000:.3f} ms"
