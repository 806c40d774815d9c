"""``copper-mcp check``: against the in-process sandbox, a sandbox on a real socket that accepts
one key only, a port nobody listens on, and fake Coppers that answer oddly."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest

from copper_mcp.catalog import load_catalog
from copper_mcp.check import Report, base_url_problem, run_check
from copper_mcp.sandbox import SandboxConfig, create_app
from copper_mcp.sandbox.http import running_server
from tests.test_cli import EXE

SANDBOX_URL = "https://sandbox.test/developer_api/v1"
OWNER = "dana@harborlane.example"  # the sandbox's first user: /users/me answers as her
KEY = "s3cret-Key-4f9a2c"


def _sandbox() -> httpx2.AsyncBaseTransport:
    return httpx2.ASGITransport(app=create_app(SandboxConfig()))


def _lines(report: Report) -> list[str]:
    return report.passed + report.notes + report.problems


def _fake_copper(
    account: dict[str, Any] | None = None, *, status: int = 200, body: str | None = None
) -> tuple[httpx2.MockTransport, list[str]]:
    """A Copper that answers /account with ``account`` (or ``status``/``body``) and /users/me as the owner."""
    seen: list[str] = []
    account = account or {"id": 7, "name": "Acme", "settings": {"setting_enable_leads": True}}

    def handle(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.url.path)
        if body is not None or status != 200:
            return httpx2.Response(status, text=body or "")
        if request.url.path.endswith("/account"):
            return httpx2.Response(200, json=account)
        return httpx2.Response(200, json={"id": 1, "name": "Dana", "email": OWNER})

    return httpx2.MockTransport(handle), seen


def _run_check(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The installed console script, with nothing from this process's environment but PATH and HOME."""
    base = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [EXE, "check", *args], capture_output=True, text=True, env={**base, **env}, stdin=subprocess.DEVNULL,
        timeout=120,
    )


def _snippet(stdout: str) -> dict[str, Any]:
    match = re.search(r"^\{\n.*?^\}$", stdout, re.S | re.M)
    assert match, stdout
    config: dict[str, Any] = json.loads(match.group(0))
    return config


# -- in process -----------------------------------------------------------------------------


async def test_a_good_key_on_the_sandbox_passes_and_says_what_it_found() -> None:
    report = await run_check(api_key=KEY, user_email=OWNER, base_url=SANDBOX_URL, transport=_sandbox())
    assert report.problems == [] and report.notes == []
    text = "\n".join(report.passed)
    assert "account 'Harbor Lane Analytics' (id 100624)" in text
    assert "user: Dana Whitfield <dana@harborlane.example>" in text
    assert "leads: enabled" in text
    assert f"toolsets: all; read-only: off; {len(load_catalog().operations)} tools" in text
    assert f"{len(KEY)} characters" in text and KEY not in text


async def test_toolsets_and_read_only_in_effect_are_reported() -> None:
    report = await run_check(
        api_key=KEY, user_email=OWNER, base_url=SANDBOX_URL, transport=_sandbox(),
        toolsets=frozenset({"tasks", "people"}), read_only=True,
    )
    assert report.ok
    assert any(line.startswith("toolsets: people, tasks; read-only: on") for line in report.passed)


async def test_malformed_credentials_are_problems_and_nothing_is_sent() -> None:
    transport, seen = _fake_copper()
    report = await run_check(
        api_key=KEY + "\n", user_email="dana at harborlane", base_url=SANDBOX_URL, transport=transport,
        toolsets=frozenset({"peeple"}),
    )
    assert seen == []
    assert len(report.problems) == 3
    assert "COPPER_API_KEY has a space or line break at the end" in report.problems[0]
    assert "COPPER_USER_EMAIL" in report.problems[1]
    assert "peeple" in report.problems[2] and "people" in report.problems[2]
    assert not any(KEY in line for line in _lines(report))


async def test_another_users_email_is_a_note_naming_the_keys_owner() -> None:
    report = await run_check(
        api_key=KEY, user_email="someone@example.com", base_url=SANDBOX_URL, transport=_sandbox()
    )
    assert report.ok
    assert any(OWNER in note and "COPPER_USER_EMAIL" in note for note in report.notes)


@pytest.mark.parametrize(
    ("toolsets", "expected"),
    [
        (None, "COPPER_MCP_TOOLSETS=people,companies,opportunities,"),
        (frozenset({"people", "leads"}), "COPPER_MCP_TOOLSETS=people"),
    ],
)
async def test_leads_disabled_suggests_the_toolsets_without_leads(
    toolsets: frozenset[str] | None, expected: str
) -> None:
    transport, _ = _fake_copper({"id": 7, "name": "Acme", "settings": {"setting_enable_leads": False}})
    report = await run_check(api_key=KEY, user_email=OWNER, base_url=SANDBOX_URL, transport=transport,
                             toolsets=toolsets)
    assert report.ok
    (note,) = report.notes
    assert "leads: disabled" in note and expected in note
    assert "leads," not in note.split("=", 1)[1] + ","


async def test_leads_disabled_with_leads_hidden_is_fine() -> None:
    transport, _ = _fake_copper({"id": 7, "name": "Acme", "settings": {"setting_enable_leads": False}})
    report = await run_check(api_key=KEY, user_email=OWNER, base_url=SANDBOX_URL, transport=transport,
                             toolsets=frozenset({"people"}))
    assert report.notes == []
    assert "leads: disabled on this account (the leads toolset is not exposed)" in report.passed


@pytest.mark.parametrize(
    ("fake", "expected"),
    [
        (lambda: _fake_copper(status=404, body='{"message": "Resource not found"}'), "has no /account (404)"),
        (lambda: _fake_copper(body="<html>Welcome</html>"), "did not answer like Copper"),
        (lambda: _fake_copper(status=503, body="down"), "Copper failed on GET /account (503)"),
    ],
)
async def test_a_base_url_that_is_not_copper_says_so(
    fake: Callable[[], tuple[httpx2.MockTransport, list[str]]], expected: str
) -> None:
    transport, seen = fake()
    report = await run_check(api_key=KEY, user_email=OWNER, base_url=SANDBOX_URL, transport=transport)
    (problem,) = report.problems
    assert expected in problem
    assert seen == ["/developer_api/v1/account"]  # one try: a person is waiting


@pytest.mark.parametrize(
    ("url", "fine"),
    [
        ("https://api.copper.com/developer_api/v1", True),
        ("http://127.0.0.1:8765/developer_api/v1", True),
        ("http://localhost:8765/developer_api/v1", True),
        ("http://[::1]:8765/developer_api/v1", True),
        ("http://sandbox.localhost/developer_api/v1", True),
        ("http://copper.example.com/developer_api/v1", False),
        ("api.copper.com/developer_api/v1", False),
        ("ftp://api.copper.com", False),
    ],
)
def test_base_url_rules(url: str, fine: bool) -> None:
    assert (base_url_problem(url) is None) is fine


# -- the console script, over real sockets -------------------------------------------------


def test_check_on_the_embedded_sandbox(tmp_path: Path) -> None:
    done = _run_check({}, "--sandbox", "--sandbox-db", str(tmp_path / "s.sqlite3"), "--read-only")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Harbor Lane Analytics" in done.stdout and "All good." in done.stdout
    entry = _snippet(done.stdout)["mcpServers"]["copper"]
    assert entry == {"command": "uvx", "args": ["copper-mcp", "--sandbox"], "env": {"COPPER_MCP_READ_ONLY": "true"}}


def test_the_right_key_passes_and_a_wrong_one_is_rejected_without_being_shown() -> None:
    config = SandboxConfig(api_key=KEY, user_email=OWNER)
    with running_server(create_app(config)) as base_url:
        env = {"COPPER_API_KEY": KEY, "COPPER_USER_EMAIL": OWNER, "COPPER_BASE_URL": base_url}
        good = _run_check(env)
        bad = _run_check({**env, "COPPER_API_KEY": "wrong-" + KEY})
    assert good.returncode == 0, good.stdout
    assert bad.returncode == 1
    problems = [line for line in bad.stdout.splitlines() if line.strip().startswith("PROBLEM")]
    assert len(problems) == 1 and "rejected the credentials (401)" in problems[0]
    assert f"Copper answers at {base_url}" in bad.stdout
    for done in (good, bad):
        assert KEY not in done.stdout + done.stderr
        env_shown = _snippet(done.stdout)["mcpServers"]["copper"]["env"]
        assert env_shown == {
            "COPPER_API_KEY": "<your Copper API key>", "COPPER_USER_EMAIL": OWNER, "COPPER_BASE_URL": base_url,
        }


def test_an_unreachable_url_is_one_problem_naming_it() -> None:
    with running_server(create_app(SandboxConfig())) as base_url:
        pass  # stopped: the port is closed now
    done = _run_check({"COPPER_API_KEY": KEY, "COPPER_USER_EMAIL": OWNER, "COPPER_BASE_URL": base_url})
    assert done.returncode == 1
    problems = [line for line in done.stdout.splitlines() if line.strip().startswith("PROBLEM")]
    assert len(problems) == 1
    assert f"Cannot reach Copper at {base_url}" in problems[0] and "base URL" in problems[0]
    assert KEY not in done.stdout + done.stderr


def test_missing_credentials_are_two_problems_with_what_to_do() -> None:
    done = _run_check({})
    assert done.returncode == 1
    problems = [line for line in done.stdout.splitlines() if line.strip().startswith("PROBLEM")]
    assert [("COPPER_API_KEY" in p, "COPPER_USER_EMAIL" in p) for p in problems] == [(True, False), (False, True)]
    assert all(": set it to" in p for p in problems)
