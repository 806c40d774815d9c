"""Field layouts: the fields each record type shows, from its field table and custom fields."""

from __future__ import annotations

import pytest

from copper_mcp.sandbox.recordtypes import RECORD_TYPES

from .support import invalid_field, sandbox


@pytest.mark.parametrize("plural", [p for p in RECORD_TYPES.values() if p != "opportunities"])
async def test_a_layout_matches_the_records_fields_and_custom_fields(plural: str) -> None:
    async with sandbox() as client:
        answer = await client.get(f"/field_layouts/by_entity/{plural}")
        assert answer.status_code == 200, answer.text
        elements = answer.json()
        record = (await client.post(f"/{plural}/search", json={"page_size": 1})).json()[0]
    static = [e for e in elements if e["field_type"] == "static_field"]
    custom = [e for e in elements if e["field_type"] == "custom_field"]
    assert elements == static + custom  # static fields first
    assert all(set(e) == {"field_id", "field_key", "field_type"} for e in elements)
    assert static and all(e["field_id"] == 0 and e["field_key"] in record for e in static)
    assert "name" in [e["field_key"] for e in static]
    assert "date_created" not in [e["field_key"] for e in static]  # read-only fields are not laid out
    assert [e["field_id"] for e in custom] == [f["custom_field_definition_id"] for f in record["custom_fields"]]


async def test_a_new_custom_field_joins_the_layout() -> None:
    async with sandbox(demo_data=False) as client:
        assert [e for e in (await client.get("/field_layouts/by_entity/people")).json() if e["field_id"]] == []
        body = {"name": "Shoe size", "data_type": "Float", "available_on": ["person"], "canonical_name": "shoe_size"}
        field = (await client.post("/custom_field_definitions", json=body)).json()
        elements = (await client.get("/field_layouts/by_entity/people")).json()
    assert elements[-1] == {"field_id": field["id"], "field_key": "shoe_size", "field_type": "custom_field"}


async def test_opportunity_layouts_need_a_pipeline() -> None:
    async with sandbox() as client:
        pipelines = (await client.get("/pipelines")).json()
        for pipeline in pipelines:
            answer = await client.get("/field_layouts/by_entity/opportunities", params={"pipeline_id": pipeline["id"]})
            assert answer.status_code == 200 and answer.json()[0]["field_key"] == "name"
        assert invalid_field(await client.get("/field_layouts/by_entity/opportunities"), "pipeline_id")
        for bad in ("999999", "abc", "-1"):
            answer = await client.get("/field_layouts/by_entity/opportunities", params={"pipeline_id": bad})
            assert invalid_field(answer, "pipeline_id"), bad
        # Other types have no pipelines and ignore the parameter.
        people = await client.get("/field_layouts/by_entity/people", params={"pipeline_id": "abc"})
        assert people.status_code == 200


@pytest.mark.parametrize("entity", ["activities", "widgets", "person"])
async def test_a_type_without_layouts_is_a_404(entity: str) -> None:
    async with sandbox() as client:
        answer = await client.get(f"/field_layouts/by_entity/{entity}")
        assert answer.status_code == 404
        assert answer.json() == {"success": False, "status": 404, "message": "Resource not found"}
