"""Webhook subscriptions and deliveries for the sandbox (Copper API reference §9).

``WebhookHub`` serves ``/webhooks`` (CRUD on subscriptions stored under the kind
``"webhooks"``) and, when the app reports a change through :meth:`WebhookHub.emit`,
POSTs a notification to every matching subscription's target, as Copper does:

- body ``{"ids", "type", "event", "subscription_id", <secret pairs>, "updated_attributes"}``,
  with the secret's pairs flattened into the top level and ``updated_attributes`` on
  ``update`` only;
- at most 30 ids per notification (more changes mean several notifications);
- the subscription's custom headers plus ``Content-Type: application/json``;
- sent exactly once and never retried, whatever the receiver answers.

Deliveries run as background tasks so they never delay or fail the API response;
``await hub.drain()`` waits for the ones in flight (tests use it instead of sleeping).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx2
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from copper_mcp.sandbox.checks import choice
from copper_mcp.sandbox.config import SandboxConfig
from copper_mcp.sandbox.errors import ApiError, invalid, not_found
from copper_mcp.sandbox.recordtypes import BY_SINGULAR, WEBHOOK_TYPES
from copper_mcp.sandbox.routing import read_object
from copper_mcp.sandbox.store import Store

logger = logging.getLogger(__name__)

KIND = "webhooks"
MAX_SUBSCRIPTIONS = 100
IDS_PER_NOTIFICATION = 30
EVENTS = ("new", "update", "delete")
# Hosts an http:// target may use when the config allows plain-HTTP webhooks (local receivers only).
LOCAL_HTTP_HOSTS = ("127.0.0.1", "localhost")
# Fields PUT may change (§9); everything else about a subscription is fixed at creation.
UPDATABLE = ("target", "secret", "headers", "custom_field_computed_values")
# Keys the notification body already uses; a secret pair with one of these names would
# overwrite it when flattened, so such secrets are refused.
RESERVED_BODY_KEYS = frozenset({"ids", "type", "event", "subscription_id", "updated_attributes"})
# RFC 9110 token: what an HTTP header name may contain.
_HEADER_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_INVALID_URI = "Invalid input: Invalid URI For External Request"
_DELIVERY_TIMEOUT_SECONDS = 10.0


class WebhookHub:
    """Owns the ``/webhooks`` routes and delivers notifications to subscribers.

    Create one per app; the app calls :meth:`emit` after each successful change and
    :meth:`aclose` on shutdown.
    """

    def __init__(self, store: Store, config: SandboxConfig) -> None:
        self._store = store
        self._config = config
        # Strong references: asyncio only keeps weak ones to running tasks.
        self._in_flight: set[asyncio.Task[None]] = set()
        self._client: httpx2.AsyncClient | None = None

    # -- routes ---------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        """Routes for the webhook endpoints, relative to ``/developer_api/v1``.

        Handlers raise :class:`ApiError`; the app's exception handler answers it in the envelope.
        """
        return [
            Route("/webhooks", self._list, methods=["GET"]),
            Route("/webhooks", self._create, methods=["POST"]),
            Route("/webhooks/{id:int}", self._fetch, methods=["GET"]),
            Route("/webhooks/{id:int}", self._update, methods=["PUT"]),
            Route("/webhooks/{id:int}", self._delete, methods=["DELETE"]),
        ]

    async def _list(self, _request: Request) -> Response:
        return JSONResponse([_present(doc) for doc in self._store.list(KIND)])

    async def _fetch(self, request: Request) -> Response:
        return JSONResponse(_present(self._get_or_404(request)))

    async def _create(self, request: Request) -> Response:
        body = await read_object(request)
        doc = {
            "target": self._valid_target(body.get("target")),
            "type": choice("type", body.get("type"), WEBHOOK_TYPES),
            "event": choice("event", body.get("event"), EVENTS),
            "secret": _valid_secret(body.get("secret")),
            "headers": _valid_headers(body.get("headers")),
            "custom_field_computed_values": _valid_flag(body.get("custom_field_computed_values")),
            # Wall-clock seconds: config.clock is a monotonic source meant for rate-limit windows.
            "created_at": int(time.time()),
        }
        # Count and insert together so two concurrent creates cannot both take the 100th slot.
        with self._store.transaction():
            if self._store.count(KIND) >= MAX_SUBSCRIPTIONS:
                raise ApiError(422, f"Invalid input: Maximum of {MAX_SUBSCRIPTIONS} webhook subscriptions reached")
            stored = self._store.insert(KIND, doc)
        return JSONResponse(_present(stored))

    async def _update(self, request: Request) -> Response:
        body = await read_object(request)
        current = self._get_or_404(request)
        # Decision: type and event are fixed at creation (§9). Repeating the current value
        # is accepted, so a client may PUT back a record it fetched; a different value is
        # a 422 rather than silently ignored, so the caller learns it needs a new
        # subscription. id, created_at and unknown fields are read-only and ignored.
        for fixed in ("type", "event"):
            if fixed in body and body[fixed] != current[fixed]:
                raise invalid(
                    fixed,
                    f"cannot be changed; create a new subscription instead "
                    f"(only {', '.join(UPDATABLE)} can be updated)",
                )
        updated = dict(current)
        if "target" in body:
            updated["target"] = self._valid_target(body["target"])
        if "secret" in body:
            updated["secret"] = _valid_secret(body["secret"])
        if "headers" in body:
            updated["headers"] = _valid_headers(body["headers"])
        if "custom_field_computed_values" in body:
            updated["custom_field_computed_values"] = _valid_flag(body["custom_field_computed_values"])
        self._store.replace(KIND, current["id"], updated)
        return JSONResponse(_present(updated))

    async def _delete(self, request: Request) -> Response:
        id = int(request.path_params["id"])
        if not self._store.delete(KIND, id):
            raise not_found()
        return JSONResponse({"id": id})

    def _get_or_404(self, request: Request) -> dict[str, Any]:
        doc = self._store.get(KIND, int(request.path_params["id"]))
        if doc is None:
            raise not_found()
        return doc

    def _valid_target(self, value: Any) -> str:
        """Accept https URLs, and http to a local host when the config allows it; else 422."""
        if not isinstance(value, str):
            raise ApiError(422, _INVALID_URI, field="target")
        try:
            parts = urlsplit(value)
            host = parts.hostname
            parts.port  # noqa: B018 - raises ValueError on a malformed port
        except ValueError:
            raise ApiError(422, _INVALID_URI, field="target") from None
        if not host:
            raise ApiError(422, _INVALID_URI, field="target")
        if parts.scheme == "https":
            return value
        if parts.scheme == "http" and self._config.allow_http_webhooks and host in LOCAL_HTTP_HOSTS:
            return value
        raise ApiError(422, _INVALID_URI, field="target")

    # -- delivery -------------------------------------------------------------

    async def emit(
        self,
        singular: str,
        event: str,
        ids: list[int],
        updated_attributes: dict[str, Any] | None = None,
    ) -> None:
        """Notify every subscription watching ``singular`` records' ``event`` that records ``ids`` changed.

        Returns at once: each notification is sent by a background task (see :meth:`drain`).
        ``updated_attributes`` (``{field: [old, new]}``) is included on ``update`` only.
        """
        if not ids:
            return
        watched = BY_SINGULAR[singular].watched_as
        subscriptions = [doc for doc in self._store.list(KIND) if doc["type"] == watched and doc["event"] == event]
        for subscription in subscriptions:
            for start in range(0, len(ids), IDS_PER_NOTIFICATION):
                chunk = ids[start : start + IDS_PER_NOTIFICATION]
                body = _notification(subscription, chunk, updated_attributes)
                task = asyncio.get_running_loop().create_task(self._deliver(subscription, body))
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)

    async def drain(self) -> None:
        """Wait until every delivery started so far has finished (or failed)."""
        while self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def aclose(self) -> None:
        """Wait for in-flight deliveries, then close the HTTP client."""
        await self.drain()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _http(self) -> httpx2.AsyncClient:
        # Created on first use so it binds to the event loop that serves requests.
        if self._client is None:
            self._client = httpx2.AsyncClient(
                transport=self._config.webhook_transport,
                timeout=_DELIVERY_TIMEOUT_SECONDS,
                # Only cli.py reads the environment (no proxy variables), and a
                # notification goes to the registered target, not wherever it redirects.
                trust_env=False,
                follow_redirects=False,
                # No idle connections kept: notifications are sparse, and when the app stops
                # without a lifespan shutdown (ASGITransport, or a server that never calls
                # aclose) no socket is left open behind it.
                limits=httpx2.Limits(max_keepalive_connections=0),
            )
        return self._client

    async def _deliver(self, subscription: Mapping[str, Any], body: dict[str, Any]) -> None:
        """POST one notification once; failures are logged, never retried or raised."""
        # The body is always JSON, so a custom Content-Type (any spelling) gives way to ours.
        custom = {k: v for k, v in subscription.get("headers", {}).items() if k.lower() != "content-type"}
        headers = {**custom, "Content-Type": "application/json"}
        try:
            response = await self._http().post(
                subscription["target"], content=json.dumps(body).encode(), headers=headers
            )
        except Exception as error:  # a receiver's failure must never reach the API caller
            logger.warning(
                "webhook %s: delivery to %s failed (%s: %s); not retried",
                subscription["id"],
                subscription["target"],
                type(error).__name__,
                error,
            )
            return
        if response.status_code >= 400:
            logger.warning(
                "webhook %s: %s answered %d; not retried",
                subscription["id"],
                subscription["target"],
                response.status_code,
            )


def _notification(
    subscription: Mapping[str, Any], ids: list[int], updated_attributes: dict[str, Any] | None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "ids": ids,
        "type": subscription["type"],
        "event": subscription["event"],
        "subscription_id": subscription["id"],
    }
    body.update(subscription.get("secret") or {})
    if subscription["event"] == "update":
        body["updated_attributes"] = updated_attributes or {}
    return body


def _present(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The subscription as the API returns it (fixed key order, nothing internal)."""
    return {
        "id": doc["id"],
        "target": doc["target"],
        "type": doc["type"],
        "event": doc["event"],
        "secret": doc.get("secret") or {},
        "headers": doc.get("headers") or {},
        "custom_field_computed_values": bool(doc.get("custom_field_computed_values")),
        "created_at": doc["created_at"],
    }


def _string_pairs(value: Any, field: str) -> dict[str, str]:
    """An object of string keys to string values; null (clear) is an empty object."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise invalid(field, "must be an object of string values")
    return dict(value)


def _valid_secret(value: Any) -> dict[str, str]:
    pairs = _string_pairs(value, "secret")
    clashing = sorted(RESERVED_BODY_KEYS & pairs.keys())
    if clashing:
        raise invalid("secret", f"keys {', '.join(clashing)} are reserved by the notification body")
    return pairs


def _valid_headers(value: Any) -> dict[str, str]:
    pairs = _string_pairs(value, "headers")
    for name, text in pairs.items():
        # Refuse now what the HTTP client would refuse at delivery time, where nobody would see it.
        if not _HEADER_NAME.match(name) or any(ch in text for ch in "\r\n\0"):
            raise invalid("headers", f"invalid header {name!r}")
    return pairs


def _valid_flag(value: Any) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise invalid("custom_field_computed_values", "must be a boolean")
    return value
