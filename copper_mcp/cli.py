"""The ``copper-mcp`` command. The only module that reads the environment.

    copper-mcp [--sandbox] [--toolsets a,b] [--read-only]   MCP over stdio
    copper-mcp tools                                          the tool catalogue, one line a tool
    copper-mcp call TOOL '{"json": "args"}'                   call one tool and print the result
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
from copper_mcp.core.errors import SettingsError
from copper_mcp.core.settings import DEFAULT_BASE_URL, Settings, check_credential

EXIT_USAGE = 2
SANDBOX_KEY = "sandbox"
SANDBOX_EMAIL = "sandbox@example.com"
SANDBOX_BASE_URL = "http://sandbox.local/developer_api/v1"

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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="copper-mcp", description="MCP server for Copper CRM.")
    parser.add_argument("--version", action="version", version=f"copper-mcp {__version__}")
    _add_server_options(parser, defaults=True)
    commands = parser.add_subparsers(dest="command")
    tools = commands.add_parser("tools", help="list the tools, one line each")
    _add_server_options(tools, defaults=False)
    call = commands.add_parser("call", help="call one tool and print its result")
    _add_server_options(call, defaults=False)
    call.add_argument("tool")
    call.add_argument("arguments", nargs="?", default="{}", help="the arguments as a JSON object")
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


def _settings(args: argparse.Namespace, env: Mapping[str, str]) -> Settings:
    toolsets_text = args.toolsets if args.toolsets is not None else env.get("COPPER_MCP_TOOLSETS")
    toolsets = frozenset(t.strip() for t in toolsets_text.split(",") if t.strip()) if toolsets_text else None
    read_only = bool(args.read_only) or _truthy(env.get("COPPER_MCP_READ_ONLY"))
    if args.sandbox:
        return Settings(api_key=SANDBOX_KEY, user_email=SANDBOX_EMAIL, base_url=SANDBOX_BASE_URL,
                        toolsets=toolsets, read_only=read_only)
    api_key, email = _credential(env, "COPPER_API_KEY"), _credential(env, "COPPER_USER_EMAIL")
    if not api_key or not email:
        raise SystemExit(MISSING_CREDENTIALS)
    try:
        check_credential("COPPER_API_KEY", api_key)
        check_credential("COPPER_USER_EMAIL", email)
    except SettingsError as exc:
        raise SystemExit(str(exc)) from None
    return Settings(api_key=api_key, user_email=email, base_url=env.get("COPPER_BASE_URL") or DEFAULT_BASE_URL,
                    toolsets=toolsets, read_only=read_only)


def _credential(env: Mapping[str, str], name: str) -> str:
    """A credential with the whitespace around it removed, and said so: none belongs to a key or an
    email, and a key read from a Windows file keeps its \\r."""
    raw = env.get(name, "")
    value = raw.strip()
    if value and value != raw:
        sys.stderr.write(f"copper-mcp: removed the whitespace around {name}.\n")
    return value


def _check_toolsets(settings: Settings) -> None:
    from copper_mcp.catalog import load_catalog

    known = load_catalog().toolsets
    unknown = sorted((settings.toolsets or frozenset()) - set(known))
    if unknown:
        raise SystemExit(f"unknown toolsets: {', '.join(unknown)}; known: {', '.join(known)}")


def _build(args: argparse.Namespace, settings: Settings, env: Mapping[str, str]) -> Any:
    """The MCP server for these settings, on the sandbox when asked."""
    import httpx2

    from copper_mcp.client import CopperClient
    from copper_mcp.mcp import build_server

    transport: httpx2.AsyncBaseTransport | None = None
    if args.sandbox:
        from copper_mcp.sandbox import SandboxConfig, create_app

        db = Path(args.sandbox_db) if args.sandbox_db else default_sandbox_db(env)
        db.parent.mkdir(parents=True, exist_ok=True)
        if args.fresh:
            db.unlink(missing_ok=True)
        transport = httpx2.ASGITransport(app=create_app(SandboxConfig(db_path=str(db))))
    client = CopperClient(api_key=settings.api_key, user_email=settings.user_email,
                          base_url=settings.base_url, transport=transport)
    return build_server(settings, client)


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


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> None:
    """Run the command line; exits with 2 on a usage problem."""
    env = os.environ if env is None else env
    args = _parser().parse_args(argv)
    if args.command == "sandbox":
        from copper_mcp.sandbox.http import serve

        serve(host=args.host, port=args.port, db_path=args.db, api_key=args.api_key,
              user_email=args.user_email, allow_http_webhooks=args.allow_http_webhooks)
        return
    try:
        settings = _settings(args, env)
        _check_toolsets(settings)
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
    server = _build(args, settings, env)
    if sys.stdin.isatty():
        where = "the sandbox" if args.sandbox else settings.base_url
        sys.stderr.write(
            f"copper-mcp {__version__} ({where}) speaks MCP on stdin/stdout and is waiting for a host.\n"
            "Start it from Claude Desktop, Claude Code or another MCP host (see README); Ctrl-C quits.\n"
        )
    server.run()
