"""server.json follows the MCP Registry's 2025-12-11 schema and moves in step with the package."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from mcp import Client

from copper_mcp import __version__
from copper_mcp.cli import default_sandbox_db

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_URL = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"

_INPUT = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "description": {"type": "string"},
        "isRequired": {"type": "boolean"},
        "isSecret": {"type": "boolean"},
        "format": {"enum": ["string", "number", "boolean", "filepath"]},
        "default": {"type": "string"},
        "placeholder": {"type": "string"},
        "value": {"type": "string"},
        "choices": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": False,
}

# A structural transcription of the registry schema's rules (the published file cannot be
# fetched here): required fields, name pattern, length limits, exact versions, package shape.
REGISTRY_RULES: dict[str, Any] = {
    "type": "object",
    "required": ["name", "description", "version"],
    "properties": {
        "$schema": {"const": SCHEMA_URL},
        "name": {"type": "string", "pattern": r"^[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+$", "minLength": 3, "maxLength": 200},
        "title": {"type": "string", "minLength": 1, "maxLength": 100},
        "description": {"type": "string", "minLength": 1, "maxLength": 100},
        "version": {"type": "string", "maxLength": 255, "not": {"enum": ["latest"]}, "pattern": r"^[0-9]"},
        "websiteUrl": {"type": "string", "pattern": "^https://"},
        "repository": {
            "type": "object",
            "required": ["url", "source"],
            "properties": {"url": {"type": "string"}, "source": {"type": "string"}},
        },
        "packages": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["registryType", "identifier", "version", "transport"],
                "properties": {
                    "registryType": {"enum": ["npm", "pypi", "nuget", "oci", "mcpb", "cargo", "go"]},
                    "registryBaseUrl": {"const": "https://pypi.org"},
                    "identifier": {"type": "string"},
                    "version": {"type": "string", "pattern": r"^[0-9]"},
                    "runtimeHint": {"type": "string"},
                    "transport": {
                        "type": "object",
                        "required": ["type"],
                        "properties": {"type": {"enum": ["stdio", "streamable-http", "sse"]}},
                    },
                    "environmentVariables": {"type": "array", "items": _INPUT},
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}


def _server_json() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "server.json").read_text())
    return data


def test_server_json_follows_the_registry_rules() -> None:
    errors = [e.message for e in Draft202012Validator(REGISTRY_RULES).iter_errors(_server_json())]
    assert errors == []


def test_rules_reject_what_the_registry_rejects() -> None:
    bad = {**_server_json(), "version": "latest", "description": "x" * 101}
    fields = {e.path[0] for e in Draft202012Validator(REGISTRY_RULES).iter_errors(bad)}
    assert fields == {"version", "description"}


def test_versions_move_in_lock_step() -> None:
    data = _server_json()
    assert data["version"] == __version__
    assert [p["version"] for p in data["packages"]] == [__version__]
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)


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
