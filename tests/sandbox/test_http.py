"""The sandbox over real HTTP on 127.0.0.1: uvicorn, a real webhook receiver, restarts, ``serve``."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from copper_mcp.sandbox import Faults, SandboxConfig, create_app
from copper_mcp.sandbox.http import listening_socket, running_server
from tests.sandbox.support import HEADERS

API_KEY = HEADERS["X-PW-AccessToken"]
USER_EMAIL = HEADERS["X-PW-UserEmail"]
# Upper bound on waiting for an event another thread or process sets. A guard against a
# hang, not a synchronisation delay: every wait returns as soon as the event happens.
GUARD_SECONDS = 20.0


@dataclass
class Received:
    """One request as the receiver saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class Receiver:
    """A real HTTP webhook target: records requests and sets ``arrived`` on each one."""

    requests: list[Received] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)

    def app(self) -> Starlette:
        async def hook(request: Request) -> Response:
            self.requests.append(
                Received(request.method, request.url.path, dict(request.headers), json.loads(await request.body()))
            )
            self.arrived.set()
            return Response(status_code=204)

        return Starlette(routes=[Route("/hook", hook, methods=["POST"])])


def _config(**options: Any) -> SandboxConfig:
    return SandboxConfig(api_key=API_KEY, user_email=USER_EMAIL, **options)


def test_running_server_serves_then_stops() -> None:
    async def hello(request: Request) -> JSONResponse:
        return JSONResponse({"path": request.url.path})

    app = Starlette(routes=[Route("/hello", hello)])
    with running_server(app, path="") as origin:
        assert origin.startswith("http://127.0.0.1:")
        assert httpx2.get(f"{origin}/hello").json() == {"path": "/hello"}
    with pytest.raises(httpx2.ConnectError):
        httpx2.get(f"{origin}/hello")


def test_account_over_http() -> None:
    with running_server(create_app(_config())) as base_url:
        assert base_url.endswith("/developer_api/v1")
        response = httpx2.get(f"{base_url}/account", headers=HEADERS)
    assert response.status_code == 200
    account = response.json()
    assert isinstance(account["id"], int)
    assert isinstance(account["name"], str)


def test_bad_key_is_401_over_http() -> None:
    with running_server(create_app(_config())) as base_url:
        response = httpx2.get(f"{base_url}/account", headers={**HEADERS, "X-PW-AccessToken": "wrong"})
    assert response.status_code == 401
    body = response.json()
    assert body["success"] is False
    assert body["status"] == 401
    assert API_KEY not in response.text


def test_webhook_reaches_a_real_receiver() -> None:
    receiver = Receiver()
    with (
        running_server(receiver.app(), path="") as receiver_origin,
        running_server(create_app(_config(allow_http_webhooks=True))) as base_url,
        httpx2.Client(base_url=base_url, headers=HEADERS) as client,
    ):
        subscription = client.post(
            "/webhooks",
            json={
                "target": f"{receiver_origin}/hook",
                "type": "person",
                "event": "new",
                "secret": {"secret": "hook_source", "key": "copper_notifications"},
                "headers": {"X-Hook-Token": "abc"},
            },
        )
        assert subscription.status_code == 200, subscription.text
        person = client.post("/people", json={"name": "Ada Lovelace"})
        assert person.status_code == 200, person.text
        assert receiver.arrived.wait(GUARD_SECONDS), "no notification arrived"
    # Both servers have stopped: whatever was going to arrive has arrived.
    assert len(receiver.requests) == 1
    received = receiver.requests[0]
    assert received.method == "POST"
    assert received.path == "/hook"
    assert received.headers["content-type"] == "application/json"
    assert received.headers["x-hook-token"] == "abc"
    assert received.body == {
        "ids": [person.json()["id"]],
        "type": "person",
        "event": "new",
        "subscription_id": subscription.json()["id"],
        "secret": "hook_source",
        "key": "copper_notifications",
    }


def test_data_survives_a_restart_on_the_same_file(tmp_path: Path) -> None:
    db_path = str(tmp_path / "sandbox.db")
    with (
        running_server(create_app(_config(db_path=db_path))) as base_url,
        httpx2.Client(base_url=base_url, headers=HEADERS) as client,
    ):
        person = client.post("/people", json={"name": "Ada Lovelace"}).json()
        hook = client.post(
            "/webhooks", json={"target": "https://hooks.example.com/x", "type": "person", "event": "new"}
        ).json()

    with (
        running_server(create_app(_config(db_path=db_path))) as base_url,
        httpx2.Client(base_url=base_url, headers=HEADERS) as client,
    ):
        assert client.get(f"/people/{person['id']}").json() == person
        assert client.get(f"/webhooks/{hook['id']}").json() == hook


def test_a_lost_answer_drops_the_connection_over_http_after_the_create(tmp_path: Path) -> None:
    db_path = str(tmp_path / "sandbox.db")
    lossy = create_app(_config(db_path=db_path, faults=Faults(lost_answer_rate=1.0)))
    # The connection closes mid-answer: no status the client could take for the outcome.
    with (
        running_server(lossy) as base_url,
        httpx2.Client(base_url=base_url, headers=HEADERS) as client,
        pytest.raises(httpx2.RemoteProtocolError),
    ):
        client.post("/people", json={"name": "Unknown Outcome"})
    with running_server(create_app(_config(db_path=db_path))) as base_url:
        found = httpx2.post(f"{base_url}/people/search", json={"name": "Unknown Outcome"}, headers=HEADERS)
    assert [person["name"] for person in found.json()] == ["Unknown Outcome"]


def test_serve_announces_on_stderr_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    script = (
        "from copper_mcp.sandbox.http import serve; "
        f"serve(port=0, db_path={str(tmp_path / 'db.sqlite')!r}, api_key={API_KEY!r}, user_email={USER_EMAIL!r})"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stderr is not None
        base_url = process.stderr.readline().strip()  # returns as soon as serve announces itself
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/developer_api/v1")
        assert httpx2.get(f"{base_url}/account", headers=HEADERS).status_code == 200
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=GUARD_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    assert stdout == ""  # stdout belongs to the MCP protocol
    assert "Traceback" not in stderr


def test_the_listening_socket_says_it_is_tcp_so_asyncio_turns_nagle_off() -> None:
    # asyncio sets TCP_NODELAY only on sockets whose protocol is IPPROTO_TCP; uvicorn's bind_socket
    # leaves it 0, and then every kept-alive answer waited ~40 ms for the client's delayed ACK.
    with listening_socket("127.0.0.1", 0) as sock:
        assert sock.proto == socket.IPPROTO_TCP and sock.getsockname()[1] > 0


def test_serve_says_why_it_cannot_listen() -> None:
    with listening_socket("127.0.0.1", 0) as taken:
        port = taken.getsockname()[1]
        script = f"from copper_mcp.sandbox.http import serve; serve(port={port})"
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=GUARD_SECONDS)
    assert done.returncode == 1
    assert done.stderr == f"cannot listen on 127.0.0.1:{port}: Address already in use\n"
    assert done.stdout == ""
