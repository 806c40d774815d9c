"""Every route answers a wrongly typed body, query or path with Copper's envelope, never a 500.

Each row sends one value of the wrong shape (an object or array where a scalar belongs,
mostly: the inputs that once reached a dict or set lookup and crashed) and expects a 422
naming the field; a body that is not a JSON object is a 422 naming ``body``.
"""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from copper_mcp.sandbox.recordtypes import TYPES

from .support import invalid_field, sandbox

_NOTE = {"category": "user", "id": 0}
# (field, body) per type where the name field is not the one to break.
_CREATE = {"activities": ("parent", {"parent": {"id": 1, "type": {}}, "type": _NOTE, "details": "x"})}
_UPDATE: dict[str, tuple[str, dict[str, Any]]] = {"activities": ("details", {"details": {}})}


def _with_id(method: str, path: str, wrong: dict[str, tuple[str, Any]], default: Any) -> tuple[str, str, Any, str]:
    plural = path.strip("/").split("/")[0]
    field, body = wrong.get(plural, ("name", {"name": default}))
    return method, path, body, field


# (method, path, body, field): {id} is filled with an id of the path's first segment.
ROWS: list[tuple[str, str, Any, str]] = [
    *[_with_id("POST", f"/{t.plural}", _CREATE, {}) for t in TYPES],
    *[_with_id("PUT", f"/{t.plural}/{{id}}", _UPDATE, []) for t in TYPES],
    *[("POST", f"/{t.plural}/search", {"sort_by": {}}, "sort_by") for t in TYPES],
    *[("POST", f"/{t.plural}/search", {"sort_direction": []}, "sort_direction") for t in TYPES],
    *[("POST", f"/{t.plural}/{op}", {t.plural: {}}, t.plural) for t in TYPES for op in t.bulk],
    *[("POST", f"/{t.plural}/{{id}}/activities", {"activity_types": {}}, "activity_types")
      for t in TYPES if t.with_activities],
    *[
        (method, f"/{t.plural}/{{id}}/related", {"resource": {"id": 1, "type": {}}}, "resource")
        for t in TYPES if t.related for method in ("POST", "DELETE")
    ],
    ("POST", "/tasks", {"name": "t", "related_resource": {"id": 1, "type": {}}}, "related_resource"),
    ("PUT", "/tasks/{id}", {"related_resource": {"id": 1, "type": []}}, "related_resource"),
    ("POST", "/tasks/search", {"related_resource": {"id": 1, "type": {}}}, "related_resource"),
    ("POST", "/activities/search", {"parent": {"id": 1, "type": []}}, "parent"),
    ("POST", "/opportunities/search", {"statuses": {}, "tags": {"value": [], "option": {}}}, "statuses"),
    ("POST", "/opportunities/search", {"tags": {"value": ["a"], "option": []}}, "tags"),
    ("POST", "/people/search", {"phone_number": {"value": "5551234", "match": {}}}, "phone_number"),
    ("POST", "/people/fetch_by_email", {"email": {}}, "email"),
    ("PUT", "/leads/upsert", {"properties": {"name": "x"}, "match": {"field_name": {}}}, "match"),
    ("POST", "/leads/{id}/convert", {"details": []}, "details"),
    ("POST", "/webhooks", {"target": "https://hooks.example/in", "type": {}, "event": "new"}, "type"),
    ("PUT", "/webhooks/{id}", {"headers": []}, "headers"),
    ("POST", "/users/search", {"page_size": {}}, "page_size"),
    ("POST", "/custom_field_definitions", {"name": "x", "data_type": {}}, "data_type"),
    ("PUT", "/custom_field_definitions/{id}", {"available_on": [{}]}, "available_on"),
    ("PUT", "/people/{id}", {"custom_fields": None}, "custom_fields"),
    ("PUT", "/tasks/{id}", {"custom_activity_type_id": {}}, "custom_activity_type_id"),
    ("POST", "/custom_activity_types", {"name": {}, "icon_type": "Phone"}, "name"),
    ("PUT", "/custom_activity_types/{id}", {"icon_type": {}}, "icon_type"),
    ("POST", "/related_links", {"custom_field_definition_id": {}, "source": {}, "target": {}},
     "custom_field_definition_id"),
    ("POST", "/people", {"name": "x", "emails": [{"email": "a@b.example", "category": {}}]}, "emails"),
]  # fmt: skip


async def _fill(client: httpx2.AsyncClient, path: str) -> str:
    """``path`` with ``{id}`` replaced by an existing id of its collection."""
    if "{id}" not in path:
        return path
    collection = path.strip("/").split("/")[0]
    if collection == "webhooks":
        subscription = {"target": "https://hooks.example/in", "type": "lead", "event": "new"}
        made = await client.post("/webhooks", json=subscription)
        return path.format(id=made.json()["id"])
    if collection in ("custom_field_definitions", "custom_activity_types"):
        return path.format(id=(await client.get(f"/{collection}")).json()[0]["id"])
    found = await client.post(f"/{collection}/search", json={"page_size": 1})
    return path.format(id=found.json()[0]["id"])


def _webhooks_go_nowhere() -> httpx2.MockTransport:
    return httpx2.MockTransport(lambda _request: httpx2.Response(204))


@pytest.mark.parametrize(("method", "path", "body", "field"), ROWS, ids=[f"{r[0]} {r[1]} {r[3]}" for r in ROWS])
async def test_a_wrongly_typed_field_is_a_422_naming_it(method: str, path: str, body: Any, field: str) -> None:
    async with sandbox(webhook_transport=_webhooks_go_nowhere()) as client:
        answer = await client.request(method, await _fill(client, path), json=body)
        assert invalid_field(answer, field), answer.text


BODY_ROUTES = sorted({(method, path) for method, path, _body, _field in ROWS})


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES, ids=[f"{m} {p}" for m, p in BODY_ROUTES])
async def test_a_body_that_is_not_an_object_is_a_422_naming_body(method: str, path: str) -> None:
    async with sandbox(webhook_transport=_webhooks_go_nowhere()) as client:
        answer = await client.request(method, await _fill(client, path), json=["not", "an", "object"])
        assert invalid_field(answer, "body"), answer.text


@pytest.mark.parametrize(
    "raw",
    [b'{"name": "\\ud800"}', b'{"name": "x"', b"\xff\xfe", b"[" * 5000 + b"]" * 5000],
    ids=["lone surrogate", "truncated", "not UTF-8", "too deep"],
)
async def test_an_unparseable_body_is_a_400(raw: bytes) -> None:
    async with sandbox() as client:
        answer = await client.post("/companies", content=raw, headers={"Content-Type": "application/json"})
        assert answer.status_code == 400
        assert answer.json() == {"success": False, "status": 400, "message": "Malformed JSON in request body"}


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/tags?sort_by=size", "sort_by"),
        ("/tags?tag_names_only=maybe", "tag_names_only"),
        ("/people/{id}?custom_field_computed_values=yes", "custom_field_computed_values"),
        ("/related_links?source_type=people&source_id=x", "source_id"),
        ("/related_links?source_type=1&source_id=1", "source_type"),
        ("/field_layouts/by_entity/opportunities?pipeline_id=x", "pipeline_id"),
    ],
)
async def test_a_wrong_query_value_is_a_422_naming_it(path: str, field: str) -> None:
    async with sandbox() as client:
        assert invalid_field(await client.get(await _fill(client, path)), field)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/people/"),
        ("GET", "/people/abc"),
        ("GET", "/webhooks/"),
        ("GET", "/custom_field_definitions/x"),
        ("GET", "/custom_activity_types/x"),
        ("DELETE", "/related_links/x"),
        ("GET", "/field_layouts/by_entity/x"),
    ],
)
async def test_a_path_that_names_no_record_is_a_404_in_the_envelope(method: str, path: str) -> None:
    async with sandbox() as client:
        answer = await client.request(method, path)
        assert answer.status_code == 404
        assert answer.json() == {"success": False, "status": 404, "message": "Resource not found"}
