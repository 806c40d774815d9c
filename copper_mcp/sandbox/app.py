"""The sandbox ASGI app: record routes, wiring of the other route modules, error handling."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.types import ASGIApp

from copper_mcp.sandbox import demo, layouts, reference, workflows
from copper_mcp.sandbox.config import API_PATH, SandboxConfig
from copper_mcp.sandbox.entities import ENTITIES
from copper_mcp.sandbox.errors import ApiError, error_response, not_found
from copper_mcp.sandbox.guards import FaultInjector, Gatekeeper
from copper_mcp.sandbox.records import Records
from copper_mcp.sandbox.routing import guarded, ok, path_id, read_object, wants_computed
from copper_mcp.sandbox.search import search
from copper_mcp.sandbox.store import Store
from copper_mcp.sandbox.web import Sandbox, caller_user, emit, public_changes, sandbox_of
from copper_mcp.sandbox.webhooks import WebhookHub

# -- record routes ---------------------------------------------------------------------------


def record_routes(plural: str) -> list[BaseRoute]:
    """GET/PUT/DELETE /{plural}/{id}, POST /{plural} and POST /{plural}/search."""
    singular = ENTITIES[plural].singular

    async def create(request: Request) -> Response:
        body = await read_object(request)
        sb = sandbox_of(request)
        doc = sb.records.create(plural, body, caller_user(request)["id"])
        await emit(request, singular, "new", [doc["id"]])
        return ok(sb.records.render(plural, doc, wants_computed(request)))

    async def fetch(request: Request) -> Response:
        sb = sandbox_of(request)
        return ok(sb.records.render(plural, sb.records.load(plural, path_id(request)), wants_computed(request)))

    async def update(request: Request) -> Response:
        id = path_id(request)
        sb = sandbox_of(request)
        sb.records.load(plural, id)  # 404 before complaining about the body
        body = await read_object(request)
        doc, diff = sb.records.update(plural, id, body)
        if diff:
            await emit(request, singular, "update", [id], public_changes(diff))
        return ok(sb.records.render(plural, doc, wants_computed(request)))

    async def delete(request: Request) -> Response:
        id = path_id(request)
        sandbox_of(request).records.delete(plural, id)
        await emit(request, singular, "delete", [id])
        return ok({"id": id, "is_deleted": True})

    async def find(request: Request) -> Response:
        body = await read_object(request)
        sb = sandbox_of(request)
        page, total = search(sb.records, plural, body, sb.records.now())
        computed = wants_computed(request)
        return ok([sb.records.render(plural, d, computed) for d in page], headers={"X-PW-TOTAL": str(total)})

    return [
        Route(f"/{plural}", guarded(create), methods=["POST"]),
        Route(f"/{plural}/search", guarded(find), methods=["POST"]),
        Route(f"/{plural}/{{id}}", guarded(fetch), methods=["GET"]),
        Route(f"/{plural}/{{id}}", guarded(update), methods=["PUT"]),
        Route(f"/{plural}/{{id}}", guarded(delete), methods=["DELETE"]),
    ]


# -- app ---------------------------------------------------------------------------------------


class SandboxApp(Starlette):
    """Starlette with the fault injector outside everything, even the error middleware,
    so an injected drop reaches the server as an exception and no answer is sent."""

    def __init__(self, faults_config: SandboxConfig, **kwargs: Any) -> None:
        self._faults = faults_config.faults
        super().__init__(**kwargs)

    def build_middleware_stack(self) -> ASGIApp:
        """The usual stack, wrapped in the fault injector."""
        return FaultInjector(super().build_middleware_stack(), self._faults)


async def _http_error(_request: Request, exc: Exception) -> Response:
    # Unknown paths and methods: Copper answers 404 "Resource not found" in its envelope.
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status in (404, 405):
        return not_found().response()
    return error_response(status, str(getattr(exc, "detail", "Error")))


async def _api_error(_request: Request, exc: Exception) -> Response:
    # Routes not wrapped by guarded() (e.g. the webhook module's) may raise ApiError too.
    if isinstance(exc, ApiError):
        return exc.response()
    return error_response(500, "Internal server error")


def create_app(config: SandboxConfig = SandboxConfig()) -> Starlette:  # noqa: B008 - frozen, safe default
    """Build a sandbox serving the Copper Developer API v1 under ``/developer_api/v1``.

    Storage opens and demo data is inserted here, not in a lifespan handler, so the app
    works under ``httpx2.ASGITransport``. With ``db_path`` pointing at an existing
    sandbox file, its data is kept and no demo data is added.
    """
    store = Store(config.db_path)
    if not reference.is_installed(store):
        reference.install_base(store)
        if config.demo_data:
            demo.populate(store, config.seed)
    hub = WebhookHub(store, config)
    routes: list[BaseRoute] = [*workflows.routes(), *reference.routes(), *layouts.routes()]
    for plural in ENTITIES:
        routes.extend(record_routes(plural))
    routes.extend(hub.routes())
    app = SandboxApp(
        config,
        # No redirect from /people/ to /people: Copper answers an unknown path 404, in the envelope.
        routes=[Mount(API_PATH, app=Router(routes, redirect_slashes=False))],
        middleware=[Middleware(Gatekeeper, config=config)],
        exception_handlers={HTTPException: _http_error, ApiError: _api_error},
    )
    app.state.sandbox = Sandbox(config=config, store=store, records=Records(store), hub=hub)
    return app
