"""What ships: the MCP bundle's manifest agrees with the server, server.json and the CLI; the bundle
and the wheel hold only what runs; versions move in lock-step; ``python -m copper_mcp`` works.

Building, packing and starting the real artefacts is scripts/release_check.py's job (CI runs it);
these tests hold the rules it applies.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from copper_mcp import __version__
from copper_mcp.catalog import load_catalog
from scripts.bundle import unexpected_files
from scripts.draw_icon import read_png
from scripts.gen_manifest import render, updated_manifest
from scripts.release_check import version_problems, wheel_problems
from tests.conftest import ServerFactory

ROOT = Path(__file__).resolve().parent.parent


def _manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
    return data


def _options_by_variable() -> dict[str, dict[str, Any]]:
    """Each environment variable the bundle sets, with the user_config option that fills it."""
    manifest = _manifest()
    options: dict[str, dict[str, Any]] = {}
    for variable, value in manifest["server"]["mcp_config"]["env"].items():
        match = re.fullmatch(r"\$\{user_config\.(\w+)\}", value)
        assert match, f"{variable} is not set from user_config: {value}"
        options[variable] = {"key": match.group(1), **manifest["user_config"][match.group(1)]}
    return options


def _cli_variables() -> set[str]:
    cli = (ROOT / "copper_mcp" / "cli.py").read_text(encoding="utf-8")
    # Read as env.get("COPPER_...") or, for the credentials, _credential(env, "COPPER_...").
    return set(re.findall(r'(?:env\.get\(|_credential\(env, )"(COPPER_[A-Z_]+)"', cli))


# -- the manifest ---------------------------------------------------------------------------


def test_manifest_is_generated_from_the_catalogue() -> None:
    text = (ROOT / "manifest.json").read_text(encoding="utf-8")
    assert render(updated_manifest(json.loads(text), load_catalog(), __version__)) == text


async def test_manifest_tools_are_the_servers_tools(sandbox_server: ServerFactory) -> None:
    async with Client(sandbox_server()) as client:
        served = [{"name": t.name, "description": t.description} for t in (await client.list_tools()).tools]
    assert served == _manifest()["tools"]
    assert len(served) == len(load_catalog().operations)


def test_the_bundle_runs_the_console_script_with_uv() -> None:
    server = _manifest()["server"]
    assert server["type"] == "uv"
    assert server["mcp_config"]["command"] == "uv"
    assert server["mcp_config"]["args"] == ["run", "--directory", "${__dirname}", "copper-mcp"]
    assert (ROOT / server["entry_point"]).is_file()
    assert _manifest()["manifest_version"] == "0.4"


def test_user_config_reaches_only_variables_the_cli_reads() -> None:
    options = _options_by_variable()
    assert set(options) <= _cli_variables()
    assert {o["key"] for o in options.values()} == set(_manifest()["user_config"])


def test_user_config_secrets_requirements_and_defaults() -> None:
    options = _options_by_variable()
    assert {v for v, o in options.items() if o.get("sensitive")} == {"COPPER_API_KEY"}
    assert {v for v, o in options.items() if o.get("required")} == {"COPPER_API_KEY", "COPPER_USER_EMAIL"}
    # An optional setting without a default reaches the server as the text "${user_config.x}".
    assert all("default" in o for o in options.values() if not o.get("required"))
    assert (options["COPPER_MCP_READ_ONLY"]["type"], options["COPPER_MCP_READ_ONLY"]["default"]) == ("boolean", False)
    assert options["COPPER_MCP_TOOLSETS"]["default"] == ""  # empty: every toolset


def test_manifest_and_server_json_agree_on_the_settings() -> None:
    (package,) = json.loads((ROOT / "server.json").read_text(encoding="utf-8"))["packages"]
    registry = {v["name"]: v for v in package["environmentVariables"]}
    for variable, option in _options_by_variable().items():
        assert registry[variable].get("isRequired", False) == option.get("required", False), variable
        assert registry[variable].get("isSecret", False) == option.get("sensitive", False), variable


def test_icon_is_a_small_512_pixel_png() -> None:
    data = (ROOT / _manifest()["icon"]).read_bytes()
    width, height, scanlines = read_png(data)
    assert (width, height) == (512, 512)
    assert len(scanlines) == 512 * (1 + 512 * 4)  # RGBA rows, each after its filter byte
    assert len(data) < 32 * 1024


# -- what ships -----------------------------------------------------------------------------


def test_bundle_rules_keep_only_what_runs() -> None:
    shipped = ["manifest.json", "icon.png", "pyproject.toml", "README.md", "LICENSE", "copper_mcp/cli.py",
               "copper_mcp/catalog/catalog.json"]
    stray = ["copper_mcp/spec/copper-api.yml", "tests/test_cli.py", ".venv/bin/python", "server.json",
             "copper_mcp/__pycache__/cli.cpython-311.pyc", "CONTRIBUTING.md"]
    assert unexpected_files(shipped + stray) == sorted(stray)


def test_wheel_rules() -> None:
    licence = f"copper_mcp-{__version__}.dist-info/licenses/LICENSE"
    good = ["copper_mcp/__init__.py", "copper_mcp/__main__.py", "copper_mcp/catalog/catalog.json", licence]
    assert wheel_problems(good) == []
    assert wheel_problems([*good, "copper_mcp/spec/copper-api.yml"]) == [
        "ships copper_mcp/spec/copper-api.yml, which nothing runs"
    ]
    assert wheel_problems(good[:2]) == ["missing copper_mcp/catalog/catalog.json", f"missing {licence}"]


@pytest.mark.parametrize(
    ("server_version", "package_version", "manifest_version", "changelog", "blamed"),
    [
        ("0.1.1", "0.1.0", "0.1.0", "## [0.1.0] - 2026-12-01", "server.json version"),
        ("0.1.0", "0.0.9", "0.1.0", "## [0.1.0] - 2026-12-01", "packages"),
        ("0.1.0", "0.1.0", "0.2.0", "## [0.1.0] - 2026-12-01", "manifest.json"),
        ("0.1.0", "0.1.0", "0.1.0", "## [0.0.1] - 2026-01-01", "CHANGELOG.md"),
    ],
)
def test_version_problems_name_what_is_out_of_step(
    server_version: str, package_version: str, manifest_version: str, changelog: str, blamed: str
) -> None:
    server = {"version": server_version, "packages": [{"version": package_version}]}
    (problem,) = version_problems("0.1.0", server, {"version": manifest_version}, changelog)
    assert blamed in problem


def test_python_dash_m_runs_the_cli() -> None:
    done = subprocess.run([sys.executable, "-m", "copper_mcp", "--version"], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.strip()) == (0, f"copper-mcp {__version__}")
