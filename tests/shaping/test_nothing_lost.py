"""Nothing lost, on real data: every demo record's compact form translates back to Copper's values.

compact() leaves out empty values and shows names, ISO dates and option names; to_copper() reads
those back. If every non-empty value of every raw record comes back, the compact form dropped
nothing a model could need, ids included. The records come from the sandbox over its HTTP API,
exactly as Copper's would, with the field marks the catalogue derives from the API description.
"""

from __future__ import annotations

from typing import Any

import pytest

from copper_mcp.account import LIST_PATHS, Account
from copper_mcp.catalog import load_catalog
from copper_mcp.core.entities import BY_PLURAL
from copper_mcp.core.pages import every_page
from copper_mcp.shaping.reads import compact
from copper_mcp.shaping.writes import to_copper
from tests.conftest import sandbox_client

ENTITIES = sorted(BY_PLURAL)


def _non_empty(value: Any) -> Any:
    """value without its empty parts (None, "", [], {}), or None if nothing is left."""
    if isinstance(value, dict):
        kept = {k: _non_empty(v) for k, v in value.items()}
        value = {k: v for k, v in kept.items() if v is not None}
    elif isinstance(value, list):
        value = [v for v in map(_non_empty, value) if v is not None]
    return None if value is None or value in ("", [], {}) else value


def _custom_values(entries: Any) -> dict[int, Any]:
    """Copper's custom field list as {definition id: value}, unset fields left out."""
    values = {e["custom_field_definition_id"]: _non_empty(e["value"]) for e in entries}
    return {field: value for field, value in values.items() if value is not None}


@pytest.mark.parametrize("entity", ENTITIES)
async def test_every_non_empty_raw_value_comes_back_from_the_compact_form(entity: str) -> None:
    fields = load_catalog().records[entity]
    async with sandbox_client() as client:
        # The demo data has no converted lead; one conversion adds a person and a deal that record it.
        (lead,) = (await client.request("POST", "/leads/search", json={"page_size": 1})).data
        pipeline = (await client.request("GET", "/pipelines")).data[0]["id"]
        details = {"opportunity": {"name": "Converted", "pipeline_id": pipeline}}
        await client.request("POST", f"/leads/{lead['id']}/convert", json={"details": details})
        reference = await Account(client).reference(LIST_PATHS)
        records = await every_page(client, f"/{entity}/search")
    assert records, f"the demo data has no {entity}"
    checked = 0
    for raw in records:
        shaped = compact(raw, fields, reference)
        back, _ = to_copper(entity, shaped, fields, reference)
        for key, value in raw.items():
            # Copper lists every custom field, unset ones with a null value.
            expected = _custom_values(value) if key == "custom_fields" else _non_empty(value)
            if expected is None or expected == {}:
                assert key not in shaped, (raw["id"], key)
            elif key == "custom_fields":
                assert _custom_values(back[key]) == expected, (raw["id"], key)
            else:
                assert back[key] == expected, (raw["id"], key)
            checked += 1
    assert checked >= len(records) * 5  # every record had several fields to check
    if "leads_converted_from" in fields.nested:
        assert any(r.get("leads_converted_from") for r in records)  # the nested dates were checked too
