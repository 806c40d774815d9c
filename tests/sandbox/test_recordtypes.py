"""The record-type table: what it states holds, and the routes follow it."""

from __future__ import annotations

from copper_mcp.sandbox.recordtypes import BY_SINGULAR, RECORD_TYPES, TYPES, WEBHOOK_TYPES

from .apispec import resolve, schema, spec
from .support import sandbox


def test_related_item_pairs_read_the_same_from_both_ends() -> None:
    for record_type in TYPES:
        for other in record_type.related:
            assert record_type.singular in BY_SINGULAR[other].related, (record_type.singular, other)


def test_the_table_agrees_with_the_api_description() -> None:
    assert list(WEBHOOK_TYPES) == schema("WebhookCreate")["properties"]["type"]["enum"]
    assert list(RECORD_TYPES) == schema("RecordType")["enum"]
    related_entity = resolve({"$ref": "#/components/parameters/RelatedEntity"})
    assert list(RECORD_TYPES.values()) == related_entity["schema"]["enum"]
    activities = spec()["paths"]["/{entity}/{id}/activities"]["post"]["parameters"][0]
    assert activities["schema"]["enum"] == [t.plural for t in TYPES if t.with_activities]


async def test_only_types_with_activities_list_a_records_activities() -> None:
    async with sandbox() as client:
        for record_type in TYPES:
            if not record_type.related:
                continue
            found = (await client.post(f"/{record_type.plural}/search", json={"page_size": 1})).json()
            answer = await client.post(f"/{record_type.plural}/{found[0]['id']}/activities", json={})
            assert answer.status_code == (200 if record_type.with_activities else 404), record_type.plural


async def test_bulk_routes_exist_exactly_where_the_table_says() -> None:
    async with sandbox(demo_data=False) as client:
        for record_type in TYPES:
            for operation in ("bulk_create", "bulk_update"):
                answer = await client.post(f"/{record_type.plural}/{operation}", json={record_type.plural: []})
                expected = 200 if operation in record_type.bulk else 404
                assert answer.status_code == expected, (record_type.plural, operation)
