"""Storage: the Store API, persistence across restarts, deterministic demo data."""

from __future__ import annotations

from pathlib import Path

import pytest

from copper_mcp.sandbox import SandboxConfig, Store

from .support import sandbox, search_all


def test_store_transactions_are_all_or_nothing() -> None:
    store = Store(None)
    kept = store.insert("webhooks", {"target": "a"})
    with pytest.raises(RuntimeError), store.transaction():
        store.insert("webhooks", {"target": "b"})
        store.replace("webhooks", kept["id"], {"target": "changed"})
        raise RuntimeError("boom")
    assert store.list("webhooks") == [kept]
    assert store.count("webhooks") == 1
    assert store.get("webhooks", 10**30) is None
    assert store.delete("webhooks", kept["id"]) and not store.delete("webhooks", kept["id"])


async def test_data_survives_recreating_the_app_on_the_same_file(tmp_path: Path) -> None:
    path = str(tmp_path / "sandbox.db")
    async with sandbox(db_path=path) as client:
        created = (await client.post("/people", json={"name": "Persistent Pat"})).json()
        count = len(await search_all(client, "people"))
    async with sandbox(db_path=path, seed=99) as client:
        assert (await client.get(f"/people/{created['id']}")).json() == created
        # No second helping of demo data on an existing file.
        assert len(await search_all(client, "people")) == count


async def test_demo_data_is_deterministic_per_seed() -> None:
    async def snapshot(seed: int) -> dict[str, list[dict[str, object]]]:
        async with sandbox(seed=seed) as client:
            out = {}
            for plural in ("people", "companies", "leads", "opportunities", "projects", "tasks", "activities"):
                rows = await search_all(client, plural, sort_by="date_created")
                # Webhook-free, wall-clock-free fields only: demo data uses the fixed epoch anyway.
                out[plural] = rows
            return out

    first = await snapshot(3)
    assert first == await snapshot(3)
    assert first != await snapshot(4)
    sizes = {k: len(v) for k, v in first.items()}
    assert sizes == {"people": 150, "companies": 50, "leads": 40, "opportunities": 63, "projects": 15,
                     "tasks": 80, "activities": 200}  # fmt: skip


async def test_demo_data_is_believable() -> None:
    async with sandbox(config=SandboxConfig(seed=1)) as client:
        people = await search_all(client, "people")
        emails = [e["email"] for p in people for e in p["emails"]]
        assert len(emails) == len(set(emails)) == 150
        assert sum(1 for p in people if p["company_id"]) > 100
        opportunities = await search_all(client, "opportunities")
        assert {o["status"] for o in opportunities} == {"Open", "Won", "Lost", "Abandoned"}
        stages = {s["id"] for s in (await client.get("/pipeline_stages")).json()}
        assert {o["pipeline_stage_id"] for o in opportunities} == stages
        values = [o["monetary_value"] for o in opportunities]
        assert min(values) >= 1000 and max(values) <= 250_000
        assert any(o["close_date"].endswith("/2026") for o in opportunities)
        data_types = {d["data_type"] for d in (await client.get("/custom_field_definitions")).json()}
        assert {"String", "Dropdown", "MultiSelect", "Date", "Checkbox", "Currency"} <= data_types
        companies = await search_all(client, "companies")
        domains = [c["email_domain"] for c in companies]
        assert len(domains) == len(set(domains))
        assert {o["pipeline_type"] for o in opportunities} == {"opportunity", "project"}
        custom_types = {t["id"] for t in (await client.get("/custom_activity_types")).json()}
        tasks = await search_all(client, "tasks")
        assert {t["custom_activity_type_id"] for t in tasks} - {None} <= custom_types
        assert sum(1 for t in tasks if t["custom_activity_type_id"]) > 10
        referred = [d for d in (await client.get("/custom_field_definitions")).json() if d["data_type"] == "Connect"]
        assert len(referred) == 1
        linked = [p for p in people for f in p["custom_fields"] if f["custom_field_definition_id"] == referred[0]["id"]
                  and f["value"]]  # fmt: skip
        assert len(linked) >= 5


async def test_demo_data_can_be_turned_off() -> None:
    async with sandbox(demo_data=False) as client:
        assert await search_all(client, "people") == []
        assert len((await client.get("/pipelines")).json()) == 3
