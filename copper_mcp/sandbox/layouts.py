"""Field layouts: ``GET /field_layouts/by_entity/{entity}``, the fields a record type shows, in order.

Copper added the endpoint in 2025; the one element shape seen in the wild is
``{"field_id": 0, "field_key": "full_name", "field_type": "static_field"}``, and the answer is a
bare array of such elements. Everything else here is the sandbox's decision (unconfirmed):

- a layout lists the record type's writable fields in the order its records show them, as
  ``static_field`` elements with ``field_id`` 0 and the record's own key as ``field_key`` (so a
  client can match elements to record values; Copper's one example keys a name "full_name"),
  then each custom field available on the type as a ``custom_field`` element whose
  ``field_id`` is the definition id and whose ``field_key`` is its ``canonical_name`` (null
  when it has none);
- layouts exist for leads, people, companies, opportunities, projects and tasks; any other
  entity is a 404;
- opportunities need ``?pipeline_id=`` (a pipeline's layout, as Copper's clients ask for it);
  without it, or with an id that names no pipeline, the answer is a 422 naming
  ``pipeline_id``. Every pipeline shows the same fields here. Other types ignore the parameter.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from copper_mcp.sandbox import customfields
from copper_mcp.sandbox.entities import ENTITIES
from copper_mcp.sandbox.errors import invalid, not_found
from copper_mcp.sandbox.recordtypes import RECORD_TYPES
from copper_mcp.sandbox.routing import guarded, ok, query_id
from copper_mcp.sandbox.store import Store
from copper_mcp.sandbox.web import sandbox_of

PIPELINED = "opportunities"
"""The one record type whose layouts are per pipeline."""


def layout(store: Store, plural: str) -> list[dict[str, Any]]:
    """The layout elements of one record type: its writable fields, then its custom fields."""
    entity = ENTITIES[plural]
    static = [
        {"field_id": 0, "field_key": name, "field_type": "static_field"}
        for name, field in entity.fields.items()
        if field.writable and field.kind != "custom_fields"
    ]
    custom = [
        {"field_id": definition["id"], "field_key": definition.get("canonical_name"), "field_type": "custom_field"}
        for definition in customfields.definitions_for(store, entity.singular)
    ]
    return static + custom


async def field_layout(request: Request) -> JSONResponse:
    """GET /field_layouts/by_entity/{entity} (opportunities with ?pipeline_id=)."""
    plural = request.path_params["entity"]
    if plural not in RECORD_TYPES.values():
        raise not_found()
    store = sandbox_of(request).store
    if plural == PIPELINED:
        pipeline_id = query_id(request, "pipeline_id")
        if pipeline_id is None:
            raise invalid("pipeline_id", f"is required for {plural}")
        if store.get("pipelines", pipeline_id) is None:
            raise invalid("pipeline_id", f"no pipeline with id {pipeline_id}")
    return ok(layout(store, plural))


def routes() -> list[BaseRoute]:
    """Routes relative to /developer_api/v1."""
    return [Route("/field_layouts/by_entity/{entity}", guarded(field_layout), methods=["GET"])]
