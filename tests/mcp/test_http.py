"""MCP over Streamable HTTP (copper_mcp.mcp.http): in process through ASGITransport, and over a
real socket on 127.0.0.1 with uvicorn in a thread. The console script's own HTTP mode (signals,
refusing to start) is tested in tests/test_cli_http.py."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.types import Receive, Scope, Send

from copper_mcp.client import CopperClient, RateLimits
from copper_mcp.core.errors import ConfigError
from copper_mcp.core.settings import Settings
from copper_mcp.mcp.http import (
    MCP_PATH,
    BearerToken,
    EndCutStreams,
    HttpOptions,
    build_app,
    check_exposure,
    is_loopback,
    listening_socket,
    refusal_reason,
    transport_security,
)
from copper_mcp.sandbox import SandboxConfig, create_app
from copper_mcp.sandbox.http import running_server
from tests.client.fakes import FakeClock
from tests.conftest import INITIALIZE, MCP_HEADERS, SANDBOX_URL, sandbox_client

PORT = 8000
ORIGIN = f"http://127.0.0.1:{PORT}"
URL = ORIGIN + MCP_PATH
TOKEN = "a-long-enough-test-token-0123456789"
SETTINGS = Settings(api_key="test-key", user_email="tester@example.com", base_url=SANDBOX_URL)


def app_for(options: HttpOptions, client: CopperClient | None = None) -> Starlette:
    return build_app(SETTINGS, client or sandbox_client(), options)


@asynccontextmanager
async def running(app: Starlette) -> AsyncIterator[None]:
    """The app's lifespan (the session manager, which opens the Copper client), as uvicorn runs it."""
    async with app.router.lifespan_context(app):
        yield


def http_to(app: Starlette, headers: dict[str, str] | None = None) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), headers=headers)


async def initialize(
    http: httpx2.AsyncClient, headers: dict[str, str] | None = None, url: str = URL
) -> httpx2.Response:
    return await http.post(url, json=INITIALIZE, headers={**MCP_HEADERS, **(headers or {})})


class Statuses(httpx2.AsyncBaseTransport):
    """Passes requests on and records every status the sandbox answers, before the client sees it."""

    def __init__(self, inner: httpx2.AsyncBaseTransport) -> None:
        self.inner = inner
        self.seen: list[int] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response = await self.inner.handle_async_request(request)
        self.seen.append(response.status_code)
        return response


def refereed_client(limit: int) -> tuple[CopperClient, Statuses, FakeClock]:
    """A client allowed ``limit`` requests a minute, on a sandbox enforcing the same limit on the same
    clock: any request the client lets through over the limit comes back 429 and is recorded."""
    clock = FakeClock()
    # The sandbox's minute lasts 10 s of the client's clock: waits stay within a call's patience.
    sandbox = create_app(SandboxConfig(requests_per_minute=limit, clock=lambda: clock() * 6))
    statuses = Statuses(httpx2.ASGITransport(app=sandbox))
    client = CopperClient(
        api_key="test-key", user_email="tester@example.com", base_url=SANDBOX_URL, transport=statuses,
        limits=RateLimits(per_minute=limit, window=10.0), clock=clock, sleep=clock.sleep, random=lambda: 0.0,
    )
    return client, statuses, clock


async def sessions_at_once(connect: Any, count: int) -> list[int]:
    """Open ``count`` MCP sessions, all at once, then make two tool calls in each; the records seen."""
    opened = 0
    all_open = anyio.Event()
    found: list[int] = []

    async def session() -> None:
        nonlocal opened
        async with connect() as client:
            opened += 1
            if opened == count:
                all_open.set()
            await all_open.wait()
            for _ in range(2):
                result = await client.call_tool("search_people", {"page_size": 1})
                assert result.is_error is False, result.content
                found.append(len(result.structured_content["records"]))

    with anyio.fail_after(60):
        async with anyio.create_task_group() as tasks:
            for _ in range(count):
                tasks.start_soon(session)
    return found


# -- the guards, as pure functions ---------------------------------------------------------------


def test_loopback_addresses() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "127.0.0.2", "localhost", "::1"]))
    assert not any(map(is_loopback, ["0.0.0.0", "::", "192.168.1.10", "example.com", "localhost.example.com"]))


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.5", "mcp.example.com"])
def test_exposed_address_without_a_token_is_refused_naming_the_variable(host: str) -> None:
    with pytest.raises(ConfigError, match="COPPER_MCP_AUTH_TOKEN"):
        check_exposure(HttpOptions(host=host))
    check_exposure(HttpOptions(host=host, auth_token=TOKEN))


def test_short_token_is_refused_without_showing_it() -> None:
    with pytest.raises(ConfigError, match="COPPER_MCP_AUTH_TOKEN") as refused:
        check_exposure(HttpOptions(auth_token="hunter2"))
    assert "hunter2" not in str(refused.value)


def test_allowed_hosts_and_origins_are_the_bound_port_only_plus_the_options() -> None:
    loopback = transport_security(HttpOptions(port=9000))
    assert loopback.enable_dns_rebinding_protection
    assert loopback.allowed_hosts == ["127.0.0.1:9000", "localhost:9000"]
    assert loopback.allowed_origins == ["http://127.0.0.1:9000", "http://localhost:9000"]
    proxied = transport_security(
        HttpOptions(host="0.0.0.0", port=9000, allowed_hosts=("mcp.example.com",),
                    allowed_origins=("https://mcp.example.com",), auth_token=TOKEN)
    )
    assert proxied.allowed_hosts == ["127.0.0.1:9000", "localhost:9000", "mcp.example.com"]
    assert proxied.allowed_origins == ["http://127.0.0.1:9000", "http://localhost:9000", "https://mcp.example.com"]
    lan = transport_security(HttpOptions(host="10.0.0.5", port=9000, auth_token=TOKEN))
    assert "10.0.0.5:9000" in lan.allowed_hosts and "http://10.0.0.5:9000" in lan.allowed_origins
    v6 = transport_security(HttpOptions(host="::1", port=9000))
    assert "[::1]:9000" in v6.allowed_hosts and "http://[::1]:9000" in v6.allowed_origins


async def test_bearer_token_accepts_only_the_exact_token_and_hides_it() -> None:
    verifier = BearerToken(TOKEN)
    assert await verifier.verify_token(TOKEN) is not None
    for wrong in ("", TOKEN[:-1], TOKEN + "x", TOKEN.upper(), "é" * 8):
        assert await verifier.verify_token(wrong) is None
    granted = await verifier.verify_token(TOKEN)
    assert granted is not None and TOKEN not in repr(granted)
    assert TOKEN not in repr(verifier)
    assert TOKEN not in repr(HttpOptions(auth_token=TOKEN))


def test_refusal_reasons_name_the_header_but_never_a_token() -> None:
    assert refusal_reason(421, Headers({"host": "evil.example:8000"})) == "Host 'evil.example:8000' is not allowed"
    assert refusal_reason(403, Headers({"origin": "http://evil.test"})) == "Origin 'http://evil.test' is not allowed"
    assert refusal_reason(401, Headers({})) == "no bearer token"
    wrong = refusal_reason(401, Headers({"authorization": "Bearer guessed-token"}))
    assert wrong == "wrong bearer token" and "guessed" not in wrong


# -- in process ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_initialize_list_and_call_through_the_sdk_http_client(mode: Any) -> None:
    app = app_for(HttpOptions(port=PORT))
    async with (
        running(app),
        http_to(app) as http,
        Client(streamable_http_client(URL, http_client=http), mode=mode) as client,
    ):
        assert client.server_info is not None and client.server_info.name == "copper-mcp"
        assert client.protocol_version == ("2025-11-25" if mode == "legacy" else "2026-07-28")
        tools = {tool.name for tool in (await client.list_tools()).tools}
        assert {"search_people", "create_person", "convert_lead"} <= tools
        result = await client.call_tool("search_people", {"page_size": 2})
        assert result.is_error is False and result.structured_content is not None
        assert len(result.structured_content["records"]) == 2


async def test_read_only_and_toolsets_apply_over_http() -> None:
    settings = Settings(api_key="k", user_email="e@example.com", base_url=SANDBOX_URL,
                        toolsets=frozenset({"people"}), read_only=True)
    app = build_app(settings, sandbox_client(), HttpOptions(port=PORT))
    async with running(app), http_to(app) as http, Client(streamable_http_client(URL, http_client=http)) as client:
        tools = {tool.name for tool in (await client.list_tools()).tools}
    assert "search_people" in tools and "create_person" not in tools and "search_companies" not in tools


async def test_the_copper_client_opens_once_for_every_session_and_closes_with_the_app() -> None:
    client = sandbox_client()
    app = app_for(HttpOptions(port=PORT), client)
    async with running(app):
        assert "open" in repr(client)
        async with http_to(app) as http:
            found = await sessions_at_once(lambda: Client(streamable_http_client(URL, http_client=http)), 3)
        assert found == [1] * 6
        assert "open" in repr(client)  # a session ending does not close what the others share
    assert "closed" in repr(client)


async def test_concurrent_sessions_share_one_rate_limiter() -> None:
    client, statuses, clock = refereed_client(limit=4)
    app = app_for(HttpOptions(port=PORT), client)
    async with running(app), http_to(app) as http:
        found = await sessions_at_once(lambda: Client(streamable_http_client(URL, http_client=http)), 3)
    assert found == [1] * 6
    # Together the sessions needed more than the limit, so the one limiter made them wait ...
    assert len(statuses.seen) > 4 and clock.sleeps
    # ... and the sandbox, counting every request on the same clock, never had to refuse one.
    assert 429 not in statuses.seen


async def test_bad_host_is_421_and_bad_origin_403_and_never_served(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="copper_mcp.http")
    client, statuses, _ = refereed_client(limit=1000)
    app = app_for(HttpOptions(port=PORT), client)
    async with running(app), http_to(app) as http:
        cases = {
            "evil.example:8000": 421,  # DNS rebinding: the page's own name in Host
            "127.0.0.1:9999": 421,  # another port on this machine
            "localhost": 421,  # no port at all
        }
        for host, status in cases.items():
            answer = await initialize(http, {"Host": host})
            assert answer.status_code == status, host
        for origin in ("http://evil.example", "http://127.0.0.1:9999", "http://localhost:3000", "null"):
            answer = await initialize(http, {"Origin": origin})
            assert answer.status_code == 403, origin
            # stricter than the SDK's default, which would let in any port of the loopback host
        for origin in (ORIGIN, f"http://localhost:{PORT}"):
            answer = await initialize(http, {"Origin": origin})
            assert answer.status_code == 200, origin
            assert "copper-mcp" in answer.text
    assert statuses.seen == []  # nothing reached Copper
    refusals = [r.getMessage() for r in caplog.records if r.name == "copper_mcp.http"]
    assert len(refusals) == 7
    assert refusals[0] == "refused POST /mcp from 127.0.0.1: Host 'evil.example:8000' is not allowed"
    assert refusals[3] == "refused POST /mcp from 127.0.0.1: Origin 'http://evil.example' is not allowed"


async def test_allowed_hosts_and_origins_let_a_reverse_proxy_in() -> None:
    options = HttpOptions(port=PORT, allowed_hosts=("mcp.example.com",), allowed_origins=("https://mcp.example.com",))
    app = app_for(options)
    async with running(app), http_to(app) as http:
        through_proxy = await initialize(http, {"Host": "mcp.example.com", "Origin": "https://mcp.example.com"})
        assert through_proxy.status_code == 200
        assert (await initialize(http, {"Host": "other.example.com"})).status_code == 421
        assert (await initialize(http, {"Origin": "https://other.example.com"})).status_code == 403


async def test_with_a_token_every_request_needs_it(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    app = app_for(HttpOptions(port=PORT, auth_token=TOKEN))
    async with running(app):
        async with http_to(app) as http:
            for given in ({}, {"Authorization": "Bearer wrong-token-0123456789"}, {"Authorization": TOKEN},
                          {"Authorization": f"Basic {TOKEN}"}):
                answer = await initialize(http, given)
                assert answer.status_code == 401, given
                assert answer.headers["WWW-Authenticate"].startswith("Bearer")
            # a GET (the event stream) and a DELETE (end of session) are guarded alike
            assert (await http.get(URL, headers={"Accept": "text/event-stream"})).status_code == 401
            assert (await http.delete(URL)).status_code == 401
        async with (
            http_to(app, {"Authorization": f"Bearer {TOKEN}"}) as http,
            Client(streamable_http_client(URL, http_client=http), mode="legacy") as client,
        ):
            result = await client.call_tool("search_people", {"page_size": 1})
            assert result.is_error is False
    refusals = [r.getMessage() for r in caplog.records if r.name == "copper_mcp.http"]
    assert refusals[:2] == ["refused POST /mcp from 127.0.0.1: no bearer token",
                            "refused POST /mcp from 127.0.0.1: wrong bearer token"]
    assert len(refusals) == 6
    assert TOKEN not in caplog.text and "wrong-token" not in caplog.text


async def test_a_response_left_open_is_ended() -> None:
    sent: list[dict[str, Any]] = []

    async def cut_stream(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"data: 1\n\n", "more_body": True})

    async def record(message: Any) -> None:
        sent.append(message)

    async def nothing() -> Any:
        return {"type": "http.disconnect"}

    await EndCutStreams(cut_stream)({"type": "http", "method": "GET", "path": "/mcp"}, nothing, record)
    assert sent[-1] == {"type": "http.response.body", "body": b"", "more_body": False}
    assert len(sent) == 3


# -- over a real socket --------------------------------------------------------------------------------


def bound_socket() -> socket.socket:
    return listening_socket("127.0.0.1", 0)


def test_the_listening_socket_says_it_is_tcp_so_asyncio_turns_nagle_off() -> None:
    # asyncio sets TCP_NODELAY only on sockets whose protocol is IPPROTO_TCP; socket.create_server
    # leaves it 0, and then every kept-alive JSON answer waited ~40 ms for a delayed ACK.
    with listening_socket("127.0.0.1", 0) as sock:
        assert sock.proto == socket.IPPROTO_TCP and sock.getsockname()[1] > 0


@pytest.mark.parametrize(("host", "port"), [("127.0.0.1", 70000), ("no-such-host.invalid", 8000)])
def test_an_address_that_cannot_be_bound_is_a_config_error(host: str, port: int) -> None:
    with pytest.raises(ConfigError, match=f"cannot listen on {host}:{port}: "):
        listening_socket(host, port).close()


def test_a_port_in_use_is_a_config_error() -> None:
    with listening_socket("127.0.0.1", 0) as taken, pytest.raises(ConfigError, match="cannot listen on 127.0.0.1:"):
        listening_socket("127.0.0.1", taken.getsockname()[1]).close()


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_over_a_real_socket(mode: Any) -> None:
    sock = bound_socket()
    port = sock.getsockname()[1]
    with running_server(app_for(HttpOptions(port=port)), path=MCP_PATH, sock=sock) as url:
        assert url == f"http://127.0.0.1:{port}/mcp"
        async with Client(url, mode=mode) as client:
            assert "get_person" in {tool.name for tool in (await client.list_tools()).tools}
            result = await client.call_tool("search_opportunities", {"statuses": ["Open"], "page_size": 3})
            assert result.is_error is False and result.structured_content is not None
            assert all(r["status"] == "Open" for r in result.structured_content["records"])
        async with httpx2.AsyncClient() as http:
            assert (await initialize(http, {"Host": "evil.example"}, url)).status_code == 421
            assert (await initialize(http, {"Origin": "http://evil.example"}, url)).status_code == 403
            assert (await initialize(http, {"Origin": f"http://localhost:{port}"}, url)).status_code == 200


async def test_sessions_over_a_real_socket_share_one_rate_limiter() -> None:
    client, statuses, clock = refereed_client(limit=4)
    sock = bound_socket()
    app = app_for(HttpOptions(port=sock.getsockname()[1]), client)
    with running_server(app, path=MCP_PATH, sock=sock) as url:
        found = await sessions_at_once(lambda: Client(url, mode="legacy"), 3)
    assert found == [1] * 6
    assert len(statuses.seen) > 4 and clock.sleeps and 429 not in statuses.seen
    assert "closed" in repr(client)


async def test_token_over_a_real_socket() -> None:
    sock = bound_socket()
    app = app_for(HttpOptions(port=sock.getsockname()[1], auth_token=TOKEN))
    with running_server(app, path=MCP_PATH, sock=sock) as url:
        async with httpx2.AsyncClient() as http:
            refused = await initialize(http, url=url)
            assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer")
        async with (
            httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}) as http,
            Client(streamable_http_client(url, http_client=http)) as session,
        ):
            assert (await session.call_tool("get_account", {})).is_error is False
