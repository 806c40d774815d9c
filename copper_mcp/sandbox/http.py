"""Serve the sandbox over real HTTP with uvicorn.

``serve`` is the blocking entry point behind ``copper-mcp --sandbox``; ``running_server``
runs any ASGI app on a free local port in a background thread, for tests and benchmarks.
Nothing here writes to stdout: on stdio, stdout belongs to the MCP protocol.
"""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from copper_mcp.sandbox.app import create_app
from copper_mcp.sandbox.config import API_PATH, SandboxConfig

# How long running_server waits for the server thread to start or stop before giving up.
# A guard against a wedged server, not a synchronisation delay: both waits end on an event.
_THREAD_GUARD_SECONDS = 30.0

# uvicorn's default logging config sends access logs to stdout; route uvicorn's loggers to
# stderr and keep them quiet unless something is wrong. The root logger is left to the CLI
# (unconfigured, Python's last-resort handler still puts warnings on stderr).
_LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}},
    "loggers": {
        "uvicorn": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        "uvicorn.access": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
    },
}


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    db_path: str | None = None,
    api_key: str | None = None,
    user_email: str | None = None,
    allow_http_webhooks: bool = False,
) -> None:
    """Run the sandbox API on ``host:port`` until interrupted (Ctrl-C exits cleanly).

    Writes one line, the base URL ``http://HOST:PORT/developer_api/v1``, to stderr once
    the port is bound (``port=0`` picks a free one and the line shows it).

    Raises:
        SystemExit: The address cannot be bound; the message says why.
    """
    app = create_app(
        SandboxConfig(
            db_path=db_path,
            api_key=api_key,
            user_email=user_email,
            allow_http_webhooks=allow_http_webhooks,
        )
    )
    config = uvicorn.Config(app, host=host, port=port, log_config=_LOG_CONFIG, log_level="warning")
    server = uvicorn.Server(config)
    # Listen before announcing, so the printed URL already accepts connections.
    try:
        sock = listening_socket(host, port)
    except (OSError, OverflowError) as exc:  # OverflowError: a port outside 0-65535
        reason = getattr(exc, "strerror", None) or str(exc)
        raise SystemExit(f"cannot listen on {_authority(host, port)}: {reason}") from None
    sys.stderr.write(base_url(host, sock.getsockname()[1]) + "\n")
    sys.stderr.flush()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        # uvicorn shuts down gracefully on SIGINT, then re-raises it; stopping is the normal way out.
        pass
    finally:
        sock.close()


def base_url(host: str, port: int, path: str = API_PATH) -> str:
    """``http://host:port`` plus ``path``, bracketing IPv6 hosts."""
    return f"http://{_authority(host, port)}{path}"


def _authority(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket listening on ``host:port`` (0 picks a free port), for uvicorn to serve.

    Made with ``IPPROTO_TCP`` rather than uvicorn's ``Config.bind_socket`` (protocol 0): asyncio
    turns Nagle's algorithm off (TCP_NODELAY) only on sockets that say they are TCP, and with it
    on every answer on a kept-alive connection waits about 40 ms for the client's delayed ACK.
    ``copper_mcp.mcp.http.listening_socket`` does the same for the MCP server; the sandbox stands
    apart from the server's packages, so it keeps these few lines of its own.

    Raises:
        OSError: The address cannot be bound (in use, not local, unknown host).
        OverflowError: The port is outside 0-65535.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen()
    except BaseException:
        sock.close()
        raise
    return sock


class _NotifyingServer(uvicorn.Server):
    """A uvicorn server that sets an event once it accepts connections."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self.ready.set()


@contextmanager
def running_server(
    app: ASGIApp, *, host: str = "127.0.0.1", path: str = API_PATH, sock: socket.socket | None = None
) -> Iterator[str]:
    """Serve ``app`` on a free port of ``host`` in a background thread; yield its base URL.

    The URL is ``http://host:port`` plus ``path`` (the API prefix by default; pass
    ``path=""`` for other apps). ``sock``, already bound, serves instead, for an app that
    must know its port before it is built. On exit the server is asked to stop, finishes
    its lifespan shutdown and the thread is joined.
    """
    config = uvicorn.Config(app, host=host, port=0, log_config=None, log_level="warning", access_log=False)
    server = _NotifyingServer(config)
    # Binding here (port 0) gives the real port without a probe-then-bind race.
    sock = sock or listening_socket(host, 0)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as error:  # includes SystemExit from a failed lifespan startup
            failure.append(error)
        finally:
            server.ready.set()  # never leave the caller waiting on a server that died

    thread = threading.Thread(target=run, name=f"uvicorn-{sock.getsockname()[1]}", daemon=True)
    thread.start()
    try:
        if not server.ready.wait(_THREAD_GUARD_SECONDS) or not server.started:
            raise RuntimeError("the server did not start") from (failure[0] if failure else None)
        yield base_url(host, sock.getsockname()[1], path)
    finally:
        server.should_exit = True
        thread.join(_THREAD_GUARD_SECONDS)
        sock.close()
        if thread.is_alive():
            raise RuntimeError("the server did not stop")
