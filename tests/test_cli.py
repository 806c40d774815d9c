"""The command line, run as a user runs it: the installed console script, real processes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from mcp import Client, StdioServerParameters

from copper_mcp.catalog import load_catalog

EXE = shutil.which("copper-mcp", path=str(Path(sys.executable).parent)) or "copper-mcp"


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [EXE, *args], capture_output=True, text=True, env={**base, **(env or {})}, stdin=subprocess.DEVNULL,
        timeout=120,
    )


def test_missing_credentials_exit_2_naming_both_variables() -> None:
    done = _run()
    assert done.returncode == 2
    assert "COPPER_API_KEY" in done.stderr and "COPPER_USER_EMAIL" in done.stderr and "--sandbox" in done.stderr
    assert done.stdout == ""


def test_tools_lists_one_line_per_tool_and_respects_filters() -> None:
    everything = _run("tools", "--sandbox").stdout.splitlines()
    assert len(everything) == len(load_catalog().operations)
    assert any(line.startswith("create_person ") for line in everything)
    read_only = _run("--read-only", "tools", "--sandbox").stdout.splitlines()
    assert read_only and all(" read " in line for line in read_only)
    people = _run("tools", "--sandbox", "--toolsets", "people").stdout.splitlines()
    assert {line.split()[2] for line in people} == {"people"}


def test_unknown_toolset_is_a_usage_error() -> None:
    done = _run("tools", "--sandbox", "--toolsets", "peeple")
    assert done.returncode == 2 and "peeple" in done.stderr and "people" in done.stderr


def test_call_prints_the_result_and_exits_non_zero_on_error(tmp_path: Path) -> None:
    db = str(tmp_path / "sandbox.sqlite3")
    ok = _run("call", "search_people", '{"page_size": 2}', "--sandbox", "--sandbox-db", db)
    assert ok.returncode == 0, ok.stderr
    page = json.loads(ok.stdout)
    assert len(page["records"]) == 2 and page["has_more"] is True
    bad = _run("call", "get_person", '{"id": 1}', "--sandbox", "--sandbox-db", db)
    assert bad.returncode == 1 and "No such record" in bad.stdout
    junk = _run("call", "get_person", "{not json", "--sandbox", "--sandbox-db", db)
    assert junk.returncode == 2 and "JSON" in junk.stderr


def test_sandbox_data_survives_a_restart_and_fresh_resets_it(tmp_path: Path) -> None:
    db = str(tmp_path / "sandbox.sqlite3")
    created = _run("call", "create_project", '{"name": "Kept across restarts"}', "--sandbox", "--sandbox-db", db)
    project = json.loads(created.stdout)
    again = _run("call", "get_project", json.dumps({"id": project["id"]}), "--sandbox", "--sandbox-db", db)
    assert json.loads(again.stdout)["name"] == "Kept across restarts"
    fresh = _run("call", "get_project", json.dumps({"id": project["id"]}), "--sandbox", "--sandbox-db", db, "--fresh")
    assert fresh.returncode == 1


async def test_installed_server_over_real_stdio(tmp_path: Path) -> None:
    params = StdioServerParameters(
        command=EXE, args=["--sandbox", "--sandbox-db", str(tmp_path / "s.sqlite3")], env={"HOME": str(tmp_path)}
    )
    async with Client(params) as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        assert {"search_people", "convert_lead", "create_webhook"} <= tools
        page = await client.call_tool("search_opportunities", {"statuses": ["Open"], "page_size": 5})
        assert page.is_error is False
        assert page.structured_content is not None
        assert all(r["status"] == "Open" for r in page.structured_content["records"])
        missing = await client.call_tool("get_company", {"id": 1})
        assert missing.is_error and "No such record" in missing.content[0].text  # type: ignore[union-attr]


async def test_read_only_and_toolsets_over_real_stdio(tmp_path: Path) -> None:
    params = StdioServerParameters(
        command=EXE,
        args=["--sandbox", "--sandbox-db", str(tmp_path / "s.sqlite3")],
        env={"HOME": str(tmp_path), "COPPER_MCP_READ_ONLY": "true", "COPPER_MCP_TOOLSETS": "people,tasks"},
    )
    async with Client(params) as client:
        tools = (await client.list_tools()).tools
        assert tools and all(t.annotations and t.annotations.read_only_hint for t in tools)
        assert {t.name.split("_", 1)[1] for t in tools if t.name.startswith("search_")} == {"people", "tasks"}
        refused = await client.call_tool("create_person", {"name": "Nope"})
        assert refused.is_error
        hidden = await client.call_tool("search_companies", {})
        assert hidden.is_error


def test_tools_ends_quietly_when_the_reader_stops_early(tmp_path: Path) -> None:
    """``copper-mcp tools | head``: the pipe closes before everything is written; no traceback."""
    base = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    done = subprocess.Popen(
        [EXE, "tools", "--sandbox", "--sandbox-db", str(tmp_path / "s.sqlite3")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=base,
    )  # fmt: skip
    assert done.stdout is not None and done.stderr is not None
    done.stdout.close()  # what head does after its lines
    errors = done.stderr.read()
    assert done.wait(timeout=120) == 0
    assert errors == b""
