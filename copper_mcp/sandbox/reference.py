"""Account, users and reference data (pipelines, stages, lists, activity types, custom field
definitions, tags): the fixed base every sandbox account starts with, and their routes."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from copper_mcp.sandbox import activitytypes, customfields
from copper_mcp.sandbox.checks import is_int
from copper_mcp.sandbox.customfields import DEFINITIONS
from copper_mcp.sandbox.entities import ENTITIES
from copper_mcp.sandbox.errors import invalid, not_found
from copper_mcp.sandbox.routing import Endpoint, guarded, ok, path_id, query_choice, query_flag, read_object
from copper_mcp.sandbox.store import Store
from copper_mcp.sandbox.web import caller_user, sandbox_of

ACCOUNT = {
    "id": 100624,
    "name": "Harbor Lane Analytics",
    "primary_timezone": "America/New_York",
    "settings": {"setting_team_permissions_enabled": False, "setting_enable_leads": True},
}
USERS = [
    ("Dana Whitfield", "dana@harborlane.example", "Sales"),
    ("Marcus Okafor", "marcus@harborlane.example", "Sales"),
    ("Priya Raman", "priya@harborlane.example", "Sales"),
    ("Tomás Herrera", "tomas@harborlane.example", "Business Development"),
    ("Elise Navarro", "elise@harborlane.example", "Customer Success"),
]
# (name, type: opportunity | project | item, is revenue, stages with their win probability).
# An opportunity shows its pipeline's type as pipeline_type; /pipelines does not list it.
PIPELINES = [
    ("Sales", "opportunity", True,
     [("Qualified", 10), ("Follow-up", 25), ("Presentation", 50), ("Negotiation", 75), ("Closing", 90)]),
    ("Business Development", "opportunity", False, [("First Meeting", 10), ("Proposal", 40), ("Agreement", 80)]),
    ("Customer Onboarding", "project", False, [("Kickoff", 10), ("Implementation", 50), ("Go-live", 90)]),
]  # fmt: skip
CONTACT_TYPES = ["Potential Customer", "Current Customer", "Uncategorized", "Other"]
CUSTOMER_SOURCES = ["Email", "Cold Call", "Advertising", "Referral", "Website", "Trade Show"]
LOSS_REASONS = ["Price", "Competitor", "Timing", "No Budget", "Unresponsive"]
LEAD_STATUSES = ["New", "Open", "Unqualified", "Junk"]
BASE_MARKER = "sandbox_meta"


def install_base(store: Store) -> None:
    """Insert the account, users and reference lists (ids are fixed so they never depend on order)."""
    with store.transaction():
        store.insert(BASE_MARKER, {"id": 1, "account": ACCOUNT})
        for n, (name, email, group) in enumerate(USERS):
            groups = [{"id": 1 + [u[2] for u in USERS].index(group), "name": group}]
            store.insert("users", {"id": 159258 + n, "name": name, "email": email, "groups": groups})
        stage_id = 987790
        for p, (pipeline, kind, revenue, stages) in enumerate(PIPELINES):
            pipeline_id = 213214 + p
            store.insert("pipelines", {"id": pipeline_id, "name": pipeline, "is_revenue": revenue, "type": kind})
            for name, chance in stages:
                store.insert(
                    "pipeline_stages",
                    {"id": stage_id, "name": name, "pipeline_id": pipeline_id, "win_probability": chance},
                )
                stage_id += 1
        for kind, names, first in (
            ("contact_types", CONTACT_TYPES, 451490),
            ("customer_sources", CUSTOMER_SOURCES, 331240),
            ("loss_reasons", LOSS_REASONS, 308806),
        ):
            for n, name in enumerate(names):
                store.insert(kind, {"id": first + n, "name": name})
        for n, name in enumerate(LEAD_STATUSES):
            store.insert("lead_statuses", {"id": 208231 + n, "name": name, "order": n + 1, "is_default": n == 0})
        for activity_type in activitytypes.BASE_TYPES:
            store.insert(activitytypes.KIND, activity_type)


def is_installed(store: Store) -> bool:
    """True once :func:`install_base` has run on this store (e.g. an existing file)."""
    return store.get(BASE_MARKER, 1) is not None


# -- routes ------------------------------------------------------------------------------


async def account(request: Request) -> JSONResponse:
    """GET /account."""
    marker = sandbox_of(request).store.get(BASE_MARKER, 1)
    return ok(marker["account"] if marker else ACCOUNT)


async def get_user(request: Request) -> JSONResponse:
    """GET /users/{id}; ``me`` is the caller."""
    if request.path_params["id"] == "me":
        return ok(caller_user(request))
    user = sandbox_of(request).store.get("users", path_id(request))
    if user is None:
        raise not_found()
    return ok(user)


async def search_users(request: Request) -> JSONResponse:
    """POST /users/search with page_number and page_size."""
    body = await read_object(request)
    number, size = body.get("page_number", 1), body.get("page_size", 20)
    if not is_int(number) or number < 1:
        raise invalid("page_number", "must be an integer at least 1")
    if not is_int(size) or not 1 <= size <= 200:
        raise invalid("page_size", "must be an integer between 1 and 200")
    users = sandbox_of(request).store.list("users")
    return ok(users[(number - 1) * size : number * size], headers={"X-PW-TOTAL": str(len(users))})


def _stages(request: Request, pipeline_id: int | None = None) -> list[dict[str, Any]]:
    stages = sandbox_of(request).store.list("pipeline_stages")
    return [s for s in stages if pipeline_id is None or s["pipeline_id"] == pipeline_id]


async def pipelines(request: Request) -> JSONResponse:
    """GET /pipelines with their stages."""
    out = []
    for pipeline in sandbox_of(request).store.list("pipelines"):
        stages = [
            {"id": s["id"], "name": s["name"], "win_probability": s["win_probability"]}
            for s in _stages(request, pipeline["id"])
        ]
        out.append({"id": pipeline["id"], "name": pipeline["name"], "stages": stages})
    return ok(out)


async def pipeline_stages(request: Request) -> JSONResponse:
    """GET /pipeline_stages, or those of one pipeline."""
    if "id" not in request.path_params:
        return ok(_stages(request))
    pipeline_id = path_id(request)
    if sandbox_of(request).store.get("pipelines", pipeline_id) is None:
        raise not_found()
    return ok(_stages(request, pipeline_id))


def _listing(kind: str) -> Any:
    async def handler(request: Request) -> JSONResponse:
        return ok(sandbox_of(request).store.list(kind))

    handler.__doc__ = f"GET /{kind}: the account's {kind.replace('_', ' ')}."
    return handler


async def activity_types(request: Request) -> JSONResponse:
    """GET /activity_types: an object with ``user`` and ``system`` lists, not an array."""
    kinds = [activitytypes.as_activity_type(doc) for doc in sandbox_of(request).store.list(activitytypes.KIND)]
    return ok({category: [k for k in kinds if k["category"] == category] for category in activitytypes.CATEGORIES})


# -- custom activity types (see activitytypes.py for how they relate to /activity_types) ---------


def _account_id(request: Request) -> int:
    marker = sandbox_of(request).store.get(BASE_MARKER, 1)
    return int((marker or {"account": ACCOUNT})["account"]["id"])


def _custom_type_or_404(request: Request) -> dict[str, Any]:
    found = activitytypes.find_custom(sandbox_of(request).store, path_id(request))
    if found is None:
        raise not_found()
    return found


async def list_custom_activity_types(request: Request) -> JSONResponse:
    """GET /custom_activity_types."""
    account_id = _account_id(request)
    custom = activitytypes.custom_types(sandbox_of(request).store)
    return ok([activitytypes.as_custom_type(doc, account_id) for doc in custom])


async def get_custom_activity_type(request: Request) -> JSONResponse:
    """GET /custom_activity_types/{id}."""
    return ok(activitytypes.as_custom_type(_custom_type_or_404(request), _account_id(request)))


async def create_custom_activity_type(request: Request) -> JSONResponse:
    """POST /custom_activity_types with ``name`` and ``icon_type``."""
    body = await read_object(request)
    store = sandbox_of(request).store
    with store.transaction():
        created = store.insert(activitytypes.KIND, activitytypes.check_custom(store, body, None))
    return ok(activitytypes.as_custom_type(created, _account_id(request)))


async def update_custom_activity_type(request: Request) -> JSONResponse:
    """PUT /custom_activity_types/{id}: ``name`` and/or ``icon_type``."""
    existing = _custom_type_or_404(request)
    body = await read_object(request)
    store = sandbox_of(request).store
    with store.transaction():
        updated = activitytypes.check_custom(store, body, existing)
        store.replace(activitytypes.KIND, existing["id"], updated)
    return ok(activitytypes.as_custom_type(updated, _account_id(request)))


# -- custom field definitions --------------------------------------------------------------


async def list_definitions(request: Request) -> JSONResponse:
    """GET /custom_field_definitions."""
    return ok(sandbox_of(request).store.list(DEFINITIONS))


async def get_definition(request: Request) -> JSONResponse:
    """GET /custom_field_definitions/{id}."""
    found = sandbox_of(request).store.get(DEFINITIONS, path_id(request))
    if found is None:
        raise not_found()
    return ok(found)


async def create_definition(request: Request) -> JSONResponse:
    """POST /custom_field_definitions."""
    body = await read_object(request)
    store = sandbox_of(request).store
    with store.transaction():
        doc = customfields.validate_definition(store, body, None)
        return ok(store.insert(DEFINITIONS, doc))


async def update_definition(request: Request) -> JSONResponse:
    """PUT /custom_field_definitions/{id}: partial; ``options`` replaces the option list."""
    store = sandbox_of(request).store
    id = path_id(request)
    existing = store.get(DEFINITIONS, id)
    if existing is None:
        raise not_found()
    body = await read_object(request)
    with store.transaction():
        doc = customfields.validate_definition(store, body, existing)
        store.replace(DEFINITIONS, id, doc)
    return ok(store.get(DEFINITIONS, id))


async def delete_definition(request: Request) -> JSONResponse:
    """DELETE /custom_field_definitions/{id}."""
    id = path_id(request)
    if not sandbox_of(request).store.delete(DEFINITIONS, id):
        raise not_found()
    return ok({"id": id, "is_deleted": True})


# -- tags ---------------------------------------------------------------------------------


async def tags(request: Request) -> JSONResponse:
    """GET /tags: every tag in use with its count (shape not documented: ``{"name", "count"}``)."""
    sort_by = query_choice(request, "sort_by", ("name", "count"), "name")
    names_only = query_flag(request, "tag_names_only")
    counts: dict[str, int] = {}
    spelling: dict[str, str] = {}
    records = sandbox_of(request).records
    for plural, entity in ENTITIES.items():
        if "tags" not in entity.fields:
            continue
        for doc in records.live(plural):
            for tag in doc.get("tags") or []:
                spelling.setdefault(tag.lower(), tag)
                counts[tag.lower()] = counts.get(tag.lower(), 0) + 1
    keys = sorted(counts)
    if sort_by == "count":
        keys.sort(key=lambda k: (-counts[k], k))
    if names_only:
        # last_tag_value is a cursor: continue after that name (name order only makes sense here).
        last = request.query_params.get("last_tag_value")
        if last is not None:
            keys = [k for k in sorted(counts) if k > last.lower()]
        return ok([spelling[k] for k in keys])
    return ok([{"name": spelling[k], "count": counts[k]} for k in keys])


def routes() -> list[BaseRoute]:
    """Routes relative to /developer_api/v1, with the record routes' error handling."""
    lists = ("contact_types", "customer_sources", "loss_reasons", "lead_statuses")
    listing = [(f"/{kind}", _listing(kind), "GET") for kind in lists]
    endpoints: list[tuple[str, Endpoint, str]] = [
        ("/account", account, "GET"),
        ("/users/search", search_users, "POST"),
        ("/users/{id}", get_user, "GET"),
        ("/pipelines", pipelines, "GET"),
        ("/pipeline_stages", pipeline_stages, "GET"),
        ("/pipeline_stages/pipeline/{id}", pipeline_stages, "GET"),
        *listing,
        ("/activity_types", activity_types, "GET"),
        ("/custom_activity_types", list_custom_activity_types, "GET"),
        ("/custom_activity_types", create_custom_activity_type, "POST"),
        ("/custom_activity_types/{id}", get_custom_activity_type, "GET"),
        ("/custom_activity_types/{id}", update_custom_activity_type, "PUT"),
        ("/custom_field_definitions", list_definitions, "GET"),
        ("/custom_field_definitions", create_definition, "POST"),
        ("/custom_field_definitions/{id}", get_definition, "GET"),
        ("/custom_field_definitions/{id}", update_definition, "PUT"),
        ("/custom_field_definitions/{id}", delete_definition, "DELETE"),
        ("/tags", tags, "GET"),
    ]
    return [Route(path, guarded(endpoint), methods=[method]) for path, endpoint, method in endpoints]

