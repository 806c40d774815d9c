"""Webhook subscriptions (CRUD, validation) and notification delivery, in process."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx2
import pytest
from starlette.applications import Starlette

from copper_mcp.sandbox import SandboxConfig, create_app
from copper_mcp.sandbox.webhooks import WebhookHub
from tests.sandbox.support import BASE_URL, HEADERS

TARGET = "https://hooks.example.com/copper"
INVALID_URI = {"success": False, "status": 422, "message": "Invalid input: Invalid URI For External Request"}


@dataclass
class Receiver:
    """A webhook target behind httpx2.MockTransport: records every request it gets."""

    status: int = 200
    requests: list[httpx2.Request] = field(default_factory=list)

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        return httpx2.Response(self.status)

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]


def _build_app(config: SandboxConfig) -> tuple[Starlette, WebhookHub]:
    """The sandbox app and its webhook hub (tests wait on the hub's deliveries)."""
    app = create_app(config)
    hub: WebhookHub = app.state.sandbox.hub
    return app, hub


@asynccontextmanager
async def sandbox(
    receiver: Receiver | None = None, **options: Any
) -> AsyncIterator[tuple[httpx2.AsyncClient, WebhookHub]]:
    """An API client on an in-process sandbox whose webhooks reach ``receiver``."""
    config = SandboxConfig(demo_data=False, webhook_transport=httpx2.MockTransport(receiver or Receiver()), **options)
    app, hub = _build_app(config)
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url=BASE_URL, headers=HEADERS) as client:
        try:
            yield client, hub
        finally:
            await hub.aclose()


async def _subscribe(client: httpx2.AsyncClient, **fields: Any) -> dict[str, Any]:
    body = {"target": TARGET, "type": "person", "event": "new", **fields}
    response = await client.post("/webhooks", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


# -- subscriptions ---------------------------------------------------------------


async def test_create_returns_the_full_record() -> None:
    async with sandbox() as (client, _):
        created = await _subscribe(
            client,
            type="lead",
            event="update",
            secret={"secret": "hook_source", "key": "copper_notifications"},
            headers={"Authentication": "Bearer token"},
            custom_field_computed_values=True,
        )
    assert isinstance(created["id"], int)
    assert isinstance(created["created_at"], int)
    assert created["created_at"] > 1_600_000_000  # unix seconds, not milliseconds or monotonic time
    assert created["created_at"] < 10_000_000_000
    assert {k: v for k, v in created.items() if k not in ("id", "created_at")} == {
        "target": TARGET,
        "type": "lead",
        "event": "update",
        "secret": {"secret": "hook_source", "key": "copper_notifications"},
        "headers": {"Authentication": "Bearer token"},
        "custom_field_computed_values": True,
    }


async def test_optional_fields_default_to_empty() -> None:
    async with sandbox() as (client, _):
        created = await _subscribe(client)
    assert created["secret"] == {}
    assert created["headers"] == {}
    assert created["custom_field_computed_values"] is False


async def test_list_fetch_and_delete() -> None:
    async with sandbox() as (client, _):
        first = await _subscribe(client, event="new")
        second = await _subscribe(client, event="delete")

        listed = (await client.get("/webhooks")).json()
        assert [w["id"] for w in listed] == [first["id"], second["id"]]
        assert (await client.get(f"/webhooks/{second['id']}")).json() == second

        deleted = await client.delete(f"/webhooks/{first['id']}")
        assert deleted.status_code == 200
        assert deleted.json() == {"id": first["id"]}
        assert [w["id"] for w in (await client.get("/webhooks")).json()] == [second["id"]]

        missing = await client.get(f"/webhooks/{first['id']}")
        assert missing.status_code == 404
        assert missing.json() == {"success": False, "status": 404, "message": "Resource not found"}
        assert (await client.delete(f"/webhooks/{first['id']}")).status_code == 404
        assert (await client.put(f"/webhooks/{first['id']}", json={"target": TARGET})).status_code == 404


@pytest.mark.parametrize(
    "target",
    [
        "http://hooks.example.com/copper",
        "http://127.0.0.1:9000/hook",
        "http://localhost:9000/hook",
        "ftp://hooks.example.com/copper",
        "https://",
        "not a url",
        "",
        None,
        42,
    ],
)
async def test_target_must_be_https(target: Any) -> None:
    async with sandbox() as (client, _):
        response = await client.post("/webhooks", json={"target": target, "type": "person", "event": "new"})
        assert response.status_code == 422
        assert response.json() == INVALID_URI
        assert (await client.get("/webhooks")).json() == []


async def test_local_http_target_needs_the_option() -> None:
    async with sandbox(allow_http_webhooks=True) as (client, _):
        assert (await _subscribe(client, target="http://127.0.0.1:9000/hook"))["target"].startswith("http:")
        assert (await _subscribe(client, target="http://localhost:9000/hook"))["target"].startswith("http:")
        # The option opens plain HTTP to this machine only.
        remote = await client.post(
            "/webhooks", json={"target": "http://hooks.example.com/x", "type": "person", "event": "new"}
        )
        assert remote.status_code == 422
        assert remote.json() == INVALID_URI


@pytest.mark.parametrize(
    "fields",
    [
        {"type": "people"},
        {"type": None},
        {"event": "created"},
        {"secret": "plain string"},
        {"secret": {"token": 7}},
        {"secret": {"ids": "clash with the body"}},
        {"headers": ["X-A: b"]},
        {"headers": {"Bad Name": "x"}},
        {"headers": {"X-A": "line\r\nbreak"}},
        {"custom_field_computed_values": "yes"},
    ],
)
async def test_create_validates_fields(fields: dict[str, Any]) -> None:
    async with sandbox() as (client, _):
        response = await client.post("/webhooks", json={"target": TARGET, "type": "person", "event": "new", **fields})
        assert response.status_code == 422
        body = response.json()
        assert body["success"] is False
        assert body["status"] == 422
        assert body["message"].startswith("Invalid input: ")


async def test_every_documented_type_and_event_is_accepted() -> None:
    async with sandbox() as (client, _):
        for type in ("lead", "person", "company", "opportunity", "project", "task", "activity_log"):
            for event in ("new", "update", "delete"):
                await _subscribe(client, type=type, event=event)
        assert len((await client.get("/webhooks")).json()) == 21


async def test_body_must_be_a_json_object() -> None:
    async with sandbox() as (client, _):
        not_json = await client.post("/webhooks", content=b"{oops", headers={"Content-Type": "application/json"})
        a_list = await client.post("/webhooks", json=[{"target": TARGET}])
        assert (await client.get("/webhooks")).json() == []
    assert not_json.status_code == 400
    assert a_list.status_code == 422
    assert not_json.json()["success"] is a_list.json()["success"] is False


async def test_at_most_100_subscriptions() -> None:
    async with sandbox() as (client, _):
        for _ in range(100):
            await _subscribe(client)
        over = await client.post("/webhooks", json={"target": TARGET, "type": "person", "event": "new"})
        assert over.status_code == 422
        assert over.json()["message"].startswith("Invalid input: ")
        assert len((await client.get("/webhooks")).json()) == 100

        # Deleting one frees a slot.
        first = (await client.get("/webhooks")).json()[0]
        await client.delete(f"/webhooks/{first['id']}")
        await _subscribe(client)


async def test_put_changes_the_updatable_fields() -> None:
    async with sandbox() as (client, _):
        created = await _subscribe(client, secret={"a": "1"}, headers={"X-A": "1"})
        changes = {
            "target": "https://other.example.com/hook",
            "secret": {"b": "2"},
            "headers": {"X-B": "2"},
            "custom_field_computed_values": True,
        }
        response = await client.put(f"/webhooks/{created['id']}", json=changes)
        assert response.status_code == 200
        assert response.json() == {**created, **changes}
        assert (await client.get(f"/webhooks/{created['id']}")).json() == {**created, **changes}


async def test_put_is_partial_and_null_clears_secret_and_headers() -> None:
    async with sandbox() as (client, _):
        created = await _subscribe(client, secret={"a": "1"}, headers={"X-A": "1"})
        only_target = await client.put(f"/webhooks/{created['id']}", json={"target": "https://b.example.com/"})
        assert only_target.json() == {**created, "target": "https://b.example.com/"}
        cleared = await client.put(f"/webhooks/{created['id']}", json={"secret": None, "headers": None})
        assert cleared.json()["secret"] == {}
        assert cleared.json()["headers"] == {}


async def test_put_cannot_change_type_or_event() -> None:
    async with sandbox() as (client, _):
        created = await _subscribe(client, type="person", event="new")
        for change in ({"type": "company"}, {"event": "delete"}):
            response = await client.put(f"/webhooks/{created['id']}", json=change)
            assert response.status_code == 422
            assert "cannot be changed" in response.json()["message"]
        # Sending back the record as fetched is fine: unchanged type/event pass and
        # read-only id/created_at are ignored.
        echoed = await client.put(
            f"/webhooks/{created['id']}", json={**created, "id": 1, "created_at": 5, "target": TARGET + "/v2"}
        )
        assert echoed.status_code == 200
        assert echoed.json() == {**created, "target": TARGET + "/v2"}


async def test_put_validates_the_target() -> None:
    async with sandbox() as (client, _):
        created = await _subscribe(client)
        response = await client.put(f"/webhooks/{created['id']}", json={"target": "http://example.com/"})
        assert response.status_code == 422
        assert response.json() == INVALID_URI
        assert (await client.get(f"/webhooks/{created['id']}")).json() == created


# -- delivery --------------------------------------------------------------------


async def test_new_notification_body_and_headers() -> None:
    receiver = Receiver()
    async with sandbox(receiver) as (client, hub):
        subscription = await _subscribe(
            client,
            secret={"secret": "hook_source", "key": "copper_notifications"},
            headers={"Authentication": "Bearer token", "X-Extra": "1"},
        )
        person = (await client.post("/people", json={"name": "Ada"})).json()
        with anyio.fail_after(5):
            await hub.drain()
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request.method == "POST"
    assert str(request.url) == TARGET
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Authentication"] == "Bearer token"
    assert request.headers["X-Extra"] == "1"
    assert receiver.bodies[0] == {
        "ids": [person["id"]],
        "type": "person",
        "event": "new",
        "subscription_id": subscription["id"],
        "secret": "hook_source",
        "key": "copper_notifications",
    }


async def test_update_notification_carries_updated_attributes() -> None:
    receiver = Receiver()
    async with sandbox(receiver) as (client, hub):
        person = (await client.post("/people", json={"name": "Ada", "title": None})).json()
        subscription = await _subscribe(client, event="update")
        await client.put(f"/people/{person['id']}", json={"title": "CEO"})
        with anyio.fail_after(5):
            await hub.drain()
    assert receiver.bodies == [
        {
            "ids": [person["id"]],
            "type": "person",
            "event": "update",
            "subscription_id": subscription["id"],
            "updated_attributes": {"title": [None, "CEO"]},
        }
    ]


async def test_delete_notification_has_no_updated_attributes() -> None:
    receiver = Receiver()
    async with sandbox(receiver) as (client, hub):
        person = (await client.post("/people", json={"name": "Ada"})).json()
        subscription = await _subscribe(client, event="delete", secret={"token": "s3"})
        await client.delete(f"/people/{person['id']}")
        with anyio.fail_after(5):
            await hub.drain()
    assert receiver.bodies == [
        {
            "ids": [person["id"]],
            "type": "person",
            "event": "delete",
            "subscription_id": subscription["id"],
            "token": "s3",
        }
    ]


async def test_only_matching_subscriptions_are_notified_once_per_change() -> None:
    receiver = Receiver()
    async with sandbox(receiver) as (client, hub):
        wanted = [await _subscribe(client, target=f"https://hooks.example.com/{n}") for n in range(2)]
        await _subscribe(client, event="update")
        await _subscribe(client, event="delete")
        await _subscribe(client, type="company")
        first = (await client.post("/people", json={"name": "Ada"})).json()
        second = (await client.post("/people", json={"name": "Grace"})).json()
        with anyio.fail_after(5):
            await hub.drain()
    delivered = sorted((b["subscription_id"], b["ids"][0]) for b in receiver.bodies)
    assert delivered == sorted((w["id"], p["id"]) for w in wanted for p in (first, second))


async def test_a_failing_receiver_is_not_retried_and_does_not_fail_the_api(
    caplog: pytest.LogCaptureFixture,
) -> None:
    receiver = Receiver(status=500)
    async with sandbox(receiver) as (client, hub):
        await _subscribe(client)
        created = await client.post("/people", json={"name": "Ada"})
        assert created.status_code == 200
        with caplog.at_level(logging.WARNING, logger="copper_mcp.sandbox.webhooks"), anyio.fail_after(5):
            await hub.drain()
    assert len(receiver.requests) == 1
    assert "answered 500; not retried" in caplog.text


async def test_an_unreachable_receiver_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("connection refused", request=request)

    config = SandboxConfig(demo_data=False, webhook_transport=httpx2.MockTransport(refuse))
    app, hub = _build_app(config)
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url=BASE_URL, headers=HEADERS
    ) as client:
        await _subscribe(client)
        assert (await client.post("/people", json={"name": "Ada"})).status_code == 200
        with caplog.at_level(logging.WARNING, logger="copper_mcp.sandbox.webhooks"), anyio.fail_after(5):
            await hub.aclose()
    assert "ConnectError" in caplog.text
    assert "not retried" in caplog.text


async def test_more_than_30_ids_are_split() -> None:
    receiver = Receiver()
    async with sandbox(receiver) as (client, hub):
        subscription = await _subscribe(client, event="update")
        ids = list(range(1, 66))
        await hub.emit("person", "update", ids, {"title": [None, "CEO"]})
        with anyio.fail_after(5):
            await hub.drain()
    chunks = sorted((b["ids"] for b in receiver.bodies), key=lambda chunk: chunk[0])
    assert chunks == [ids[0:30], ids[30:60], ids[60:65]]
    for body in receiver.bodies:
        assert body["subscription_id"] == subscription["id"]
        assert body["updated_attributes"] == {"title": [None, "CEO"]}


async def test_a_custom_content_type_header_gives_way_to_json() -> None:
    receiver = Receiver()
    async with sandbox(receiver) as (client, hub):
        await _subscribe(client, headers={"content-type": "text/plain"})
        await client.post("/people", json={"name": "Ada"})
        with anyio.fail_after(5):
            await hub.drain()
    assert receiver.requests[0].headers.get_list("Content-Type") == ["application/json"]


async def test_activity_changes_notify_activity_log_subscriptions() -> None:
    receiver = Receiver()
    async with sandbox(receiver) as (client, hub):
        await _subscribe(client, type="activity_log")
        await hub.emit("activity", "new", [7])
        with anyio.fail_after(5):
            await hub.drain()
    assert [(b["type"], b["ids"]) for b in receiver.bodies] == [("activity_log", [7])]


async def test_an_activity_logged_through_the_api_notifies_activity_log_subscriptions() -> None:
    receiver = Receiver()
    async with sandbox(receiver) as (client, hub):
        await _subscribe(client, type="activity_log")
        person = (await client.post("/people", json={"name": "Ada"})).json()
        body = {"parent": {"id": person["id"], "type": "person"}, "type": {"category": "user", "id": 0}, "details": "x"}
        activity = (await client.post("/activities", json=body)).json()
        with anyio.fail_after(5):
            await hub.drain()
    assert [(b["type"], b["event"], b["ids"]) for b in receiver.bodies] == [("activity_log", "new", [activity["id"]])]
