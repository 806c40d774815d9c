"""Pure parts of the record resources: what the catalogue says about each entity, and cursors."""

from __future__ import annotations

import pytest
from mcp import MCPError

from copper_mcp.resources.records import Position, _title, kind_of, kinds


def test_kinds_follow_the_api_description() -> None:
    assert [k.entity for k in kinds()][0] == "people"
    named = [k for k in kinds() if k.entity != "activities"]
    assert all(k.order == {"sort_by": "date_modified", "sort_direction": "desc"} and k.by_name for k in named)
    # Copper documents no sort_by for activities; its default is already newest first.
    activities = kind_of("activities")
    assert activities.order == {} and not activities.by_name
    assert activities.template == "copper://activities/{id}"


def test_cursor_round_trips_and_walks_entities_in_order() -> None:
    at = Position("leads", 3)
    assert Position.decode(at.encode()) == at
    assert Position.decode(None) == Position("people", 1)
    assert at.following() == Position("opportunities", 1)
    assert Position("activities", 9).following() is None


@pytest.mark.parametrize(
    "cursor", ["", "%%%", Position("webhooks", 1).encode(), Position("people", 0).encode(), "WyJwZW9wbGUiLCAiMSJd"]
)
def test_forged_cursors_are_invalid_params(cursor: str) -> None:
    with pytest.raises(MCPError) as caught:
        Position.decode(cursor)
    assert caught.value.error.code == -32602


def test_titles() -> None:
    assert _title(kind_of("people"), {"id": 7, "name": "Ada Lovelace"}) == "Ada Lovelace"
    assert _title(kind_of("tasks"), {"id": 7, "name": " "}) == "Task 7"
    activity = {"id": 1, "type": "Note", "activity_date": "2026-01-17T20:59:14-05:00", "details": "x" * 80}
    assert _title(kind_of("activities"), activity) == "Note on 2026-01-17: " + "x" * 59 + "…"
    assert _title(kind_of("activities"), {"id": 1}) == "Activity"
