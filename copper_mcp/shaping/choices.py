"""Choosing among named things: the closest names first, and lists short enough for a message."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from difflib import SequenceMatcher
from typing import TypeVar

T = TypeVar("T")

# Longer lists cost the model context and rarely help it pick; the closest ones come first anyway.
MAX_LISTED = 12


def closest_first(query: str, items: Iterable[T], name: Callable[[T], str] = str) -> list[T]:
    """Items sorted by how similar their name is to query: most similar first, ties alphabetical."""
    wanted = query.casefold()

    def distance(item: T) -> tuple[float, str]:
        text = name(item).casefold()
        return -SequenceMatcher(None, wanted, text).ratio(), text

    return sorted(dict.fromkeys(items), key=distance)


def listing(labels: list[str]) -> str:
    """Join labels for a message, cut to MAX_LISTED with a count of the rest."""
    shown = "; ".join(labels[:MAX_LISTED])
    rest = len(labels) - MAX_LISTED
    return f"{shown}; and {rest} more" if rest > 0 else shown
