"""What every route module shares, the webhook hub's included: reading a request (JSON body,
path ids, query flags) and answering it (a 200 JSON answer, the error guard).

It knows nothing of the app's state (see ``web.py``), so any route module can use it.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from copper_mcp.sandbox.checks import choice
from copper_mcp.sandbox.errors import ApiError, error_response, invalid, not_found

log = logging.getLogger(__name__)


def _reject_constant(name: str) -> Any:
    # NaN and Infinity are not JSON; accepting them would later break rendering.
    raise ValueError(f"{name} is not valid JSON")


async def read_json(request: Request) -> Any:
    """The parsed JSON body; an empty body reads as ``{}``; malformed JSON is a 400."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw, parse_constant=_reject_constant)
        # Lone surrogates ("\\ud800") parse but are not Unicode, so no answer could echo them.
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError, UnicodeError) as exc:
        raise ApiError(400, "Malformed JSON in request body") from exc
    return body


async def read_object(request: Request) -> dict[str, Any]:
    """The JSON body, which must be an object."""
    body = await read_json(request)
    if not isinstance(body, dict):
        raise ApiError(422, "Invalid input: body must be a JSON object", field="body")
    return body


def _as_id(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def path_id(request: Request, name: str = "id") -> int:
    """An integer id from the path; anything else cannot name a record, so 404."""
    id = _as_id(str(request.path_params.get(name, "")))
    if id is None:
        raise not_found()
    return id


def query_id(request: Request, name: str) -> int | None:
    """An integer id from the query, None when absent; anything else is a 422 naming it."""
    text = request.query_params.get(name)
    if text is None:
        return None
    id = _as_id(text)
    if id is None:
        raise invalid(name, f"must be an integer id, not {text!r}")
    return id


def query_choice(request: Request, name: str, choices: Collection[str], default: str) -> str:
    """A query parameter that must be one of ``choices``; absent means ``default``; else a 422."""
    value = request.query_params.get(name)
    return default if value is None else choice(name, value, choices)


def query_flag(request: Request, name: str) -> bool:
    """A ``true``/``false`` query parameter (any case); absent is false; anything else a 422."""
    return choice(name, request.query_params.get(name, "false").lower(), ("true", "false")) == "true"


def wants_computed(request: Request) -> bool:
    """``?custom_field_computed_values=true`` adds option names next to custom field values."""
    return query_flag(request, "custom_field_computed_values")


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
