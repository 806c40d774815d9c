"""The API description (copper_mcp/spec/copper-api.yml), read for tests that hold the sandbox to it.

Only tests and scripts read the YAML; the sandbox itself never does.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

SPEC_PATH = Path(__file__).resolve().parents[2] / "copper_mcp" / "spec" / "copper-api.yml"


@functools.cache
def spec() -> dict[str, Any]:
    """The parsed API description (YAML merge keys already applied by the loader)."""
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


def resolve(node: Any) -> Any:
    """Follow a local ``$ref`` (``#/components/...``) until a node without one is reached."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def schema(name: str) -> dict[str, Any]:
    """A component schema by name."""
    found: dict[str, Any] = resolve({"$ref": f"#/components/schemas/{name}"})
    return found
