"""One resource per Copper record: reading, browsing page by page, and completing ids.

Which entities exist, which fields are dates or references, and how each entity can be sorted
and searched all come from the catalogue (generated from the API description); nothing here
names a field of one entity.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError
from mcp.shared.exceptions import MCPError
from mcp.types import INTERNAL_ERROR, INVALID_PARAMS, Completion, Resource

from copper_mcp.client import CopperError, NotFoundError
from copper_mcp.presentation import EntityFields, ReferenceCache, compact
from copper_mcp.presentation.fields import SINGULAR
from copper_mcp.presentation.names import RecordNames
from copper_mcp.presentation.reads import linked_ids
from copper_mcp.tools.catalog import load_catalog
from copper_mcp.tools.registry import SEARCH_CAP, Requester

SCHEME = "copper://"
MIME = "application/json"
PAGE_SIZE = 50
"""Records per resources/list page: small answers, yet the demo CRM is browsed in ~15 pages."""
COMPLETION_LIMIT = 20
# Activities have no name; their title is built from type, date and the start of their details.
_DETAILS_CHARS = 60
_NOUNS = {**SINGULAR, "activities": "activity"}


@dataclass(frozen=True)
class Kind:
    """One record entity as the resources see it."""

    entity: str
    noun: str
    fields: EntityFields
    order: Mapping[str, str]
    """sort_by/sort_direction for most recently modified first ({} where Copper's default is)."""
    by_name: bool
    """Whether records have names: the search takes a ``name`` filter (all but activities)."""

    @property
    def template(self) -> str:
        """The resource template, e.g. ``copper://people/{id}``."""
        return f"{SCHEME}{self.entity}/{{id}}"

    def uri(self, record_id: object) -> str:
        """The URI of one record."""
        return f"{SCHEME}{self.entity}/{record_id}"


@cache
def kinds() -> tuple[Kind, ...]:
    """Every record entity, in catalogue order (people first, activities last)."""
    catalog = load_catalog()
    searches = {op.entity: op for op in catalog.operations if op.is_search and op.entity}
    found = []
    for entity, fields in catalog.entities.items():
        inputs = searches[entity].validation_schema.get("properties", {})
        sortable = inputs.get("sort_by", {}).get("enum", ())
        # Activities document no sort_by values; their default order is already newest first.
        order = {"sort_by": "date_modified", "sort_direction": "desc"} if "date_modified" in sortable else {}
        found.append(Kind(entity, _NOUNS[entity], fields, order, by_name="name" in inputs))
    return tuple(found)


def kind_of(entity: str) -> Kind:
    """The Kind of an entity name."""
    return next(k for k in kinds() if k.entity == entity)


async def read_record(client: Requester, cache: ReferenceCache, names: RecordNames, kind: Kind, record_id: str) -> str:
    """One record as compact JSON; a missing or deleted record is ResourceNotFoundError."""
    uri = kind.uri(record_id)
    missing = ResourceNotFoundError(f"No Copper record at {uri}")
    # Only digits reach Copper, so a crafted id cannot turn into another path.
    if not (record_id.isascii() and record_id.isdecimal()):
        raise missing
    try:
        record = (await client.request("GET", f"/{kind.entity}/{record_id}")).data
        if not isinstance(record, dict) or record.get("is_deleted"):
            raise missing  # Copper answers a deleted activity with {id, is_deleted: true}
        reference = await cache.get()
        linked = await names.lookup(linked_ids([(record, kind.fields)]))
    except NotFoundError:
        raise missing from None
    except CopperError as exc:
        raise ResourceError(f"Could not read {uri}: {exc}") from exc
    return to_json(compact(record, kind.fields, reference, linked))


def to_json(data: Any) -> str:
    """Compact JSON text, as the tools answer."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class Position:
    """Where a resources/list page starts: a page of one entity's search."""

    entity: str
    page: int

    def encode(self) -> str:
        """The opaque cursor a host sends back."""
        return base64.urlsafe_b64encode(json.dumps([self.entity, self.page]).encode()).decode()

    @classmethod
    def decode(cls, cursor: str | None) -> Position:
        """The position a cursor names; no cursor is the first page of the first entity."""
        if cursor is None:
            return cls(kinds()[0].entity, 1)
        try:
            entity, page = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        except (ValueError, TypeError, binascii.Error):
            entity, page = None, None
        if entity not in {k.entity for k in kinds()} or type(page) is not int or page < 1:
            raise MCPError(code=INVALID_PARAMS, message=f"Invalid resources/list cursor: {cursor!r}")
        return cls(entity, page)

    def following(self) -> Position | None:
        """The first page of the next entity, or None after the last."""
        names = [k.entity for k in kinds()]
        at = names.index(self.entity) + 1
        return Position(names[at], 1) if at < len(names) else None


async def list_records(
    client: Requester, cache: ReferenceCache, start: Position
) -> tuple[list[Resource], Position | None]:
    """One page of record resources from start, and where the next page starts.

    Entities with no records are skipped, so a page is only empty at the very end.
    """
    at: Position | None = start
    while at is not None:
        page, following = await _page(client, cache, at)
        if page:
            return page, following
        at = following
    return [], None


async def _page(client: Requester, cache: ReferenceCache, at: Position) -> tuple[list[Resource], Position | None]:
    kind = kind_of(at.entity)
    body = {"page_number": at.page, "page_size": PAGE_SIZE, **kind.order}
    try:
        response = await client.request("POST", f"/{kind.entity}/search", json=body)
        rows = [row for row in response.data or [] if isinstance(row, dict) and "id" in row]
        # Only activities need reference data for a title; other entities cost one request.
        reference = await cache.get() if not kind.by_name else None
    except CopperError as exc:
        raise MCPError(code=INTERNAL_ERROR, message=f"Could not list {kind.entity}: {exc}") from exc
    resources = [
        Resource(
            uri=kind.uri(row["id"]),
            name=f"{kind.noun}-{row['id']}",
            title=_title(kind, row if reference is None else compact(row, kind.fields, reference)),
            mime_type=MIME,
        )
        for row in rows
    ]
    seen = at.page * PAGE_SIZE
    # X-PW-TOTAL is an upper bound, so it can end the walk early but never extend it.
    more = len(rows) == PAGE_SIZE and (response.total is None or seen < response.total) and seen < SEARCH_CAP
    return resources, Position(at.entity, at.page + 1) if more else at.following()


def _title(kind: Kind, record: Mapping[str, Any]) -> str:
    """A record's name; for an activity (which has none) its type, date and details."""
    if isinstance(record.get("name"), str) and record["name"].strip():
        return str(record["name"])
    if kind.by_name:
        return f"{kind.noun.capitalize()} {record['id']}"
    kind_name = record.get("type") if isinstance(record.get("type"), str) else kind.noun.capitalize()
    when = str(record.get("activity_date") or "")[:10]
    title = f"{kind_name} on {when}" if when else str(kind_name)
    details = " ".join(str(record.get("details") or "").split())
    if len(details) > _DETAILS_CHARS:
        details = details[: _DETAILS_CHARS - 1] + "…"
    return f"{title}: {details}" if details else title


async def complete_id(client: Requester, kind: Kind, typed: str) -> Completion | None:
    """Ids of records whose name contains what was typed, most recently modified first.

    Nothing typed offers the most recently modified records. Entities whose search has no name
    filter (activities) offer nothing.
    """
    if not kind.by_name:
        return None
    body: dict[str, Any] = {"page_size": COMPLETION_LIMIT, **kind.order}
    if typed.strip():
        body["name"] = typed.strip()
    try:
        response = await client.request("POST", f"/{kind.entity}/search", json=body)
    except CopperError as exc:
        raise MCPError(code=INTERNAL_ERROR, message=f"Could not search {kind.entity}: {exc}") from exc
    values = [str(row["id"]) for row in response.data or [] if isinstance(row, dict) and "id" in row]
    total = response.total
    return Completion(values=values, total=total, has_more=total is not None and total > len(values))
