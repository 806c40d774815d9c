"""The settings value object, and the check every credential passes. Only cli.py builds one from the environment."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from copper_mcp.core.errors import ConfigError

DEFAULT_BASE_URL = "https://api.copper.com/developer_api/v1"


def check_credential(name: str, value: str) -> None:
    """Refuse a credential that cannot be what its variable says, before anything uses it.

    A Copper API key and a login email are printable ASCII without spaces. Anything else (a
    ``\\r`` kept from a Windows file, a space, a typographic quote) would make the request fail
    with an error that prints the value, so it is refused here first. The reasons are
    ``api_key_problem`` and ``user_email_problem``, which ``copper-mcp check`` reports too.

    Args:
        name: ``COPPER_API_KEY`` or ``COPPER_USER_EMAIL``; the message names it.
        value: The value; the API key never appears in the message.

    Raises:
        ConfigError: The value is empty or malformed.
    """
    problem = api_key_problem(value) if name == "COPPER_API_KEY" else user_email_problem(value)
    if problem is not None:
        raise ConfigError(problem, variable=name)


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


# -- credential shape ----------------------------------------------------------------------
# Pure checks shared by whoever needs to refuse or report a malformed credential. They never
# echo the value: a message may be printed, logged or shown to a model.

_EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


def _where(text: str, index: int) -> str:
    if index == 0:
        return "at the start"
    return "at the end" if index == len(text) - 1 else "inside it"


def api_key_problem(api_key: str) -> str | None:
    """Why ``api_key`` cannot be a Copper API key, or None when it is well-formed.

    Well-formed means one or more visible ASCII characters: no spaces, tabs, line breaks,
    control or non-ASCII characters, which only ever get there by a copy-paste slip and
    cannot travel in an HTTP header unchanged.
    """
    if not api_key:
        return "COPPER_API_KEY is empty: set it to your Copper API key (Settings > Integrations > API Keys)."
    for index, char in enumerate(api_key):
        if not "!" <= char <= "~":
            what = "a space or line break" if char.isspace() else "a control or non-ASCII character"
            return (
                f"COPPER_API_KEY has {what} {_where(api_key, index)} (a copy-paste slip?): copy the key "
                "again from Copper (Settings > Integrations > API Keys) and paste it alone."
            )
    return None


def user_email_problem(user_email: str) -> str | None:
    """Why ``user_email`` cannot be a Copper user's email, or None when it has the shape of one.

    The shape is ``name@domain.tld`` with no spaces, line breaks or control characters.
    """
    if not user_email:
        return "COPPER_USER_EMAIL is empty: set it to the email of the Copper user who owns the API key."
    if not all("!" <= char <= "~" for char in user_email):
        return (
            "COPPER_USER_EMAIL has a space, line break, control or non-ASCII character (which cannot travel "
            "in a request header): write the address alone, as in you@example.com."
        )
    if not _EMAIL_SHAPE.fullmatch(user_email):
        return (
            f"COPPER_USER_EMAIL {user_email!r} is not an email address: use the address you sign in to "
            "Copper with, as in you@example.com."
        )
    return None
