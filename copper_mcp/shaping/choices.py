"""The error a tool returns when a model's arguments cannot be turned into a Copper request."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from difflib import SequenceMatcher
from typing import TypeVar

T = TypeVar("T")

# Longer lists cost the model context and rarely help it pick; the closest ones come first anyway.
MAX_LISTED = 12


class InputError(ValueError):
    """A tool argument that cannot be sent to Copper; the message says how to fix the call."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


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
