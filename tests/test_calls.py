"""Calls.execute through a real MCP client on the sandbox: compact reads, raw, friendly writes, budget."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import httpx2
import pytest
from mcp import Client

from copper_mcp.calls import RENEW_AFTER
from copper_mcp.catalog import load_catalog
from copper_mcp.client import CopperClient, RateLimits
from copper_mcp.client._limiter import SAFETY_MARGIN
from copper_mcp.core.entities import BY_PLURAL
from copper_mcp.core.settings import Settings
from copper_mcp.mcp import build_server
from copper_mcp.sandbox import SandboxConfig, create_app
from copper_mcp.shaping.writes import needs
from tests.client.fakes import FakeClock
from tests.conftest import SANDBOX_URL, ServerFactory, answer, sandbox_client, shaped_server


async def test_reads_are_compact_and_raw_is_untouched(sandbox_server: ServerFactory) -> None:
    async with Client(sandbox_server()) as client:
        page = await answer(client, "search_opportunities", {"page_size": 1, "sort_by": "close_date"})
        opportunity_id = page["records"][0]["id"]
        shaped = await answer(client, "get_opportunity", {"id": opportunity_id})
        raw = await answer(client, "get_opportunity", {"id": opportunity_id, "raw": True})
    assert raw["pipeline_id"] == shaped["pipeline_id"] and isinstance(shaped["pipeline"], str)
    month, day, year = (int(part) for part in raw["close_date"].split("/"))
    assert shaped["close_date"] == f"{year:04d}-{month:02d}-{day:02d}"
    assert isinstance(raw["custom_fields"], list) and None in [f["value"] for f in raw["custom_fields"]]
    assert None not in shaped.values()
    assert isinstance(shaped.get("custom_fields", {}), dict)


async def test_written_with_names_and_iso_dates_reads_back_the_same(sandbox_server: ServerFactory) -> None:
    async with Client(sandbox_server()) as client:
        pipelines = (await answer(client, "list_pipelines", {}))["records"]
        pipeline = pipelines[-1]
        stage = pipeline["stages"][-1]
        users = (await answer(client, "search_users", {}))["records"]
        created = await answer(
            client,
            "create_opportunity",
            {
                "name": "Round trip",
                "pipeline_id": pipeline["name"],
                "pipeline_stage_id": stage["name"].upper(),
                "assignee_id": users[0]["email"],
                "close_date": "2026-12-05",
                "monetary_value": 12000,
            },
        )
        back = await answer(client, "get_opportunity", {"id": created["id"]})
    assert (back["pipeline"], back["pipeline_stage"], back["assignee"]) == (
        pipeline["name"], stage["name"], users[0]["name"]
    )
    assert back["close_date"] == "2026-12-05"


async def test_a_bare_date_time_is_read_in_the_account_zone_and_said_so(sandbox_server: ServerFactory) -> None:
    async with Client(sandbox_server()) as client:
        task = await answer(client, "create_task", {"name": "Call Dana", "due_date": "2026-12-04T09:00:00"})
        back = await answer(client, "get_task", {"id": task["id"]})
    assert any("America/New_York" in note for note in task["notes"])
    assert back["due_date"] == "2026-12-04T09:00:00-05:00"


async def test_wrong_names_list_the_valid_ones(sandbox_server: ServerFactory) -> None:
    async with Client(sandbox_server()) as client:
        result = await client.call_tool("create_opportunity", {"name": "x", "pipeline_id": "Sails"})
    text = result.content[0].text  # type: ignore[union-attr]
    assert result.is_error and "Sails" in text and text.index("Sales") < text.index("Business Development")


async def test_a_page_over_the_budget_comes_back_shorter_and_says_how_to_get_the_rest() -> None:
    async with Client(shaped_server(budget=4000)) as mcp:
        page = await answer(mcp, "search_people", {"page_size": 50})
    assert 0 < len(page["records"]) < 50
    assert page["has_more"] is True
    assert f"page_size={len(page['records'])}" in page["notes"][-1]


async def test_a_cut_page_is_described_as_the_smaller_page_it_is_and_continues_exactly() -> None:
    async with Client(shaped_server(budget=4000)) as mcp:
        # The same order, five at a time: small enough to fit whole.
        expected = []
        for number in range(1, 13):
            page = await answer(mcp, "search_people", {"page_size": 5, "page_number": number})
            expected += [r["id"] for r in page["records"]]
        cut = await answer(mcp, "search_people", {"page_size": 20, "page_number": 2})
        next_page = {"page_size": cut["page_size"], "page_number": cut["next_page_number"]}
        after = await answer(mcp, "search_people", next_page)
    size, number = cut["page_size"], cut["page_number"]
    assert 1 <= size < 20 and 20 % size == 0  # a page that starts where page 2 of 20 did
    assert [r["id"] for r in cut["records"]] == expected[20 : 20 + size]
    assert (number, cut["next_page_number"], cut["has_more"]) == (20 // size + 1, 20 // size + 2, True)
    assert [r["id"] for r in after["records"]][:size] == expected[20 + size : 20 + 2 * size]
    assert f"page_number={number + 1} and page_size={size}" in cut["notes"][-1]


@pytest.mark.parametrize(
    ("tool", "args", "needed"),
    [
        ("get_person", {"id": 5}, False),
        ("search_opportunities", {"pipeline_ids": [213214], "minimum_close_date": 1_790_000_000}, False),
        ("search_opportunities", {"pipeline_ids": ["Sales"]}, True),
        ("create_task", {"name": "x", "due_date": "2026-12-04"}, True),
        ("create_person", {"name": "x", "custom_fields": {"Tier": "Gold"}}, True),
        ("create_person", {"name": "x", "custom_fields": [{"custom_field_definition_id": 1, "value": "a"}]}, False),
        ("create_activity", {"type": "Phone Call"}, True),
        ("create_activity", {"type": {"category": "user", "id": 0}}, False),
        ("convert_lead", {"id": 1, "details": {"opportunity": {"pipeline_id": "Sales"}}}, True),
        ("convert_lead", {"id": 1, "details": {"opportunity": {"pipeline_id": 213214}}}, False),
        ("bulk_create_people", {"people": [{"name": "x"}, {"name": "y", "assignee_id": "dana@x.com"}]}, True),
        ("bulk_create_people", {"people": [{"name": "x", "custom_fields": {"Tier": "Gold"}}]}, True),
        ("bulk_create_people", {"people": [{"name": "x", "assignee_id": 159258}]}, False),
    ],
)
async def test_reference_data_is_fetched_only_when_needed(tool: str, args: dict[str, Any], needed: bool) -> None:
    op = load_catalog().operation(tool)
    assert bool(needs(op.marks, args)) is needed


async def test_a_copper_error_while_loading_reference_data_reaches_the_model() -> None:
    async with Client(shaped_server(missing=("/pipelines",))) as mcp:
        result = await mcp.call_tool("search_opportunities", {"pipeline_ids": ["Sales"]})
    assert result.is_error and "No such record" in result.content[0].text  # type: ignore[union-attr]


# -- one owner for every answer ----------------------------------------------------------------


async def test_a_record_reads_the_same_through_its_tool_and_its_resource() -> None:
    async with Client(shaped_server()) as mcp:
        for entity in BY_PLURAL.values():
            first = (await answer(mcp, f"search_{entity.plural}", {"page_size": 1}))["records"][0]
            tool = await mcp.call_tool(f"get_{entity.singular}", {"id": first["id"]})
            resource = await mcp.read_resource(f"copper://{entity.plural}/{first['id']}")
            assert resource.contents[0].text == tool.content[0].text, entity  # type: ignore[union-attr]


async def test_a_records_activities_are_compact_raw_on_request_and_within_the_budget() -> None:
    async with Client(shaped_server(budget=3000)) as mcp:
        logged = (await answer(mcp, "search_activities", {"page_size": 1}))["records"][0]["parent"]
        plural = {e.singular: e.plural for e in BY_PLURAL.values()}[logged["type"]]
        asked = {"entity": plural, "id": logged["id"], "page_size": 50}
        shaped = await answer(mcp, "list_record_activities", asked)
        raw = await answer(mcp, "list_record_activities", {**asked, "raw": True})
    first = shaped["records"][0]
    assert isinstance(first["activity_date"], str) and first["type_name"] and first["parent_name"]
    assert isinstance(raw["records"][0]["activity_date"], int) and "type_name" not in raw["records"][0]
    if shaped["has_more"] and len(shaped["records"]) < 50:  # cut by the small budget
        assert "page_size=" in shaped["notes"][-1]
    assert len(json.dumps(shaped["records"])) <= 3000


@pytest.mark.parametrize("due_date", [2**39, -(2**45)])
async def test_a_date_no_calendar_holds_never_fails_a_read(due_date: int) -> None:
    """Copper may hold such a value (written by another integration); it is shown as sent, with a note."""
    app = create_app(SandboxConfig())
    store = app.state.sandbox.store
    task = store.list("tasks")[0]
    store.replace("tasks", task["id"], {**task, "due_date": due_date})
    async with Client(shaped_server(app=app)) as mcp:
        got = await answer(mcp, "get_task", {"id": task["id"]})
        page = await answer(mcp, "search_tasks", {"ids": [task["id"]], "fields": ["*"]})
    for shown in (got, page["records"][0]):
        assert shown["due_date"] == due_date
        assert isinstance(shown["date_created"], str)
    assert any("due_date" in note and "kept as Copper sent it" in note for note in got["notes"])


@pytest.mark.parametrize("due_date", [2**39, -(2**45), "99999-01-01"])
async def test_a_date_no_calendar_holds_is_refused_before_anything_is_written(due_date: Any) -> None:
    async with Client(shaped_server()) as mcp:
        result = await mcp.call_tool("create_task", {"name": "Far away", "due_date": due_date})
        found = await answer(mcp, "search_tasks", {"name": "Far away"})
    assert result.is_error and "due_date" in result.content[0].text  # type: ignore[union-attr]
    assert found["records"] == []


# -- the published forms work end to end ----------------------------------------------------------


async def test_what_the_published_schemas_offer_is_what_copper_gets() -> None:
    async with Client(shaped_server()) as mcp:
        won = await answer(mcp, "search_opportunities", {"status_ids": ["Won"], "page_size": 200})
        by_number = await answer(mcp, "search_opportunities", {"status_ids": [1], "page_size": 200})
        hook = await answer(mcp, "create_webhook", {"target": "https://example.com/h", "type": "lead", "event": "new",
                                                    "headers": [{"name": "X-Team", "value": "ops"}]})  # fmt: skip
        fields = (await answer(mcp, "list_custom_field_definitions", {}))["records"]
        dropdown = next(f for f in fields if f["data_type"] == "Dropdown" and "company" in f["available_on"])
        option = dropdown["options"][0]["name"]
        made = await answer(mcp, "create_company", {
            "name": "Listed Fields Inc", "custom_fields": [{"field": dropdown["name"], "value": option}]})  # fmt: skip
        found = await answer(mcp, "search_companies", {
            "custom_fields": [{"field": dropdown["name"], "value": option}], "name": "Listed Fields"})  # fmt: skip
    assert won["records"] and {r["status"] for r in won["records"]} == {"Won"}
    assert [r["id"] for r in won["records"]] == [r["id"] for r in by_number["records"]]
    assert hook["headers"] == {"X-Team": "ops"}
    assert made["custom_fields"][dropdown["name"]] == option
    assert [r["id"] for r in found["records"]] == [made["id"]]


# -- no silent waits -----------------------------------------------------------------------------


async def test_a_call_that_would_wait_past_its_patience_answers_at_once_and_sends_nothing() -> None:
    clock = FakeClock(start=0.0)
    sent: list[str] = []

    def counted(request: httpx2.Request) -> httpx2.Response:
        sent.append(request.url.path)
        return httpx2.Response(200, json={"id": 1, "name": "Acme account"})

    client = CopperClient(api_key="k", user_email="e@x.com", transport=httpx2.MockTransport(counted),
                          limits=RateLimits(per_minute=2, window=60.0), clock=clock, sleep=clock.sleep)  # fmt: skip
    server = build_server(Settings(api_key="k", user_email="e@x.com"), client)
    async with Client(server) as mcp:
        await answer(mcp, "get_account", {})
        await answer(mcp, "get_account", {})
        refused = await mcp.call_tool("get_account", {})
    assert len(sent) == 2 and clock.now == 0.0
    text = refused.content[0].text  # type: ignore[union-attr]
    assert refused.is_error and "Nothing was sent; try again in 61 s" in text


async def test_a_shorter_wait_is_told_as_progress_before_it_begins() -> None:
    clock = FakeClock(start=0.0)
    told: list[tuple[float, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        told.append((clock.now, message))

    client = CopperClient(api_key="k", user_email="e@x.com",
                          transport=httpx2.MockTransport(lambda request: httpx2.Response(200, json={"id": 1})),
                          limits=RateLimits(per_minute=1, window=10.0), clock=clock, sleep=clock.sleep)  # fmt: skip
    server = build_server(Settings(api_key="k", user_email="e@x.com"), client)
    async with Client(server) as mcp:
        await answer(mcp, "get_account", {})
        waited = await mcp.call_tool("get_account", {}, progress_callback=on_progress)
    assert not waited.is_error
    assert told == [(0.0, "waiting 11 s for Copper's rate limit")]
    assert clock.now == pytest.approx(10.0 * (1 + SAFETY_MARGIN))


# -- lean lists ------------------------------------------------------------------------------------


async def test_a_search_shows_its_list_view_with_names_for_reference_ids() -> None:
    listed = load_catalog().schemas["opportunities"].listed
    async with Client(shaped_server()) as mcp:
        lean = (await answer(mcp, "search_opportunities", {"page_size": 5}))["records"]
        whole = [await answer(mcp, "get_opportunity", {"id": r["id"]}) for r in lean]
    for shown, record in zip(lean, whole, strict=True):
        # What a person scans in a list: the list view's fields, the owner and stage by name.
        assert set(shown) <= {"id", *listed, "assignee", "pipeline", "pipeline_stage"}
        assert "assignee_id" not in shown and shown["assignee"] == record["assignee"]
        assert "custom_fields" not in shown
        # Every value shown is the record's own; the id gets the rest.
        assert all(record[key] == value for key, value in shown.items())


async def test_fields_picks_what_a_search_shows_and_star_shows_it_all() -> None:
    async with Client(shaped_server()) as mcp:
        definitions = (await answer(mcp, "list_custom_field_definitions", {}))["records"]
        industry = next(d["name"] for d in definitions if "opportunity" in d["available_on"])
        picked = (await answer(mcp, "search_opportunities", {
            "page_size": 5, "fields": ["assignee_id", industry.upper()]}))["records"]  # fmt: skip
        everything = (await answer(mcp, "search_opportunities", {"page_size": 5, "fields": ["*"]}))["records"]
        gets = [await answer(mcp, "get_opportunity", {"id": r["id"]}) for r in everything]
    assert everything == gets
    for shown, record in zip(picked, gets, strict=True):
        expected = {"id": record["id"], "assignee_id": record["assignee_id"], "assignee": record["assignee"]}
        if industry in record.get("custom_fields", {}):
            expected["custom_fields"] = {industry: record["custom_fields"][industry]}
        assert shown == expected


async def test_a_field_no_record_has_is_said_so() -> None:
    async with Client(shaped_server()) as mcp:
        found = await answer(mcp, "search_people", {"page_size": 3, "fields": ["name", "Favourite colour"]})
    assert all(set(r) == {"id", "name"} for r in found["records"])
    assert any("no record here has favourite colour" in note for note in found["notes"])


# -- fresh, tolerant names -----------------------------------------------------------------------


async def test_users_by_the_name_people_say() -> None:
    async with Client(shaped_server()) as mcp:
        users = {u["name"]: u["id"] for u in (await answer(mcp, "search_users", {}))["records"]}
        unaccented = await answer(mcp, "create_task", {"name": "Call back", "assignee_id": "Tomas Herrera"})
        first_name = await answer(mcp, "create_task", {"name": "Send deck", "assignee_id": "priya"})
    assert unaccented["assignee_id"] == users["Tomás Herrera"]
    assert first_name["assignee_id"] == users["Priya Raman"]


async def test_a_custom_field_a_colleague_just_added_works_at_once() -> None:
    clock = FakeClock()
    app = create_app(SandboxConfig())
    settings = Settings(api_key="test-key", user_email="tester@example.com", base_url=SANDBOX_URL)
    server = build_server(settings, sandbox_client(app=app), clock=clock)
    async with Client(server) as mcp:
        company = (await answer(mcp, "search_companies", {"page_size": 1, "fields": ["*"]}))["records"][0]
        # Someone adds a field in Copper itself, not through this server, and fills it in.
        async with sandbox_client(app=app) as copper:
            made = (await copper.request("POST", "/custom_field_definitions", json={
                "name": "Territory", "data_type": "String", "available_on": ["company"]})).data  # fmt: skip
            await copper.request("PUT", f"/companies/{company['id']}", json={
                "custom_fields": [{"custom_field_definition_id": made["id"], "value": "East"}]})  # fmt: skip
        clock.now += RENEW_AFTER  # the kept definitions are no longer fresh from Copper
        shown = await answer(mcp, "get_company", {"id": company["id"]})
        updated = await answer(mcp, "update_company", {
            "id": company["id"], "custom_fields": [{"field": "Territory", "value": "West"}]})  # fmt: skip
    assert shown["custom_fields"]["Territory"] == "East"  # by name, not by its id
    assert updated["custom_fields"]["Territory"] == "West"


async def test_a_wrong_name_does_not_fetch_the_list_again_and_again() -> None:
    sent: list[str] = []
    inner = httpx2.ASGITransport(app=create_app(SandboxConfig()))

    class Counted(httpx2.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
            sent.append(request.url.path)
            return await inner.handle_async_request(request)

    settings = Settings(api_key="test-key", user_email="tester@example.com", base_url=SANDBOX_URL)
    async with Client(build_server(settings, sandbox_client(transport=Counted()))) as mcp:
        for _ in range(3):
            failed = await mcp.call_tool("create_task", {"name": "x", "assignee_id": "Nobody Atall"})
            assert failed.is_error and "no user named 'Nobody Atall'" in failed.content[0].text  # type: ignore[union-attr]
    assert sent.count("/developer_api/v1/users/search") == 1  # fetched once; fresh lists are trusted


# -- everything the model reads is shaped ----------------------------------------------------------


async def test_a_missing_email_is_said_so_without_speaking_of_an_id() -> None:
    async with Client(shaped_server()) as mcp:
        result = await mcp.call_tool("fetch_person_by_email", {"email": "nobody@nowhere.example"})
    text = result.content[0].text  # type: ignore[union-attr]
    assert result.is_error and "email address" in text and " id" not in text


async def test_webhook_dates_are_iso_too() -> None:
    async with Client(shaped_server()) as mcp:
        made = await answer(mcp, "create_webhook", {"target": "https://example.com/h", "type": "task", "event": "new"})
        listed = (await answer(mcp, "list_webhooks", {}))["records"]
    assert datetime.fromisoformat(made["created_at"]).tzinfo is not None
    assert all(datetime.fromisoformat(hook["created_at"]).tzinfo is not None for hook in listed)


def test_read_only_mode_is_stated_in_the_instructions(sandbox_server: ServerFactory) -> None:
    assert "This server is read-only" in (sandbox_server(read_only=True).instructions or "")
    assert "read-only" not in (sandbox_server().instructions or "")
