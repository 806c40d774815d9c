"""Lead convert and upsert, bulk endpoints, related items, fetch_by_email."""

from __future__ import annotations

from .support import invalid_field, sandbox, search_all


async def test_convert_makes_person_company_and_opportunity() -> None:
    async with sandbox() as client:
        lead = (
            await client.post(
                "/leads",
                json={"name": "Jo Park", "email": {"email": "jo@park.example", "category": "work"},
                      "company_name": "Park Works", "monetary_value": 5000},
            )
        ).json()  # fmt: skip
        pipelines = (await client.get("/pipelines")).json()
        body = {"details": {"person": {"name": "Jo Park"}, "company": {"name": "Park Works"},
                            "opportunity": {"name": "Park deal", "pipeline_id": pipelines[1]["id"]}}}  # fmt: skip
        response = await client.post(f"/leads/{lead['id']}/convert", json=body)
        assert response.status_code == 200, response.text
        result = response.json()
        assert result["person"]["emails"] == [{"email": "jo@park.example", "category": "work"}]
        assert result["company"]["name"] == "Park Works"
        assert result["person"]["company_id"] == result["company"]["id"]
        opportunity = result["opportunity"]
        assert opportunity["pipeline_stage_id"] == pipelines[1]["stages"][0]["id"]
        assert opportunity["monetary_value"] == 5000
        assert opportunity["primary_contact_id"] == result["person"]["id"]
        assert opportunity["leads_converted_from"][0]["lead_id"] == lead["id"]
        assert (await client.get(f"/leads/{lead['id']}")).status_code == 404
        assert (await client.post(f"/leads/{lead['id']}/convert", json=body)).status_code == 404


async def test_convert_reuses_a_company_by_name_and_validates() -> None:
    async with sandbox(demo_data=False) as client:
        company = (await client.post("/companies", json={"name": "Acme, Inc."})).json()
        lead = (await client.post("/leads", json={"name": "L"})).json()
        assert invalid_field(await client.post(f"/leads/{lead['id']}/convert", json={"person": {}}), "details")
        both = {"details": {"company": {"id": company["id"], "name": "Acme"}}}
        assert invalid_field(await client.post(f"/leads/{lead['id']}/convert", json=both), "company")
        bad_stage = {"details": {"opportunity": {"name": "x", "pipeline_stage_id": 1}}}
        assert invalid_field(await client.post(f"/leads/{lead['id']}/convert", json=bad_stage), "pipeline_stage_id")
        # Nothing was half-written by the failed attempts.
        assert await search_all(client, "people") == []
        result = (
            await client.post(f"/leads/{lead['id']}/convert", json={"details": {"company": {"name": "acme inc"}}})
        ).json()
        assert result["company"]["id"] == company["id"]
        assert result["opportunity"] is None
        assert len(await search_all(client, "companies")) == 1


async def test_upsert_creates_updates_or_refuses() -> None:
    async with sandbox(demo_data=False) as client:
        match = {"field_name": "email", "field_value": "u@x.example"}
        props = {"name": "Up", "email": {"email": "u@x.example", "category": "work"}}
        created = await client.put("/leads/upsert", json={"properties": props, "match": match})
        assert created.status_code == 200
        updated = await client.put("/leads/upsert", json={"properties": {"title": "Boss"}, "match": match})
        assert updated.json()["id"] == created.json()["id"] and updated.json()["title"] == "Boss"
        twin = (await client.post("/leads", json={"name": "Up"})).json()
        by_name = {"field_name": "name", "field_value": "up"}
        refused = await client.put("/leads/upsert", json={"properties": {"title": "x"}, "match": by_name})
        assert invalid_field(refused, "match")
        assert str(twin["id"]) in refused.json()["message"] and str(created.json()["id"]) in refused.json()["message"]
        assert invalid_field(await client.put("/leads/upsert", json={"properties": {}, "match": {}}), "match")


async def test_upsert_over_thirty_matches_lists_no_ids() -> None:
    async with sandbox(demo_data=False) as client:
        ids = [(await client.post("/leads", json={"name": "Same"})).json()["id"] for _ in range(31)]
        refused = await client.put(
            "/leads/upsert", json={"properties": {}, "match": {"field_name": "name", "field_value": "Same"}}
        )
        assert refused.status_code == 422
        assert str(ids[0]) not in refused.json()["message"]


async def test_upsert_by_custom_field() -> None:
    async with sandbox() as client:
        definitions = {d["name"]: d for d in (await client.get("/custom_field_definitions")).json()}
        code = definitions["Referral Code"]["id"]
        match = {"field_name": "custom", "field_value": {"custom_field_definition_id": code, "value": "ZZ-1"}}
        props = {"name": "Ref", "custom_fields": [{"custom_field_definition_id": code, "value": "ZZ-1"}]}
        first = (await client.put("/leads/upsert", json={"properties": props, "match": match})).json()
        second = (await client.put("/leads/upsert", json={"properties": {"title": "T"}, "match": match})).json()
        assert first["id"] == second["id"] and second["title"] == "T"


async def test_bulk_limits_and_per_item_failures() -> None:
    async with sandbox(demo_data=False) as client:
        too_many = await client.post("/people/bulk_create", json={"people": [{"name": str(n)} for n in range(11)]})
        assert too_many.status_code == 422
        assert too_many.json() == {"error": "Request size too large, limit is 10"}
        items = [
            {"name": "Good", "emails": [{"email": "g@x.example", "category": "work"}]},
            {"title": "no name"},
            {"name": "Dup", "emails": [{"email": "g@x.example", "category": "work"}]},
        ]
        results = (await client.post("/people/bulk_create", json={"people": items})).json()
        assert results[0]["name"] == "Good"
        assert results[1] == {"success": False, "message": {"name": [{"error": "invalid"}]}}
        assert results[2] == {"success": False, "message": {"emails": [{"error": "invalid"}]}}
        good = results[0]["id"]
        updates = [{"id": good, "title": "CEO"}, {"id": 123456789, "title": "x"}, {"id": good, "title": 5}]
        results = (await client.post("/people/bulk_update", json={"people": updates})).json()
        assert results[0]["title"] == "CEO"
        assert results[1] == {"success": False, "message": {"id": [{"error": "invalid"}]}, "id": 123456789}
        assert results[2] == {"success": False, "message": {"title": [{"error": "invalid"}]}, "id": good}
        assert invalid_field(await client.post("/leads/bulk_create", json={"people": []}), "leads")
        assert (await client.post("/opportunities/bulk_update", json={"opportunities": []})).status_code == 404
        ok = await client.post("/opportunities/bulk_create", json={"opportunities": [{"name": "O"}]})
        assert ok.json()[0]["status"] == "Open"


async def test_related_items_are_bidirectional_and_limited() -> None:
    async with sandbox(demo_data=False) as client:
        person = (await client.post("/people", json={"name": "P"})).json()
        first = (await client.post("/companies", json={"name": "C1"})).json()
        second = (await client.post("/companies", json={"name": "C2"})).json()
        opportunity = (await client.post("/opportunities", json={"name": "O"})).json()
        task = (await client.post("/tasks", json={"name": "T"})).json()
        lead = (await client.post("/leads", json={"name": "L"})).json()

        def resource(record: dict[str, object], kind: str) -> dict[str, object]:
            return {"resource": {"id": record["id"], "type": kind}}

        added = await client.post(f"/people/{person['id']}/related", json=resource(first, "company"))
        assert added.json() == {"added": True, "resource": {"id": first["id"], "type": "company"}}
        assert (await client.get(f"/people/{person['id']}")).json()["company_id"] == first["id"]
        over = await client.post(f"/people/{person['id']}/related", json=resource(second, "company"))
        assert invalid_field(over, "resource")
        await client.post(f"/opportunities/{opportunity['id']}/related", json=resource(person, "person"))
        assert (await client.get(f"/people/{person['id']}/related")).json() == [
            {"id": first["id"], "type": "company"},
            {"id": opportunity["id"], "type": "opportunity"},
        ]
        assert (await client.get(f"/people/{person['id']}/related/opportunities")).json() == [
            {"id": opportunity["id"], "type": "opportunity"}
        ]
        assert (await client.get(f"/companies/{first['id']}/related/people")).json() == [
            {"id": person["id"], "type": "person"}
        ]
        await client.post(f"/tasks/{task['id']}/related", json=resource(lead, "lead"))
        assert invalid_field(
            await client.post(f"/people/{person['id']}/related", json=resource(task, "task")), "resource"
        )
        assert invalid_field(
            await client.post(f"/leads/{lead['id']}/related", json=resource(person, "person")), "resource"
        )
        removed = await client.request("DELETE", f"/people/{person['id']}/related", json=resource(first, "company"))
        assert removed.json() == {"removed": True, "resource": {"id": first["id"], "type": "company"}}
        assert (await client.get(f"/people/{person['id']}")).json()["company_id"] is None
        assert (await client.get(f"/people/{person['id']}/related/widgets")).status_code == 404


async def test_fetch_by_email() -> None:
    async with sandbox() as client:
        person = (await search_all(client, "people"))[5]
        email = person["emails"][0]["email"]
        assert (await client.post("/people/fetch_by_email", json={"email": email.upper()})).json()["id"] == person["id"]
        assert (await client.post("/people/fetch_by_email", json={"email": "no@one.example"})).status_code == 404
        assert invalid_field(await client.post("/people/fetch_by_email", json={}), "email")
