"""copper-mcp benchmarks: five figures side by side, printed as a Markdown table and written to BENCHMARKS.md.

    .venv/bin/python bench/run.py            # full run (under a minute)
    .venv/bin/python bench/run.py --quick    # fewer runs and calls (well under 40 s)
    .venv/bin/python bench/run.py --only rate-limiter --output /tmp/rate.md

1. Cold start: the installed ``copper-mcp --sandbox`` over real stdio against a one-tool MCPServer.
2. Catalogue size: bytes of the compact tools/list JSON.
3. Per-call overhead: ``get_person`` through an in-memory MCP client against the same GET made directly.
4. Rate limiter: a concurrent burst against a sandbox whose clock runs 60 times faster.
5. Compact records: bytes of every demo record in the compact form against Copper's raw form.

Every figure is measured on each run; nothing is hard-coded. Each is one module of this package.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import anyio

from bench import catalogue, cold_start, compact, findable, group_by, per_call, rate_limiter
from bench.figure import REPO, Figure, Measure, Options, Row

FIGURES: dict[str, Measure] = {
    "cold-start": cold_start.measure,
    "catalogue": catalogue.measure,
    "findable": findable.measure,
    "per-call": per_call.measure,
    "rate-limiter": rate_limiter.measure,
    "compact": compact.measure,
    "group-by": group_by.measure,
}
"""Every figure, in table order: adding one is a module with a ``measure`` and a line here."""

OUTPUT = REPO / "BENCHMARKS.md"
RUN_SCRIPT = Path(__file__).resolve().parent / "run.py"
FULL = Options(runs=9, calls=500, warmup=50, rate=60)
QUICK = Options(runs=3, calls=200, warmup=20, rate=60)


def command_line() -> str:
    """This run as ``bench/run.py`` with its arguments, relative to the repository when run from it."""
    exe = Path(sys.executable)
    if Path.cwd().resolve() == REPO:
        return shlex.join([os.path.relpath(exe), os.path.relpath(RUN_SCRIPT), *sys.argv[1:]])
    return shlex.join([str(exe), str(RUN_SCRIPT), *sys.argv[1:]])


def machine() -> str:
    """CPUs, OS, Python and the versions of the libraries that dominate the timings."""
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"`nproc` = {nproc} ({cpu}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"mcp {version('mcp')}, httpx2 {version('httpx2')}"
    )


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table."""
    lines = [
        "| benchmark | ours | baseline/target | ratio | target | met? |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {r.benchmark} | {r.ours} | {r.baseline} | {r.ratio} | {r.target} | {'yes' if r.met else '**no**'} |"
        for r in rows
    ]
    return "\n".join(lines)


async def measure_all(names: list[str], options: Options) -> list[Figure]:
    """Run the named figures one after another, in table order."""
    figures = []
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        figures.append(await FIGURES[name](options))
    return figures


def document(figures: list[Figure], started: datetime, took: float) -> str:
    """BENCHMARKS.md: how the run was made, the table, and how each figure was measured."""
    return "\n".join(
        [
            "# Benchmarks",
            "",
            "Written by `bench/run.py`; every figure below is measured by that run, none is typed in.",
            "",
            f"- Command: `{command_line()}` (from the repository root)",
            f"- Date: {started:%Y-%m-%d %H:%M} UTC; the run took {took:.1f} s",
            f"- Machine: {machine()}",
            "",
            table([f.row for f in figures]),
            "",
            "How each figure is measured:",
            "",
            *(line for f in figures for line in f.notes),
            "",
        ]
    )


def main() -> None:
    """Parse the arguments, measure, and write the document (or print it, for a partial run without --output)."""
    parser = argparse.ArgumentParser(
        prog="bench/run.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK.runs} cold-start runs and {QUICK.calls} calls instead of {FULL.runs} and {FULL.calls}",
    )
    parser.add_argument(
        "--rate", type=int, default=FULL.rate, help=f"R, the scaled per-minute limit (default {FULL.rate})"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=list(FIGURES),
        help="measure only this figure (repeatable); the document is then written only with --output",
    )
    parser.add_argument("--output", type=Path, help=f"where to write (default {OUTPUT.name} for a full run)")
    args = parser.parse_args()
    options = replace(QUICK if args.quick else FULL, rate=args.rate)
    names = [name for name in FIGURES if not args.only or name in args.only]
    # A partial table must not replace the full one by accident.
    output: Path | None = args.output or (None if args.only else OUTPUT)
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    figures = anyio.run(measure_all, names, options)
    doc = document(figures, started, time.perf_counter() - t0)
    if output is None:
        print(doc)
        return
    print(table([f.row for f in figures]))
    output.write_text(doc)
    print(f"wrote {output}", file=sys.stderr)


if __name__ == "__main__":
    main()
