"""Create, read, partial update and delete of records, with Copper's validation rules."""

from __future__ import annotations

from typing import Any

import pytest

from .support import invalid_field, sandbox, search_all


async def test_create_fetch_update_delete_person() -> None:
    async with sandbox(demo_data=False) as client:
        created = await client.post(
            "/people",
            json={"first_name": "Ada", "last_name": "King", "emails": [{"email": "ada@x.example", "category": "work"}]},
        )
        assert created.status_code == 200
        person = created.json()
        assert person["name"] == "Ada King"
        assert isinstance(person["date_created"], int) and person["date_created"] > 1_600_000_000
        fetched = (await client.get(f"/people/{person['id']}")).json()
        assert fetched == person
        deleted = await client.delete(f"/people/{person['id']}")
        assert deleted.json() == {"id": person["id"], "is_deleted": True}
        assert (await client.get(f"/people/{person['id']}")).status_code == 404


async def test_partial_update_changes_only_given_fields_and_null_clears() -> None:
    async with sandbox(demo_data=False) as client:
        person = (
            await client.post("/people", json={"name": "Bo Lee", "title": "CTO", "details": "x", "tags": ["a", "b"]})
        ).json()
        updated = (await client.put(f"/people/{person['id']}", json={"title": None, "tags": ["c"]})).json()
        assert updated["title"] is None
        assert updated["tags"] == ["c"]  # arrays are replaced whole
        assert updated["details"] == "x"
        assert updated["name"] == "Bo Lee"
        unchanged = (await client.put(f"/people/{person['id']}", json={})).json()
        assert unchanged == updated


async def test_read_only_and_unknown_fields_are_ignored_wrong_types_are_422() -> None:
    async with sandbox(demo_data=False) as client:
        person = (await client.post("/people", json={"name": "Cy"})).json()
        ignored = await client.put(
            f"/people/{person['id']}", json={"date_created": 5, "interaction_count": 9, "bogus": 1, "id": 7}
        )
        assert ignored.status_code == 200
        assert ignored.json()["date_created"] == person["date_created"]
        assert ignored.json()["id"] == person["id"]
        assert invalid_field(await client.put(f"/people/{person['id']}", json={"title": 5}), "title")
        assert invalid_field(await client.put(f"/people/{person['id']}", json={"assignee_id": "x"}), "assignee_id")
        assert invalid_field(await client.put(f"/people/{person['id']}", json={"assignee_id": 42}), "assignee_id")
        assert invalid_field(await client.post("/people", json={"title": "no name"}), "name")


async def test_person_emails_and_company_domains_are_unique() -> None:
    async with sandbox(demo_data=False) as client:
        emails = [{"email": "same@x.example", "category": "work"}]
        assert (await client.post("/people", json={"name": "A", "emails": emails})).status_code == 200
        assert invalid_field(await client.post("/people", json={"name": "B", "emails": emails}), "emails")
        assert (await client.post("/companies", json={"name": "C1", "email_domain": "c.example"})).status_code == 200
        assert invalid_field(
            await client.post("/companies", json={"name": "C2", "email_domain": "C.example"}), "email_domain"
        )


async def test_person_company_name_follows_the_company() -> None:
    async with sandbox(demo_data=False) as client:
        company = (await client.post("/companies", json={"name": "Old Name"})).json()
        person = (await client.post("/people", json={"name": "P", "company_id": company["id"]})).json()
        assert person["company_name"] == "Old Name"
        await client.put(f"/companies/{company['id']}", json={"name": "New Name"})
        assert (await client.get(f"/people/{person['id']}")).json()["company_name"] == "New Name"
        # company_id changes through related items, not update.
        other = (await client.post("/companies", json={"name": "Other"})).json()
        moved = (await client.put(f"/people/{person['id']}", json={"company_id": other["id"]})).json()
        assert moved["company_id"] == company["id"]


async def test_lead_status_mirrors_status_id() -> None:
    async with sandbox(demo_data=False) as client:
        statuses = (await client.get("/lead_statuses")).json()
        lead = (await client.post("/leads", json={"name": "L"})).json()
        assert lead["status"] == "New" and lead["status_id"] == statuses[0]["id"]
        junk = next(s for s in statuses if s["name"] == "Junk")
        moved = (await client.put(f"/leads/{lead['id']}", json={"status_id": junk["id"]})).json()
        assert moved["status"] == "Junk"


async def test_task_completed_date_is_set_on_completion() -> None:
    async with sandbox(demo_data=False) as client:
        task = (await client.post("/tasks", json={"name": "Call", "completed_date": 5})).json()
        assert task["status"] == "Open" and task["completed_date"] is None
        done = (await client.put(f"/tasks/{task['id']}", json={"status": "Completed"})).json()
        assert isinstance(done["completed_date"], int) and done["completed_date"] > 0
        assert invalid_field(await client.put(f"/tasks/{task['id']}", json={"priority": "Low"}), "priority")


async def test_opportunity_defaults_and_close_date() -> None:
    async with sandbox(demo_data=False) as client:
        pipelines = (await client.get("/pipelines")).json()
        opportunity = (await client.post("/opportunities", json={"name": "Deal", "close_date": "01/15/2027"})).json()
        first_stage = pipelines[0]["stages"][0]
        assert opportunity["pipeline_id"] == pipelines[0]["id"]
        assert opportunity["pipeline_stage_id"] == first_stage["id"]
        assert opportunity["win_probability"] == first_stage["win_probability"]
        assert opportunity["status"] == "Open" and opportunity["priority"] == "None"
        assert opportunity["close_date"] == "1/15/2027"
        for bad in ("2027-01-15", "13/1/2027", "2/30/2027", 1700000000):
            response = await client.put(f"/opportunities/{opportunity['id']}", json={"close_date": bad})
            assert invalid_field(response, "close_date"), bad
        other_stage = pipelines[1]["stages"][0]["id"]
        assert invalid_field(
            await client.put(f"/opportunities/{opportunity['id']}", json={"pipeline_stage_id": other_stage}),
            "pipeline_stage_id",
        )
        moved = (
            await client.put(f"/opportunities/{opportunity['id']}", json={"pipeline_id": pipelines[1]["id"]})
        ).json()
        assert moved["pipeline_stage_id"] == other_stage


async def test_an_opportunity_shows_its_pipelines_type_and_revenue_flag() -> None:
    async with sandbox(demo_data=False) as client:
        shown = []
        for pipeline in (await client.get("/pipelines")).json():
            made = (await client.post("/opportunities", json={"name": "D", "pipeline_id": pipeline["id"]})).json()
            shown.append((pipeline["name"], made["pipeline_type"], made["pipeline_is_revenue"]))
            fetched = (await client.get(f"/opportunities/{made['id']}")).json()
            assert (fetched["pipeline_type"], fetched["pipeline_is_revenue"]) == shown[-1][1:]
    assert shown == [
        ("Sales", "opportunity", True),
        ("Business Development", "opportunity", False),
        ("Customer Onboarding", "project", False),
    ]


async def test_only_user_activities_can_be_created_or_updated() -> None:
    async with sandbox(demo_data=False) as client:
        person = (await client.post("/people", json={"name": "P"})).json()
        parent = {"id": person["id"], "type": "person"}
        note = await client.post(
            "/activities", json={"parent": parent, "type": {"id": 0, "category": "user"}, "details": "hi"}
        )
        assert note.status_code == 200
        assert note.json()["user_id"] is not None
        system = await client.post(
            "/activities", json={"parent": parent, "type": {"id": 1, "category": "system"}, "details": "x"}
        )
        assert invalid_field(system, "type")
        disabled = await client.post(
            "/activities", json={"parent": parent, "type": {"id": 190714, "category": "user"}, "details": "x"}
        )
        assert invalid_field(disabled, "type")
        assert invalid_field(
            await client.post("/activities", json={"parent": {"id": 1, "type": "person"}, "type": {"id": 0,
                              "category": "user"}, "details": "x"}),
            "parent",
        )  # fmt: skip
        activity_id = note.json()["id"]
        assert (await client.delete(f"/activities/{activity_id}")).status_code == 200
        assert (await client.get(f"/activities/{activity_id}")).json() == {"id": activity_id, "is_deleted": True}


async def test_system_activities_are_read_only() -> None:
    async with sandbox() as client:
        activities = await search_all(client, "activities")
        system = next(a for a in activities if a["type"]["category"] == "system")
        assert invalid_field(await client.put(f"/activities/{system['id']}", json={"details": "x"}), "type")


async def test_interactions_are_counted() -> None:
    async with sandbox(demo_data=False) as client:
        company = (await client.post("/companies", json={"name": "C"})).json()
        await client.post(
            "/activities",
            json={"parent": {"id": company["id"], "type": "company"}, "type": {"id": 190711, "category": "user"},
                  "details": "call", "activity_date": 1_790_000_000},
        )  # fmt: skip
        after = (await client.get(f"/companies/{company['id']}")).json()
        assert after["interaction_count"] == 1
        assert after["date_last_contacted"] == 1_790_000_000


async def test_not_found_and_malformed() -> None:
    async with sandbox() as client:
        assert (await client.get("/people/999999999")).json() == {
            "success": False,
            "status": 404,
            "message": "Resource not found",
        }
        assert (await client.get("/people/abc")).status_code == 404
        assert (await client.get("/people/99999999999999999999999")).status_code == 404
        assert (await client.get("/widgets")).status_code == 404
        assert (await client.patch("/people/1")).status_code == 404
        assert (await client.put("/people/999999999", json={})).status_code == 404
        assert (await client.delete("/people/999999999")).status_code == 404
        malformed = await client.post("/people", content=b'{"name": ')
        assert malformed.status_code == 400 and malformed.json()["status"] == 400
        assert (await client.post("/people/search", content=b"NaN")).status_code == 400
        assert invalid_field(await client.post("/people", json=[1, 2]), "body")


async def test_a_rejected_request_leaves_data_unchanged() -> None:
    async with sandbox() as client:
        people = await search_all(client, "people")
        target = people[0]
        taken = people[1]["emails"][0]["email"]
        response = await client.put(
            f"/people/{target['id']}",
            json={"title": "Changed", "emails": [{"email": taken, "category": "work"}]},
        )
        assert invalid_field(response, "emails")
        assert (await client.get(f"/people/{target['id']}")).json() == target
        bad_bulk = await client.post("/people", json={"name": "X", "custom_fields": [{"value": 1}]})
        assert bad_bulk.status_code == 422
        assert len(await search_all(client, "people")) == len(people)


WEIRD_BODIES = [
    {"name": None},
    {"name": ["x"]},
    {"name": "ok", "emails": "x"},
    {"name": "ok", "emails": [None]},
    {"name": "ok", "emails": [{"email": 5}]},
    {"name": "ok", "address": []},
    {"name": "ok", "address": {"city": 5}},
    {"name": "ok", "tags": [1]},
    {"name": "ok", "phone_numbers": [{"number": "1", "category": "fax"}]},
    {"name": "ok", "custom_fields": {"a": 1}},
    {"name": "ok", "custom_fields": [{"custom_field_definition_id": 10**30, "value": 1}]},
    {"name": "ok", "assignee_id": 10**30},
    {"name": "ok", "assignee_id": True},
    {"name": "ok", "contact_type_id": -1},
    {"name": "ok", "company_id": 1.5},
]


@pytest.mark.parametrize("body", WEIRD_BODIES)
async def test_odd_input_is_a_422_never_a_500(body: dict[str, object]) -> None:
    async with sandbox(demo_data=False) as client:
        response = await client.post("/people", json=body)
        assert response.status_code == 422, response.text


@pytest.mark.parametrize("plural", ["people", "companies", "leads", "opportunities", "projects", "tasks", "activities"])
async def test_odd_searches_and_updates_never_500(plural: str) -> None:
    async with sandbox() as client:
        record = (await client.post(f"/{plural}/search", json={"page_size": 1})).json()[0]
        searches: list[dict[str, Any]] = [
            {"ids": "x"}, {"tags": 5}, {"custom_fields": [5]}, {"sort_by": 5}, {"page_number": "1"},
            {"minimum_created_date": "x"}, {"phone_number": {}}, {"parent": 5}]  # fmt: skip
        for body in searches:
            response = await client.post(f"/{plural}/search", json=body)
            assert response.status_code in (200, 422), (body, response.text)
        updates: list[dict[str, Any]] = [
            {"name": 5}, {"tags": "x"}, {"status": 5}, {"custom_fields": [{}]}, {"related_resource": 5},
            {"details": 5}, {"parent": {"id": "x"}}]  # fmt: skip
        for body in updates:
            response = await client.put(f"/{plural}/{record['id']}", json=body)
            assert response.status_code in (200, 422), (body, response.text)
