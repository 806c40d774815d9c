"""Request helpers shared by every route module: body parsing, ids, the caller, responses."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from copper_mcp.sandbox.errors import ApiError, error_response, not_found
from copper_mcp.sandbox.records import Records
from copper_mcp.sandbox.store import Store

if TYPE_CHECKING:
    from copper_mcp.sandbox.config import SandboxConfig
    from copper_mcp.sandbox.webhooks import WebhookHub

log = logging.getLogger(__name__)


@dataclass
class Sandbox:
    """Everything a route needs, kept on ``app.state.sandbox``."""

    config: SandboxConfig
    store: Store
    records: Records
    hub: WebhookHub


def sandbox_of(request: Request) -> Sandbox:
    """The sandbox serving ``request``."""
    state: Sandbox = request.app.state.sandbox
    return state


def _reject_constant(name: str) -> Any:
    # NaN and Infinity are not JSON; accepting them would later break rendering.
    raise ValueError(f"{name} is not valid JSON")


async def read_json(request: Request) -> Any:
    """The parsed JSON body; an empty body reads as ``{}``; malformed JSON is a 400."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        return json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError, UnicodeDecodeError) as exc:
        raise ApiError(400, "Malformed JSON in request body") from exc


async def read_object(request: Request) -> dict[str, Any]:
    """The JSON body, which must be an object."""
    body = await read_json(request)
    if not isinstance(body, dict):
        raise ApiError(422, "Invalid input: body must be a JSON object", field="body")
    return body


def path_id(request: Request, name: str = "id") -> int:
    """An integer id from the path; anything else cannot name a record, so 404."""
    text = str(request.path_params.get(name, ""))
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise not_found()
    return int(text)


def wants_computed(request: Request) -> bool:
    """``?custom_field_computed_values=true`` adds option names next to custom field values."""
    return request.query_params.get("custom_field_computed_values", "").lower() == "true"


def caller_user(request: Request) -> dict[str, Any]:
    """The user making the call: the one whose email is X-PW-UserEmail, else the first user."""
    store = sandbox_of(request).store
    email = request.headers.get("x-pw-useremail", "").strip().lower()
    users = store.list("users")
    for user in users:
        if user["email"].lower() == email:
            return user
    return users[0] if users else {"id": None, "name": None, "email": email, "groups": []}


def ok(body: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    """A 200 JSON answer (Copper answers 200 for creates and deletes too)."""
    return JSONResponse(body, headers=headers)


Endpoint = Callable[[Request], Awaitable[Response]]


def guarded(endpoint: Endpoint) -> Endpoint:
    """Answer ApiErrors in the envelope and turn any bug into a 500 envelope, never a crash."""

    @functools.wraps(endpoint)
    async def run(request: Request) -> Response:
        try:
            return await endpoint(request)
        except ApiError as exc:
            return exc.response()
        except Exception:
            log.exception("sandbox bug while handling %s %s", request.method, request.url.path)
            return error_response(500, "Internal server error")

    return run


async def emit(request: Request, singular: str, event: str, ids: list[int], changes: Any = None) -> None:
    """Tell the webhook hub about a change; a delivery problem never fails the API call."""
    if not ids:
        return
    try:
        await sandbox_of(request).hub.emit(singular, event, ids, changes)
    except Exception:
        log.exception("webhook emit failed for %s %s", singular, event)


def public_changes(diff: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """The ``updated_attributes`` of an update webhook (internal keys removed)."""
    return {k: v for k, v in diff.items() if not k.startswith("_")}
