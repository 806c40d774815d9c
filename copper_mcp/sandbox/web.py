"""The app's state as routes see it: the ``Sandbox`` on ``app.state``, the calling user, and
telling the webhook hub about changes. Request plumbing lives in ``routing.py``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from copper_mcp.sandbox.config import SandboxConfig
from copper_mcp.sandbox.records import Records
from copper_mcp.sandbox.store import Store
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


def caller_user(request: Request) -> dict[str, Any]:
    """The user making the call: the one whose email is X-PW-UserEmail, else the first user."""
    store = sandbox_of(request).store
    email = request.headers.get("x-pw-useremail", "").strip().lower()
    users = store.list("users")
    for user in users:
        if user["email"].lower() == email:
            return user
    return users[0] if users else {"id": None, "name": None, "email": email, "groups": []}


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
