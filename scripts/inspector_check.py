"""Run the MCP Inspector's schema-portability check on our tools/list: 0 errors and 0 warnings.

Usage: python scripts/inspector_check.py
The Inspector (npm @modelcontextprotocol/inspector) starts the installed ``copper-mcp
--sandbox`` over stdio and judges every tool's input schema. It is installed once under
``.cache/inspector``. Without npm the check is skipped with a printed reason (exit 0).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION = "2.12.0"
PREFIX = ROOT / ".cache" / "inspector"
INSPECTOR = PREFIX / "node_modules" / ".bin" / "mcp-inspector"


def _install() -> None:
    if INSPECTOR.exists():
        return
    PREFIX.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["npm", "install", "--prefix", str(PREFIX), "--no-audit", "--no-fund", "--loglevel=error",
         f"@modelcontextprotocol/inspector@{VERSION}"],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip


def main() -> int:
    """Check the schemas; 0 when the Inspector finds nothing (or cannot run here), 1 otherwise."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        print("inspector check skipped: npm and node are not installed")
        return 0
    server = shutil.which("copper-mcp", path=str(Path(sys.executable).parent))
    if server is None:
        print("inspector check failed: copper-mcp is not installed in this environment", file=sys.stderr)
        return 1
    _install()
    with tempfile.TemporaryDirectory() as scratch:
        done = subprocess.run(
            [str(INSPECTOR), "--cli", server, "--sandbox", "--sandbox-db", str(Path(scratch) / "s.sqlite3"),
             "--method", "tools/list", "--strict", "--format", "json"],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
    # After an error the CLI may print a second document; the first is the answer.
    answer, _ = json.JSONDecoder().raw_decode(done.stdout.strip())
    tools = answer.get("result", {}).get("tools", [])
    findings = [(item["toolName"], f) for item in answer.get("schemaFindings", []) for f in item["findings"]]
    errors = [f for _, f in findings if f.get("severity") == "error"]
    print(f"MCP Inspector {VERSION} --strict: {len(tools)} tools, {len(errors)} errors, "
          f"{len(findings) - len(errors)} warnings")  # fmt: skip
    for tool, finding in findings:
        print(f"  {finding.get('severity')}: {tool} {finding.get('path')}: {finding.get('rule')}")
    return 0 if tools and not findings else 1


if __name__ == "__main__":
    sys.exit(main())
