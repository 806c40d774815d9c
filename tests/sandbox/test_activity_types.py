"""Custom activity types: their routes, and how they show in /activity_types, activities and tasks."""

from __future__ import annotations

import httpx2
import pytest

from .support import invalid_field, sandbox

KEYS = {"id", "company_id", "icon_type", "is_disabled", "is_interaction", "name", "is_default_task_type"}


async def _by_name(client: httpx2.AsyncClient) -> dict[str, dict[str, object]]:
    return {t["name"]: t for t in (await client.get("/custom_activity_types")).json()}


async def test_the_list_holds_every_user_type_but_note_in_copper_shape() -> None:
    async with sandbox() as client:
        account = (await client.get("/account")).json()
        custom = await _by_name(client)
        user = {t["name"]: t for t in (await client.get("/activity_types")).json()["user"]}
    assert sorted(custom) == ["Demo", "Email", "Lunch", "Meeting", "Phone Call", "Site Visit"]
    assert set(user) == {"Note", *custom}
    for name, shown in custom.items():
        assert set(shown) == KEYS
        assert shown["company_id"] == account["id"]
        assert shown["id"] == user[name]["id"]
        assert shown["is_interaction"] == user[name]["count_as_interaction"]
        assert shown["is_disabled"] == user[name]["is_disabled"]
    assert custom["Lunch"]["is_disabled"] is True
    assert custom["Phone Call"]["icon_type"] == "Phone"


async def test_get_one_and_404_for_unknown_note_and_system_types() -> None:
    async with sandbox() as client:
        meeting = (await _by_name(client))["Meeting"]
        assert (await client.get(f"/custom_activity_types/{meeting['id']}")).json() == meeting
        for missing in (999999, 0, 1, "abc"):
            answer = await client.get(f"/custom_activity_types/{missing}")
            assert answer.status_code == 404
            assert answer.json() == {"success": False, "status": 404, "message": "Resource not found"}
            assert (await client.put(f"/custom_activity_types/{missing}", json={"name": "x"})).status_code == 404


async def test_a_created_type_is_at_once_an_activity_type_and_a_task_type() -> None:
    async with sandbox(demo_data=False) as client:
        created = await client.post("/custom_activity_types", json={"name": "Workshop", "icon_type": "Group"})
        assert created.status_code == 200, created.text
        workshop = created.json()
        assert set(workshop) == KEYS
        assert (workshop["name"], workshop["icon_type"], workshop["is_interaction"]) == ("Workshop", "Group", False)
        assert workshop["is_disabled"] is False and workshop["is_default_task_type"] is None

        user_types = (await client.get("/activity_types")).json()["user"]
        assert {"id": workshop["id"], "category": "user", "name": "Workshop", "is_disabled": False,
                "count_as_interaction": False} in user_types  # fmt: skip

        person = (await client.post("/people", json={"name": "Ada"})).json()
        kind = {"category": "user", "id": workshop["id"]}
        activity = await client.post(
            "/activities", json={"parent": {"id": person["id"], "type": "person"}, "type": kind, "details": "Held it"}
        )
        assert activity.status_code == 200, activity.text
        assert activity.json()["type"] == kind

        task = await client.post("/tasks", json={"name": "Prepare", "custom_activity_type_id": workshop["id"]})
        assert task.status_code == 200, task.text
        assert task.json()["custom_activity_type_id"] == workshop["id"]


async def test_update_renames_everywhere_and_keeps_what_it_does_not_name() -> None:
    async with sandbox(demo_data=False) as client:
        made = (await client.post("/custom_activity_types", json={"name": "Visit", "icon_type": "Room"})).json()
        updated = await client.put(f"/custom_activity_types/{made['id']}", json={"name": "On-site Visit"})
        assert updated.json() == {**made, "name": "On-site Visit"}
        names = {t["id"]: t["name"] for t in (await client.get("/activity_types")).json()["user"]}
        assert names[made["id"]] == "On-site Visit"
        iconed = await client.put(f"/custom_activity_types/{made['id']}", json={"icon_type": "Todo"})
        assert iconed.json() == {**made, "name": "On-site Visit", "icon_type": "Todo"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"icon_type": "Phone"}, "name"),
        ({"name": {}, "icon_type": "Phone"}, "name"),
        ({"name": "  ", "icon_type": "Phone"}, "name"),
        ({"name": "phone call", "icon_type": "Phone"}, "name"),  # names are unique, ignoring case
        ({"name": "Call"}, "icon_type"),
        ({"name": "Call", "icon_type": "Rocket"}, "icon_type"),
        ({"name": "Call", "icon_type": ["Phone"]}, "icon_type"),
    ],
)
async def test_a_bad_create_is_a_422_naming_the_field(body: dict[str, object], field: str) -> None:
    async with sandbox(demo_data=False) as client:
        assert invalid_field(await client.post("/custom_activity_types", json=body), field)
        assert [t["name"] for t in (await _by_name(client)).values()] == ["Phone Call", "Meeting", "Email", "Lunch"]


async def test_a_task_type_must_be_an_enabled_custom_activity_type() -> None:
    async with sandbox(demo_data=False) as client:
        by_name = await _by_name(client)
        for bad in (0, 1, 3, by_name["Lunch"]["id"], 424242, "190711", {}):
            answer = await client.post("/tasks", json={"name": "T", "custom_activity_type_id": bad})
            assert invalid_field(answer, "custom_activity_type_id"), bad
        email = by_name["Email"]["id"]
        task = (await client.post("/tasks", json={"name": "T", "custom_activity_type_id": email})).json()
        assert task["custom_activity_type_id"] == email
        cleared = await client.put(f"/tasks/{task['id']}", json={"custom_activity_type_id": None})
        assert cleared.json()["custom_activity_type_id"] is None
