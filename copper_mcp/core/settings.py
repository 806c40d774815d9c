"""The settings value object, and the check every credential passes. Only cli.py builds one from the environment."""

from __future__ import annotations

from dataclasses import dataclass, field

from copper_mcp.core.errors import ConfigError

DEFAULT_BASE_URL = "https://api.copper.com/developer_api/v1"


def check_credential(name: str, value: str) -> None:
    """Refuse a credential that cannot travel in an HTTP header as it is.

    A Copper API key and a login email are printable ASCII without spaces. Anything else (a
    ``\\r`` kept from a Windows file, a space, a typographic quote) would make the request fail
    with an error that prints the value, so it is refused here first.

    Args:
        name: The variable the value came from (``COPPER_API_KEY``); the message names it.
        value: The value; it never appears in the message.

    Raises:
        ConfigError: The value is empty or holds a character outside printable ASCII.
    """
    if not value:
        raise ConfigError(f"{name} is empty.", variable=name)
    if not all("!" <= character <= "~" for character in value):
        raise ConfigError(
            f"{name} holds a space, a control character or a character that is not ASCII, which no Copper "
            "API key or login email has: set it again (its value is not shown).",
            variable=name,
        )


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
