"""A canary API key driven through every error path: no output anywhere holds it, however spelt.

A local HTTP server plays the worst Copper: every error body echoes the key it was sent, as it is,
as a Python str and bytes repr, JSON-escaped and URL-encoded. The paths: 401, 403, 422, 5xx on a
read and on a create (then looked for), connection refused, a key that cannot go in a header,
invalid arguments, resources, and the ``call`` and ``tools`` commands. Searched: tool results, error messages, stdout,
stderr and every log record.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

import pytest
from mcp import Client
from mcp.server import MCPServer
from mcp.shared.exceptions import MCPError

from copper_mcp.client import CopperClient
from copper_mcp.client._redact import Redactor
from copper_mcp.core.errors import ConfigError
from copper_mcp.core.settings import Settings
from copper_mcp.mcp import build_server
from tests.test_cli import _run

CORE = "Zq7CanaryK3y"
"""The part of the key every spelling keeps: finding it anywhere is a leak."""
CANARY = f'{CORE}"\\/+%&=x'
"""Printable ASCII, as a key must be, with the characters that JSON, repr and URL-encoding spell differently."""
EMAIL = "owner@example.com"
API = "/developer_api/v1"


def leaks(text: str) -> bool:
    return re.search(re.escape(CORE), text, re.IGNORECASE) is not None


class EchoingCopper(BaseHTTPRequestHandler):
    """Answers 401 on /account, the status named by a path segment such as /people/403, 500 to any
    write, an empty list to a search and a small record otherwise; error bodies echo the key."""

    def answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        token = self.headers.get("X-PW-AccessToken", "")
        numbers = [int(part) for part in self.path.split("?")[0].split("/") if part.isdigit()]
        status = next((n for n in numbers if n >= 400), 200)
        if self.path.endswith("/account"):
            status = 401
        elif self.command != "GET" and not self.path.endswith("/search"):
            status = 500
        body: object = [] if self.path.endswith("/search") else {"id": 1, "name": "Someone"}
        if status >= 400:
            spelt = f"{token} {token!r} {token.encode()!r} {quote(token, safe='')} {json.dumps(token)}"
            body = {"success": False, "status": status, "message": f"Bad token {spelt}", spelt: token}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = answer

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reads the server's output, not this one's."""


@pytest.fixture
def copper() -> Iterator[str]:
    """The base URL of an echoing Copper on a free local port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoingCopper)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{API}"
    finally:
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def no_wait(_seconds: float) -> None:
    """Retries without their backoff."""


def canary_server(base_url: str) -> MCPServer:
    client = CopperClient(api_key=CANARY, user_email=EMAIL, base_url=base_url, sleep=no_wait)
    return build_server(Settings(api_key=CANARY, user_email=EMAIL, base_url=base_url), client)


async def test_no_tool_result_resource_error_or_log_line_holds_the_key(
    copper: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    calls: list[tuple[str, dict[str, Any]]] = [
        ("get_account", {}),  # 401
        ("get_person", {"id": 403}),
        ("get_person", {"id": 422}),
        ("get_person", {"id": 503}),  # a read: retried, then failed
        ("create_person", {"name": "Dana", "emails": [{"email": "d@example.com"}]}),  # 500, then looked for
        ("get_person", {"id": "not a number"}),  # invalid arguments: nothing sent
    ]
    async with Client(canary_server(copper)) as client:
        for tool, arguments in calls:
            result = await client.call_tool(tool, arguments)
            assert result.is_error, (tool, result)
            seen += [getattr(block, "text", "") for block in result.content]
        for uri in ("copper://people/403", "copper://account", "copper://people/503"):
            with pytest.raises(MCPError) as refused:
                await client.read_resource(uri)
            seen += [str(refused.value), repr(refused.value.error)]
    async with Client(canary_server(f"http://127.0.0.1:{closed_port()}{API}")) as client:
        refused_call = await client.call_tool("get_person", {"id": 1})
        seen += [getattr(block, "text", "") for block in refused_call.content]
    assert "COPPER_API_KEY" in seen[0] and "Cannot reach Copper" in seen[-1]  # the paths were really taken
    assert any("403" in text for text in seen) and any("It was not created" in text for text in seen)
    assert not [text for text in seen if leaks(text)]
    assert not leaks(caplog.text)
    assert not [record for record in caplog.records if leaks(str(record.args)) or leaks(str(record.exc_info))]


@pytest.mark.parametrize("bad", [f"{CANARY}\r", f" {CANARY}", f"{CORE} {CORE}", f"{CORE}\x00", f"“{CORE}”"])
def test_a_key_that_cannot_go_in_a_header_is_refused_without_showing_it(bad: str) -> None:
    with pytest.raises(ConfigError) as refused:
        CopperClient(api_key=bad, user_email=EMAIL)
    assert refused.value.variable == "COPPER_API_KEY"
    assert not leaks(str(refused.value) + repr(refused.value))


def test_every_spelling_of_the_key_is_masked() -> None:
    redact = Redactor(f"{CANARY}\r")  # a key the client refuses, as other code may still hold one
    key = f"{CANARY}\r"
    spellings = [
        key, repr(key), repr(key.encode()), json.dumps(key), json.dumps(key, ensure_ascii=False),
        quote(key), quote(key, safe=""), quote(key).lower(), f"Illegal header value {key.encode()!r}",
    ]
    for text in spellings:
        assert not leaks(redact(text)), text
    assert not leaks(json.dumps(redact.within({"message": repr(key), key: [key]})))


# -- the command line --------------------------------------------------------------------------------


def cli(*args: str, key: str = CANARY, email: str = EMAIL, base_url: str = "") -> tuple[int, str]:
    env = {"COPPER_API_KEY": key, "COPPER_USER_EMAIL": email}
    if base_url:
        env["COPPER_BASE_URL"] = base_url
    done = _run(*args, env=env)
    return done.returncode, done.stdout + done.stderr


def test_the_call_and_tools_commands_never_print_the_key(copper: str) -> None:
    code, output = cli("call", "get_account", "{}", key=f"{CANARY}\r\n", base_url=copper)
    assert code == 1 and "401" in output and "removed the whitespace around COPPER_API_KEY" in output
    assert not leaks(output)
    code, output = cli("call", "get_person", '{"id": 403}', base_url=copper)
    assert code == 1 and "403" in output and not leaks(output)
    code, output = cli("tools", key=f"\t{CANARY}\r")
    assert code == 0 and "create_person" in output and not leaks(output)


@pytest.mark.parametrize(
    ("key", "email", "variable"),
    [
        (f"{CORE} {CORE}", EMAIL, "COPPER_API_KEY"),
        (f"{CORE}\r{CORE}", EMAIL, "COPPER_API_KEY"),
        (f"{CORE}\u00e9", EMAIL, "COPPER_API_KEY"),
        (CANARY, "owner@exam\x07ple.com", "COPPER_USER_EMAIL"),
    ],
)
def test_start_up_refuses_a_credential_with_a_space_or_a_control_character(key: str, email: str, variable: str) -> None:
    code, output = cli("tools", key=key, email=email)
    assert code == 2 and variable in output
    assert not leaks(output) and "exam\x07ple" not in output


def test_start_up_trims_whitespace_around_a_key_and_says_so() -> None:
    code, output = cli("tools", key=f"{CANARY}\r")
    assert code == 0 and output.count("removed the whitespace around COPPER_API_KEY") == 1
    assert len([line for line in output.splitlines() if line.startswith("create_")]) > 5
    assert not leaks(output)
