"""The package's imports run one way: each room imports only rooms below it (CONTRIBUTING.md).

Every import is counted, those under ``if TYPE_CHECKING:`` and inside functions included: a
lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "copper_mcp"
LAYERS = ["core", "client", "catalog", "shaping", "account", "recover", "calls", "mcp", "check", "cli", "__main__"]
"""Lowest first: a module may import its own room and the rooms before it, never one after it."""
APART = "sandbox"
"""The local Copper: it imports nothing of the server, and only the CLI imports it."""


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def _imports(module: str, path: Path) -> Iterator[str]:
    """Every copper_mcp module this module imports, relative imports resolved."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name.startswith("copper_mcp"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            if name.startswith("copper_mcp"):
                yield name


def _room(module: str) -> str | None:
    """The room of a module (``copper_mcp.shaping.reads`` -> ``shaping``); None for the package root."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


EDGES = [(module, target) for module, path in _modules() for target in _imports(module, path)]


def test_every_module_sits_in_a_known_room() -> None:
    rooms = {_room(module) for module, _ in _modules()}
    assert rooms == {None, *LAYERS, APART, "spec"} - {"spec"}  # spec/ holds no Python


@pytest.mark.parametrize("room", LAYERS)
def test_rooms_import_only_rooms_below_them(room: str) -> None:
    upward = [
        (module, target)
        for module, target in EDGES
        if _room(module) == room
        and _room(target) is not None
        and (_room(target) == APART or LAYERS.index(str(_room(target))) > LAYERS.index(room))
        and not (room == "cli" and _room(target) == APART)
    ]
    assert upward == []


def test_the_sandbox_stands_apart() -> None:
    outward = [(m, t) for m, t in EDGES if _room(m) == APART and _room(t) not in (APART, None)]
    inward = [(m, t) for m, t in EDGES if _room(t) == APART and _room(m) not in (APART, "cli")]
    assert (outward, inward) == ([], [])


def test_the_checker_sees_relative_imports() -> None:
    """Guards the test itself: a relative import inside a room resolves to that room."""
    resolved = set(_imports("copper_mcp.mcp.server", PACKAGE / "mcp" / "server.py"))
    assert "copper_mcp.mcp.resources" in resolved and "copper_mcp.calls" in resolved
