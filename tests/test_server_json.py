"""server.json follows the MCP Registry's 2025-12-11 schema (vendored) and moves in step with the package."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mcp import Client

from copper_mcp import __version__
from copper_mcp.cli import default_sandbox_db
from scripts.release_check import REGISTRY_SCHEMA, registry_problems, version_problems

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_URL = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"


def _server_json() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "server.json").read_text())
    return data


def test_server_json_names_the_vendored_registry_schema() -> None:
    schema = json.loads(REGISTRY_SCHEMA.read_text(encoding="utf-8"))
    assert _server_json()["$schema"] == schema["$id"] == SCHEMA_URL


def test_server_json_follows_the_registry_schema() -> None:
    assert registry_problems(_server_json()) == []


def test_the_schema_rejects_what_the_registry_rejects() -> None:
    data = _server_json()
    package = {**data["packages"][0], "version": "latest"}
    bad = {**data, "name": "no-slash", "description": "x" * 101, "packages": [package]}
    fields = {problem.split(":", 1)[0] for problem in registry_problems(bad)}
    assert fields == {"name", "description", "packages/0/version"}


def test_versions_move_in_lock_step() -> None:
    manifest = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert version_problems(__version__, _server_json(), manifest, changelog) == []


def test_package_is_the_uvx_stdio_console_script() -> None:
    (package,) = _server_json()["packages"]
    assert (package["identifier"], package["runtimeHint"], package["transport"]) == (
        "copper-mcp", "uvx", {"type": "stdio"}
    )
    secrets = {v["name"] for v in package["environmentVariables"] if v.get("isSecret")}
    required = {v["name"] for v in package["environmentVariables"] if v.get("isRequired")}
    assert secrets == {"COPPER_API_KEY"}
    assert required == {"COPPER_API_KEY", "COPPER_USER_EMAIL"}


async def test_server_reports_the_same_version(sandbox_server: Any) -> None:
    async with Client(sandbox_server(), mode="legacy") as client:
        assert client.server_info is not None
        assert client.server_info.version == __version__


def test_default_sandbox_db_follows_xdg() -> None:
    assert default_sandbox_db({"XDG_DATA_HOME": "/data"}).parts[-3:] == ("data", "copper-mcp", "sandbox.sqlite3")
