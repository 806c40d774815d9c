"""The HTTP transport's cost: per-call overhead over Streamable HTTP next to stdio and in-memory, and
calls per second with many concurrent HTTP sessions, against the sandbox with its limits raised.

    .venv/bin/python bench/http_transport.py            # print the section (about a minute)
    .venv/bin/python bench/http_transport.py --write    # also put it in BENCHMARKS.md
    .venv/bin/python bench/http_transport.py --quick    # fewer calls

Not ``bench/http.py``: run as a script, bench/ comes first on sys.path and that name would hide
the standard library's ``http`` from every library the benchmark imports.

Servers over stdio and HTTP run in child processes started from this file (``--serve stdio`` or
``--serve http``), built like ``copper-mcp --sandbox`` but with the rate limits raised, so the
figures measure the transports, not the limiter. Every figure is measured on each run.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters
from run import API_KEY, OUTPUT, SANDBOX_URL, UNLIMITED, USER_EMAIL, command_line, machine, ms, sandbox_client

from copper_mcp.client import RateLimits
from copper_mcp.core.settings import Settings
from copper_mcp.mcp import build_server
from copper_mcp.mcp.http import HttpOptions, serve
from copper_mcp.sandbox import SandboxConfig

START, END = "<!-- http-transport:start -->", "<!-- http-transport:end -->"
SETTINGS = Settings(api_key=API_KEY, user_email=USER_EMAIL, base_url=SANDBOX_URL)
UNLIMITED_SANDBOX = SandboxConfig(requests_per_minute=UNLIMITED, bulk_requests_per_second=UNLIMITED)
UNLIMITED_CLIENT = RateLimits(per_minute=UNLIMITED, bulk_per_second=UNLIMITED)
TOOL, SEARCH = "get_person", "search_people"


def unlimited_server() -> Any:
    """The MCP server on a fresh in-process sandbox, neither side rate limiting."""
    return build_server(SETTINGS, sandbox_client(UNLIMITED_SANDBOX, UNLIMITED_CLIENT))


def serve_child(transport: str) -> None:
    """Child mode: serve ``unlimited_server`` over stdio, or over HTTP on a free port."""
    if transport == "stdio":
        unlimited_server().run()
        return
    client = sandbox_client(UNLIMITED_SANDBOX, UNLIMITED_CLIENT)
    sys.exit(serve(SETTINGS, client, HttpOptions(port=0), where="the benchmark's sandbox"))


@dataclass
class Child:
    url: str
    pid: int

    def cpu(self) -> float | None:
        """CPU seconds the child has used so far (Linux /proc), or None where unknown."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


@asynccontextmanager
async def http_child() -> AsyncIterator[Child]:
    """A child serving over HTTP; yields its URL and pid, then stops it with SIGTERM."""
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", "http"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True, env=child_env(),
    )
    assert process.stderr is not None
    url = ""
    for line in process.stderr:  # ends when the child exits, so a failed start cannot hang here
        if found := re.search(r"serving MCP at (http://\S+/mcp)", line):
            url = found.group(1)
            break
    if not url:
        raise RuntimeError(f"the HTTP child exited with {process.wait()} before serving")
    # Keep reading, so the child never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in process.stderr or ()], daemon=True).start()
    try:
        yield Child(url, process.pid)
    finally:
        process.terminate()
        await anyio.to_thread.run_sync(process.wait)


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1"}


@dataclass
class Timed:
    name: str
    seconds: list[float]

    @property
    def mean(self) -> float:
        return statistics.mean(self.seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


async def person_id(client: Client) -> int:
    found = await client.call_tool(SEARCH, {"page_size": 1})
    if found.is_error or not found.structured_content:
        raise RuntimeError(f"{SEARCH} failed: {found.content}")
    return int(found.structured_content["records"][0]["id"])


async def per_call(calls: int, warmup: int) -> list[Timed]:
    """``get_person`` through each transport in turn, ``calls`` times each after ``warmup``."""
    async with AsyncExitStack() as stack:
        url = (await stack.enter_async_context(http_child())).url
        stdio = StdioServerParameters(command=sys.executable, args=[__file__, "--serve", "stdio"], env=child_env())
        clients = {
            "in-memory `Client(server)`": Client(unlimited_server()),
            "stdio (child process)": Client(stdio),
            "Streamable HTTP, 2026-07-28 (`Client(url)`)": Client(url),
            "Streamable HTTP, 2025-11-25 session (`mode=\"legacy\"`)": Client(url, mode="legacy"),
        }
        for client in clients.values():
            await stack.enter_async_context(client)
        direct = await stack.enter_async_context(sandbox_client(UNLIMITED_SANDBOX, UNLIMITED_CLIENT))
        ids = {name: await person_id(client) for name, client in clients.items()}

        def via(name: str, client: Client) -> Callable[[], Awaitable[None]]:
            async def call() -> None:
                result = await client.call_tool(TOOL, {"id": ids[name]})
                if result.is_error:
                    raise RuntimeError(f"{TOOL} failed over {name}: {result.content}")

            return call

        async def direct_request() -> None:
            await direct.request("GET", f"/people/{ids['in-memory `Client(server)`']}")

        steps = {name: via(name, client) for name, client in clients.items()}
        steps["direct `CopperClient.request` (no MCP)"] = direct_request
        times: dict[str, list[float]] = {name: [] for name in steps}
        for _ in range(warmup):
            for step in steps.values():
                await step()
        for _ in range(calls):  # in turn, so drift in machine load hits every path alike
            for name, step in steps.items():
                t0 = time.perf_counter()
                await step()
                times[name].append(time.perf_counter() - t0)
    return [Timed(name, seconds) for name, seconds in times.items()]


@dataclass
class Throughput:
    sessions: int
    mode: str
    calls: int
    seconds: float
    server_cpu: float | None
    client_cpu: float

    @property
    def rate(self) -> float:
        return self.calls / self.seconds


async def throughput(child: Child, sessions: int, calls_each: int, mode: Any) -> Throughput:
    """``sessions`` sessions opened first, then all calling ``get_person`` at once, ``calls_each`` each."""
    async with AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(Client(child.url, mode=mode)) for _ in range(sessions)]
        target = await person_id(clients[0])

        async def session(client: Client) -> None:
            for _ in range(calls_each):
                result = await client.call_tool(TOOL, {"id": target})
                if result.is_error:
                    raise RuntimeError(f"{TOOL} failed: {result.content}")

        t0, cpu0, server0 = time.perf_counter(), time.process_time(), child.cpu()
        async with anyio.create_task_group() as tasks:
            for client in clients:
                tasks.start_soon(session, client)
        elapsed, client_cpu, server1 = time.perf_counter() - t0, time.process_time() - cpu0, child.cpu()
    server_cpu = server1 - server0 if server0 is not None and server1 is not None else None
    return Throughput(sessions, mode, sessions * calls_each, elapsed, server_cpu, client_cpu)


async def throughputs(sessions: int, calls_each: int) -> list[Throughput]:
    async with http_child() as child:
        await throughput(child, 2, 10, "auto")  # warm-up: imports, caches, first connections
        return [
            await throughput(child, 1, calls_each, "auto"),
            await throughput(child, sessions, calls_each, "auto"),
            await throughput(child, sessions, calls_each, "legacy"),
        ]


def section(timed: list[Timed], rates: list[Throughput], args: argparse.Namespace, took: float) -> str:
    memory = timed[0]
    lines = [
        START,
        "## HTTP transport",
        "",
        f"Written by `bench/http_transport.py` ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {took:.1f} s): "
        f"`{command_line()}`. Machine: {machine()}.",
        "",
        f"Per call: `{TOOL}` on one person, {args.calls} timed calls of each path in turn after {args.warmup} "
        "warm-up calls each; every server on its own in-process sandbox with demo data and the rate limits "
        "raised on both sides (it measures the transports, not the limiter).",
        "",
        "| path | mean | median | over in-memory (mean) |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {t.name} | {ms(t.mean)} | {ms(t.median)} | {ms(t.mean - memory.mean)} |" for t in timed]
    lines += [
        "",
        f"Throughput over Streamable HTTP: sessions opened first, then all calling `{TOOL}` at once, "
        f"{args.per_session} calls each; calls per second = calls / wall time from the first call to the last "
        "answer. Client and server are separate processes sharing the machine's cores; CPU per call is "
        "each process's CPU time over the run (the server's from /proc) divided by the calls.",
        "",
        "| sessions | protocol | calls | wall time | calls/s | server CPU per call | client CPU per call |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {r.sessions} | {'2025-11-25 sessions' if r.mode == 'legacy' else '2026-07-28'} | {r.calls} | "
        f"{r.seconds:.2f} s | {r.rate:.0f} | "
        f"{'n/a' if r.server_cpu is None else ms(r.server_cpu / r.calls)} | {ms(r.client_cpu / r.calls)} |"
        for r in rates
    ]
    lines += [
        "",
        "The stdio and HTTP servers are child processes started from `bench/http_transport.py` (`--serve stdio`, "
        "`--serve http`: `build_server` and `copper_mcp.mcp.http.serve` as `copper-mcp --sandbox` uses them, "
        "limits raised). The HTTP child is one process with one Copper client and one rate limiter shared by "
        "every session.",
        END,
    ]
    return "\n".join(lines)


def write(text: str) -> None:
    """Put the section in BENCHMARKS.md, replacing the previous one."""
    current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else "# Benchmarks\n"
    if START in current:
        head, rest = current.split(START, 1)
        current = head.rstrip("\n") + "\n\n" + text + rest.split(END, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + text + "\n"
    OUTPUT.write_text(current, encoding="utf-8")


async def main_async(args: argparse.Namespace) -> str:
    t0 = time.perf_counter()
    print("per-call ...", file=sys.stderr, flush=True)
    timed = await per_call(args.calls, args.warmup)
    print("throughput ...", file=sys.stderr, flush=True)
    rates = await throughputs(args.sessions, args.per_session)
    return section(timed, rates, args, time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description="HTTP transport benchmarks")
    parser.add_argument("--serve", choices=["stdio", "http"], help=argparse.SUPPRESS)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--per-session", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="fewer calls")
    parser.add_argument("--write", action="store_true", help=f"put the section in {Path(OUTPUT).name}")
    args = parser.parse_args()
    if args.serve:
        serve_child(args.serve)
        return
    if args.quick:
        args.calls, args.warmup, args.per_session = 60, 10, 20
    text = anyio.run(main_async, args)
    print(text)
    if args.write:
        write(text)


if __name__ == "__main__":
    main()
