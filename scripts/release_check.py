"""Everything a release needs, checked in one go from a clean clone.

Usage: python scripts/release_check.py [--dist DIR]

Run it with the dev environment's Python (``.venv/bin/python``; the dev extra brings build,
twine and uv). In order:

1. versions in lock-step: the package, server.json (and its package), manifest.json, a
   CHANGELOG.md section;
2. generated files current: catalog.json, README's tool table, manifest.json, icon.png;
3. server.json valid against the MCP Registry's schema (vendored under scripts/schemas/);
4. sdist and wheel built into DIR (default dist/), ``twine check --strict``, the wheel's files
   (the catalogue and the licence, not the API description or tests);
5. the wheel installed in a fresh virtual environment: ``copper-mcp --version``,
   ``copper-mcp --sandbox tools`` (every tool), ``python -m copper_mcp --version``,
   ``copper-mcp check --sandbox``;
6. ``uvx --from DIR/<wheel> copper-mcp --version``;
7. the MCP bundle (scripts/bundle.py): ``mcpb validate``, ``mcpb pack`` into build/, and the
   unpacked bundle started with ``uv run``, listing exactly the manifest's tools.

A step that cannot run here (no Node for mcpb, no uv) is skipped with the reason printed.
Exits 1 at the first failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

from jsonschema import Draft7Validator, FormatChecker

from copper_mcp import __version__
from copper_mcp.catalog import load_catalog
from scripts import bundle

ROOT = Path(__file__).resolve().parent.parent
REGISTRY_SCHEMA = ROOT / "scripts" / "schemas" / "server.schema.2025-12-11.json"
BIN = Path(sys.executable).parent  # the dev environment's tools: twine, uv, uvx


class Skip(Exception):
    """The step cannot run on this machine; the message says why."""


class Failure(Exception):
    """The step found a problem; the message says what."""


def _run(command: list[str], *, env: Mapping[str, str] | None = None, cwd: Path = ROOT) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise Failure(f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return done.stdout


def _json(name: str) -> dict[str, object]:
    data: dict[str, object] = json.loads((ROOT / name).read_text(encoding="utf-8"))
    return data


# -- checks on the tree ---------------------------------------------------------------------


def version_problems(version: str, server: Mapping[str, object], manifest: Mapping[str, object],
                     changelog: str) -> list[str]:
    """Where a version differs from the package's, or the changelog has no section for it."""
    problems = []
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        problems.append(f"copper_mcp.__version__ {version!r} is not MAJOR.MINOR.PATCH")
    if server.get("version") != version:
        problems.append(f"server.json version {server.get('version')!r} is not {version}")
    packages = server.get("packages")
    if not isinstance(packages, list) or [p.get("version") for p in packages] != [version] * len(packages):
        problems.append(f"server.json packages' versions are not all {version}")
    if manifest.get("version") != version:
        problems.append(f"manifest.json version {manifest.get('version')!r} is not {version}")
    if f"## [{version}]" not in changelog:
        problems.append(f"CHANGELOG.md has no section '## [{version}]'")
    return problems


def check_versions() -> str:
    """Step 1."""
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    problems = version_problems(__version__, _json("server.json"), _json("manifest.json"), changelog)
    if problems:
        raise Failure("; ".join(problems))
    return f"{__version__} in the package, server.json, manifest.json and CHANGELOG.md"


def check_generated() -> str:
    """Step 2: each generator's --check."""
    for script in ("gen_catalog.py", "gen_readme.py", "gen_manifest.py", "draw_icon.py"):
        _run([sys.executable, str(ROOT / "scripts" / script), "--check"])
    return "catalog.json, README.md's tool table, manifest.json and icon.png are current"


def registry_problems(server: Mapping[str, object]) -> list[str]:
    """What the MCP Registry's server.json schema (2025-12-11) says is wrong with ``server``."""
    schema = json.loads(REGISTRY_SCHEMA.read_text(encoding="utf-8"))
    validator = Draft7Validator(schema, format_checker=FormatChecker())
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in validator.iter_errors(server)]


def check_server_json() -> str:
    """Step 3."""
    server = _json("server.json")
    schema_url = json.loads(REGISTRY_SCHEMA.read_text(encoding="utf-8"))["$id"]
    if server.get("$schema") != schema_url:
        raise Failure(f"server.json names {server.get('$schema')}, not the vendored schema {schema_url}")
    problems = registry_problems(server)
    if problems:
        raise Failure("; ".join(problems))
    return f"valid against {REGISTRY_SCHEMA.relative_to(ROOT)}"


# -- the Python distributions ------------------------------------------------------------------


def wheel_problems(names: list[str]) -> list[str]:
    """What is missing from, or should not be in, a wheel holding these files."""
    needed = (
        "copper_mcp/catalog/catalog.json",
        "copper_mcp/__main__.py",
        f"copper_mcp-{__version__}.dist-info/licenses/LICENSE",
    )
    problems = [f"missing {need}" for need in needed if need not in names]
    problems += [f"ships {name}, which nothing runs" for name in names
                 if name.startswith(("copper_mcp/spec/", "tests/", "scripts/", "bench/")) or "__pycache__" in name]
    return problems


def build(dist: Path) -> tuple[Path, Path]:
    """Step 4: sdist and wheel into ``dist``, checked; (sdist, wheel)."""
    dist.mkdir(parents=True, exist_ok=True)
    for old in dist.glob("copper_mcp-*"):
        old.unlink()
    _run([sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)])
    (sdist,), (wheel,) = sorted(dist.glob("copper_mcp-*.tar.gz")), sorted(dist.glob("copper_mcp-*.whl"))
    _run([str(BIN / "twine"), "check", "--strict", str(sdist), str(wheel)])
    problems = wheel_problems(zipfile.ZipFile(wheel).namelist())
    with tarfile.open(sdist) as archive:
        inside = {name.split("/", 1)[-1] for name in archive.getnames()}
    problems += [f"the sdist lacks {need}" for need in ("LICENSE", "CHANGELOG.md", "copper_mcp/spec/copper-api.yml")
                 if need not in inside]
    if problems:
        raise Failure("; ".join(problems))
    return sdist, wheel


def _quiet_env(home: Path | None = None) -> dict[str, str]:
    """This environment without Copper settings; with ``home``, HOME and data there (the sandbox file too)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPPER_")} | bundle.UV_LOCAL
    return env if home is None else env | {"HOME": str(home), "XDG_DATA_HOME": str(home / "data")}


def check_installed(wheel: Path) -> str:
    """Step 5: the wheel in a fresh virtual environment."""
    with tempfile.TemporaryDirectory(prefix="copper-release-") as temp:
        venv = Path(temp) / "venv"
        _run([sys.executable, "-m", "venv", str(venv)])
        bindir = venv / ("Scripts" if os.name == "nt" else "bin")
        _run([str(bindir / "python"), "-m", "pip", "install", "-q", str(wheel)])
        env = _quiet_env(Path(temp))
        expected = f"copper-mcp {__version__}"
        exe, python = str(bindir / "copper-mcp"), str(bindir / "python")
        for command in ([exe, "--version"], [python, "-m", "copper_mcp", "--version"]):
            shown = _run(command, env=env).strip()
            if shown != expected:
                raise Failure(f"{' '.join(command[-2:])} printed {shown!r}, not {expected!r}")
        tools = _run([exe, "--sandbox", "tools"], env=env).splitlines()
        if len(tools) != len(load_catalog().operations):
            raise Failure(f"copper-mcp --sandbox tools listed {len(tools)} tools, not {len(load_catalog().operations)}")
        _run([exe, "check", "--sandbox"], env=env)
    return f"installed: --version, python -m copper_mcp, {len(tools)} tools, check --sandbox"


def check_uvx(wheel: Path) -> str:
    """Step 6."""
    uvx = shutil.which("uvx", path=os.pathsep.join((str(BIN), os.environ.get("PATH", ""))))
    if uvx is None:
        raise Skip("uvx not found (pip install uv; the dev extra has it)")
    shown = _run([uvx, "--from", str(wheel), "copper-mcp", "--version"], env=_quiet_env()).strip()
    if shown != f"copper-mcp {__version__}":
        raise Failure(f"uvx printed {shown!r}")
    return f"uvx --from {wheel.name} copper-mcp --version: {shown}"


def check_bundle() -> str:
    """Step 7."""
    reason = bundle.node_missing()
    if reason:
        raise Skip(f"{reason} (mcpb needs Node)")
    try:
        bundle.validate()
        packed = bundle.pack(ROOT / "build")
        seen = bundle.start(packed, BIN)
    except bundle.BundleError as error:
        raise Failure(str(error)) from None
    return f"validated, packed {packed.relative_to(ROOT)}; " + "; ".join(seen)


def main() -> int:
    """Run every step; 0 when none failed."""
    dist = Path(sys.argv[sys.argv.index("--dist") + 1]).resolve() if "--dist" in sys.argv else ROOT / "dist"
    wheel: list[Path] = []

    def build_step() -> str:
        sdist, built = build(dist)
        wheel.append(built)
        return f"{sdist.name} and {built.name} in {dist}, twine check --strict passed, wheel holds only what runs"

    steps: list[tuple[str, Callable[[], str]]] = [
        ("versions", check_versions),
        ("generated files", check_generated),
        ("server.json", check_server_json),
        ("build", build_step),
        ("installed wheel", lambda: check_installed(wheel[0])),
        ("uvx", lambda: check_uvx(wheel[0])),
        ("MCP bundle", check_bundle),
    ]
    skipped = 0
    for name, step in steps:
        print(f"== {name}", flush=True)
        try:
            print(f"   ok: {step()}", flush=True)
        except Skip as reason:
            skipped += 1
            print(f"   SKIPPED: {reason}", flush=True)
        except Failure as problem:
            print(f"   FAILED: {problem}", flush=True)
            return 1
    print(f"release check passed ({len(steps) - skipped} steps, {skipped} skipped)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
