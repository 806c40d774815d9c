"""Validate and pack the MCP bundle (copper-mcp-VERSION.mcpb) with @anthropic-ai/mcpb, then start it.

Usage: python scripts/bundle.py [--out DIR] [--no-start]

1. ``mcpb validate manifest.json`` and ``mcpb pack . DIR/copper-mcp-VERSION.mcpb`` (DIR: build).
2. Unless --no-start: ``mcpb unpack`` into a temporary directory, check that it holds only what
   runs, work out the server's command as a host does (mcpb's own ``getMcpConfigForManifest``,
   with sample settings), start it (``uv run --directory ...``) against a local sandbox that
   accepts only the sample key, and check over MCP that it lists exactly the manifest's tools,
   that the settings reach it (read-only, toolsets) and that a tool call succeeds.

mcpb needs Node and npm; it is installed under build/mcpb on first use. Without Node the script
says so and exits 0, so CI passes on machines without it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

ROOT = Path(__file__).resolve().parent.parent
MCPB_VERSION = "2.1.2"
MCPB_HOME = ROOT / "build" / "mcpb"
MCPB_PACKAGE = MCPB_HOME / "node_modules" / "@anthropic-ai" / "mcpb"
SAMPLE_KEY = "bundle-smoke-key"
SAMPLE_EMAIL = "dana@harborlane.example"
# uv runs on this Python and never downloads one: a check must not depend on fetching a
# Python build (a host's uv may, to give the user one).
UV_LOCAL = {"UV_PYTHON": sys.executable, "UV_PYTHON_DOWNLOADS": "never"}
# What a bundle may hold, beyond the package itself (copper_mcp/, without its spec/).
BUNDLE_FILES = frozenset({"manifest.json", "icon.png", "pyproject.toml", "README.md", "LICENSE"})


class BundleError(Exception):
    """A bundle step failed; the message says which and why."""


def node_missing() -> str | None:
    """Why the Node steps cannot run here, or None when they can."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    return f"{' and '.join(missing)} not found on PATH" if missing else None


def _run(command: list[str], *, cwd: Path = ROOT, env: Mapping[str, str] | None = None) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise BundleError(f"{' '.join(command[:3])} ... failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


def mcpb() -> list[str]:
    """The mcpb command line, installing the pinned version under build/mcpb when it is not there."""
    manifest = MCPB_PACKAGE / "package.json"
    if not manifest.exists() or json.loads(manifest.read_text())["version"] != MCPB_VERSION:
        MCPB_HOME.mkdir(parents=True, exist_ok=True)
        _run(["npm", "install", "--prefix", str(MCPB_HOME), "--no-save", "--no-audit", "--no-fund",
              f"@anthropic-ai/mcpb@{MCPB_VERSION}"])
    return ["node", str(MCPB_PACKAGE / "dist" / "cli" / "cli.js")]


def validate() -> None:
    """``mcpb validate manifest.json``."""
    _run([*mcpb(), "validate", str(ROOT / "manifest.json")])


def pack(out_dir: Path) -> Path:
    """``mcpb pack``: the bundle of the repository root, minus .mcpbignore; its path."""
    version = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))["version"]
    out_dir.mkdir(parents=True, exist_ok=True)
    bundle = out_dir / f"copper-mcp-{version}.mcpb"
    bundle.unlink(missing_ok=True)
    _run([*mcpb(), "pack", str(ROOT), str(bundle)])
    return bundle


def unexpected_files(names: list[str]) -> list[str]:
    """The bundle's files that do not run: anything but BUNDLE_FILES and the package without its spec."""
    def runs(name: str) -> bool:
        if name in BUNDLE_FILES:
            return True
        return name.startswith("copper_mcp/") and not name.startswith("copper_mcp/spec/") and (
            "__pycache__" not in name
        )

    return sorted(name for name in names if not runs(name))


def host_config(bundle_dir: Path, user_config: Mapping[str, Any]) -> dict[str, Any]:
    """The command, args and env a host derives from the unpacked bundle's manifest and these settings."""
    script = (
        "import { readFileSync } from 'node:fs';\n"
        f"import {{ getMcpConfigForManifest }} from {json.dumps((MCPB_PACKAGE / 'dist' / 'index.js').as_uri())};\n"
        "const [dir, settings] = process.argv.slice(1);\n"
        "const manifest = JSON.parse(readFileSync(dir + '/manifest.json', 'utf8'));\n"
        "const config = await getMcpConfigForManifest({manifest, extensionPath: dir, systemDirs: {},\n"
        "  userConfig: JSON.parse(settings), pathSeparator: '/'});\n"
        "process.stdout.write(JSON.stringify(config ?? null));\n"
    )
    output = _run(["node", "--input-type=module", "-e", script, str(bundle_dir), json.dumps(dict(user_config))])
    config: dict[str, Any] | None = json.loads(output)
    if config is None:
        raise BundleError("mcpb gave no server config for these settings (a required setting missing?)")
    return config


async def _list_and_call(command: str, args: list[str], env: dict[str, str]) -> tuple[list[dict[str, Any]], int]:
    """Start the server, list its tools and search people; (tools, how many people Copper counts)."""
    async with Client(StdioServerParameters(command=command, args=args, env=env)) as client:
        tools = [{"name": t.name, "description": t.description} for t in (await client.list_tools()).tools]
        found = await client.call_tool("search_people", {"page_size": 1})
    if found.is_error or not found.structured_content:
        raise BundleError(f"search_people failed through the bundle: {found.content}")
    return tools, int(found.structured_content["total"])


def start(bundle: Path, uv_dir: Path | None = None) -> list[str]:
    """Unpack the bundle, start it as a host would and check what it serves; lines saying what was seen.

    ``uv_dir`` is where the ``uv`` command lives when it is not on PATH.
    """
    from copper_mcp.catalog import load_catalog
    from copper_mcp.sandbox import SandboxConfig, create_app
    from copper_mcp.sandbox.http import running_server

    seen: list[str] = []
    with tempfile.TemporaryDirectory(prefix="copper-bundle-") as temp:
        unpacked = Path(temp) / "copper-mcp"
        _run([*mcpb(), "unpack", str(bundle), str(unpacked)])
        names = [p.relative_to(unpacked).as_posix() for p in unpacked.rglob("*") if p.is_file()]
        extra = unexpected_files(names)
        if extra:
            raise BundleError(f"the bundle holds files that do not run: {', '.join(extra)}")
        seen.append(f"unpacked: {len(names)} files, only what runs")
        manifest = json.loads((unpacked / "manifest.json").read_text(encoding="utf-8"))
        path = os.pathsep.join(p for p in (str(uv_dir) if uv_dir else "", os.environ.get("PATH", "")) if p)
        # This environment (certificates, proxies) minus any Copper settings of the person running it.
        base_env = {k: v for k, v in os.environ.items() if not k.startswith("COPPER_")} | UV_LOCAL | {"PATH": path}
        catalog = load_catalog()
        sandbox = create_app(SandboxConfig(api_key=SAMPLE_KEY, user_email=SAMPLE_EMAIL))
        with running_server(sandbox) as base_url:
            cases: list[tuple[dict[str, Any], list[str]]] = [
                ({}, [op.name for op in catalog.operations]),
                ({"read_only": True, "toolsets": "people,tasks"},
                 [op.name for op in catalog.select(frozenset({"people", "tasks"}), True)]),
            ]
            for settings, expected in cases:
                config = host_config(unpacked, {"api_key": SAMPLE_KEY, "user_email": SAMPLE_EMAIL, **settings})
                if config["command"] != "uv" or config["args"][:3] != ["run", "--directory", str(unpacked)]:
                    raise BundleError(f"the bundle does not start with uv run --directory: {config}")
                command = shutil.which(config["command"], path=path)
                if command is None:
                    raise BundleError("uv not found: pip install uv (it is in the dev extra)")
                # Only the base URL is added, so nothing reaches the real Copper.
                env = {**base_env, **config["env"], "COPPER_BASE_URL": base_url}
                tools, people = anyio.run(_list_and_call, command, config["args"], env)
                if [t["name"] for t in tools] != expected:
                    raise BundleError(f"with settings {settings} the bundle lists {[t['name'] for t in tools]}")
                if not settings and tools != manifest["tools"]:
                    raise BundleError("the server's tools differ from manifest.json's: run scripts/gen_manifest.py")
                seen.append(f"uv run with settings {settings or 'by default'}: {len(tools)} tools; "
                            f"search_people, with the key from the settings, counts {people} people")
    return seen


def main() -> int:
    """Validate, pack and (unless --no-start) start the bundle; 0 when all passed or Node is missing."""
    reason = node_missing()
    if reason:
        print(f"bundle: SKIPPED, {reason} (mcpb needs Node)")
        return 0
    out = Path(sys.argv[sys.argv.index("--out") + 1]) if "--out" in sys.argv else ROOT / "build"
    try:
        validate()
        bundle = pack(out)
        print(f"bundle: manifest valid; packed {bundle} ({bundle.stat().st_size // 1024} KB)")
        if "--no-start" not in sys.argv:
            for line in start(bundle, Path(sys.executable).parent):
                print(f"bundle: {line}")
    except BundleError as error:
        print(f"bundle: FAILED: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
