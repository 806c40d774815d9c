"""A create whose answer was lost is looked for once: created, not created, or still unknown, never resent."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.server import MCPServer
from mcp.types import TextContent

from copper_mcp.catalog import load_catalog
from copper_mcp.client import CopperClient
from copper_mcp.core.settings import Settings
from copper_mcp.mcp import build_server
from copper_mcp.recover import CLOCK_SLACK, judge, lookup
from copper_mcp.sandbox import SandboxConfig, create_app
from tests.conftest import SANDBOX_URL, Missing
from tests.faults import Fault, LostAnswers, Plan, once

SENT_AT = 1_800_000_000.7
SINCE = 1_800_000_000 - CLOCK_SLACK
TASK = {"name": "Send the Q4 renewal quote", "details": "Pricing as agreed on the call", "priority": "High"}


def lossy(plan: Plan, *, missing: tuple[str, ...] = ()) -> tuple[MCPServer, LostAnswers]:
    """A server on a fresh sandbox whose transport loses the answers ``plan`` picks."""
    inner: httpx2.AsyncBaseTransport = httpx2.ASGITransport(app=create_app(SandboxConfig()))
    transport = LostAnswers(Missing(inner, missing) if missing else inner, plan)
    settings = Settings(api_key="test-key", user_email="tester@example.com", base_url=SANDBOX_URL)
    client = CopperClient(api_key=settings.api_key, user_email=settings.user_email, base_url=SANDBOX_URL,
                          transport=transport)
    return build_server(settings, client), transport


async def someone_else_creates(transport: LostAnswers, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """A record made straight in the sandbox, as another user of the account would."""
    headers = {"X-PW-AccessToken": "other", "X-PW-Application": "developer_api", "X-PW-UserEmail": "other@x.com"}
    async with httpx2.AsyncClient(transport=transport.inner, base_url=SANDBOX_URL, headers=headers) as other:
        response = await other.post(path, json=body)
    assert response.status_code == 200, response.text
    made: dict[str, Any] = response.json()
    return made


async def call(client: Client, tool: str, arguments: dict[str, Any]) -> tuple[bool, str]:
    result = await client.call_tool(tool, arguments)
    return bool(result.is_error), "\n".join(c.text for c in result.content if isinstance(c, TextContent))


async def created(client: Client, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    failed, text = await call(client, tool, arguments)
    assert not failed, text
    answer: dict[str, Any] = json.loads(text)
    return answer


async def search_ids(client: Client, tool: str, arguments: dict[str, Any]) -> list[int]:
    return [record["id"] for record in (await created(client, tool, arguments))["records"]]


# -- through a real MCP client, on the sandbox --------------------------------------------------------

CREATES: list[tuple[str, str, dict[str, Any]]] = [
    ("create_person", "/people", {"name": "Dana Whitfield", "title": "CFO",
                                   "emails": [{"email": "dana.w@example.com", "category": "work"}]}),
    ("create_company", "/companies", {"name": "Whitfield Freight", "email_domain": "whitfieldfreight.com"}),
    ("create_lead", "/leads", {"name": "Lee Park", "email": {"email": "lee@parkfarms.com", "category": "work"}}),
    ("create_opportunity", "/opportunities", {"name": "Park Farms expansion", "monetary_value": 42000}),
    ("create_project", "/projects", {"name": "Warehouse move", "details": "Phase one"}),
    ("create_task", "/tasks", TASK),
    ("create_activity", "/activities", {"parent": {"id": 1001, "type": "person"}, "type": "Note",
                                        "details": "Called about the renewal"}),
]


@pytest.mark.parametrize(("tool", "path", "arguments"), CREATES, ids=[c[0] for c in CREATES])
async def test_a_create_stored_before_its_answer_was_lost_is_answered_with_the_record(
    tool: str, path: str, arguments: dict[str, Any]
) -> None:
    server, transport = lossy(once(Fault.TIMEOUT_AFTER, path))
    async with Client(server) as client:
        answer = await created(client, tool, arguments)
    [lost] = transport.lost
    assert lost.stored is not None and answer["id"] == lost.stored["id"]
    assert any("it was created once" in note for note in answer["notes"])
    assert transport.paths.count(f"POST /developer_api/v1{path}") == 1  # never sent again


@pytest.mark.parametrize("fault", [Fault.DROP_AFTER, Fault.ERROR_AFTER])
async def test_every_way_of_losing_a_stored_answer_is_resolved(fault: Fault) -> None:
    tool, path, arguments = CREATES[0]
    server, transport = lossy(once(fault, path))
    async with Client(server) as client:
        answer = await created(client, tool, arguments)
        found = await search_ids(client, "search_people", {"emails": ["dana.w@example.com"]})
    assert [answer["id"]] == found == [transport.lost[0].stored["id"]]
    assert answer["title"] == "CFO" and answer["emails"][0]["email"] == "dana.w@example.com"  # shaped as a create


@pytest.mark.parametrize("fault", [Fault.DROP_BEFORE, Fault.ERROR_BEFORE])
async def test_a_create_lost_before_it_arrived_is_not_created_and_can_be_sent_again(fault: Fault) -> None:
    server, transport = lossy(once(fault, "/tasks"))
    async with Client(server) as client:
        failed, text = await call(client, "create_task", TASK)
        before = await search_ids(client, "search_tasks", {"name": TASK["name"]})
        again = await created(client, "create_task", TASK)
        after = await search_ids(client, "search_tasks", {"name": TASK["name"]})
    assert failed and "It was not created; it is safe to send it again." in text
    assert TASK["name"] in text
    assert before == [] and after == [again["id"]]
    assert transport.lost[0].stored is None


async def test_an_exact_look_alike_made_meanwhile_leaves_it_unknown() -> None:
    server, transport = lossy(once(Fault.TIMEOUT_AFTER, "/tasks"))
    other = await someone_else_creates(transport, "/tasks", TASK)
    async with Client(server) as client:
        failed, text = await call(client, "create_task", TASK)
    ours = transport.lost[0].stored
    assert failed and "still unknown" in text and "not sent again" in text
    assert str(other["id"]) in text and str(ours["id"]) in text


async def test_a_look_alike_that_differs_in_a_field_sent_leaves_a_lost_create_unknown() -> None:
    server, transport = lossy(once(Fault.DROP_BEFORE, "/tasks"))
    other = await someone_else_creates(transport, "/tasks", {**TASK, "details": "Pricing to be confirmed"})
    async with Client(server) as client:
        failed, text = await call(client, "create_task", TASK)
    assert failed and "still unknown" in text and str(other["id"]) in text
    assert "safe to send" not in text  # it could be ours, altered: no invitation to send again


async def test_a_stored_create_is_told_apart_from_a_look_alike_by_the_fields_it_sent() -> None:
    server, transport = lossy(once(Fault.TIMEOUT_AFTER, "/tasks"))
    other = await someone_else_creates(transport, "/tasks", {**TASK, "priority": "None"})
    async with Client(server) as client:
        answer = await created(client, "create_task", TASK)
    assert answer["id"] == transport.lost[0].stored["id"] != other["id"]


async def test_a_bulk_create_is_not_looked_for() -> None:
    server, transport = lossy(once(Fault.TIMEOUT_AFTER, "/people/bulk_create"))
    async with Client(server) as client:
        failed, text = await call(client, "bulk_create_people", {"people": [{"name": "Ann"}, {"name": "Bo"}]})
    assert failed and "search for the record to check before retrying" in text
    assert transport.paths[-1] == "POST /developer_api/v1/people/bulk_create"  # no search after it


async def test_when_the_search_fails_too_the_outcome_stays_unknown() -> None:
    server, transport = lossy(once(Fault.TIMEOUT_AFTER, "/tasks"), missing=("/tasks/search",))
    async with Client(server) as client:
        failed, text = await call(client, "create_task", TASK)
    assert failed and "may or may not have been applied" in text and "still unknown" not in text
    assert "safe to send" not in text
    assert transport.paths[-1] == "POST /developer_api/v1/tasks/search"


# -- the rules, on their own ----------------------------------------------------------------------------


def test_each_entity_is_looked_for_by_what_identifies_it() -> None:
    catalog = load_catalog()

    def search(tool: str, body: dict[str, Any]) -> dict[str, Any] | None:
        found = lookup(catalog.operation(tool), body, SENT_AT)
        return None if found is None else {"path": found.path, **found.body}

    recent = {"minimum_created_date": SINCE, "sort_by": "date_created", "sort_direction": "desc", "page_size": 20}
    person = {"name": "A", "emails": [{"email": "a@x.com", "category": "work"}, {"email": "b@x.com"}]}
    assert search("create_person", person) == {"path": "/people/search", "emails": ["a@x.com"], **recent}
    assert search("create_person", {"name": "A"}) == {"path": "/people/search", "name": "A", **recent}
    assert search("create_lead", {"name": "L", "email": {"email": "l@x.com"}}) == {
        "path": "/leads/search", "emails": "l@x.com", **recent}
    assert search("create_company", {"name": "C", "email_domain": "c.com"}) == {
        "path": "/companies/search", "email_domains": ["c.com"], **recent}
    assert search("create_opportunity", {"name": "O"}) == {"path": "/opportunities/search", "name": "O", **recent}
    note = {"parent": {"id": 5, "type": "lead"}, "type": {"category": "user", "id": 0}, "details": "x"}
    kind = {"path": "/activities/search", "parent": note["parent"], "activity_types": [note["type"]], "page_size": 20}
    assert search("create_activity", note) == {**kind, "minimum_activity_date": SINCE}
    assert search("create_activity", {**note, "activity_date": 1_700_000_000}) == {
        **kind, "minimum_activity_date": 1_700_000_000, "maximum_activity_date": 1_700_000_000}
    for other in ("bulk_create_people", "create_webhook", "add_related_item", "create_custom_field_definition"):
        assert search(other, {"name": "x"}) is None
    assert search("create_task", {"name": "  "}) is None


SENT = {
    "name": "Acme  renewal", "monetary_value": 1000, "tags": ["vip"], "address": {"city": "Boston"},
    "custom_fields": [{"custom_field_definition_id": 7, "value": "Large"}], "details": None,
}
STORED = {
    "id": 1, "name": "acme renewal", "monetary_value": 1000.0, "tags": ["VIP", "q4"], "date_created": SINCE,
    "address": {"street": None, "city": "Boston"}, "details": None,
    "custom_fields": [
        {"custom_field_definition_id": 6, "value": None}, {"custom_field_definition_id": 7, "value": "Large"}
    ],
}


@pytest.mark.parametrize(
    ("records", "record", "candidates"),
    [
        ([], None, ()),
        ([STORED], STORED, ()),
        ([STORED, {**STORED, "id": 2}], None, (1, 2)),  # two could be it
        ([{**STORED, "monetary_value": 999}], None, (1,)),  # a look-alike: could be ours, altered
        ([STORED, {**STORED, "id": 2, "tags": ["q4"]}], STORED, ()),  # the look-alike lacks a tag sent
        ([{**STORED, "date_created": SINCE - 1}], None, ()),  # made before the create was sent
        ([{**STORED, "details": "now filled in"}], None, (1,)),
        ([{**STORED, "address": None}], None, (1,)),
    ],
)
def test_a_record_counts_as_made_by_the_create_only_when_it_alone_has_every_field_sent(
    records: list[dict[str, Any]], record: dict[str, Any] | None, candidates: tuple[int, ...]
) -> None:
    found = judge(SENT, records, SINCE)
    assert (found.record, found.candidates) == (record, candidates)


def test_a_single_match_on_a_full_page_is_not_trusted() -> None:
    others = [{**STORED, "id": n, "name": "Acme renewal 2"} for n in range(2, 21)]
    assert judge(SENT, [STORED, *others], SINCE).record == STORED
    found = judge(SENT, [STORED, *others], SINCE, more=True)
    assert found.record is None and len(found.candidates) == 20
