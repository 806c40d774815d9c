"""The one way the generators (gen_catalog, gen_readme, gen_tools_snapshot, gen_manifest) write a
file or, with --check, only report whether it is current."""

from __future__ import annotations

import sys
from pathlib import Path


def write_or_check(path: Path, fresh: str, generator: str) -> int:
    """Write ``fresh`` to ``path``, or with --check on the command line exit status 1 if they differ.

    ``generator`` is the script to run when the file is stale, named in the message.
    """
    if "--check" in sys.argv:
        if not path.exists() or path.read_text(encoding="utf-8") != fresh:
            print(f"{path.name} is stale: run python scripts/{generator}", file=sys.stderr)
            return 1
        return 0
    path.write_text(fresh, encoding="utf-8")
    return 0
