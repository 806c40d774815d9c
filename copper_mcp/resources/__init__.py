"""MCP resources for browsing Copper.

- ``copper://<entity>/{id}`` templates, one per record entity: a record as compact JSON
  (names beside ids, ISO dates), the same shape ``compact()`` gives everywhere.
- Fixed resources: ``copper://account``, ``users``, ``pipelines``, ``custom-fields``, ``reference``.
- ``resources/list`` answers the fixed resources, then every record (entity by entity, most
  recently modified first) page by page behind an opaque cursor, so a host can browse the
  whole CRM without one huge answer.
- Completions for a template's ``id``: ids of records whose name contains what was typed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from mcp.server import MCPServer, ServerRequestContext
from mcp.server.mcpserver.exceptions import ResourceError
from mcp.types import (
    Completion,
    CompletionArgument,
    CompletionContext,
    ListResourcesResult,
    PaginatedRequestParams,
    PromptReference,
    ResourceTemplateReference,
)

from copper_mcp.client import CopperError
from copper_mcp.presentation import ReferenceCache
from copper_mcp.presentation.names import RecordNames
from copper_mcp.tools.registry import Requester

from .fixed import FIXED, Fixed
from .records import MIME, Kind, Position, complete_id, kinds, list_records, read_record, to_json

__all__ = ["register_resources"]


def register_resources(server: MCPServer, client: Requester, cache: ReferenceCache, names: RecordNames) -> None:
    """Add the record templates, the fixed resources, paged listing and id completions to server.

    cache and names should be the ones the tools' shaper uses, so a change made through a tool
    is seen by the next resource read.
    """
    for fixed in FIXED:
        server.resource(fixed.uri, name=fixed.path, title=fixed.title, description=fixed.description, mime_type=MIME)(
            _fixed_reader(fixed, client)
        )
    for kind in kinds():
        server.resource(
            kind.template,
            name=kind.noun,
            title=f"Copper {kind.noun}",
            description=f"One {kind.noun} as compact JSON: names beside reference ids, ISO dates.",
            mime_type=MIME,
        )(_record_reader(kind, client, cache, names))

    async def list_resources(_ctx: ServerRequestContext[Any], params: PaginatedRequestParams) -> ListResourcesResult:
        start = Position.decode(params.cursor)
        page, following = await list_records(client, cache, start)
        fixed = await server.list_resources() if params.cursor is None else []
        return ListResourcesResult(resources=fixed + page, next_cursor=following.encode() if following else None)

    # MCPServer answers resources/list in one page; replacing the handler is the SDK's documented way.
    server._lowlevel_server.add_request_handler("resources/list", PaginatedRequestParams, list_resources)

    by_template = {kind.template: kind for kind in kinds()}

    async def complete(
        ref: PromptReference | ResourceTemplateReference,
        argument: CompletionArgument,
        _context: CompletionContext | None,
    ) -> Completion | None:
        kind = by_template.get(ref.uri) if isinstance(ref, ResourceTemplateReference) else None
        if kind is None or argument.name != "id":
            return None
        return await complete_id(client, kind, argument.value)

    # MCPServer.completion() is not annotated; it takes one handler per server and returns it.
    server.completion()(complete)  # type: ignore[no-untyped-call]


def _fixed_reader(fixed: Fixed, client: Requester) -> Callable[[], Awaitable[str]]:
    async def read() -> str:
        try:
            return to_json(await fixed.fetch(client))
        except CopperError as exc:
            raise ResourceError(f"Could not read {fixed.uri}: {exc}") from exc

    read.__doc__ = fixed.description
    return read


def _record_reader(
    kind: Kind, client: Requester, cache: ReferenceCache, names: RecordNames
) -> Callable[[str], Awaitable[str]]:
    # The parameter is called id because the template variable is; the SDK matches them by name.
    async def read(id: str) -> str:
        return await read_record(client, cache, names, kind, id)

    read.__doc__ = f"One {kind.noun} by id."
    return read
