"""Cold start: the installed ``copper-mcp --sandbox`` over real stdio against a one-tool MCPServer
(``bench/floor_server.py``) spawned the same way."""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from mcp import Client, StdioServerParameters

from bench.figure import Figure, Options, Row, ms
from copper_mcp.sandbox import SandboxConfig, create_app

FLOOR_SERVER = Path(__file__).resolve().parent / "floor_server.py"
TARGET = 1.15


async def spawn_once(params: StdioServerParameters) -> tuple[float, float]:
    """Seconds from spawn to tools/list answered, and from spawn to the process gone."""
    start = time.perf_counter()
    async with Client(params, mode="legacy") as client:
        tools = await client.list_tools()
        listed = time.perf_counter()
    done = time.perf_counter()
    if not tools.tools:
        raise RuntimeError(f"{params.command} listed no tools")
    return listed - start, done - start


async def measure(options: Options) -> Figure:
    """Spawn both servers ``options.runs`` times each, interleaved, and compare median wall times."""
    exe = shutil.which("copper-mcp", path=str(Path(sys.executable).parent))
    if exe is None:
        raise SystemExit("copper-mcp is not installed in this virtual environment: pip install -e .")
    with tempfile.TemporaryDirectory(prefix="copper-bench-") as tmp:
        db = str(Path(tmp) / "sandbox.sqlite3")
        # Demo data goes in once, here, so no timed run pays for creating it.
        create_app(SandboxConfig(db_path=db)).state.sandbox.store.close()
        env = {"HOME": tmp}
        if os.environ.get("PYTHONPATH"):  # children import what this process imports
            env["PYTHONPATH"] = os.environ["PYTHONPATH"]
        ours = StdioServerParameters(command=exe, args=["--sandbox", "--sandbox-db", db], env=env)
        floor = StdioServerParameters(command=sys.executable, args=[str(FLOOR_SERVER)], env=env)
        # One untimed spawn of each warms the OS file cache and the bytecode caches.
        await spawn_once(ours)
        await spawn_once(floor)
        times: dict[str, list[tuple[float, float]]] = {"ours": [], "floor": []}
        for _ in range(options.runs):  # interleaved, so drift in machine load hits both alike
            times["ours"].append(await spawn_once(ours))
            times["floor"].append(await spawn_once(floor))
    med = {k: statistics.median(t[1] for t in v) for k, v in times.items()}
    ready = {k: statistics.median(t[0] for t in v) for k, v in times.items()}
    ratio = med["ours"] / med["floor"]
    paired = statistics.median(o[1] / f[1] for o, f in zip(times["ours"], times["floor"], strict=True))
    spread = {k: (min(t[1] for t in v), max(t[1] for t in v)) for k, v in times.items()}
    row = Row(
        f"cold start: spawn, initialize, tools/list, exit (median of {options.runs})",
        ms(med["ours"]),
        f"{ms(med['floor'])} (one-tool MCPServer)",
        f"{ratio:.2f}x",
        f"<= {TARGET:.2f}x",
        ratio <= TARGET,
    )
    note = (
        f"- **Cold start**: `{Path(exe)} --sandbox --sandbox-db <file>` "
        "(the installed console script; the sandbox file is filled with demo data once, before timing) and "
        f"`{Path(sys.executable).name} bench/floor_server.py` (an `MCPServer` with one trivial tool), each "
        'spawned by `mcp.Client(StdioServerParameters(...), mode="legacy")`: `initialize`, `tools/list`, '
        "then the client closes stdin and waits for the process to exit. Wall time from spawn to exit; "
        f"{options.runs} runs each, interleaved, after one untimed warm-up spawn of each. Median time to the "
        f"tools/list answer alone: ours {ms(ready['ours'])}, floor {ms(ready['floor'])}. Range of "
        f"the runs: ours {ms(spread['ours'][0])}-{ms(spread['ours'][1])}, floor "
        f"{ms(spread['floor'][0])}-{ms(spread['floor'][1])}; median of the per-pair ratios {paired:.2f}x."
    )
    return Figure(row, [note])
