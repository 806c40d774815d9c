"""MCP resources for browsing Copper: thin adapters over ``Calls`` and the account's lists.

- ``copper://<entity>/{id}`` templates, one per record entity: a record read is the entity's
  get tool (``get_person``), so a resource and a tool answer one record identically.
- Fixed resources: ``copper://account``, ``users``, ``pipelines``, ``custom-fields``,
  ``reference``: Copper's own JSON, fetched when read (and kept for the tools).
- ``resources/list`` answers the fixed resources, then every record (entity by entity, most
  recently modified first) page by page behind an opaque cursor.
- Completions for a template's ``id``: ids of records whose name contains what was typed.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mcp.server import MCPServer, ServerRequestContext
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError
from mcp.shared.exceptions import MCPError
from mcp.types import (
    INTERNAL_ERROR,
    INVALID_PARAMS,
    Completion,
    CompletionArgument,
    CompletionContext,
    ListResourcesResult,
    PaginatedRequestParams,
    PromptReference,
    Resource,
    ResourceTemplateReference,
)

from copper_mcp.account import REFERENCE_LISTS, gather, leads_enabled
from copper_mcp.calls import Calls, Reply
from copper_mcp.core.entities import BY_PLURAL, ENTITIES, Entity
from copper_mcp.core.errors import CopperError, InputError, NotFoundError
from copper_mcp.core.pages import MAX_PAGE_SIZE
from copper_mcp.shaping.reference import fold

__all__ = ["register_resources"]

SCHEME = "copper://"
MIME = "application/json"
PAGE_SIZE = 50
"""Records per resources/list page: small answers, yet the demo CRM is browsed in ~15 pages."""
COMPLETION_LIMIT = 20
# Activities have no name; their title is built from type, date and the start of their details.
_DETAILS_CHARS = 60


def register_resources(server: MCPServer, calls: Calls) -> None:
    """Add the record templates, the fixed resources, paged listing and id completions to server."""
    for fixed in _fixed(calls):
        server.resource(fixed.uri, name=fixed.path, title=fixed.title, description=fixed.description, mime_type=MIME)(
            _fixed_reader(fixed)
        )
    for entity in ENTITIES:
        server.resource(
            _template(entity),
            name=entity.noun,
            title=f"Copper {entity.noun}",
            description=f"One {entity.noun} as compact JSON: names beside reference ids, ISO dates.",
            mime_type=MIME,
        )(_record_reader(entity, calls))

    async def list_resources(_ctx: ServerRequestContext[Any], params: PaginatedRequestParams) -> ListResourcesResult:
        start = Position.decode(params.cursor)
        page, following = await list_records(calls, start)
        fixed = await server.list_resources() if params.cursor is None else []
        return ListResourcesResult(resources=fixed + page, next_cursor=following.encode() if following else None)

    # MCPServer answers resources/list in one page; replacing the handler is the SDK's documented way.
    server._lowlevel_server.add_request_handler("resources/list", PaginatedRequestParams, list_resources)

    by_template = {_template(entity): entity for entity in ENTITIES}

    async def complete(
        ref: PromptReference | ResourceTemplateReference,
        argument: CompletionArgument,
        _context: CompletionContext | None,
    ) -> Completion | None:
        entity = by_template.get(ref.uri) if isinstance(ref, ResourceTemplateReference) else None
        if entity is None or argument.name != "id":
            return None
        return await complete_id(calls, entity, argument.value)

    # MCPServer.completion() is not annotated; it takes one handler per server and returns it.
    server.completion()(complete)  # type: ignore[no-untyped-call]


# -- records --------------------------------------------------------------------------------------


def _template(entity: Entity) -> str:
    return f"{SCHEME}{entity.plural}/{{id}}"


def _uri(entity: Entity, record_id: object) -> str:
    return f"{SCHEME}{entity.plural}/{record_id}"


def _record_reader(entity: Entity, calls: Calls) -> Callable[[str], Awaitable[str]]:
    # The parameter is called id because the template variable is; the SDK matches them by name.
    async def read(id: str) -> str:
        return (await read_record(calls, entity, id)).text

    read.__doc__ = f"One {entity.noun} by id."
    return read


async def read_record(calls: Calls, entity: Entity, record_id: str) -> Reply:
    """One record, as its get tool answers it; a missing or deleted record is ResourceNotFoundError."""
    uri = _uri(entity, record_id)
    missing = ResourceNotFoundError(f"No Copper record at {uri}")
    # Only digits reach Copper, so a crafted id cannot turn into another path.
    if not (record_id.isascii() and record_id.isdecimal()):
        raise missing
    try:
        reply = await calls.execute(calls.catalog.get(entity), {"id": int(record_id)})
    except (NotFoundError, InputError):
        raise missing from None
    except CopperError as exc:
        raise ResourceError(f"Could not read {uri}: {exc}") from exc
    if not isinstance(reply.data, dict) or reply.data.get("is_deleted"):
        raise missing  # Copper answers a deleted activity with {id, is_deleted: true}
    return reply


@dataclass(frozen=True)
class Position:
    """Where a resources/list page starts: a page of one entity's search."""

    entity: str
    page: int
    size: int = PAGE_SIZE

    def encode(self) -> str:
        """The opaque cursor a host sends back."""
        return base64.urlsafe_b64encode(json.dumps([self.entity, self.page, self.size]).encode()).decode()

    @classmethod
    def decode(cls, cursor: str | None) -> Position:
        """The position a cursor names; no cursor is the first page of the first entity."""
        if cursor is None:
            return cls(ENTITIES[0].plural, 1)
        try:
            entity, page, size = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        except (ValueError, TypeError, binascii.Error):
            entity, page, size = None, None, None
        if entity not in BY_PLURAL or not all(type(n) is int and n > 0 for n in (page, size)) or size > PAGE_SIZE:
            raise MCPError(code=INVALID_PARAMS, message=f"Invalid resources/list cursor: {cursor!r}")
        return cls(entity, page, size)

    def following(self) -> Position | None:
        """The first page of the next entity, or None after the last."""
        at = ENTITIES.index(BY_PLURAL[self.entity]) + 1
        return Position(ENTITIES[at].plural, 1) if at < len(ENTITIES) else None


async def list_records(calls: Calls, start: Position) -> tuple[list[Resource], Position | None]:
    """One page of record resources from start, and where the next page starts.

    Entities with no records are skipped, so a page is only empty at the very end.
    """
    at: Position | None = start
    while at is not None:
        page, following = await _page(calls, at)
        if page:
            return page, following
        at = following
    return [], None


async def _page(calls: Calls, at: Position) -> tuple[list[Resource], Position | None]:
    entity = BY_PLURAL[at.entity]
    arguments = {"page_number": at.page, "page_size": at.size, **_newest_first(calls, entity)}
    # Named records are titled by their name, so Copper's own record does (one request a page).
    arguments["raw"] = entity.named
    try:
        answer = (await calls.execute(calls.catalog.search(entity), arguments)).structured
    except CopperError as exc:
        raise MCPError(code=INTERNAL_ERROR, message=f"Could not list {entity.plural}: {exc}") from exc
    rows = [row for row in answer["records"] if isinstance(row, dict) and "id" in row]
    resources = [
        Resource(
            uri=_uri(entity, row["id"]), name=f"{entity.noun}-{row['id']}", title=_title(entity, row), mime_type=MIME
        )
        for row in rows
    ]
    # A page the budget cut says which smaller page it was; continue from there.
    following = Position(at.entity, answer.get("next_page_number", answer["page_number"] + 1), answer["page_size"])
    return resources, following if answer["has_more"] else at.following()


def _newest_first(calls: Calls, entity: Entity) -> dict[str, str]:
    """sort_by/sort_direction for most recently modified first ({} where Copper's default is)."""
    inputs = calls.catalog.search(entity).validation_schema.get("properties", {})
    # Activities document no sort_by values; their default order is already newest first.
    sortable = inputs.get("sort_by", {}).get("enum", ())
    return {"sort_by": "date_modified", "sort_direction": "desc"} if "date_modified" in sortable else {}


def _title(entity: Entity, record: Mapping[str, Any]) -> str:
    """A record's name; for an activity (which has none) its type, date and details."""
    if isinstance(record.get("name"), str) and record["name"].strip():
        return str(record["name"])
    if entity.named:
        return f"{entity.noun.capitalize()} {record['id']}"
    kind_name = record.get("type_name") if isinstance(record.get("type_name"), str) else entity.noun.capitalize()
    when = str(record.get("activity_date") or "")[:10]
    title = f"{kind_name} on {when}" if when else str(kind_name)
    details = " ".join(str(record.get("details") or "").split())
    if len(details) > _DETAILS_CHARS:
        details = details[: _DETAILS_CHARS - 1] + "…"
    return f"{title}: {details}" if details else title


async def complete_id(calls: Calls, entity: Entity, typed: str) -> Completion | None:
    """Ids of records whose name contains what was typed, most recently modified first.

    Nothing typed offers the most recently modified records. Where Copper's name filter takes
    whole names only (opportunities), the most recently modified page of records is searched
    here instead, ignoring case and accents. Entities without names (activities) offer nothing.
    """
    if not entity.named:
        return None
    search = calls.catalog.search(entity)
    wanted = fold(typed)
    local = bool(wanted) and search.name_filter == "exact"
    size = MAX_PAGE_SIZE if local else COMPLETION_LIMIT
    arguments: dict[str, Any] = {"page_size": size, "raw": True, **_newest_first(calls, entity)}
    if wanted and not local:
        arguments["name"] = typed.strip()
    try:
        answer = (await calls.execute(search, arguments)).structured
    except CopperError as exc:
        raise MCPError(code=INTERNAL_ERROR, message=f"Could not search {entity.plural}: {exc}") from exc
    rows = [row for row in answer["records"] if isinstance(row, dict) and "id" in row]
    if local:
        rows = [row for row in rows if wanted in fold(str(row.get("name") or ""))]
        values = [str(row["id"]) for row in rows[:COMPLETION_LIMIT]]
        return Completion(values=values, total=len(rows), has_more=len(rows) > len(values) or answer["has_more"])
    values = [str(row["id"]) for row in rows]
    total = answer["total"]
    return Completion(values=values, total=total, has_more=total is not None and total > len(values))


# -- fixed resources ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fixed:
    """One fixed resource and how to fetch its content."""

    path: str
    title: str
    description: str
    fetch: Callable[[], Awaitable[Any]]

    @property
    def uri(self) -> str:
        """``copper://<path>``."""
        return f"{SCHEME}{self.path}"


def _fixed(calls: Calls) -> tuple[Fixed, ...]:
    account = calls.account

    async def account_and_user() -> Any:
        found, me = await gather([account.refresh("account"), calls.requester.request("GET", "/users/me")])
        return {"account": found, "user": me.data}

    async def reference() -> Any:
        wanted = list(REFERENCE_LISTS)
        if not leads_enabled(await account.list("account")):
            wanted.remove("lead_statuses")  # leads switched off: Copper answers 403
        found = dict(zip(wanted, await gather(account.refresh(name) for name in wanted), strict=True))
        return {name: found.get(name, []) for name in REFERENCE_LISTS}

    def one(name: str) -> Callable[[], Awaitable[Any]]:
        return lambda: account.refresh(name)

    return (
        Fixed(
            "account", "Copper account", "The account's settings and the user the API key belongs to.", account_and_user
        ),
        Fixed("users", "Copper users", "Every user of the account (ids, names, emails).", one("users")),
        Fixed("pipelines", "Copper pipelines", "Opportunity pipelines with their stages, in order.", one("pipelines")),
        Fixed(
            "custom-fields",
            "Copper custom fields",
            "Custom field definitions: data type, where each applies, and dropdown options.",
            one("custom_field_definitions"),
        ),
        Fixed(
            "reference",
            "Copper reference lists",
            "Contact types, customer sources, loss reasons, lead statuses, activity types and task types.",
            reference,
        ),
    )


def _fixed_reader(fixed: Fixed) -> Callable[[], Awaitable[str]]:
    async def read() -> str:
        try:
            return Reply(await fixed.fetch()).text
        except CopperError as exc:
            raise ResourceError(f"Could not read {fixed.uri}: {exc}") from exc

    read.__doc__ = fixed.description
    return read
