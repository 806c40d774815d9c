"""Connect custom fields: /related_links links two records and reads the same from both."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from .support import invalid_field, sandbox


async def _referred_by(client: httpx2.AsyncClient) -> dict[str, Any]:
    definitions = (await client.get("/custom_field_definitions")).json()
    return next(d for d in definitions if d["name"] == "Referred by")


async def _links(client: httpx2.AsyncClient, source_type: str, source_id: int) -> list[dict[str, Any]]:
    answer = await client.get("/related_links", params={"source_type": source_type, "source_id": source_id})
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


async def _people(client: httpx2.AsyncClient, count: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await client.post("/people/search", json={"page_size": count})).json()
    return found


def _body(field_id: Any, source: Any, target: Any) -> dict[str, Any]:
    return {"custom_field_definition_id": field_id, "source": source, "target": target}


def _end(person: dict[str, Any], spelling: str = "people") -> dict[str, Any]:
    return {"id": person["id"], "entity_type": spelling}


async def test_a_link_is_listed_from_both_records_and_deleted_from_either() -> None:
    async with sandbox() as client:
        field = await _referred_by(client)
        ada, bo = await _people(client, 2)
        # The API's usual spelling, "person", is accepted too.
        created = await client.post("/related_links", json=_body(field["id"], _end(ada, "person"), _end(bo)))
        assert created.status_code == 200, created.text
        link = created.json()
        assert link == {
            "id": link["id"],
            "custom_field_definition_id": field["id"],
            "source": {"id": ada["id"], "entity_type": "people", "name": ada["name"]},
            "target": {"id": bo["id"], "entity_type": "people", "name": bo["name"]},
        }
        from_ada = [x for x in await _links(client, "people", ada["id"]) if x["target"]["id"] == bo["id"]]
        from_bo = [x for x in await _links(client, "person", bo["id"]) if x["target"]["id"] == ada["id"]]
        assert from_ada == [link]
        assert [(x["source"], x["target"]) for x in from_bo] == [(link["target"], link["source"])]

        # The records show the link as their Connect field's value.
        fetched = (await client.get(f"/people/{bo['id']}")).json()
        value = next(f["value"] for f in fetched["custom_fields"] if f["custom_field_definition_id"] == field["id"])
        assert ada["id"] in value

        deleted = await client.delete(f"/related_links/{from_bo[0]['id']}")
        assert deleted.json() == {"ids": sorted([link["id"], from_bo[0]["id"]]), "is_deleted": True}
        assert all(x["target"]["id"] != bo["id"] for x in await _links(client, "people", ada["id"]))
        assert all(x["target"]["id"] != ada["id"] for x in await _links(client, "people", bo["id"]))
        assert (await client.delete(f"/related_links/{link['id']}")).status_code == 404


async def test_demo_links_read_the_same_from_both_ends() -> None:
    async with sandbox() as client:
        field = await _referred_by(client)
        people = await _people(client, 200)
        pairs = set()
        for person in people:
            for link in await _links(client, "people", person["id"]):
                assert link["custom_field_definition_id"] == field["id"]
                assert link["source"] == {"id": person["id"], "entity_type": "people", "name": person["name"]}
                pairs.add((link["source"]["id"], link["target"]["id"]))
        assert len(pairs) >= 10 and all((b, a) in pairs for a, b in pairs)


async def test_a_user_can_be_a_target_and_lists_the_link_back() -> None:
    async with sandbox(demo_data=False) as client:
        field = (
            await client.post(
                "/custom_field_definitions",
                json={"name": "Account manager", "data_type": "Connect", "available_on": ["company"]},
            )
        ).json()
        company = (await client.post("/companies", json={"name": "Acme"})).json()
        user = (await client.get("/users/me")).json()
        body = {
            "custom_field_definition_id": field["id"],
            "source": {"id": company["id"], "entity_type": "organization"},
            "target": {"id": user["id"], "entity_type": "user"},
        }
        link = (await client.post("/related_links", json=body)).json()
        assert link["target"] == {"id": user["id"], "entity_type": "user", "name": user["name"]}
        back = await _links(client, "user", user["id"])
        assert [(x["source"]["entity_type"], x["target"]["id"]) for x in back] == [("user", company["id"])]
        narrowed = await client.get(
            "/related_links",
            params={"source_type": "company", "source_id": company["id"], "custom_field_definition_id": field["id"]},
        )
        assert [x["id"] for x in narrowed.json()] == [link["id"]]


async def test_a_deleted_record_takes_its_links_along() -> None:
    async with sandbox() as client:
        field = await _referred_by(client)
        ada, bo = await _people(client, 2)
        assert (await client.post("/related_links", json=_body(field["id"], _end(ada), _end(bo)))).status_code == 200
        await client.delete(f"/people/{bo['id']}")
        assert all(x["target"]["id"] != bo["id"] for x in await _links(client, "people", ada["id"]))


async def test_a_deleted_connect_field_takes_its_links_along() -> None:
    async with sandbox() as client:
        field = await _referred_by(client)
        people = await _people(client, 200)
        linked = [p for p in people if await _links(client, "people", p["id"])]
        assert linked
        await client.delete(f"/custom_field_definitions/{field['id']}")
        assert [p for p in linked if await _links(client, "people", p["id"])] == []


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda f, a, b, c: _body("x", a, b), "custom_field_definition_id"),
        (lambda f, a, b, c: _body(999999, a, b), "custom_field_definition_id"),
        (lambda f, a, b, c: _body(f["other"], a, b), "custom_field_definition_id"),  # not a Connect field
        (lambda f, a, b, c: _body(f["id"], {"id": a["id"], "entity_type": {}}, b), "source"),
        (lambda f, a, b, c: _body(f["id"], [a["id"]], b), "source"),
        (lambda f, a, b, c: _body(f["id"], {"id": 999999, "entity_type": "people"}, b), "source"),
        (lambda f, a, b, c: _body(f["id"], c, b), "source"),  # the field is on people, not companies
        (lambda f, a, b, c: _body(f["id"], a, {"id": "1", "entity_type": "people"}), "target"),
        (lambda f, a, b, c: _body(f["id"], a, a), "target"),  # not to itself
    ],
)
async def test_a_bad_link_is_a_422_naming_the_field(make: Any, field: str) -> None:
    async with sandbox() as client:
        connect = await _referred_by(client)
        other = next(d for d in (await client.get("/custom_field_definitions")).json() if d["data_type"] != "Connect")
        ada, bo = (_end(p) for p in await _people(client, 2))
        company = (await client.post("/companies/search", json={"page_size": 1})).json()[0]
        body = make({**connect, "other": other["id"]}, ada, bo, {"id": company["id"], "entity_type": "organization"})
        assert invalid_field(await client.post("/related_links", json=body), field)


async def test_the_same_link_twice_is_a_422() -> None:
    async with sandbox() as client:
        field = await _referred_by(client)
        ada, bo = (_end(p) for p in await _people(client, 2))
        assert (await client.post("/related_links", json=_body(field["id"], ada, bo))).status_code == 200
        assert invalid_field(await client.post("/related_links", json=_body(field["id"], ada, bo)), "target")
        assert invalid_field(await client.post("/related_links", json=_body(field["id"], bo, ada)), "target")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"source_id": "1"}, "source_type"),
        ({"source_type": "widget", "source_id": "1"}, "source_type"),
        ({"source_type": "people"}, "source_id"),
        ({"source_type": "people", "source_id": "abc"}, "source_id"),
        ({"source_type": "people", "source_id": "{id}", "custom_field_definition_id": "x"},
         "custom_field_definition_id"),
    ],
)  # fmt: skip
async def test_listing_checks_its_query(params: dict[str, str], field: str) -> None:
    async with sandbox() as client:
        person = (await _people(client, 1))[0]
        filled = {k: v.format(id=person["id"]) for k, v in params.items()}
        assert invalid_field(await client.get("/related_links", params=filled), field)


async def test_listing_an_unknown_record_or_deleting_an_unknown_link_is_a_404() -> None:
    async with sandbox() as client:
        missing = await client.get("/related_links", params={"source_type": "people", "source_id": 999999})
        assert missing.status_code == 404
        assert missing.json() == {"success": False, "status": 404, "message": "Resource not found"}
        assert (await client.delete("/related_links/999999")).status_code == 404
        assert (await client.delete("/related_links/abc")).status_code == 404


async def test_a_connect_value_is_not_written_through_the_record() -> None:
    async with sandbox() as client:
        field = await _referred_by(client)
        person = (await _people(client, 1))[0]
        value = [{"custom_field_definition_id": field["id"], "value": [person["id"]]}]
        answer = await client.put(f"/people/{person['id']}", json={"custom_fields": value})
        assert invalid_field(answer, "custom_fields")
