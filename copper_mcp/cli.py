"""The ``copper-mcp`` command. The only module that reads the environment.

    copper-mcp [--sandbox] [--toolsets a,b] [--read-only]   MCP over stdio
    copper-mcp --transport http [--host H] [--port P]         MCP over Streamable HTTP at /mcp
    copper-mcp tools                                          the tool catalogue, one line a tool
    copper-mcp call TOOL '{"json": "args"}'                   call one tool and print the result
    copper-mcp check                                          check the configuration and the key
    copper-mcp sandbox [--host H] [--port P] [--db PATH]      the sandbox Copper over HTTP
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio

from copper_mcp import __version__
from copper_mcp.core.errors import ConfigError
from copper_mcp.core.settings import DEFAULT_BASE_URL, Settings, check_credential

EXIT_USAGE = 2
TRANSPORTS = ("stdio", "http")
SANDBOX_KEY = "sandbox"
# The sandbox's first demo user, so /users/me answers as the configured user.
SANDBOX_EMAIL = "dana@harborlane.example"
# A name under .localhost (RFC 6761): it never leaves this machine, like the in-process sandbox.
SANDBOX_BASE_URL = "http://sandbox.localhost/developer_api/v1"

MISSING_CREDENTIALS = (
    "copper-mcp needs COPPER_API_KEY and COPPER_USER_EMAIL (the email of the Copper user who owns "
    "the key). To try it without a Copper account, run: copper-mcp --sandbox"
)


def default_sandbox_db(env: Mapping[str, str]) -> Path:
    """Where ``--sandbox`` keeps its data, so yesterday's changes are still there today."""
    if sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    elif sys.platform == "win32":
        base = Path(env.get("APPDATA", Path.home() / "AppData" / "Roaming"))
    else:
        base = Path(env.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "copper-mcp" / "sandbox.sqlite3"


def _add_server_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    # Subcommands repeat the options with suppressed defaults, so `copper-mcp --sandbox tools`
    # and `copper-mcp tools --sandbox` mean the same thing.
    def default(value: Any) -> Any:
        return value if defaults else argparse.SUPPRESS

    parser.add_argument("--sandbox", action="store_true", default=default(False),
                        help="use the embedded sandbox Copper with demo data (no account needed)")
    parser.add_argument("--sandbox-db", metavar="PATH", default=default(None),
                        help="the sandbox's data file (default: in your user data directory)")
    parser.add_argument("--fresh", action="store_true", default=default(False),
                        help="start the sandbox afresh from the demo data")
    parser.add_argument("--toolsets", metavar="A,B", default=default(None),
                        help="expose only these toolsets (env COPPER_MCP_TOOLSETS)")
    parser.add_argument("--read-only", action="store_true", default=default(False),
                        help="hide and refuse every tool that changes data (env COPPER_MCP_READ_ONLY)")


def _add_http_options(parser: argparse.ArgumentParser) -> None:
    # Defaults are None so the environment can fill what the command line leaves out; the
    # real defaults live in copper_mcp.mcp.http. Distinct dests keep them apart from the
    # sandbox command's own --host and --port.
    parser.add_argument("--transport", choices=TRANSPORTS, default=None,
                        help="stdio (default), or http: Streamable HTTP at http://HOST:PORT/mcp "
                             "(env COPPER_MCP_TRANSPORT)")
    parser.add_argument("--host", dest="http_host", default=None,
                        help="with --transport http: address to bind, default 127.0.0.1 (env COPPER_MCP_HOST)")
    parser.add_argument("--port", dest="http_port", type=int, default=None,
                        help="with --transport http: port, default 8000 (env COPPER_MCP_PORT)")
    parser.add_argument("--allowed-hosts", metavar="A,B", default=None,
                        help="with --transport http: more accepted Host values (env COPPER_MCP_ALLOWED_HOSTS)")
    parser.add_argument("--allowed-origins", metavar="A,B", default=None,
                        help="with --transport http: more accepted Origin values (env COPPER_MCP_ALLOWED_ORIGINS)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="copper-mcp", description="MCP server for Copper CRM.")
    parser.add_argument("--version", action="version", version=f"copper-mcp {__version__}")
    _add_server_options(parser, defaults=True)
    _add_http_options(parser)
    commands = parser.add_subparsers(dest="command")
    tools = commands.add_parser("tools", help="list the tools, one line each")
    _add_server_options(tools, defaults=False)
    call = commands.add_parser("call", help="call one tool and print its result")
    _add_server_options(call, defaults=False)
    call.add_argument("tool")
    call.add_argument("arguments", nargs="?", default="{}", help="the arguments as a JSON object")
    check = commands.add_parser("check", help="check the configuration and that Copper accepts the key")
    _add_server_options(check, defaults=False)
    sandbox = commands.add_parser("sandbox", help="serve the sandbox Copper over HTTP")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8765)
    sandbox.add_argument("--db", metavar="PATH", help="keep data in this file (default: in memory)")
    sandbox.add_argument("--api-key", help="accept only this token (default: any)")
    sandbox.add_argument("--user-email", help="accept only this user email (default: any)")
    sandbox.add_argument("--allow-http-webhooks", action="store_true",
                         help="let webhooks target http://127.0.0.1 (for local testing)")
    return parser


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def _selection(args: argparse.Namespace, env: Mapping[str, str]) -> tuple[frozenset[str] | None, bool]:
    """The toolsets to expose (None for all) and whether read-only mode is on."""
    toolsets_text = args.toolsets if args.toolsets is not None else env.get("COPPER_MCP_TOOLSETS")
    toolsets = frozenset(_names(toolsets_text)) if toolsets_text else None
    return toolsets, bool(args.read_only) or _truthy(env.get("COPPER_MCP_READ_ONLY"))


def _credentials(args: argparse.Namespace, env: Mapping[str, str]) -> tuple[str, str, str]:
    """The API key, user email and base URL: the sandbox's own with ``--sandbox``, else the environment's."""
    if args.sandbox:
        return SANDBOX_KEY, SANDBOX_EMAIL, SANDBOX_BASE_URL
    base_url = env.get("COPPER_BASE_URL") or DEFAULT_BASE_URL
    return _credential(env, "COPPER_API_KEY"), _credential(env, "COPPER_USER_EMAIL"), base_url


def _settings(args: argparse.Namespace, env: Mapping[str, str]) -> Settings:
    toolsets, read_only = _selection(args, env)
    api_key, email, base_url = _credentials(args, env)
    if not api_key or not email:
        raise SystemExit(MISSING_CREDENTIALS)
    try:
        check_credential("COPPER_API_KEY", api_key)
        check_credential("COPPER_USER_EMAIL", email)
    except ConfigError as exc:
        raise SystemExit(str(exc)) from None
    return Settings(api_key=api_key, user_email=email, base_url=base_url, toolsets=toolsets, read_only=read_only)


def _credential(env: Mapping[str, str], name: str) -> str:
    """A credential with the whitespace around it removed, and said so: none belongs to a key or an
    email, and a key read from a Windows file keeps its \\r."""
    raw = env.get(name, "")
    value = raw.strip()
    if value and value != raw:
        sys.stderr.write(f"copper-mcp: removed the whitespace around {name}.\n")
    return value


def _names(text: str | None) -> tuple[str, ...]:
    return tuple(name.strip() for name in (text or "").split(",") if name.strip())


def _transport(args: argparse.Namespace, env: Mapping[str, str]) -> str:
    transport = args.transport or env.get("COPPER_MCP_TRANSPORT", "").strip().lower() or "stdio"
    if transport not in TRANSPORTS:
        raise SystemExit(f"COPPER_MCP_TRANSPORT must be one of {', '.join(TRANSPORTS)}, not {transport!r}")
    return transport


def _http_options(args: argparse.Namespace, env: Mapping[str, str]) -> Any:
    """The HTTP transport's options: the command line first, then the environment, then defaults."""
    from copper_mcp.mcp.http import HttpOptions

    def given(flag: Any, value: str | None) -> Any:
        return flag if flag is not None else ((value or "").strip() or None)

    defaults = HttpOptions()
    port = given(args.http_port, env.get("COPPER_MCP_PORT"))
    if port is not None and not str(port).isdigit():
        raise SystemExit(f"COPPER_MCP_PORT must be a port number, not {port!r}")
    return HttpOptions(
        host=given(args.http_host, env.get("COPPER_MCP_HOST")) or defaults.host,
        port=defaults.port if port is None else int(port),
        allowed_hosts=_names(given(args.allowed_hosts, env.get("COPPER_MCP_ALLOWED_HOSTS"))),
        allowed_origins=_names(given(args.allowed_origins, env.get("COPPER_MCP_ALLOWED_ORIGINS"))),
        auth_token=env.get("COPPER_MCP_AUTH_TOKEN") or None,
    )


def _check_toolsets(settings: Settings) -> None:
    from copper_mcp.catalog import load_catalog

    known = load_catalog().toolsets
    unknown = sorted((settings.toolsets or frozenset()) - set(known))
    if unknown:
        raise SystemExit(f"unknown toolsets: {', '.join(unknown)}; known: {', '.join(known)}")


def _sandbox_transport(args: argparse.Namespace, env: Mapping[str, str]) -> Any:
    """An in-process transport to the embedded sandbox, or None when ``--sandbox`` is not given."""
    if not args.sandbox:
        return None
    import httpx2

    from copper_mcp.sandbox import SandboxConfig, create_app

    db = Path(args.sandbox_db) if args.sandbox_db else default_sandbox_db(env)
    db.parent.mkdir(parents=True, exist_ok=True)
    if args.fresh:
        db.unlink(missing_ok=True)
    return httpx2.ASGITransport(app=create_app(SandboxConfig(db_path=str(db))))


def _client(args: argparse.Namespace, settings: Settings, env: Mapping[str, str]) -> Any:
    """The Copper client for these settings, on the sandbox when asked."""
    from copper_mcp.client import CopperClient

    return CopperClient(api_key=settings.api_key, user_email=settings.user_email,
                        base_url=settings.base_url, transport=_sandbox_transport(args, env))


def _build(args: argparse.Namespace, settings: Settings, env: Mapping[str, str]) -> Any:
    """The MCP server for these settings, on the sandbox when asked."""
    from copper_mcp.mcp import build_server

    return build_server(settings, _client(args, settings, env))


def _where(args: argparse.Namespace, settings: Settings) -> str:
    return "the sandbox" if args.sandbox else settings.base_url


def _serve_http(args: argparse.Namespace, settings: Settings, env: Mapping[str, str], options: Any) -> int:
    from copper_mcp.mcp.http import check_exposure, serve

    try:
        check_exposure(options)  # before the sandbox client makes its data file
        return serve(settings, _client(args, settings, env), options, where=_where(args, settings))
    except ConfigError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_USAGE


def _print_tools(settings: Settings) -> None:
    from copper_mcp.catalog import load_catalog

    with _reader_may_leave():
        for op in load_catalog().select(settings.toolsets, settings.read_only):
            mode = "read " if op.read_only else "write"
            print(f"{op.name:<34} {mode} {op.toolset:<14} {op.title}")


@contextmanager
def _reader_may_leave() -> Iterator[None]:
    """End quietly when whoever reads stdout stops early (``copper-mcp tools | head``)."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        # Python would try to flush stdout again at exit and fail the same way: point it nowhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


async def _call(server: Any, tool: str, arguments: dict[str, Any]) -> int:
    from mcp import Client

    async with Client(server) as client:
        result = await client.call_tool(tool, arguments)
    with _reader_may_leave():
        for block in result.content:
            print(getattr(block, "text", block))
    return 1 if result.is_error else 0


# -- copper-mcp check -----------------------------------------------------------------------


def _host_config(
    args: argparse.Namespace, user_email: str, base_url: str, toolsets: frozenset[str] | None, read_only: bool
) -> dict[str, Any]:
    """The ``mcpServers`` entry that runs the server as configured now, with a placeholder for the key."""
    settings: dict[str, str] = {}
    if not args.sandbox:
        settings["COPPER_API_KEY"] = "<your Copper API key>"
        settings["COPPER_USER_EMAIL"] = user_email or "<the email of the user who owns the key>"
        if base_url != DEFAULT_BASE_URL:
            settings["COPPER_BASE_URL"] = base_url
    if toolsets is not None:
        settings["COPPER_MCP_TOOLSETS"] = ",".join(sorted(toolsets))
    if read_only:
        settings["COPPER_MCP_READ_ONLY"] = "true"
    entry: dict[str, Any] = {"command": "uvx", "args": ["copper-mcp", "--sandbox"] if args.sandbox else ["copper-mcp"]}
    if settings:
        entry["env"] = settings
    return {"mcpServers": {"copper": entry}}


def _check(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    """Print what ``copper-mcp check`` finds; 0 when nothing needs fixing, 1 otherwise."""
    from copper_mcp.check import run_check

    toolsets, read_only = _selection(args, env)
    api_key, email, base_url = _credentials(args, env)
    where = "the embedded sandbox" if args.sandbox else base_url
    print(f"copper-mcp {__version__} check: the configuration, and whether {where} accepts it")
    report = anyio.run(lambda: run_check(
        api_key=api_key, user_email=email, base_url=base_url, toolsets=toolsets, read_only=read_only,
        transport=_sandbox_transport(args, env),
    ))
    for label, lines in (("ok", report.passed), ("note", report.notes), ("PROBLEM", report.problems)):
        for line in lines:
            print(f"  {label:<8} {line}")
    key_hint = "" if args.sandbox else " and put your key in place of the placeholder"
    print(f"\nFor Claude Desktop, add this to claude_desktop_config.json{key_hint}:")
    print(json.dumps(_host_config(args, email, base_url, toolsets, read_only), indent=2))
    if report.ok:
        print("\nAll good.")
        return 0
    problems = "1 problem" if len(report.problems) == 1 else f"{len(report.problems)} problems"
    print(f"\n{problems} to fix (see PROBLEM above); then run copper-mcp check again.")
    return 1


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> None:
    """Run the command line; exits with 2 on a usage problem."""
    env = os.environ if env is None else env
    args = _parser().parse_args(argv)
    if args.command == "sandbox":
        from copper_mcp.sandbox.http import serve

        serve(host=args.host, port=args.port, db_path=args.db, api_key=args.api_key,
              user_email=args.user_email, allow_http_webhooks=args.allow_http_webhooks)
        return
    if args.command == "check":
        sys.exit(_check(args, env))
    try:
        settings = _settings(args, env)
        _check_toolsets(settings)
        transport = _transport(args, env)
        http_options = _http_options(args, env) if transport == "http" and args.command is None else None
    except SystemExit as exc:
        sys.stderr.write(f"{exc.code}\n")
        sys.exit(EXIT_USAGE)
    if args.command == "tools":
        _print_tools(settings)
        return
    if args.command == "call":
        try:
            arguments = json.loads(args.arguments)
        except json.JSONDecodeError as exc:
            sys.stderr.write(f"arguments are not valid JSON: {exc}\n")
            sys.exit(EXIT_USAGE)
        if not isinstance(arguments, dict):
            sys.stderr.write("arguments must be a JSON object\n")
            sys.exit(EXIT_USAGE)
        sys.exit(anyio.run(_call, _build(args, settings, env), args.tool, arguments))
    if http_options is not None:
        sys.exit(_serve_http(args, settings, env, http_options))
    server = _build(args, settings, env)
    if sys.stdin.isatty():
        where = _where(args, settings)
        sys.stderr.write(
            f"copper-mcp {__version__} ({where}) speaks MCP on stdin/stdout and is waiting for a host.\n"
            "Start it from Claude Desktop, Claude Code or another MCP host (see README); Ctrl-C quits.\n"
        )
    server.run()
