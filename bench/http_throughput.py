"""HTTP throughput: calls per second with many concurrent Streamable HTTP sessions on one server process.

The server runs in a child process (``bench/serve_child.py``) on its own sandbox, every rate limit
raised; its CPU time comes from /proc, so it is reported where Linux keeps it.
"""

from __future__ import annotations

import os
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import anyio
from mcp import Client
from mcp.client.client import ConnectMode

from bench.figure import Figure, Options, Row, first_person, markdown_table, ms
from bench.serve_child import MODULE, http_child

TOOL = "get_person"
SESSIONS = 10
"""Concurrent sessions of the main run."""
WARMUP_SESSIONS, WARMUP_CALLS = 2, 10
"""An untimed run first: imports, caches and first connections are paid for before timing."""
PROTOCOLS = {"auto": "2026-07-28", "legacy": "2025-11-25 sessions"}


def cpu_seconds(pid: int) -> float | None:
    """CPU seconds process ``pid`` has used so far (user + system, from Linux's /proc), or None where unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Run:
    """What ``sessions`` sessions calling at once achieved."""

    sessions: int
    mode: ConnectMode
    calls: int
    seconds: float
    server_cpu: float | None
    client_cpu: float

    @property
    def rate(self) -> float:
        """Calls per second."""
        return self.calls / self.seconds

    def per_call(self, cpu: float | None) -> str:
        """CPU seconds per call, shown; n/a where unknown."""
        return "n/a" if cpu is None else ms(cpu / self.calls)


async def run(url: str, pid: int, sessions: int, calls_each: int, mode: ConnectMode) -> Run:
    """Open ``sessions`` sessions first, then let them all call ``get_person`` at once, ``calls_each`` each."""
    async with AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(Client(url, mode=mode)) for _ in range(sessions)]
        person_id = await first_person(clients[0])

        async def session(client: Client) -> None:
            for _ in range(calls_each):
                result = await client.call_tool(TOOL, {"id": person_id})
                if result.is_error:
                    raise RuntimeError(f"{TOOL} failed: {result.content}")

        t0, client0, server0 = time.perf_counter(), time.process_time(), cpu_seconds(pid)
        async with anyio.create_task_group() as tasks:
            for client in clients:
                tasks.start_soon(session, client)
        seconds, client_cpu, server1 = time.perf_counter() - t0, time.process_time() - client0, cpu_seconds(pid)
    server_cpu = None if server0 is None or server1 is None else server1 - server0
    return Run(sessions, mode, sessions * calls_each, seconds, server_cpu, client_cpu)


async def measure(options: Options) -> Figure:
    """One session, then SESSIONS at once over each protocol, ``options.session_calls`` calls each."""
    calls = options.session_calls
    with http_child() as child:
        pid = child.process.pid
        await run(child.url, pid, WARMUP_SESSIONS, WARMUP_CALLS, "auto")
        single = await run(child.url, pid, 1, calls, "auto")
        runs = [single, *[await run(child.url, pid, SESSIONS, calls, mode) for mode in PROTOCOLS]]
    many = runs[1]
    row = Row(
        f"HTTP throughput: {SESSIONS} concurrent sessions calling `{TOOL}` ({many.calls} calls)",
        f"{many.rate:.0f} calls/s (server CPU {many.per_call(many.server_cpu)} per call)",
        f"1 session: {single.rate:.0f} calls/s",
        f"{many.rate / single.rate:.2f}x",
        "none set",
        None,
    )
    table = markdown_table(
        ["sessions", "protocol", "calls", "wall time", "calls/s", "server CPU per call", "client CPU per call"],
        (
            [r.sessions, PROTOCOLS[r.mode], r.calls, f"{r.seconds:.2f} s", f"{r.rate:.0f}",
             r.per_call(r.server_cpu), r.per_call(r.client_cpu)]
            for r in runs
        ),
        indent="  ",
    )  # fmt: skip
    notes = [
        f"- **HTTP throughput**: one server process (`python -m {MODULE} http`: `copper_mcp.mcp.http.serve` "
        "as `copper-mcp --sandbox --transport http` runs it, one Copper client and one rate limiter shared by "
        "every session, every limit raised) on its own sandbox. Each run opens its sessions first, then all "
        f"call `{TOOL}` on one person at once, {calls} calls each; calls per second = calls / wall time from the "
        f"first call to the last answer, after an untimed run of {WARMUP_SESSIONS} sessions x {WARMUP_CALLS} "
        "calls. Client and server are separate processes sharing the machine's cores; CPU per call is each "
        "process's CPU time over the run (the server's from /proc) divided by the calls. The ratio is "
        f"{SESSIONS} sessions against one; no target is set for it.",
        "",
        *table,
        "",
    ]
    return Figure(row, notes)
