"""``copper-mcp check``: is the configuration sound, and does Copper accept it?

First the values themselves (credentials well-formed, base URL usable, toolsets known), then,
only if they can be sent, two reads through ``CopperClient``: ``/account`` and ``/users/me``.
The CLI reads the environment and prints the report; nothing here does either, and no line of
a report ever holds the API key.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx2

from copper_mcp.catalog import load_catalog
from copper_mcp.client import CopperClient
from copper_mcp.core.errors import CopperConnectionError, CopperError, CopperStatusError, NotFoundError
from copper_mcp.core.settings import DEFAULT_BASE_URL, api_key_problem, user_email_problem

__all__ = ["CHECK_TIMEOUT", "Report", "base_url_problem", "run_check"]

# A person is waiting at a terminal: one try, and not the 30 s a tool call may take.
CHECK_TIMEOUT = 10.0


@dataclass
class Report:
    """What the check found: ``passed`` and ``notes`` inform, each of ``problems`` says what to do."""

    passed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing needs fixing."""
        return not self.problems


def base_url_problem(base_url: str) -> str | None:
    """Why requests cannot or should not go to ``base_url``, or None when it will do.

    It must be an http(s) URL with a host; plain http is refused unless the host is this
    machine, because the API key would cross the network unencrypted.
    """
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return (
            f"COPPER_BASE_URL {base_url!r} is not an http(s) URL: leave it unset for Copper "
            f"({DEFAULT_BASE_URL}), or give the sandbox's URL."
        )
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        return (
            f"COPPER_BASE_URL {base_url!r} uses plain http to another machine, so the API key would travel "
            "unencrypted: use https://."
        )
    return None


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):  # RFC 6761: always this machine
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _selection(report: Report, toolsets: frozenset[str] | None, read_only: bool) -> None:
    catalog = load_catalog()
    unknown = sorted((toolsets or frozenset()) - set(catalog.toolsets))
    if unknown:
        report.problems.append(
            f"COPPER_MCP_TOOLSETS (or --toolsets) names unknown toolsets {', '.join(unknown)}: "
            f"choose from {', '.join(catalog.toolsets)}."
        )
        return
    chosen = "all" if toolsets is None else ", ".join(t for t in catalog.toolsets if t in toolsets)
    count = len(catalog.select(toolsets, read_only))
    mode = "on (tools that change data are hidden)" if read_only else "off"
    report.passed.append(f"toolsets: {chosen}; read-only: {mode}; {count} tools")


async def run_check(
    *,
    api_key: str,
    user_email: str,
    base_url: str,
    toolsets: frozenset[str] | None = None,
    read_only: bool = False,
    transport: httpx2.AsyncBaseTransport | None = None,
) -> Report:
    """Check a configuration and, when it can be sent, Copper's answer to it.

    Args:
        api_key: The key as configured (only its length is ever reported).
        user_email: The email as configured.
        base_url: The API root requests go to.
        toolsets: The toolsets to expose, None for all.
        read_only: Whether tools that change data are hidden.
        transport: httpx2 transport to send through (the in-process sandbox, or a test's).
    """
    report = Report()
    key_problem, email_problem = api_key_problem(api_key), user_email_problem(user_email)
    if key_problem is None:
        report.passed.append(f"API key: well-formed, {len(api_key)} characters (never shown)")
    if email_problem is None:
        report.passed.append(f"user email: {user_email}")
    offline = [p for p in (key_problem, email_problem, base_url_problem(base_url)) if p]
    report.problems += offline
    _selection(report, toolsets, read_only)
    if offline:
        report.notes.append("Copper was not asked: fix the configuration first.")
        return report
    client = CopperClient(
        api_key=api_key, user_email=user_email, base_url=base_url, transport=transport,
        timeout=CHECK_TIMEOUT, max_retries=0,
    )
    async with client:
        await _ask_copper(client, report, toolsets)
    return report


async def _ask_copper(client: CopperClient, report: Report, toolsets: frozenset[str] | None) -> None:
    base_url = client.base_url
    try:
        account = (await client.request("GET", "/account")).data
    except CopperConnectionError as error:
        report.problems.append(str(error))
        return
    except NotFoundError:
        report.problems.append(
            f"{base_url} has no /account (404): COPPER_BASE_URL must be the API root, as in {DEFAULT_BASE_URL}."
        )
        return
    except CopperStatusError as error:
        report.passed.append(f"Copper answers at {base_url}")
        report.problems.append(str(error))
        return
    except CopperError:
        account = None
    if not isinstance(account, dict) or "id" not in account:
        report.problems.append(
            f"{base_url}/account did not answer like Copper: COPPER_BASE_URL must be the API root, "
            f"as in {DEFAULT_BASE_URL}."
        )
        return
    report.passed.append(f"Copper answers at {base_url}")
    report.passed.append(f"the key is accepted: account {account.get('name')!r} (id {account['id']})")
    try:
        user = (await client.request("GET", "/users/me")).data
    except CopperError as error:
        report.problems.append(f"The account answered but /users/me did not: {error}")
        return
    _describe_user(report, user, client.user_email)
    _describe_leads(report, account, toolsets)


def _describe_user(report: Report, user: Any, user_email: str) -> None:
    if not isinstance(user, dict):
        report.problems.append("/users/me did not answer with a user: is COPPER_BASE_URL Copper's API root?")
        return
    email = str(user.get("email") or "")
    report.passed.append(f"user: {user.get('name')} <{email}> (id {user.get('id')})")
    if email and email.lower() != user_email.lower():
        report.notes.append(
            f"Copper answers as {email}, not as COPPER_USER_EMAIL {user_email}: set COPPER_USER_EMAIL to the "
            "email of the user who owns the key."
        )


def _describe_leads(report: Report, account: dict[str, Any], toolsets: frozenset[str] | None) -> None:
    settings = account.get("settings")
    enabled = settings.get("setting_enable_leads") if isinstance(settings, dict) else None
    if enabled is None:
        report.notes.append("leads: the account does not say whether Leads are enabled.")
    elif enabled:
        report.passed.append("leads: enabled on this account")
    elif toolsets is None or "leads" in toolsets:
        others = ",".join(t for t in load_catalog().toolsets if t != "leads" and (toolsets is None or t in toolsets))
        report.notes.append(
            "leads: disabled on this account, so the leads tools will fail; to hide them set "
            f"COPPER_MCP_TOOLSETS={others}"
        )
    else:
        report.passed.append("leads: disabled on this account (the leads toolset is not exposed)")
