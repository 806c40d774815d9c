"""The settings value object. Only cli.py builds one from the environment."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_BASE_URL = "https://api.copper.com/developer_api/v1"


@dataclass(frozen=True)
class Settings:
    """What the server needs to know about the Copper account and what to expose.

    ``toolsets`` of ``None`` exposes every toolset; ``read_only`` hides and refuses every
    tool that changes data.
    """

    api_key: str = field(repr=False)
    user_email: str
    base_url: str = DEFAULT_BASE_URL
    toolsets: frozenset[str] | None = None
    read_only: bool = False
