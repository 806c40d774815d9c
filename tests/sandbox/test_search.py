"""POST /{entity}/search: paging, sorting and every filter family."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2
import pytest

from copper_mcp.sandbox.entities import mdy_to_unix

from .support import invalid_field, sandbox, search_all

SORTS = {
    "people": ["name", "first_name", "last_name", "title", "email", "phone", "date_modified", "city", "zip"],
    "leads": ["name", "company_name", "value", "email", "inactive_days", "date_created"],
    "companies": ["name", "phone", "contact", "email_domain", "assignee", "contact_group", "interaction_count"],
    "opportunities": ["name", "value", "stage", "status", "close_date", "priority", "source", "win_probability"],
    "projects": ["name", "assigned_to", "related_to", "status"],
    "tasks": ["name", "due_date", "priority", "related_to", "completed_date"],
    "activities": ["activity_date", "date_created"],
}


async def ids_of(client: httpx2.AsyncClient, plural: str, **criteria: Any) -> set[int]:
    return {r["id"] for r in await search_all(client, plural, **criteria)}


@pytest.mark.parametrize("plural", list(SORTS))
async def test_walking_every_page_returns_each_record_once(plural: str) -> None:
    async with sandbox() as client:
        for sort_by in SORTS[plural]:
            for direction in ("asc", "desc"):
                seen: list[int] = []
                page, total = 1, None
                while True:
                    response = await client.post(
                        f"/{plural}/search",
                        json={"page_size": 7, "page_number": page, "sort_by": sort_by, "sort_direction": direction},
                    )
                    assert response.status_code == 200, response.text
                    total = int(response.headers["X-PW-TOTAL"])
                    rows = response.json()
                    seen += [r["id"] for r in rows]
                    if len(rows) < 7:
                        break
                    page += 1
                assert len(seen) == len(set(seen)) == total, (sort_by, direction)


async def test_sort_order_is_applied() -> None:
    async with sandbox() as client:
        rows = await search_all(client, "opportunities", sort_by="value", sort_direction="desc")
        values = [r["monetary_value"] for r in rows]
        assert values == sorted(values, reverse=True)
        names = [r["name"].lower() for r in await search_all(client, "companies", sort_by="name")]
        assert names == sorted(names)


async def test_paging_parameters_are_validated() -> None:
    async with sandbox() as client:
        assert invalid_field(await client.post("/people/search", json={"page_size": 0}), "page_size")
        assert invalid_field(await client.post("/people/search", json={"page_size": 201}), "page_size")
        assert invalid_field(await client.post("/people/search", json={"page_number": 0}), "page_number")
        assert invalid_field(await client.post("/people/search", json={"sort_by": "shoe_size"}), "sort_by")
        assert invalid_field(await client.post("/people/search", json={"sort_direction": "up"}), "sort_direction")
        default = await client.post("/people/search")
        assert len(default.json()) == 20 and default.headers["X-PW-TOTAL"] == "150"
        beyond = await client.post("/people/search", json={"page_number": 99})
        assert beyond.json() == [] and beyond.headers["X-PW-TOTAL"] == "150"


async def test_ids_name_and_email_filters() -> None:
    async with sandbox() as client:
        people = await search_all(client, "people")
        target = people[3]
        assert await ids_of(client, "people", ids=[target["id"]]) == {target["id"]}
        by_name = await search_all(client, "people", name=target["last_name"].lower())
        assert target["id"] in {p["id"] for p in by_name}
        assert all(target["last_name"].lower() in p["name"].lower() for p in by_name)
        email = target["emails"][0]["email"]
        assert await ids_of(client, "people", emails=[email.upper()]) == {target["id"]}
        lead = (await search_all(client, "leads"))[0]
        assert await ids_of(client, "leads", emails=lead["email"]["email"]) == {lead["id"]}
        opportunity = (await search_all(client, "opportunities"))[0]
        assert opportunity["id"] in await ids_of(client, "opportunities", name=opportunity["name"])
        # Opportunity names match exactly, not partially.
        assert await ids_of(client, "opportunities", name=opportunity["name"][:5]) == set()


async def test_phone_number_partial_and_fuzzy() -> None:
    async with sandbox(demo_data=False) as client:
        person = (
            await client.post("/people", json={"name": "P", "phone_numbers": [{"number": "+1 (415) 555-1234"}]})
        ).json()
        assert await ids_of(client, "people", phone_number="1234") == {person["id"]}
        assert await ids_of(client, "people", phone_number="555-1234") == {person["id"]}
        assert await ids_of(client, "people", phone_number="9415-555-1234") == {person["id"]}  # fuzzy drops the 9
        assert await ids_of(client, "people", phone_number={"value": "9415-555-1234", "match": "partial"}) == set()
        assert await ids_of(client, "people", phone_number="4321") == set()
        assert invalid_field(await client.post("/people/search", json={"phone_number": "abc"}), "phone_number")


async def test_id_filters_with_minus_two_for_none() -> None:
    async with sandbox() as client:
        people = await search_all(client, "people")
        without = {p["id"] for p in people if p["company_id"] is None}
        assert without and await ids_of(client, "people", company_ids=[-2]) == without
        company_id = next(p["company_id"] for p in people if p["company_id"])
        expected = {p["id"] for p in people if p["company_id"] == company_id}
        assert await ids_of(client, "people", company_ids=[company_id]) == expected
        assert await ids_of(client, "people", company_ids=[company_id, -2]) == expected | without
        users = (await client.post("/users/search")).json()
        assert await ids_of(client, "people", assignee_ids=[users[0]["id"]]) == {
            p["id"] for p in people if p["assignee_id"] == users[0]["id"]
        }
        contact_type = people[0]["contact_type_id"]
        assert await ids_of(client, "people", contact_type_ids=[contact_type]) == {
            p["id"] for p in people if p["contact_type_id"] == contact_type
        }


async def test_opportunity_filters() -> None:
    async with sandbox() as client:
        opportunities = await search_all(client, "opportunities")
        won = {o["id"] for o in opportunities if o["status"] == "Won"}
        assert won and await ids_of(client, "opportunities", status_ids=[1]) == won
        assert await ids_of(client, "opportunities", statuses=["won"]) == won
        pipeline = opportunities[0]["pipeline_id"]
        assert await ids_of(client, "opportunities", pipeline_ids=[pipeline]) == {
            o["id"] for o in opportunities if o["pipeline_id"] == pipeline
        }
        stage = opportunities[0]["pipeline_stage_id"]
        assert await ids_of(client, "opportunities", pipeline_stage_ids=[stage]) == {
            o["id"] for o in opportunities if o["pipeline_stage_id"] == stage
        }
        high = {o["id"] for o in opportunities if o["priority"] == "High"}
        assert await ids_of(client, "opportunities", priority_ids=[3]) == high
        assert await ids_of(client, "opportunities", priorities=["High"]) == high
        lost_reasons = {o["loss_reason_id"] for o in opportunities if o["loss_reason_id"]}
        assert await ids_of(client, "opportunities", loss_reason_ids=list(lost_reasons)) == {
            o["id"] for o in opportunities if o["loss_reason_id"]
        }
        assert await ids_of(client, "opportunities", customer_source_ids=[-2]) == {
            o["id"] for o in opportunities if o["customer_source_id"] is None
        }
        assert await ids_of(
            client, "opportunities", minimum_monetary_value=100_000, maximum_monetary_value=150_000
        ) == {o["id"] for o in opportunities if 100_000 <= o["monetary_value"] <= 150_000}
        low, high_date = mdy_to_unix("3/1/2026"), mdy_to_unix("6/30/2026")
        assert low is not None and high_date is not None
        expected = {o["id"] for o in opportunities if low <= (mdy_to_unix(o["close_date"]) or 0) <= high_date}
        assert expected
        assert await ids_of(client, "opportunities", minimum_close_date=low, maximum_close_date=high_date) == expected
        assert invalid_field(
            await client.post("/opportunities/search", json={"minimum_monetary_value": "lots"}),
            "minimum_monetary_value",
        )


async def test_tags_in_both_shapes() -> None:
    async with sandbox(demo_data=False) as client:
        a = (await client.post("/companies", json={"name": "A", "tags": ["red", "blue"]})).json()
        b = (await client.post("/companies", json={"name": "B", "tags": ["red"]})).json()
        await client.post("/companies", json={"name": "C", "tags": []})
        assert await ids_of(client, "companies", tags=["blue", "red"]) == {a["id"], b["id"]}
        assert await ids_of(client, "companies", tags={"value": ["blue", "red"], "option": "ANY"}) == {a["id"], b["id"]}
        assert await ids_of(client, "companies", tags={"value": ["blue", "red"], "option": "ALL"}) == {a["id"]}
        response = await client.post("/companies/search", json={"tags": {"value": ["x"], "option": "SOME"}})
        assert invalid_field(response, "tags")


async def test_place_followed_age_and_dates() -> None:
    async with sandbox() as client:
        companies = await search_all(client, "companies")
        city = companies[0]["address"]["city"]
        assert await ids_of(client, "companies", city=city.upper()) == {
            c["id"] for c in companies if c["address"]["city"] == city
        }
        state = companies[0]["address"]["state"]
        assert await ids_of(client, "companies", state=state, country="US") == {
            c["id"] for c in companies if c["address"]["state"] == state
        }
        followed = await ids_of(client, "companies", followed=1)
        not_followed = await ids_of(client, "companies", followed=2)
        assert followed and not_followed and followed | not_followed == {c["id"] for c in companies}
        assert not followed & not_followed
        pivot = sorted(c["date_created"] for c in companies)[25]
        assert await ids_of(client, "companies", minimum_created_date=pivot) == {
            c["id"] for c in companies if c["date_created"] >= pivot
        }
        assert await ids_of(client, "companies", maximum_modified_date=pivot) == {
            c["id"] for c in companies if c["date_modified"] <= pivot
        }
        assert await ids_of(client, "companies", minimum_interaction_count=1) == {
            c["id"] for c in companies if c["interaction_count"] >= 1
        }
        fresh = (await client.post("/companies", json={"name": "Brand New"})).json()
        assert await ids_of(client, "companies", age=3600) == {fresh["id"]}


async def test_task_and_project_filters() -> None:
    async with sandbox() as client:
        tasks = await search_all(client, "tasks")
        open_tasks = {t["id"] for t in tasks if t["status"] == "Open"}
        assert await ids_of(client, "tasks", statuses=["Open"]) == open_tasks
        on_opportunities = {t["id"] for t in tasks if (t["related_resource"] or {}).get("type") == "opportunity"}
        opportunity_ids = [t["related_resource"]["id"] for t in tasks if t["id"] in on_opportunities]
        assert await ids_of(client, "tasks", opportunity_ids=opportunity_ids) == on_opportunities
        due = sorted(t["due_date"] for t in tasks)[40]
        assert await ids_of(client, "tasks", maximum_due_date=due) == {t["id"] for t in tasks if t["due_date"] <= due}
        projects = await search_all(client, "projects")
        assert await ids_of(client, "projects", status_ids=[1]) == {
            p["id"] for p in projects if p["status"] == "Completed"
        }


async def test_activity_filters_and_record_activities() -> None:
    async with sandbox() as client:
        activities = await search_all(client, "activities")
        dates = [a["activity_date"] for a in activities]
        assert dates == sorted(dates, reverse=True)  # newest first by default
        parent = activities[0]["parent"]
        mine = {a["id"] for a in activities if a["parent"] == parent}
        assert await ids_of(client, "activities", parent=parent) == mine
        calls = {a["id"] for a in activities if a["type"] == {"id": 190711, "category": "user"}}
        assert await ids_of(client, "activities", activity_types=[{"id": 190711, "category": "user"}]) == calls
        pivot = sorted(dates)[100]
        assert await ids_of(client, "activities", minimum_activity_date=pivot) == {
            a["id"] for a in activities if a["activity_date"] >= pivot
        }
        plural = {"person": "people", "company": "companies", "opportunity": "opportunities", "lead": "leads"}
        response = await client.post(f"/{plural[parent['type']]}/{parent['id']}/activities", json={"page_size": 200})
        assert {a["id"] for a in response.json()} == mine
        assert response.headers["X-PW-TOTAL"] == str(len(mine))


async def test_custom_field_filters() -> None:
    async with sandbox() as client:
        definitions = {d["name"]: d for d in (await client.get("/custom_field_definitions")).json()}
        companies = await search_all(client, "companies")

        def value(record: dict[str, Any], name: str) -> Any:
            wanted = definitions[name]["id"]
            return next(c["value"] for c in record["custom_fields"] if c["custom_field_definition_id"] == wanted)

        industry = definitions["Industry"]
        software = industry["options"][0]["id"]
        criteria = [{"custom_field_definition_id": industry["id"], "value": [software]}]
        assert await ids_of(client, "companies", custom_fields=criteria) == {
            c["id"] for c in companies if value(c, "Industry") == software
        }
        budget = definitions["Annual Budget"]
        criteria = [{"custom_field_definition_id": budget["id"], "minimum_value": 100_000, "maximum_value": 300_000}]
        in_range = {
            c["id"] for c in companies if value(c, "Annual Budget") and 100_000 <= value(c, "Annual Budget") <= 300_000
        }
        assert await ids_of(client, "companies", custom_fields=criteria) == in_range
        criteria[0]["allow_empty"] = True
        empty = {c["id"] for c in companies if value(c, "Annual Budget") is None}
        assert await ids_of(client, "companies", custom_fields=criteria) == in_range | empty

        opportunities = await search_all(client, "opportunities")
        products = definitions["Products of Interest"]
        first, second = products["options"][0]["id"], products["options"][1]["id"]
        keeps: tuple[tuple[str, Callable[[Any], bool]], ...] = (
            ("ANY", lambda v: bool(v) and bool({first, second} & set(v))),
            ("ALL", lambda v: bool(v) and {first, second} <= set(v)),
            ("NONE", lambda v: not v or not ({first, second} & set(v))),
        )
        for option, keep in keeps:
            criteria = [{"custom_field_definition_id": products["id"], "value": [first, second], "option": option}]
            expected = {o["id"] for o in opportunities if keep(value(o, "Products of Interest"))}
            assert await ids_of(client, "opportunities", custom_fields=criteria) == expected, option

        people = await search_all(client, "people")
        opt_in = definitions["Newsletter Opt-in"]
        criteria = [{"custom_field_definition_id": opt_in["id"], "value": True}]
        assert await ids_of(client, "people", custom_fields=criteria) == {
            p["id"] for p in people if value(p, "Newsletter Opt-in") is True
        }
        not_filterable = [{"custom_field_definition_id": definitions["Discount"]["id"], "minimum_value": 1}]
        response = await client.post("/opportunities/search", json={"custom_fields": not_filterable})
        assert invalid_field(response, "custom_fields")
        wrong_entity = [{"custom_field_definition_id": definitions["Headcount"]["id"], "minimum_value": 1}]
        assert invalid_field(await client.post("/people/search", json={"custom_fields": wrong_entity}), "custom_fields")


async def test_converted_leads_are_hidden_unless_asked() -> None:
    async with sandbox() as client:
        lead = (await search_all(client, "leads"))[0]
        response = await client.post(f"/leads/{lead['id']}/convert", json={"details": {}})
        assert response.status_code == 200, response.text
        assert lead["id"] not in await ids_of(client, "leads")
        assert lead["id"] in await ids_of(client, "leads", include_converted_leads=True)
