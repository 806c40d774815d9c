"""Fuzz the sandbox longer than CI does, for release checks.

Usage: python scripts/fuzz_sandbox.py [--examples N] [--seed S] [--operation NAME ...]

Sends N generated requests (default 500) to each operation of copper_mcp/spec/copper-api.yml,
each operation against a fresh in-process sandbox, and reports every operation that got a
5xx or an answer outside Copper's error envelope, with the smallest request Hypothesis
found. Without --seed the run is derandomized (the same requests as the last run of the
same N); with it, another stream of requests. Exits 1 when anything failed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

# The harness lives with the tests (tests/sandbox/fuzzing.py), which import from the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.sandbox.fuzzing import fuzz, operations  # noqa: E402


def main() -> int:
    """Fuzz the chosen operations; print a line per operation and the failures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=500, help="requests per operation (default 500)")
    parser.add_argument("--seed", type=int, default=None, help="draw another stream of requests")
    parser.add_argument("--operation", action="append", default=[], help="operationId to fuzz (repeatable)")
    args = parser.parse_args()
    chosen = [op for op in operations() if not args.operation or op.name in args.operation]
    if not chosen:
        parser.error(f"no operation named {', '.join(args.operation)}")
    failures: list[str] = []
    started = time.monotonic()
    for operation in chosen:
        began = time.monotonic()
        try:
            fuzz(operation, args.examples, args.seed)
        except Exception as error:  # report every operation's failure, not just the first
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            failures.append(f"{operation.name}: {first_line}")
            print(f"FAIL {operation.name} ({time.monotonic() - began:.1f} s)", flush=True)
        else:
            print(f"ok   {operation.name} ({time.monotonic() - began:.1f} s)", flush=True)
    print(f"\n{len(chosen)} operations x {args.examples} requests in {time.monotonic() - started:.0f} s")
    for failure in failures:
        print(failure)
    print(f"{len(chosen) - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
