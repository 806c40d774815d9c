"""What every part of the package that talks to Copper needs from the client, and gets back."""

from __future__ import annotations

from collections.abc import Mapping
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
