"""The MCP server on its own sandbox, every rate limit raised, served from a child process.

    python -m bench.serve_child stdio   # MCP over stdio
    python -m bench.serve_child http    # MCP over Streamable HTTP on a free port of 127.0.0.1

Built as ``copper-mcp --sandbox`` builds it (``build_server``, and ``copper_mcp.mcp.http.serve``
over HTTP), on ``tests/conftest.py``'s sandbox client, with the limits raised so the transport
figures measure transports, not the limiter. The HTTP child is one process with one Copper client
and one rate limiter shared by every session, and logs its URL on stderr as ``copper-mcp`` does.

``stdio_child`` and ``http_child`` start it from the benchmark's side.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from mcp import StdioServerParameters

from bench.figure import REPO, UNLIMITED_CLIENT, UNLIMITED_SANDBOX
from copper_mcp.mcp.http import HttpOptions, serve
from tests.conftest import sandbox_client, sandbox_settings, shaped_server
from tests.test_cli_http import Running, launched

MODULE = "bench.serve_child"
TRANSPORTS = ("stdio", "http")


def stdio_child() -> StdioServerParameters:
    """How an MCP client spawns the child that serves over stdio."""
    return StdioServerParameters(command=sys.executable, args=["-m", MODULE, "stdio"], cwd=REPO)


@contextmanager
def http_child() -> Iterator[Running]:
    """A child serving over HTTP, once it logged its URL (``.url``; ``.process.pid``); stopped by SIGTERM.

    Raises:
        RuntimeError: The child did not exit cleanly on SIGTERM.
    """
    with launched([], dict(os.environ), command=[sys.executable, "-m", MODULE, "http"]) as child:
        yield child
        status = child.stop(signal.SIGTERM)
        if status != 0:
            raise RuntimeError(f"the HTTP child exited with {status} on SIGTERM: {child.stderr()}")


def main(transport: str) -> int:
    """Serve over ``transport`` until the parent closes stdin (stdio) or sends SIGTERM (HTTP)."""
    if transport == "stdio":
        shaped_server(config=UNLIMITED_SANDBOX, limits=UNLIMITED_CLIENT).run()
        return 0
    client = sandbox_client(UNLIMITED_SANDBOX, limits=UNLIMITED_CLIENT)
    return serve(sandbox_settings(), client, HttpOptions(port=0), where="the benchmark's sandbox")


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in TRANSPORTS:
        sys.exit(f"usage: python -m {MODULE} {{{','.join(TRANSPORTS)}}}")
    sys.exit(main(sys.argv[1]))
