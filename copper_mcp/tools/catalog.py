"""The tool catalogue: operations read from ``catalog.json`` (generated from the API spec)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from copper_mcp.presentation.fields import EntityFields


@dataclass(frozen=True)
class Operation:
    """One Copper API operation and the MCP tool that exposes it."""

    name: str
    title: str
    description: str
    toolset: str
    method: str
    path: str
    entity: str | None
    kind: str
    path_params: tuple[str, ...]
    query_params: tuple[str, ...]
    body_params: tuple[str, ...]
    read_only: bool
    destructive: bool
    idempotent: bool
    fields: EntityFields
    """Which inputs are ids of named things or dates (the shaper translates them)."""
    input_schema: Mapping[str, Any]
    """What models read (compact; see tools/derive.py ``_published``)."""
    validation_schema: Mapping[str, Any]
    """What every call is checked against before anything is sent (complete and strict)."""
    lists_links: bool = False
    """The answer is a list of ``{id, type}`` links to records (related items)."""

    @property
    def is_search(self) -> bool:
        """True for the paged ``POST /{entity}/search`` operations."""
        return self.path.endswith("/search")


@dataclass(frozen=True)
class Catalog:
    """Every operation, plus the fields of each record entity."""

    operations: tuple[Operation, ...]
    entities: Mapping[str, EntityFields]

    @property
    def toolsets(self) -> tuple[str, ...]:
        """Toolset names in catalogue order."""
        return tuple(dict.fromkeys(op.toolset for op in self.operations))

    def select(self, toolsets: frozenset[str] | None, read_only: bool) -> tuple[Operation, ...]:
        """The operations to expose for these settings."""
        return tuple(
            op
            for op in self.operations
            if (toolsets is None or op.toolset in toolsets) and (op.read_only or not read_only)
        )


def parse_catalog(data: Mapping[str, Any]) -> Catalog:
    """Build a Catalog from the JSON data ``scripts/gen_catalog.py`` writes."""
    operations = tuple(
        Operation(
            name=t["name"],
            title=t["title"],
            description=t["description"],
            toolset=t["toolset"],
            method=t["method"],
            path=t["path"],
            entity=t["entity"],
            kind=t["kind"],
            path_params=tuple(t["path_params"]),
            query_params=tuple(t["query_params"]),
            body_params=tuple(t["body_params"]),
            read_only=t["annotations"]["read_only"],
            destructive=t["annotations"]["destructive"],
            idempotent=t["annotations"]["idempotent"],
            fields=EntityFields.from_json(t["fields"]),
            input_schema=t["input_schema"],
            validation_schema=t["validation_schema"],
            lists_links=t["lists_links"],
        )
        for t in data["tools"]
    )
    entities = {name: EntityFields.from_json(marks) for name, marks in data["entities"].items()}
    return Catalog(operations=operations, entities=entities)


@cache
def load_catalog() -> Catalog:
    """The checked-in catalogue (read once per process)."""
    text = resources.files("copper_mcp.tools").joinpath("catalog.json").read_text(encoding="utf-8")
    return parse_catalog(json.loads(text))
