"""Account, users, pipelines, reference lists, custom field definitions and tags."""

from __future__ import annotations

from .support import HEADERS, invalid_field, sandbox


async def test_account_users_and_me() -> None:
    async with sandbox() as client:
        account = (await client.get("/account")).json()
        assert account["primary_timezone"] == "America/New_York" and "settings" in account
        users = (await client.post("/users/search", json={"page_size": 200})).json()
        assert len(users) == 5
        me = (await client.get("/users/me")).json()
        assert me["email"] == HEADERS["X-PW-UserEmail"]
        stranger = (await client.get("/users/me", headers={"X-PW-UserEmail": "who@else.example"})).json()
        assert stranger == users[0]
        assert (await client.get(f"/users/{users[1]['id']}")).json() == users[1]
        assert invalid_field(await client.post("/users/search", json={"page_size": 500}), "page_size")


async def test_pipelines_and_lists() -> None:
    async with sandbox() as client:
        pipelines = (await client.get("/pipelines")).json()
        assert [(p["name"], len(p["stages"])) for p in pipelines] == [
            ("Sales", 5), ("Business Development", 3), ("Customer Onboarding", 3),
        ]  # fmt: skip
        stages = (await client.get("/pipeline_stages")).json()
        assert len(stages) == 11 and all("pipeline_id" in s for s in stages)
        of_second = (await client.get(f"/pipeline_stages/pipeline/{pipelines[1]['id']}")).json()
        assert [s["id"] for s in of_second] == [s["id"] for s in pipelines[1]["stages"]]
        assert (await client.get("/pipeline_stages/pipeline/1")).status_code == 404
        for path in ("/contact_types", "/customer_sources", "/loss_reasons", "/lead_statuses"):
            items = (await client.get(path)).json()
            assert items and all({"id", "name"} <= set(i) for i in items)
        activity_types = (await client.get("/activity_types")).json()
        assert set(activity_types) == {"user", "system"}
        assert {"id": 0, "category": "user"}.items() <= activity_types["user"][0].items()


async def test_custom_field_definition_crud_and_validation() -> None:
    async with sandbox(demo_data=False) as client:
        assert invalid_field(
            await client.post("/custom_field_definitions", json={"name": "D", "data_type": "Dropdown", "options": []}),
            "options",
        )
        one = [{"name": "only"}]
        assert invalid_field(
            await client.post(
                "/custom_field_definitions", json={"name": "M", "data_type": "MultiSelect", "options": one}
            ),
            "options",
        )
        assert invalid_field(
            await client.post("/custom_field_definitions", json={"name": "X", "data_type": "Blob"}), "data_type"
        )
        created = (
            await client.post(
                "/custom_field_definitions",
                json={"name": "Size", "data_type": "Dropdown", "available_on": ["company"], "is_filterable": True,
                      "options": [{"name": "S"}, {"name": "L"}]},
            )
        ).json()  # fmt: skip
        assert [o["name"] for o in created["options"]] == ["S", "L"]
        updated = (
            await client.put(f"/custom_field_definitions/{created['id']}", json={"options": [{"name": "M"}]})
        ).json()
        assert [o["name"] for o in updated["options"]] == ["M"]
        assert updated["options"][0]["id"] not in {o["id"] for o in created["options"]}
        assert updated["name"] == "Size"
        deleted = await client.delete(f"/custom_field_definitions/{created['id']}")
        assert deleted.json() == {"id": created["id"], "is_deleted": True}
        assert (await client.get(f"/custom_field_definitions/{created['id']}")).status_code == 404


async def test_custom_field_values_are_validated_listed_and_computed() -> None:
    async with sandbox(demo_data=False) as client:
        size = (
            await client.post(
                "/custom_field_definitions",
                json={"name": "Size", "data_type": "MultiSelect", "available_on": ["company"],
                      "options": [{"name": "S"}, {"name": "L"}]},
            )
        ).json()  # fmt: skip
        note = (
            await client.post("/custom_field_definitions", json={"name": "Note", "data_type": "String",
                                                                  "available_on": ["company"]})
        ).json()  # fmt: skip
        checked = (
            await client.post("/custom_field_definitions", json={"name": "Ok", "data_type": "Checkbox",
                                                                  "available_on": ["person"]})
        ).json()  # fmt: skip
        small = size["options"][0]["id"]
        company = (
            await client.post(
                "/companies?custom_field_computed_values=true",
                json={"name": "C", "custom_fields": [{"custom_field_definition_id": size["id"], "value": [small]}]},
            )
        ).json()
        assert company["custom_fields"] == [
            {"custom_field_definition_id": size["id"], "value": [small], "computed_value": ["S"]},
            {"custom_field_definition_id": note["id"], "value": None, "computed_value": None},
        ]
        plain = (await client.get(f"/companies/{company['id']}")).json()
        assert plain["custom_fields"][0] == {"custom_field_definition_id": size["id"], "value": [small]}
        for bad in ([999999], "S", small):
            response = await client.put(
                f"/companies/{company['id']}",
                json={"custom_fields": [{"custom_field_definition_id": size["id"], "value": bad}]},
            )
            assert invalid_field(response, "custom_fields"), bad
        too_long = [{"custom_field_definition_id": note["id"], "value": "x" * 256}]
        assert invalid_field(
            await client.put(f"/companies/{company['id']}", json={"custom_fields": too_long}), "custom_fields"
        )
        wrong_entity = [{"custom_field_definition_id": checked["id"], "value": True}]
        assert invalid_field(
            await client.put(f"/companies/{company['id']}", json={"custom_fields": wrong_entity}), "custom_fields"
        )
        # Updating one custom field keeps the others.
        kept = (
            await client.put(
                f"/companies/{company['id']}",
                json={"custom_fields": [{"custom_field_definition_id": note["id"], "value": "hi"}]},
            )
        ).json()
        assert [c["value"] for c in kept["custom_fields"]] == [[small], "hi"]


async def test_tags_listing() -> None:
    async with sandbox(demo_data=False) as client:
        await client.post("/companies", json={"name": "A", "tags": ["beta", "alpha"]})
        await client.post("/people", json={"name": "B", "tags": ["beta"]})
        assert (await client.get("/tags")).json() == [{"name": "alpha", "count": 1}, {"name": "beta", "count": 2}]
        by_count = (await client.get("/tags", params={"sort_by": "count"})).json()
        assert [t["name"] for t in by_count] == ["beta", "alpha"]
        assert (await client.get("/tags", params={"tag_names_only": "true"})).json() == ["alpha", "beta"]
        after = await client.get("/tags", params={"tag_names_only": "true", "last_tag_value": "alpha"})
        assert after.json() == ["beta"]
        assert invalid_field(await client.get("/tags", params={"sort_by": "size"}), "sort_by")
