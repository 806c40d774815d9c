"""``copper-mcp --transport http`` as a user runs it: the installed console script in a real process,
on a real socket on 127.0.0.1, stopped by real signals."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from copper_mcp import __version__
from tests.conftest import INITIALIZE, MCP_HEADERS

EXE = shutil.which("copper-mcp", path=str(Path(sys.executable).parent)) or "copper-mcp"
REPO = Path(__file__).resolve().parent.parent
TOKEN = "a-long-enough-test-token-0123456789"

# Guards against a wedged child, not synchronisation delays: every wait below ends on an event
# (a line on stderr, the process exiting) and these only bound how long a broken run takes to fail.
STARTUP_GUARD = 60.0
EXIT_GUARD = 30.0



@dataclass
class Running:
    """A child process serving MCP over HTTP, with its stderr read line by line as it comes."""

    process: subprocess.Popen[str]
    url: str = ""
    lines: queue.Queue[str | None] = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)

    def next_line(self) -> str | None:
        """The next stderr line (None once stderr closed), waiting at most STARTUP_GUARD seconds."""
        line = self.lines.get(timeout=STARTUP_GUARD)
        if line is not None:
            self.seen.append(line)
        return line

    def stop(self, sig: signal.Signals) -> int:
        """Send ``sig``, wait for the exit, return its status."""
        self.process.send_signal(sig)
        return self.process.wait(timeout=EXIT_GUARD)

    def stderr(self) -> str:
        """Everything the child wrote on stderr; call after it exited."""
        while self.next_line() is not None:
            pass
        return "".join(self.seen)


def _env(tmp_path: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), **(extra or {})}


@contextmanager
def launched(args: list[str], env: dict[str, str], *, command: list[str] | None = None) -> Iterator[Running]:
    """Start the child; yield once it logged the URL it serves; kill it if the test left it running."""
    process = subprocess.Popen(
        command or [EXE, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env=env, cwd=REPO,
    )
    running = Running(process)
    assert process.stderr is not None

    def pump(stream: queue.Queue[str | None]) -> None:
        assert process.stderr is not None
        for line in process.stderr:
            stream.put(line)
        stream.put(None)

    reader = threading.Thread(target=pump, args=(running.lines,), daemon=True)
    reader.start()
    try:
        while running.url == "":
            line = running.next_line()
            assert line is not None, f"exited with {process.wait()} before serving: {''.join(running.seen)}"
            found = re.search(r"serving MCP at (http://\S+/mcp)", line)
            running.url = found.group(1) if found else ""
        yield running
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=EXIT_GUARD)
        reader.join(timeout=EXIT_GUARD)


def sandbox_args(tmp_path: Path, *more: str) -> list[str]:
    return ["--sandbox", "--sandbox-db", str(tmp_path / "s.sqlite3"), "--transport", "http", "--port", "0", *more]


def local(url: str) -> str:
    """The URL with the wildcard address replaced by loopback, where a client can connect."""
    return url.replace("//0.0.0.0:", "//127.0.0.1:")


async def open_event_stream(http: httpx2.AsyncClient, url: str) -> dict[str, str]:
    """Initialize a 2025 session by hand; the headers that name it, for the GET event stream."""
    started = await http.post(url, json=INITIALIZE, headers=MCP_HEADERS)
    assert started.status_code == 200, started.text
    session = {"Mcp-Session-Id": started.headers["mcp-session-id"], "Mcp-Protocol-Version": "2025-06-18"}
    done = await http.post(
        url, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers={**MCP_HEADERS, **session}
    )
    assert done.status_code == 202, done.text
    return session


async def test_serves_tools_and_refuses_bad_hosts_and_origins(tmp_path: Path) -> None:
    with launched(sandbox_args(tmp_path, "--toolsets", "people,companies", "--read-only"), _env(tmp_path)) as child:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/mcp", child.url)
        async with Client(child.url) as client:
            tools = {tool.name for tool in (await client.list_tools()).tools}
            assert "search_people" in tools and "search_companies" in tools
            assert "create_person" not in tools and "search_leads" not in tools
            page = await client.call_tool("search_people", {"page_size": 2})
            assert page.is_error is False and page.structured_content is not None
            assert len(page.structured_content["records"]) == 2
        async with httpx2.AsyncClient() as http:
            rebound = await http.post(child.url, json=INITIALIZE, headers={**MCP_HEADERS, "Host": "evil.example"})
            assert rebound.status_code == 421
            port = child.url.split(":")[2].split("/")[0]
            other_app = {**MCP_HEADERS, "Origin": "http://localhost:3000"}
            assert (await http.post(child.url, json=INITIALIZE, headers=other_app)).status_code == 403
            ours = {**MCP_HEADERS, "Origin": f"http://localhost:{port}"}
            assert (await http.post(child.url, json=INITIALIZE, headers=ours)).status_code == 200
        assert child.stop(signal.SIGTERM) == 0
        log = child.stderr()
    assert "refused POST /mcp from 127.0.0.1: Host 'evil.example' is not allowed" in log
    assert "refused POST /mcp from 127.0.0.1: Origin 'http://localhost:3000' is not allowed" in log
    assert child.process.stdout is not None and child.process.stdout.read() == ""


async def test_sigterm_during_an_open_stream_closes_it_and_exits_0(tmp_path: Path) -> None:
    with launched(sandbox_args(tmp_path), _env(tmp_path)) as child:
        async with httpx2.AsyncClient(timeout=EXIT_GUARD) as http:
            session = await open_event_stream(http, child.url)
            stream_headers = {"Accept": "text/event-stream", **session}
            async with http.stream("GET", child.url, headers=stream_headers) as stream:
                assert stream.status_code == 200
                assert stream.headers["content-type"].startswith("text/event-stream")
                child.process.send_signal(signal.SIGTERM)
                # The stream ends properly (a dropped connection would raise here) ...
                async for _ in stream.aiter_bytes():
                    pass
        # ... and the process exits 0 once it has stopped.
        code = await anyio.to_thread.run_sync(lambda: child.process.wait(timeout=EXIT_GUARD))
        log = child.stderr()
    assert code == 0, log
    assert log.splitlines() == [f"copper-mcp {__version__} (the sandbox) serving MCP at {child.url}"]


async def test_sigint_exits_130_without_a_traceback(tmp_path: Path) -> None:
    with launched(sandbox_args(tmp_path), _env(tmp_path)) as child:
        async with Client(child.url, mode="legacy") as client:
            assert (await client.call_tool("get_account", {})).is_error is False
        assert child.stop(signal.SIGINT) == 130
        log = child.stderr()
    assert log.splitlines() == [f"copper-mcp {__version__} (the sandbox) serving MCP at {child.url}"]


def test_the_copper_client_is_closed_when_serve_returns_on_sigterm(tmp_path: Path) -> None:
    # serve() itself in a child process: what it returns and the client's state after it returned.
    child_code = (
        "from copper_mcp.core.settings import Settings\n"
        "from copper_mcp.mcp.http import HttpOptions, serve\n"
        "from tests.conftest import SANDBOX_URL, sandbox_client\n"
        "client = sandbox_client()\n"
        "settings = Settings(api_key='k', user_email='e@example.com', base_url=SANDBOX_URL)\n"
        "code = serve(settings, client, HttpOptions(port=0), where='a test')\n"
        "import sys; sys.stderr.write(f'after serve: {code} {client!r}\\n')\n"
    )
    env = _env(tmp_path, {"PYTHONPATH": str(REPO)})
    with launched([], env, command=[sys.executable, "-c", child_code]) as child:
        with httpx2.Client() as http:  # a session, so the client has been used
            assert http.post(child.url, json=INITIALIZE, headers=MCP_HEADERS).status_code == 200
        assert child.stop(signal.SIGTERM) == 0
        log = child.stderr()
    assert "after serve: 0 CopperClient(" in log and ", closed)" in log


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--transport", "http", "--host", "0.0.0.0"], {}),
        ([], {"COPPER_MCP_TRANSPORT": "http", "COPPER_MCP_HOST": "192.0.2.1"}),
    ],
)
def test_exposed_without_a_token_refuses_to_start(tmp_path: Path, args: list[str], env: dict[str, str]) -> None:
    db = tmp_path / "s.sqlite3"
    done = subprocess.run(
        [EXE, "--sandbox", "--sandbox-db", str(db), *args], capture_output=True, text=True,
        env=_env(tmp_path, env), stdin=subprocess.DEVNULL, timeout=STARTUP_GUARD,
    )
    assert done.returncode == 2
    assert "COPPER_MCP_AUTH_TOKEN" in done.stderr
    assert done.stdout == ""
    assert not db.exists()  # refused before anything was set up


async def test_with_a_token_all_interfaces_serve_only_bearers(tmp_path: Path) -> None:
    env = _env(tmp_path, {"COPPER_MCP_AUTH_TOKEN": TOKEN, "COPPER_MCP_TRANSPORT": "http", "COPPER_MCP_PORT": "0",
                          "COPPER_MCP_HOST": "0.0.0.0"})
    with launched(["--sandbox", "--sandbox-db", str(tmp_path / "s.sqlite3")], env) as child:
        assert child.url.startswith("http://0.0.0.0:")
        url = local(child.url)
        async with httpx2.AsyncClient() as http:
            for given in ({}, {"Authorization": "Bearer not-the-token-0123456789"}):
                refused = await http.post(url, json=INITIALIZE, headers={**MCP_HEADERS, **given})
                assert refused.status_code == 401
                assert refused.headers["WWW-Authenticate"].startswith("Bearer")
        async with (
            httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}) as http,
            Client(streamable_http_client(url, http_client=http)) as client,
        ):
            assert (await client.call_tool("get_account", {})).is_error is False
        assert child.stop(signal.SIGTERM) == 0
        log = child.stderr()
    assert "bearer token required" in log
    assert log.count("refused POST /mcp") == 2
    assert TOKEN not in log and "not-the-token" not in log
