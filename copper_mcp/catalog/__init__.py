"""The tool catalogue: every Copper operation as typed data, read from ``catalog.json``.

``catalog.json`` is generated from the API description by ``scripts/gen_catalog.py`` (see
``derive.py`` for the rules); start-up only reads it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from types import MappingProxyType
from typing import Any

from copper_mcp.core.entities import BY_PLURAL, Entity
from copper_mcp.core.marks import Marks

_FILLER = frozenset({"a", "an", "the", "of", "in", "by"})


def _words(text: str) -> set[str]:
    """Lower-case words, plurals folded (``Create leads in bulk`` -> create, lead, in, bulk)."""
    found = re.findall(r"[a-z]+", text.lower().replace("_", " "))
    return {word[:-1] if len(word) > 3 and word.endswith("s") else word for word in found}


@dataclass(frozen=True)
class Answer:
    """What an operation's answer holds, so a call knows how to shape it.

    Attributes:
        many: The body is a JSON array; the call answers it as ``{"records": [...]}``.
        paged: ... one page of a paged list (page facts are added).
        record: The ``x-copper-record`` of the records it holds (the items, or the object itself).
        parts: An object whose named parts are records (a lead conversion: person, company, opportunity).
        links: The items are ``{id, type}`` links to records (related items); each gains its record's name.
        layout: The items are the fields of a layout (``x-copper-layout``); the call answers their names.
    """

    many: bool = False
    paged: bool = False
    record: str | None = None
    parts: Mapping[str, str] = field(default_factory=dict)
    links: bool = False
    layout: bool = False

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Answer:
        """Read the ``answer`` data derive.py writes."""
        return cls(
            many=data.get("many", False),
            paged=data.get("paged", False),
            record=data.get("record"),
            parts=MappingProxyType(dict(data.get("parts", {}))),
            links=data.get("links", False),
            layout=data.get("layout", False),
        )

    @property
    def records(self) -> frozenset[str]:
        """Every record schema this answer holds."""
        return frozenset({self.record} if self.record else set()) | frozenset(self.parts.values())


@dataclass(frozen=True)
class GroupBy:
    """What a record search can group its records by (the record schema's ``x-copper-group-by``).

    Attributes:
        keys: A key a model names (``stage``) -> the record field it groups by (``pipeline_stage_id``).
            Dates (by their ``x-copper-date`` marks) and custom fields need no entry.
        sums: What each group adds up, by role: ``value`` (``monetary_value``), its ``currency``
            and the percentage that ``weight`` s it (``win_probability``); empty when nothing.
    """

    keys: Mapping[str, str]
    sums: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> GroupBy:
        """Read the ``group_by`` data derive.py writes."""
        return cls(keys=MappingProxyType(dict(data["keys"])), sums=MappingProxyType(dict(data.get("sums", {}))))


@dataclass(frozen=True)
class Operation:
    """One Copper API operation and the MCP tool that exposes it."""

    name: str
    title: str
    description: str
    toolset: str
    method: str
    path: str
    action: str
    """read, create, update, delete or convert."""
    path_params: tuple[str, ...]
    query_params: tuple[str, ...]
    body_params: tuple[str, ...]
    own_params: tuple[str, ...]
    """Inputs of ours, never sent to Copper (``raw``, ``max_records``, ``group_by``, ``top``)."""
    changes: tuple[str, ...]
    """Account lists this operation changes (``custom_field_definitions``): fetched again after it."""
    not_found: str | None
    """What a 404 means here, when not "no record with that id" (a lookup by email)."""
    name_filter: str | None
    """How its ``name`` input matches: ``part`` of a name (ignoring case) or the ``exact`` name; None without one."""
    read_only: bool
    destructive: bool
    idempotent: bool
    answer: Answer
    marks: Marks
    """Which inputs are dates or refer to something (names are translated to ids)."""
    input_schema: Mapping[str, Any]
    """What models read (compact; see derive.py ``_published``)."""
    validation_schema: Mapping[str, Any]
    """What every call is checked against before anything is sent (complete and strict)."""
    group_by: GroupBy | None = None
    """What a record search can answer totals by, instead of records (its ``group_by`` input)."""

    @property
    def shown_title(self) -> str | None:
        """The title hosts are sent: left out when it only restates the name (get_lead, "Get lead").

        Hosts display the name when there is no title, and every byte of tools/list is read by
        the model; a title earns its place by adding the user's words ("Search deals").
        """
        return self.title if _words(self.title) - _words(self.name) - _FILLER else None

    @property
    def is_search(self) -> bool:
        """True for the paged ``POST /{entity}/search`` operations of records."""
        return self.path.endswith("/search") and self.answer.record in BY_PLURAL

    def declared(self, name: str, key: str, fallback: int) -> int:
        """A default or bound of an input, from the validation schema (the published view drops defaults)."""
        schema = self.validation_schema.get("properties", {}).get(name, {})
        return int(schema.get(key, fallback))


@dataclass(frozen=True)
class Record:
    """A record schema (``x-copper-record``): what its fields mean, which it has, which a list shows."""

    marks: Marks
    fields: tuple[str, ...]
    listed: tuple[str, ...] = ()
    """The fields a search shows of each record unless asked for others (``x-copper-list``)."""


@dataclass(frozen=True)
class Catalog:
    """Every operation, plus each record schema."""

    operations: tuple[Operation, ...]
    schemas: Mapping[str, Record]
    """By ``x-copper-record`` name: the record entities (``people``) and ``webhooks``."""

    @cached_property
    def records(self) -> Mapping[str, Marks]:
        """The marks of each record schema."""
        return MappingProxyType({name: schema.marks for name, schema in self.schemas.items()})

    @property
    def toolsets(self) -> tuple[str, ...]:
        """Toolset names in catalogue order."""
        return tuple(dict.fromkeys(op.toolset for op in self.operations))

    def select(self, toolsets: frozenset[str] | None, read_only: bool) -> tuple[Operation, ...]:
        """The operations to expose for these settings: the one place read-only mode is decided."""
        return tuple(
            op
            for op in self.operations
            if (toolsets is None or op.toolset in toolsets) and (op.read_only or not read_only)
        )

    def operation(self, name: str) -> Operation:
        """The operation called ``name``; KeyError if there is none."""
        return self._by_name[name]

    def get(self, entity: Entity) -> Operation:
        """The operation that reads one record of an entity (``get_person``)."""
        return self.operation(f"get_{entity.singular}")

    def search(self, entity: Entity) -> Operation:
        """The operation that searches an entity's records (``search_people``)."""
        return self.operation(f"search_{entity.plural}")

    @cached_property
    def _by_name(self) -> Mapping[str, Operation]:
        return {op.name: op for op in self.operations}


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
            action=t["action"],
            path_params=tuple(t["path_params"]),
            query_params=tuple(t["query_params"]),
            body_params=tuple(t["body_params"]),
            own_params=tuple(t["own_params"]),
            changes=tuple(t["changes"]),
            name_filter=t.get("name_filter"),
            not_found=t.get("not_found"),
            read_only=t["annotations"]["read_only"],
            destructive=t["annotations"]["destructive"],
            idempotent=t["annotations"]["idempotent"],
            answer=Answer.from_json(t["answer"]),
            marks=Marks.from_json(t["marks"]),
            input_schema=t["input_schema"],
            validation_schema=t["validation_schema"],
            group_by=GroupBy.from_json(t["group_by"]) if "group_by" in t else None,
        )
        for t in data["tools"]
    )
    schemas = {
        name: Record(Marks.from_json(record["marks"]), tuple(record["fields"]), tuple(record.get("list", ())))
        for name, record in data["records"].items()
    }
    return Catalog(operations=operations, schemas=MappingProxyType(schemas))


@cache
def load_catalog() -> Catalog:
    """The checked-in catalogue (read once per process)."""
    text = resources.files("copper_mcp.catalog").joinpath("catalog.json").read_text(encoding="utf-8")
    return parse_catalog(json.loads(text))
