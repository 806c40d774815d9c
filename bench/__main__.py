"""copper-mcp benchmarks: every figure side by side, printed as a Markdown table and written to BENCHMARKS.md.

    .venv/bin/python bench/run.py            # full run (under a minute)
    .venv/bin/python bench/run.py --quick    # fewer runs, calls and creates (about 30 s)
    .venv/bin/python bench/run.py --only rate-limiter --output /tmp/rate.md

cold-start       the installed ``copper-mcp --sandbox`` over real stdio against a one-tool MCPServer
catalogue        bytes of the compact tools/list JSON
findable         how often a keyword search puts the right tool in its top three
per-call         ``get_person`` through an in-memory MCP client against the same GET made directly
transports       ``get_person`` over Streamable HTTP next to stdio, in-memory and the direct GET
http-throughput  calls per second with 10 concurrent HTTP sessions on one server process
rate-limiter     a concurrent burst against a sandbox whose clock runs 60 times faster
compact          bytes of every demo record in the compact form against Copper's raw form
unknown-creates  creates whose answer was lost: the share resolved, and wrong answers (none allowed)

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

from bench import (
    catalogue,
    cold_start,
    compact,
    findable,
    group_by,
    http_throughput,
    lean,
    per_call,
    rate_limiter,
    reference,
    transports,
    unknown_creates,
)
from bench.figure import REPO, Figure, Measure, Options, Row, markdown_table

FIGURES: dict[str, Measure] = {
    "cold-start": cold_start.measure,
    "catalogue": catalogue.measure,
    "findable": findable.measure,
    "per-call": per_call.measure,
    "transports": transports.measure,
    "http-throughput": http_throughput.measure,
    "rate-limiter": rate_limiter.measure,
    "compact": compact.measure,
    "lean": lean.measure,
    "reference": reference.measure,
    "group-by": group_by.measure,
    "unknown-creates": unknown_creates.measure,
}
"""Every figure, in table order: adding one is a module with a ``measure`` and a line here."""

OUTPUT = REPO / "BENCHMARKS.md"
RUN_SCRIPT = Path(__file__).resolve().parent / "run.py"
FULL = Options(runs=9, calls=500, remote_calls=300, warmup=50, session_calls=100, creates=1000, rate=60)
QUICK = Options(runs=3, calls=200, remote_calls=60, warmup=20, session_calls=20, creates=200, rate=60)


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
    met = {True: "yes", False: "**no**", None: "n/a"}
    return "\n".join(
        markdown_table(
            ["benchmark", "ours", "baseline/target", "ratio", "target", "met?"],
            ([r.benchmark, r.ours, r.baseline, r.ratio, r.target, met[r.met]] for r in rows),
        )
    )


async def measure_all(names: list[str], options: Options) -> list[Figure]:
    """Run the named figures one after another, in table order."""
    figures = []
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        figures.append(await FIGURES[name](options))
    return figures


def document(figures: list[Figure], started: datetime, took: float) -> str:
    """BENCHMARKS.md: how the run was made, the table, and how each figure was measured."""
    text = "\n".join(
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
        ]
    )
    return text.rstrip("\n") + "\n"  # one newline at the end, whether the last note ends with a table or not


def main() -> None:
    """Parse the arguments, measure, and write the document (or print it, for a partial run without --output)."""
    parser = argparse.ArgumentParser(
        prog="bench/run.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK.runs} cold-start runs, {QUICK.calls} calls, {QUICK.creates} creates... "
        f"instead of {FULL.runs}, {FULL.calls}, {FULL.creates}...",
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
