"""README.md stays true: its catalogue matches the registry and its commands exist."""

from __future__ import annotations

import re
from pathlib import Path

from copper_mcp.catalog import load_catalog
from scripts.gen_readme import updated_readme

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _block(marker: str) -> str:
    match = re.search(rf"<!-- {marker} -->\n```sh\n(.+?)\n```\n<!-- /{marker} -->", README, re.S)
    assert match, f"README has no {marker} block"
    return match.group(1)


def test_tool_catalogue_is_current() -> None:
    assert updated_readme(README, load_catalog()) == README


def test_every_tool_is_in_the_readme() -> None:
    missing = [op.name for op in load_catalog().operations if f"`{op.name}`" not in README]
    assert missing == []


def test_quick_start_has_one_run_and_one_test_command() -> None:
    assert _block("run-command").endswith("copper-mcp --sandbox")
    assert _block("test-command").endswith(".venv/bin/pytest")


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "test-command" in ci and "bash -euo pipefail -c" in ci


def test_every_environment_variable_read_by_the_cli_is_documented() -> None:
    cli = (ROOT / "copper_mcp" / "cli.py").read_text(encoding="utf-8")
    variables = set(re.findall(r'env\.get\("(COPPER_[A-Z_]+)"', cli))
    assert variables
    assert sorted(v for v in variables if f"`{v}`" not in README) == []
