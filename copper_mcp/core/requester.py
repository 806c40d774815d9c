"""What every part of the package that talks to Copper needs from the client, and gets back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class CopperResponse:
    """A successful Copper answer.

    Attributes:
        data: The parsed JSON body (None for an empty body).
        total: The X-PW-TOTAL header of a search: an upper bound on the matching records, or None.
        status_code: The HTTP status.
    """

    data: Any
    total: int | None = None
    status_code: int = 200


class Requester(Protocol):
    """Sends one Copper API call (``copper_mcp.client.CopperClient`` is the one implementation)."""

    async def request(
        self, method: str, path: str, *, json: object = None, params: Mapping[str, object] | None = None
    ) -> CopperResponse:
        """Send ``method path`` with a JSON body and query parameters; raises ``CopperError``."""
        ...


@dataclass
class Patience:
    """How long the current call may still wait before its requests are sent, and who hears of waits.

    Hosts commonly give a tool call 60 seconds; a call held longer without a word looks hung, and
    a create that times out on the host's side invites the model to send it again. The client's
    rate limiter spends this patience and refuses a wait that would exceed it.

    Attributes:
        seconds: Waiting still allowed, in seconds (spent as the call waits).
        on_wait: Called with the seconds of each wait about to begin (a progress notification).
    """

    seconds: float
    on_wait: Callable[[float], Awaitable[None]] | None = None


PATIENCE: ContextVar[Patience | None] = ContextVar("copper_mcp_patience", default=None)
"""The current call's patience; None outside a call (the client then waits as long as it must)."""
