"""MCP over Streamable HTTP: the app, its guards, and ``serve`` that runs it with uvicorn.

The SDK speaks the protocol (``MCPServer.streamable_http_app``), checks Host and Origin
(``TransportSecuritySettings``) and bearer tokens (``token_verifier``); this module chooses
what they allow, refuses to expose the account without a token, logs each refused request,
and turns SIGTERM and SIGINT into a clean exit.

Nothing here writes to stdout, and the token never appears in a log line, repr or message.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import signal
import socket
import sys
from dataclasses import dataclass, field, replace
from types import FrameType

import uvicorn
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import AnyHttpUrl
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from copper_mcp import __version__
from copper_mcp.client import CopperClient
from copper_mcp.core.errors import ConfigError
from copper_mcp.core.settings import Settings

from .server import build_server

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "EXIT_INTERRUPTED",
    "MCP_PATH",
    "MIN_TOKEN_LENGTH",
    "BearerToken",
    "HttpOptions",
    "build_app",
    "check_exposure",
    "endpoint",
    "is_loopback",
    "listening_socket",
    "refusal_reason",
    "serve",
    "transport_security",
]

logger = logging.getLogger("copper_mcp.http")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
MCP_PATH = "/mcp"
TOKEN_VARIABLE = "COPPER_MCP_AUTH_TOKEN"

MIN_TOKEN_LENGTH = 16
"""Shorter tokens are refused: the token is all that stands between the network and the account."""

EXIT_INTERRUPTED = 130
"""The shell's status for a process ended by SIGINT (128 + 2)."""

GRACEFUL_SHUTDOWN_SECONDS = 5
"""How long shutdown waits for open requests before cancelling them. Open event streams are closed
at once (sse-starlette watches uvicorn's exit flag); this bounds a tool call still in flight."""

_LOOPBACK_NAMES = ("127.0.0.1", "localhost")
_REFUSED = frozenset({401, 403, 421})


@dataclass(frozen=True)
class HttpOptions:
    """Where and how to serve MCP over HTTP.

    Attributes:
        host: The address to bind; anything but loopback needs ``auth_token``.
        port: The port to bind; 0 picks a free one.
        allowed_hosts: ``Host`` values accepted besides the bound address (a reverse proxy's
            public name, e.g. ``mcp.example.com``; ``name:*`` allows any port).
        allowed_origins: ``Origin`` values accepted besides ``http://127.0.0.1:PORT`` and
            ``http://localhost:PORT`` (e.g. ``https://mcp.example.com``).
        auth_token: When set, every request must carry ``Authorization: Bearer <token>``.
    """

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    allowed_hosts: tuple[str, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    auth_token: str | None = field(default=None, repr=False)


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_exposure(options: HttpOptions) -> None:
    """Refuse options that would hand the Copper account to the network.

    Raises:
        ConfigError: A non-loopback address without a token, or a token too short to guess-proof.
    """
    if options.auth_token is not None and len(options.auth_token) < MIN_TOKEN_LENGTH:
        raise ConfigError(
            f"{TOKEN_VARIABLE} is shorter than {MIN_TOKEN_LENGTH} characters; use a long random one, e.g. "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    if options.auth_token is None and not is_loopback(options.host):
        raise ConfigError(
            f"refusing to serve on {options.host} without a token: anyone who can reach it could use the "
            f"Copper account. Set {TOKEN_VARIABLE} (clients then send 'Authorization: Bearer <token>'), "
            f"or bind 127.0.0.1."
        )


def _authority(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _bound_names(host: str) -> list[str]:
    # A wildcard address is no name a client can send; loopback names always reach a local bind.
    wildcard = host in ("0.0.0.0", "::")
    return [*_LOOPBACK_NAMES, *([] if wildcard or host in _LOOPBACK_NAMES else [host])]


def transport_security(options: HttpOptions) -> TransportSecuritySettings:
    """Host and Origin checks for exactly the bound port, plus what the options allow.

    Stricter than the SDK's default for loopback, which accepts any port: a page served by
    another local app (another port, another origin) must not reach this server either.
    """
    names = _bound_names(options.host)
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=[_authority(name, options.port) for name in names] + list(options.allowed_hosts),
        allowed_origins=[f"http://{_authority(name, options.port)}" for name in names] + list(options.allowed_origins),
    )


class BearerToken:
    """The SDK's ``TokenVerifier`` for one static token, compared in constant time."""

    def __init__(self, token: str) -> None:
        self._token = token.encode()

    def __repr__(self) -> str:
        return "BearerToken(***)"

    async def verify_token(self, token: str) -> AccessToken | None:
        """Access for the one client when ``token`` is ours, else None (the SDK answers 401)."""
        if not hmac.compare_digest(token.encode(), self._token):
            return None
        # The SDK keeps this object on the request; it needs no copy of the secret.
        return AccessToken(token="***", client_id="copper-mcp", scopes=[])


def refusal_reason(status: int, headers: Headers) -> str:
    """Why the SDK refused a request, from its status and the request headers (never the token)."""
    if status == 401:
        given = headers.get("authorization", "")
        return "wrong bearer token" if given.lower().startswith("bearer ") else "no bearer token"
    if status == 421:
        return f"Host {headers.get('host')!r} is not allowed"
    if status == 403:
        return f"Origin {headers.get('origin')!r} is not allowed"
    return f"status {status}"


class RefusalLog:
    """ASGI middleware: one log line for each request answered 401, 403 or 421, with the reason."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in _REFUSED:
                client = scope.get("client") or ("?", 0)
                logger.warning(
                    "refused %s %s from %s: %s",
                    scope["method"], scope["path"], client[0], refusal_reason(message["status"], Headers(scope=scope)),
                )
            await send(message)

        await self.app(scope, receive, watch)


class EndCutStreams:
    """ASGI middleware: finishes a response the app left open with its final empty body.

    At shutdown sse-starlette cancels every open event stream without ending it; uvicorn then
    logs an error and drops the connection. Ending the body instead lets the client see the
    stream close, and leaves the log clean on a normal stop.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = ended = False

        async def watch(message: Message) -> None:
            nonlocal started, ended
            if message["type"] == "http.response.start":
                started = True
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                ended = True
            await send(message)

        await self.app(scope, receive, watch)
        if started and not ended:
            await send({"type": "http.response.body", "body": b"", "more_body": False})


def endpoint(options: HttpOptions) -> str:
    """The URL clients connect to: ``http://HOST:PORT/mcp``."""
    return f"http://{_authority(options.host, options.port)}{MCP_PATH}"


def build_app(settings: Settings, client: CopperClient, options: HttpOptions) -> Starlette:
    """The Starlette app serving MCP at ``/mcp`` for these options, talking to Copper through ``client``.

    Its lifespan opens ``client`` once and every session shares it (one connection pool, one
    rate limiter). Call ``check_exposure`` first; this function does not.
    """
    if options.auth_token is None:
        server = build_server(settings, client)
    else:
        # The SDK wants AuthSettings beside any verifier; with no resource_server_url it publishes
        # no OAuth metadata, so the issuer is only a label: this server, which issued the token.
        auth = AuthSettings(issuer_url=AnyHttpUrl(endpoint(options)), resource_server_url=None)
        server = build_server(settings, client, token_verifier=BearerToken(options.auth_token), auth=auth)
    app = server.streamable_http_app(streamable_http_path=MCP_PATH, transport_security=transport_security(options))
    app.add_middleware(EndCutStreams)
    app.add_middleware(RefusalLog)
    # RefusalLog says it once, with the reason; the SDK's own warning would make it two lines.
    logging.getLogger("mcp.server.transport_security").setLevel(logging.ERROR)
    return app


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket listening on ``host:port`` (0 picks a free port), for uvicorn to serve.

    Connections that arrive before uvicorn accepts them wait in the backlog, so the address is
    usable as soon as this returns.

    Made with ``IPPROTO_TCP`` rather than ``socket.create_server``'s protocol 0: asyncio turns Nagle's
    algorithm off (TCP_NODELAY) only on sockets that say they are TCP, and with it on every JSON
    answer on a kept-alive connection waits about 40 ms for the client's delayed ACK.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen()
    except (OSError, OverflowError) as exc:  # OverflowError: a port outside 0-65535
        sock.close()
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ConfigError(f"cannot listen on {_authority(host, port)}: {reason}") from None
    return sock


def _log_to_stderr() -> None:
    # Plain lines through a handler of our own, whatever the SDK gave the root logger (rich, when
    # installed, wraps long lines): scripts read the URL from the start line.
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(logging.INFO)


class _Terminated(BaseException):
    """SIGTERM, raised once uvicorn has shut down and handed the signal back."""


def _raise_terminated(_signum: int, _frame: FrameType | None) -> None:
    raise _Terminated


def serve(settings: Settings, client: CopperClient, options: HttpOptions, *, where: str) -> int:
    """Serve MCP over HTTP until SIGTERM or SIGINT; returns the exit status (0, or 130 for SIGINT).

    Binds first, so ``port=0`` works and the logged URL already accepts connections. On a
    signal uvicorn stops accepting, closes open streams, runs the lifespan's exit (which
    closes ``client``) and re-raises the signal, which ends here without a traceback.

    Args:
        where: What the server talks to, for the start line (``the sandbox`` or a base URL).

    Raises:
        ConfigError: The options would expose the account (see ``check_exposure``), or the
            address cannot be bound.
    """
    check_exposure(options)
    sock = listening_socket(options.host, options.port)
    bound = replace(options, port=sock.getsockname()[1])
    config = uvicorn.Config(
        build_app(settings, client, bound),
        host=bound.host,
        port=bound.port,
        log_config=None,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    _log_to_stderr()
    logger.info(
        "copper-mcp %s (%s) serving MCP at %s%s", __version__, where, endpoint(bound),
        "; bearer token required" if bound.auth_token is not None else "",
    )
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except _Terminated:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        sock.close()
    return 0
