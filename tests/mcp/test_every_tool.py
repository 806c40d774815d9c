"""Every tool, called through an MCP client against a fresh sandbox: one success, one failure.

Each case is a row: the tool, its arguments (a function of the ids discovered in the sandbox)
and what the model must read back. ``test_every_listed_tool_has_cases`` keeps the tables
complete: a new tool without a success row and a failure row fails the suite.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import pytest
from mcp import Client
from mcp.server import MCPServer

from tests.mcp.conftest import HOOK, LOGGED_KINDS, MISSING, Ids, Tools, discover

Args = Callable[[Ids], dict[str, Any]]


@dataclass(frozen=True)
class Call:
    """One successful call, as a check sees it."""

    tools: Tools
    ids: Ids
    args: dict[str, Any]
    out: Any


Check = Callable[[Call], Awaitable[None]]
Expected = Any  # a value, or a function of Ids giving the value


def _value(expected: Expected, ids: Ids) -> Any:
    return expected(ids) if callable(expected) else expected


# --- checks -------------------------------------------------------------------------------------

PAGE_KEYS = {"records", "page_number", "page_size", "total", "has_more"}


def page(**fields: Expected) -> Check:
    """A search page: paging facts for the page asked for, and records, each with these fields."""

    async def check(call: Call) -> None:
        out = call.out
        assert PAGE_KEYS <= out.keys() <= PAGE_KEYS | {"notes"}
        assert out["page_number"] == call.args.get("page_number", 1)
        assert out["page_size"] == call.args.get("page_size", 20)
        assert 0 < len(out["records"]) <= out["page_size"]
        assert out["total"] >= len(out["records"])
        seen = (out["page_number"] - 1) * out["page_size"] + len(out["records"])
        assert out["has_more"] == (seen < out["total"])
        for record in out["records"]:
            assert {k: record.get(k) for k in fields} == {k: _value(v, call.ids) for k, v in fields.items()}

    return check


def logged(**fields: Expected) -> Check:
    """A page of a record's activities: compact, named, with page facts (a short page is the last)."""

    async def check(call: Call) -> None:
        out = call.out
        assert PAGE_KEYS <= out.keys() <= PAGE_KEYS | {"notes"}
        assert out["total"] is None or out["total"] >= len(out["records"])
        if len(out["records"]) < out["page_size"]:
            assert out["has_more"] is False
        assert out["records"]
        for record in out["records"]:
            assert {k: record.get(k) for k in fields} == {k: _value(v, call.ids) for k, v in fields.items()}
            assert isinstance(record["type_name"], str) and isinstance(record["date_created"], str)
            assert record["parent_name"] and record["user"]

    return check


def listing(containing: Callable[[Ids], int] | None = None, **fields: Expected) -> Check:
    """A list answer {records, count}; optionally holding one id, every record with these fields."""

    async def check(call: Call) -> None:
        assert set(call.out) == {"records", "count"}
        records = call.out["records"]
        assert records and call.out["count"] == len(records)
        if containing is not None:
            assert containing(call.ids) in {r["id"] for r in records}
        for record in records:
            assert {k: record.get(k) for k in fields} == {k: _value(v, call.ids) for k, v in fields.items()}

    return check


def record(**fields: Expected) -> Check:
    """One record holding these fields (values may be functions of the ids)."""

    async def check(call: Call) -> None:
        assert isinstance(call.out, dict)
        assert {k: call.out.get(k) for k in fields} == {k: _value(v, call.ids) for k, v in fields.items()}

    return check


def reads_back(get_tool: str, *, raw: bool = True, **fields: Expected) -> Check:
    """The answer is a record, and reading it again with ``get_tool`` shows these fields.

    Reads of CRM records are compact by default; ``raw`` asks for Copper's own form.
    """

    async def check(call: Call) -> None:
        args: dict[str, Any] = {"id": call.out["id"]}
        if raw:
            args["raw"] = True
        again = await call.tools.ok(get_tool, args)
        assert again["id"] == call.out["id"]
        assert {k: again.get(k) for k in fields} == {k: _value(v, call.ids) for k, v in fields.items()}

    return check


def deleted(get_tool: str, *, flag: bool = True, stub: bool = False) -> Check:
    """The delete is confirmed ({id, is_deleted: true}, or {id} when ``flag`` is false) and the record
    is gone: reading it is a 404 the model can act on (``stub``: a deleted activity reads as
    {id, is_deleted: true}, as in Copper), and deleting it again is a 404 too."""

    async def check(call: Call) -> None:
        id = call.args["id"]
        assert call.out == ({"id": id, "is_deleted": True} if flag else {"id": id})
        if stub:
            assert await call.tools.ok(get_tool, {"id": id}) == {"id": id, "is_deleted": True}
        else:
            text = await call.tools.error(get_tool, {"id": id})
            assert "No such record" in text
            assert f"/{id} returned 404" in text
        assert "No such record" in await call.tools.error(get_tool.replace("get_", "delete_", 1), {"id": id})

    return check


def per_item(ok: int, failed: Sequence[str] = ()) -> Check:
    """Bulk answers: one result per item, in order; successes are records, failures name the field."""

    async def check(call: Call) -> None:
        results = call.out["records"]
        assert call.out["count"] == len(results) == ok + len(failed)
        successes = [r for r in results if "success" not in r]
        failures = [r for r in results if r.get("success") is False]
        assert len(successes) == ok
        assert all(isinstance(r["id"], int) for r in successes)
        assert [sorted(r["message"]) for r in failures] == [[field] for field in failed]

    return check


def both(*checks: Check) -> Check:
    async def check(call: Call) -> None:
        for each in checks:
            await each(call)

    return check


async def converted(call: Call) -> None:
    """convert_lead answers the new person, company and opportunity; the lead is gone."""
    out = call.out
    assert set(out) >= {"person", "company", "opportunity"}
    assert out["opportunity"]["name"] == call.args["details"]["opportunity"]["name"]
    assert out["opportunity"]["pipeline_id"] == call.ids.pipeline.id
    assert out["person"]["company_id"] == out["company"]["id"]
    assert "No such record" in await call.tools.error("get_lead", {"id": call.args["id"]})
    person = await call.tools.ok("get_person", {"id": out["person"]["id"]})
    assert person["id"] == out["person"]["id"]


async def upserted(call: Call) -> None:
    """The first upsert creates; the same match again updates that lead instead of adding one."""
    assert call.out["name"] == "Upsert Lead"
    again = await call.tools.ok(
        "upsert_lead", {"properties": {"name": "Upsert Lead, renamed"}, "match": call.args["match"]}
    )
    assert (again["id"], again["name"]) == (call.out["id"], "Upsert Lead, renamed")
    found = await call.tools.ok("search_leads", {"emails": "upsert@lead.example"})
    assert [r["id"] for r in found["records"]] == [call.out["id"]]


def _link(ids: Ids) -> dict[str, Any]:
    return {"entity": "people", "id": ids.person, "resource": {"id": ids.opportunity, "type": "opportunity"}}


async def linked(call: Call) -> None:
    """The link is listed, named after the record it points at."""
    assert call.out == {"added": True, "resource": call.args["resource"]}
    related = await call.tools.ok(
        "list_related_items_by_type", {"entity": "people", "id": call.ids.person, "related_type": "opportunities"}
    )
    deal = await call.tools.ok("get_opportunity", {"id": call.ids.opportunity})
    assert {**call.args["resource"], "name": deal["name"]} in related["records"]


async def unlinked(call: Call) -> None:
    assert call.out == {"removed": True, "resource": call.args["resource"]}
    related = await call.tools.ok("list_related_items", {"entity": "people", "id": call.ids.person})
    assert call.args["resource"] not in [{"id": r["id"], "type": r["type"]} for r in related["records"]]


async def activity_types(call: Call) -> None:
    assert set(call.out) == {"user", "system"}
    assert {"id": 0, "category": "user", "name": "Note"}.items() <= call.out["user"][0].items()


async def tags(call: Call) -> None:
    assert call.out["records"] and all(set(t) == {"name", "count"} for t in call.out["records"])


def _people(*ids: int) -> list[dict[str, Any]]:
    return [{"id": id, "entity_type": "people"} for id in ids]


def _connect(ids: Ids) -> dict[str, Any]:
    """A Connect link from the person to one it was not linked to, its field given by name."""
    source, target = _people(ids.person, ids.stranger)
    return {"custom_field_definition_id": ids.connect_field.name, "source": source, "target": target}


async def _link_names(call: Call) -> None:
    """Connect links from the record asked about, named: the field and both records."""
    assert call.out["records"]
    for link in call.out["records"]:
        assert link["source"]["id"] == call.args["source_id"]
        assert link["custom_field_definition"] == call.ids.connect_field.name
        assert link["source"]["name"] and link["target"]["name"]


async def _connected(call: Call) -> None:
    """The new link is named, and listed from its target too, pointing back."""
    out = call.out
    stranger = await call.tools.ok("get_person", {"id": call.ids.stranger})
    assert out["custom_field_definition"] == call.ids.connect_field.name
    assert (out["target"]["id"], out["target"]["name"]) == (stranger["id"], stranger["name"])
    back = await call.tools.ok("list_related_links", {"source_type": "people", "source_id": call.ids.stranger})
    assert call.ids.person in {link["target"]["id"] for link in back["records"]}


async def _unlinked_connect(call: Call) -> None:
    assert call.out["is_deleted"] is True and call.args["id"] in call.out["ids"]
    left = await call.tools.ok("list_related_links", {"source_type": "people", "source_id": call.ids.person})
    assert call.args["id"] not in {link["id"] for link in left["records"]}


async def _person_layout(call: Call) -> None:
    """Field names in order, custom fields by the names create_person takes."""
    fields, custom = call.out["fields"], call.out["custom_fields"]
    assert fields[0] == "name" and "emails" in fields
    assert call.ids.connect_field.name in custom and set(custom) <= set(fields)


# --- the success table --------------------------------------------------------------------------


class Ok(NamedTuple):
    tool: str
    args: Args
    check: Check
    setup: tuple[tuple[str, Args], ...] = ()
    """Calls made first (their answers are not checked beyond succeeding)."""


def _opportunity(ids: Ids) -> dict[str, Any]:
    # Names and an ISO date where Copper wants ids and M/D/YYYY; a user by email.
    return {"name": "Friendly deal", "pipeline_id": "Sales", "close_date": "2026-12-05", "assignee_id": ids.user_email}


def _activity(ids: Ids, details: str = "Left a voicemail.") -> dict[str, Any]:
    return {"parent": {"id": ids.person, "type": "person"}, "type": {"category": "user", "id": 0}, "details": details}


def _singular(entity: str) -> str:
    return next(one for one, many in LOGGED_KINDS.items() if many == entity)


def _hook(ids: Ids) -> dict[str, Any]:
    return {"target": HOOK, "type": "company", "event": "new", "headers": {"X-Test": "1"}}


OK_CASES: list[Ok] = [
    # people
    Ok("search_people", lambda i: {"page_size": 5}, page()),
    Ok("create_person",
       lambda i: {"name": "Zed Tester", "emails": [{"email": "zed@example.com", "category": "work"}],
                  "assignee_id": i.user_email},
       reads_back("get_person", name="Zed Tester", assignee_id=lambda i: i.user.id)),
    Ok("get_person", lambda i: {"id": i.person}, record(id=lambda i: i.person)),
    Ok("update_person", lambda i: {"id": i.person, "title": "Chief Tester"},
       both(record(title="Chief Tester"), reads_back("get_person", title="Chief Tester"))),
    Ok("delete_person", lambda i: {"id": i.person}, deleted("get_person")),
    Ok("fetch_person_by_email", lambda i: {"email": i.person_email}, record(id=lambda i: i.person)),
    Ok("bulk_create_people", lambda i: {"people": [{"name": "Bulk One"}, {"name": ""}]}, per_item(1, ["name"])),
    Ok("bulk_update_people", lambda i: {"people": [{"id": i.person, "title": "Bulk"}, {"id": MISSING, "title": "x"}]},
       per_item(1, ["id"])),
    # companies
    Ok("search_companies", lambda i: {"page_size": 3, "contact_type_ids": [i.contact_type.name],
                                      "fields": ["contact_type_id"]},
       page(contact_type_id=lambda i: i.contact_type.id)),
    Ok("create_company",
       lambda i: {"name": "Named Co", "contact_type_id": i.contact_type.name,
                  "custom_fields": {i.dropdown: i.option.name}},
       both(record(contact_type_id=lambda i: i.contact_type.id),
            reads_back("get_company", raw=False, contact_type=lambda i: i.contact_type.name))),
    Ok("get_company", lambda i: {"id": i.company}, record(id=lambda i: i.company)),
    Ok("update_company", lambda i: {"id": i.company, "details": "Updated."},
       reads_back("get_company", details="Updated.")),
    Ok("delete_company", lambda i: {"id": i.company}, deleted("get_company")),
    Ok("bulk_create_companies", lambda i: {"companies": [{"name": "Bulk Co A"}, {"name": "Bulk Co B"}]}, per_item(2)),
    Ok("bulk_update_companies", lambda i: {"companies": [{"id": i.company, "details": "Bulk."}]}, per_item(1)),
    # leads
    Ok("search_leads", lambda i: {"page_size": 4, "page_number": 2}, page()),
    Ok("create_lead", lambda i: {"name": "Lee Lead", "status_id": i.lead_status.name},
       reads_back("get_lead", status_id=lambda i: i.lead_status.id, status=lambda i: i.lead_status.name)),
    Ok("get_lead", lambda i: {"id": i.lead}, record(id=lambda i: i.lead)),
    Ok("update_lead", lambda i: {"id": i.lead, "monetary_value": 1234}, reads_back("get_lead", monetary_value=1234)),
    Ok("delete_lead", lambda i: {"id": i.lead}, deleted("get_lead")),
    Ok("convert_lead",
       lambda i: {"id": i.lead, "details": {"opportunity": {"name": "From a lead", "pipeline_id": i.pipeline.id}}},
       converted),
    Ok("upsert_lead",
       lambda i: {"properties": {"name": "Upsert Lead", "email": {"email": "upsert@lead.example", "category": "work"}},
                  "match": {"field_name": "email", "field_value": "upsert@lead.example"}},
       upserted),
    Ok("bulk_create_leads", lambda i: {"leads": [{"name": "Bulk Lead"}]}, per_item(1)),
    Ok("bulk_update_leads", lambda i: {"leads": [{"id": i.lead, "title": "Bulk"}, {"id": MISSING}]},
       per_item(1, ["id"])),
    # opportunities
    Ok("search_opportunities", lambda i: {"pipeline_ids": ["Sales"], "page_size": 3, "fields": ["name", "pipeline_id"]},
       page(pipeline_id=lambda i: i.pipeline.id)),
    Ok("create_opportunity", _opportunity,
       both(record(pipeline_id=lambda i: i.pipeline.id, pipeline=lambda i: i.pipeline.name, close_date="2026-12-05",
                   assignee=lambda i: i.user.name),
            reads_back("get_opportunity", pipeline_id=lambda i: i.pipeline.id,
                       pipeline_stage_id=lambda i: i.stage.id, close_date="12/5/2026",
                       assignee_id=lambda i: i.user.id))),
    Ok("get_opportunity", lambda i: {"id": i.opportunity}, record(id=lambda i: i.opportunity)),
    Ok("update_opportunity", lambda i: {"id": i.opportunity, "status": "Won"},
       reads_back("get_opportunity", status="Won")),
    Ok("delete_opportunity", lambda i: {"id": i.opportunity}, deleted("get_opportunity")),
    Ok("bulk_create_opportunities",
       lambda i: {"opportunities": [{"name": "Bulk deal", "pipeline_id": i.pipeline.id}, {"name": ""}]},
       per_item(1, ["name"])),
    # projects
    Ok("search_projects", lambda i: {"page_size": 2}, page()),
    Ok("create_project", lambda i: {"name": "Rollout", "status": "Open"},
       reads_back("get_project", name="Rollout", status="Open")),
    Ok("get_project", lambda i: {"id": i.project}, record(id=lambda i: i.project)),
    Ok("update_project", lambda i: {"id": i.project, "status": "Completed"},
       reads_back("get_project", status="Completed")),
    Ok("delete_project", lambda i: {"id": i.project}, deleted("get_project")),
    # tasks
    Ok("search_tasks", lambda i: {"page_size": 3, "statuses": ["Open"]}, page(status="Open")),
    Ok("create_task",
       lambda i: {"name": "Call back", "due_date": "2026-12-05T09:00:00Z", "assignee_id": i.user.name,
                  "related_resource": {"id": i.person, "type": "person"}},
       reads_back("get_task", due_date=1796461200, assignee_id=lambda i: i.user.id,
                  related_resource=lambda i: {"id": i.person, "type": "person"})),
    Ok("get_task", lambda i: {"id": i.task}, record(id=lambda i: i.task)),
    Ok("update_task", lambda i: {"id": i.task, "status": "Completed"}, reads_back("get_task", status="Completed")),
    Ok("delete_task", lambda i: {"id": i.task}, deleted("get_task")),
    # activities
    Ok("search_activities", lambda i: {"page_size": 3, "parent": {"id": i.logged[1], "type": _singular(i.logged[0])}},
       page(parent=lambda i: {"id": i.logged[1], "type": _singular(i.logged[0])})),
    Ok("create_activity", lambda i: {**_activity(i), "type": "note", "activity_date": "2026-03-01T10:00:00Z"},
       reads_back("get_activity", details="Left a voicemail.", activity_date=1772359200,
                  type={"category": "user", "id": 0}, parent=lambda i: {"id": i.person, "type": "person"})),
    Ok("get_activity", lambda i: {"id": i.activity}, record(id=lambda i: i.activity)),
    Ok("update_activity", lambda i: {"id": i.activity, "details": "Rewritten."},
       reads_back("get_activity", details="Rewritten.")),
    Ok("delete_activity", lambda i: {"id": i.activity}, deleted("get_activity", stub=True)),
    Ok("bulk_create_activities", lambda i: {"activities": [_activity(i, "One."), _activity(i, "Two.")]}, per_item(2)),
    Ok("list_record_activities", lambda i: {"entity": i.logged[0], "id": i.logged[1]},
       logged(parent=lambda i: {"id": i.logged[1], "type": _singular(i.logged[0])})),
    # related items
    Ok("list_related_items", lambda i: {"entity": "people", "id": i.person}, listing(),
       setup=(("add_related_item", _link),)),
    Ok("add_related_item", _link, linked),
    Ok("remove_related_item", _link, unlinked, setup=(("add_related_item", _link),)),
    Ok("list_related_items_by_type",
       lambda i: {"entity": "people", "id": i.person, "related_type": "opportunities"},
       listing(containing=lambda i: i.opportunity, type="opportunity"), setup=(("add_related_item", _link),)),
    Ok("list_related_links", lambda i: {"source_type": "people", "source_id": i.person}, _link_names),
    Ok("create_related_link", _connect, _connected),
    Ok("delete_related_link", lambda i: {"id": i.related_link}, _unlinked_connect),
    # webhooks
    Ok("list_webhooks", lambda i: {}, listing(containing=lambda i: i.webhook)),
    Ok("create_webhook", _hook,
       reads_back("get_webhook", raw=False, target=HOOK, type="company", event="new", headers={"X-Test": "1"})),
    Ok("get_webhook", lambda i: {"id": i.webhook}, record(id=lambda i: i.webhook, target=HOOK)),
    Ok("update_webhook", lambda i: {"id": i.webhook, "target": HOOK + "/v2"},
       reads_back("get_webhook", raw=False, target=HOOK + "/v2")),
    Ok("delete_webhook", lambda i: {"id": i.webhook}, deleted("get_webhook", flag=False)),
    # account and reference data
    Ok("get_account", lambda i: {}, record(name="Harbor Lane Analytics")),
    Ok("get_user", lambda i: {"id": i.user.id}, record(id=lambda i: i.user.id, email=lambda i: i.user_email)),
    Ok("search_users", lambda i: {"page_size": 2}, page()),
    Ok("list_pipelines", lambda i: {}, listing(containing=lambda i: i.pipeline.id)),
    Ok("list_pipeline_stages", lambda i: {}, listing(containing=lambda i: i.stage.id)),
    Ok("list_pipeline_stages_by_pipeline", lambda i: {"pipeline_id": i.pipeline.id},
       listing(containing=lambda i: i.stage.id, pipeline_id=lambda i: i.pipeline.id)),
    Ok("list_contact_types", lambda i: {}, listing(containing=lambda i: i.contact_type.id)),
    Ok("list_customer_sources", lambda i: {}, listing()),
    Ok("list_loss_reasons", lambda i: {}, listing()),
    Ok("list_lead_statuses", lambda i: {}, listing(containing=lambda i: i.lead_status.id)),
    Ok("list_activity_types", lambda i: {}, activity_types),
    Ok("list_tags", lambda i: {"sort_by": "count"}, tags),
    Ok("list_custom_activity_types", lambda i: {}, listing(containing=lambda i: i.task_type.id)),
    Ok("create_custom_activity_type", lambda i: {"name": "Workshop", "icon_type": "Group"},
       reads_back("get_custom_activity_type", raw=False, name="Workshop", icon_type="Group", is_disabled=False)),
    Ok("get_custom_activity_type", lambda i: {"id": i.task_type.id},
       record(id=lambda i: i.task_type.id, name=lambda i: i.task_type.name)),
    Ok("update_custom_activity_type", lambda i: {"id": i.task_type.id, "name": "Site Walk"},
       reads_back("get_custom_activity_type", raw=False, name="Site Walk")),
    Ok("get_field_layout", lambda i: {"entity": "people"}, _person_layout),
    # custom field definitions
    Ok("list_custom_field_definitions", lambda i: {}, listing(containing=lambda i: i.custom_field)),
    Ok("create_custom_field_definition",
       lambda i: {"name": "Favourite Colour", "data_type": "Dropdown", "available_on": ["person"],
                  "options": [{"name": "Red"}, {"name": "Blue"}]},
       reads_back("get_custom_field_definition", raw=False, name="Favourite Colour", data_type="Dropdown",
                  available_on=["person"])),
    Ok("get_custom_field_definition", lambda i: {"id": i.custom_field}, record(id=lambda i: i.custom_field)),
    Ok("update_custom_field_definition", lambda i: {"id": i.custom_field, "name": "Renamed field"},
       reads_back("get_custom_field_definition", raw=False, name="Renamed field")),
    Ok("delete_custom_field_definition", lambda i: {"id": i.custom_field}, deleted("get_custom_field_definition")),
]


# --- the failure table --------------------------------------------------------------------------


class Fail(NamedTuple):
    tool: str
    args: Args
    expected: tuple[str, ...]
    """Fragments the error text must contain."""


def _gone(method: str, path: str) -> tuple[str, ...]:
    return ("No such record", f"{method} {path.format(MISSING)} returned 404", "search for the record")


def _invalid(*fragments: str) -> tuple[str, ...]:
    """Arguments the tool's JSON Schema refuses; the message starts by naming the tool."""
    return ("Invalid arguments for {tool}: ", *fragments)


FAIL_CASES: list[Fail] = [
    # people
    Fail("search_people", lambda i: {"page_size": 500}, _invalid("page_size: 500 is greater than the maximum of 200")),
    Fail("create_person", lambda i: {}, _invalid("'name' is a required property")),
    Fail("get_person", lambda i: {"id": MISSING}, _gone("GET", "/people/{}")),
    Fail("update_person", lambda i: {"id": i.person, "favourite_colour": "red"},
         _invalid("Additional properties are not allowed ('favourite_colour' was unexpected)")),
    Fail("delete_person", lambda i: {"id": MISSING}, _gone("DELETE", "/people/{}")),
    # No id was given, so the message speaks of the email, not of an id.
    Fail("fetch_person_by_email", lambda i: {"email": "nobody@nowhere.example"},
         ("No contact (person) has this email address: search_people by name, or create_person.",)),
    Fail("bulk_create_people", lambda i: {"people": []}, _invalid("people: needs at least 1 item")),
    Fail("bulk_update_people", lambda i: {"people": [{"title": "x"}]},
         _invalid("people.0: 'id' is a required property")),
    # companies
    Fail("search_companies", lambda i: {"sort_by": "revenue"},
         _invalid("sort_by: 'revenue' is not one of [\"name\",")),
    Fail("create_company", lambda i: {"name": "X", "custom_fields": {i.dropdown: "Astrology"}},
         ("custom_fields:", "has no option 'Astrology'. Valid options, closest first:")),
    Fail("get_company", lambda i: {"id": MISSING}, _gone("GET", "/companies/{}")),
    Fail("update_company", lambda i: {"id": i.company, "contact_type_id": "Frenemy"},
         ("contact_type_id: no contact type named 'Frenemy'. Valid contact types, closest first:",)),
    Fail("delete_company", lambda i: {"id": "abc"}, _invalid("id: 'abc' is not of type 'integer'")),
    Fail("bulk_create_companies", lambda i: {"companies": [{"name": f"Co {n}"} for n in range(11)]},
         _invalid("companies: has more than 10 items; send at most 10 per call")),
    Fail("bulk_update_companies", lambda i: {}, _invalid("'companies' is a required property")),
    # leads
    Fail("search_leads", lambda i: {"minimum_monetary_value": "lots"},
         _invalid("minimum_monetary_value: 'lots' is not of type 'number'")),
    Fail("create_lead", lambda i: {"name": "Lee", "status_id": "Lukewarm"},
         ("status_id: no lead status named 'Lukewarm'. Valid lead statuses, closest first:",)),
    Fail("get_lead", lambda i: {"id": MISSING}, _gone("GET", "/leads/{}")),
    Fail("update_lead", lambda i: {"id": MISSING, "title": "x"}, _gone("PUT", "/leads/{}")),
    Fail("delete_lead", lambda i: {"id": MISSING}, _gone("DELETE", "/leads/{}")),
    Fail("convert_lead", lambda i: {"id": MISSING, "details": {}}, _gone("POST", "/leads/{}/convert")),
    Fail("upsert_lead", lambda i: {"properties": {"name": "x"}, "match": {"field_name": "phone", "field_value": "1"}},
         _invalid("match.field_name: 'phone' is not one of [\"name\", \"email\", \"custom\"]")),
    Fail("bulk_create_leads", lambda i: {"leads": "Lee"}, _invalid("leads: 'Lee' is not of type 'array'")),
    Fail("bulk_update_leads", lambda i: {"leads": [{}]}, _invalid("leads.0: 'id' is a required property")),
    # opportunities
    Fail("search_opportunities", lambda i: {"pipeline_ids": ["Salez"]},
         ("pipeline_ids: no pipeline named 'Salez'. Valid pipelines, closest first: Sales (id ",)),
    Fail("create_opportunity", lambda i: {"name": "x", "pipeline_id": i.pipeline.id, "pipeline_stage_id": "Dreaming"},
         ("pipeline_stage_id: no pipeline stage named 'Dreaming' in pipeline Sales.",
          "Valid pipeline stages, closest first:")),
    Fail("get_opportunity", lambda i: {"id": MISSING}, _gone("GET", "/opportunities/{}")),
    Fail("update_opportunity", lambda i: {"id": i.opportunity, "status": "Victory"},
         _invalid("status: 'Victory' is not one of [\"Open\", \"Won\", \"Lost\", \"Abandoned\"]")),
    Fail("delete_opportunity", lambda i: {"id": MISSING}, _gone("DELETE", "/opportunities/{}")),
    Fail("bulk_create_opportunities", lambda i: {"opportunities": [{"pipeline_id": i.pipeline.id}]},
         _invalid("opportunities.0: 'name' is a required property")),
    # projects
    Fail("search_projects", lambda i: {"followed": 3}, _invalid("followed: 3 is not one of [1, 2, true, false]")),
    Fail("create_project", lambda i: {"name": "x", "status": "Closed"},
         _invalid("status: 'Closed' is not one of [\"Open\", \"Completed\"]")),
    Fail("get_project", lambda i: {"id": MISSING}, _gone("GET", "/projects/{}")),
    Fail("update_project", lambda i: {"id": MISSING, "name": "x"}, _gone("PUT", "/projects/{}")),
    Fail("delete_project", lambda i: {"id": MISSING}, _gone("DELETE", "/projects/{}")),
    # tasks
    Fail("search_tasks", lambda i: {"page_number": 0}, _invalid("page_number: 0 is less than the minimum of 1")),
    Fail("create_task", lambda i: {"name": "x", "assignee_id": "Nobody"},
         ("assignee_id: no user named 'Nobody'. Valid users, closest first:", "Users can also be given by email.")),
    Fail("get_task", lambda i: {"id": MISSING}, _gone("GET", "/tasks/{}")),
    Fail("update_task", lambda i: {"id": i.task, "priority": "Low"},
         _invalid("priority: 'Low' is not one of [\"None\", \"High\"]")),
    Fail("delete_task", lambda i: {"id": MISSING}, _gone("DELETE", "/tasks/{}")),
    # activities
    Fail("search_activities", lambda i: {"parent": {"id": i.person}},
         _invalid("parent: 'type' is a required property")),
    Fail("create_activity", lambda i: {**_activity(i), "parent": {"id": MISSING, "type": "person"}},
         ("Copper rejected the input of POST /activities (422)", f"parent: no person with id {MISSING}")),
    Fail("get_activity", lambda i: {"id": MISSING}, _gone("GET", "/activities/{}")),
    Fail("update_activity", lambda i: {"id": MISSING, "details": "x"}, _gone("PUT", "/activities/{}")),
    Fail("delete_activity", lambda i: {"id": MISSING}, _gone("DELETE", "/activities/{}")),
    Fail("bulk_create_activities", lambda i: {"activities": [{"parent": _activity(i)["parent"], "type": "Note"}]},
         _invalid("activities.0: 'details' is a required property")),
    Fail("list_record_activities", lambda i: {"entity": "tasks", "id": i.task},
         _invalid("entity: 'tasks' is not one of [\"leads\", \"people\", \"companies\", \"opportunities\"]")),
    # related items
    Fail("list_related_items", lambda i: {"entity": "people", "id": MISSING}, _gone("GET", "/people/{}/related")),
    Fail("add_related_item", lambda i: {**_link(i), "resource": {"id": MISSING, "type": "opportunity"}},
         ("Copper rejected the input of POST /people/",
          f"(422): Invalid input: resource: no opportunity with id {MISSING}")),
    Fail("remove_related_item", lambda i: {**_link(i), "resource": {"id": i.opportunity}},
         _invalid("resource: 'type' is a required property")),
    Fail("list_related_items_by_type", lambda i: {"entity": "people", "id": i.person, "related_type": "widgets"},
         _invalid("related_type: 'widgets' is not one of")),
    Fail("list_related_links", lambda i: {"source_type": "people", "source_id": MISSING},
         ("No such record", "GET /related_links returned 404")),
    Fail("create_related_link", lambda i: {**_connect(i), "custom_field_definition_id": i.dropdown},
         ("custom_field_definition_id: no Connect field named", "Valid Connect fields, closest first: Referred by")),
    Fail("delete_related_link", lambda i: {"id": MISSING}, _gone("DELETE", "/related_links/{}")),
    # webhooks
    Fail("list_webhooks", lambda i: {"type": "person"},
         _invalid("Additional properties are not allowed ('type' was unexpected)")),
    Fail("create_webhook", lambda i: {**_hook(i), "target": "http://example.com/hook"},
         ("Copper rejected the input of POST /webhooks (422)", "Invalid URI For External Request")),
    Fail("get_webhook", lambda i: {"id": MISSING}, _gone("GET", "/webhooks/{}")),
    Fail("update_webhook", lambda i: {"id": i.webhook, "event": "delete"},
         _invalid("Additional properties are not allowed ('event' was unexpected)")),
    Fail("delete_webhook", lambda i: {"id": MISSING}, _gone("DELETE", "/webhooks/{}")),
    # account and reference data
    Fail("get_account", lambda i: {"id": 1}, _invalid("Additional properties are not allowed ('id' was unexpected)")),
    Fail("get_user", lambda i: {"id": "you"}, _invalid("id: 'you' is not valid under any of the given schemas")),
    Fail("search_users", lambda i: {"page_size": 201}, _invalid("page_size: 201 is greater than the maximum of 200")),
    Fail("list_pipelines", lambda i: {"name": "Sales"},
         _invalid("Additional properties are not allowed ('name' was unexpected)")),
    Fail("list_pipeline_stages", lambda i: {"pipeline_id": i.pipeline.id},
         _invalid("('pipeline_id' was unexpected)")),
    Fail("list_pipeline_stages_by_pipeline", lambda i: {"pipeline_id": MISSING},
         _gone("GET", "/pipeline_stages/pipeline/{}")),
    Fail("list_contact_types", lambda i: {"page_size": 5}, _invalid("('page_size' was unexpected)")),
    Fail("list_customer_sources", lambda i: {"name": "Email"}, _invalid("('name' was unexpected)")),
    Fail("list_loss_reasons", lambda i: {"id": 1}, _invalid("('id' was unexpected)")),
    Fail("list_lead_statuses", lambda i: {"is_default": True}, _invalid("('is_default' was unexpected)")),
    Fail("list_activity_types", lambda i: {"category": "user"}, _invalid("('category' was unexpected)")),
    Fail("list_tags", lambda i: {"sort_by": "size"}, _invalid("sort_by: 'size' is not one of [\"name\", \"count\"]")),
    Fail("list_custom_activity_types", lambda i: {"name": "Demo"}, _invalid("('name' was unexpected)")),
    Fail("create_custom_activity_type", lambda i: {"name": "Launch", "icon_type": "Rocket"},
         _invalid("icon_type: 'Rocket' is not one of [\"Message\", \"Phone\",")),
    Fail("get_custom_activity_type", lambda i: {"id": MISSING}, _gone("GET", "/custom_activity_types/{}")),
    Fail("update_custom_activity_type", lambda i: {"id": MISSING, "name": "x"},
         _gone("PUT", "/custom_activity_types/{}")),
    # Copper's own message says what is missing: a deal's layout is a pipeline's.
    Fail("get_field_layout", lambda i: {"entity": "opportunities"},
         ("Copper rejected the input of GET /field_layouts/by_entity/opportunities (422)",
          "pipeline_id: is required for opportunities")),
    # custom field definitions
    Fail("list_custom_field_definitions", lambda i: {"available_on": "person"},
         _invalid("('available_on' was unexpected)")),
    Fail("create_custom_field_definition", lambda i: {"name": "Mood", "data_type": "Emoji"},
         _invalid("data_type: 'Emoji' is not one of [\"String\",")),
    Fail("get_custom_field_definition", lambda i: {"id": MISSING}, _gone("GET", "/custom_field_definitions/{}")),
    Fail("update_custom_field_definition", lambda i: {"id": MISSING, "name": "x"},
         _gone("PUT", "/custom_field_definitions/{}")),
    Fail("delete_custom_field_definition", lambda i: {"id": MISSING}, _gone("DELETE", "/custom_field_definitions/{}")),
]


# --- the tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", OK_CASES, ids=lambda case: case.tool)
async def test_tool_succeeds(server: MCPServer, case: Ok) -> None:
    async with Client(server) as client:
        tools = Tools(client)
        ids = await discover(tools)
        for tool, setup_args in case.setup:
            await tools.ok(tool, setup_args(ids))
        args = case.args(ids)
        out = await tools.ok(case.tool, args)
        await case.check(Call(tools, ids, args, out))


@pytest.mark.parametrize("case", FAIL_CASES, ids=lambda case: case.tool)
async def test_tool_failure_tells_the_model_what_went_wrong(server: MCPServer, case: Fail) -> None:
    async with Client(server) as client:
        tools = Tools(client)
        ids = await discover(tools)
        text = await tools.error(case.tool, case.args(ids))
        for fragment in (f.replace("{tool}", case.tool) for f in case.expected):
            assert fragment in text, f"{fragment!r} not in {text!r}"


async def test_every_listed_tool_has_cases(server: MCPServer) -> None:
    async with Client(server) as client:
        listed = await Tools(client).names()
    for table in (OK_CASES, FAIL_CASES):
        names = [case.tool for case in table]
        assert len(names) == len(set(names)), "one row per tool"
        assert set(names) == listed


SEARCHES = ["search_people", "search_companies", "search_leads", "search_opportunities", "search_projects",
            "search_tasks", "search_activities", "search_users"]


@pytest.mark.parametrize("tool", SEARCHES)
async def test_search_pages_end_with_has_more_false(server: MCPServer, tool: str) -> None:
    size = 3
    async with Client(server) as client:
        tools = Tools(client)
        first = await tools.ok(tool, {"page_size": size})
        total = first["total"]
        last_number = math.ceil(total / size)
        assert last_number >= 2
        assert first["has_more"] is True
        last = await tools.ok(tool, {"page_size": size, "page_number": last_number})
        beyond = await tools.ok(tool, {"page_size": size, "page_number": last_number + 1})
    assert (last["page_number"], last["page_size"], last["total"]) == (last_number, size, total)
    assert len(last["records"]) == total - (last_number - 1) * size
    assert last["has_more"] is False
    assert (beyond["records"], beyond["has_more"]) == ([], False)
    assert not {r["id"] for r in first["records"]} & {r["id"] for r in last["records"]}


async def test_related_items_add_list_remove(server: MCPServer) -> None:
    async with Client(server) as client:
        tools = Tools(client)
        ids = await discover(tools)
        resource = {"id": ids.project, "type": "project"}
        link = {"entity": "opportunities", "id": ids.opportunity, "resource": resource}
        here = {"entity": "opportunities", "id": ids.opportunity}
        named = {**resource, "name": (await tools.ok("get_project", {"id": ids.project}))["name"]}
        before = await tools.ok("list_related_items", here)
        assert named not in before["records"]
        assert (await tools.ok("add_related_item", link))["added"] is True
        assert named in (await tools.ok("list_related_items", here))["records"]
        by_type = await tools.ok("list_related_items_by_type", {**here, "related_type": "projects"})
        assert named in by_type["records"]
        assert (await tools.ok("remove_related_item", link))["removed"] is True
        after = await tools.ok("list_related_items", here)
    assert after == before


LIFECYCLES: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    "webhooks": (
        "webhook",
        {"target": HOOK, "type": "lead", "event": "delete"},
        {"target": HOOK + "/renamed"},
    ),
    "custom_fields": (
        "custom_field_definition",
        {"name": "Renewal Notes", "data_type": "Text", "available_on": ["company"]},
        {"name": "Renewal Remarks"},
    ),
}


@pytest.mark.parametrize("toolset", LIFECYCLES)
async def test_create_get_update_list_delete(server: MCPServer, toolset: str) -> None:
    noun, create, update = LIFECYCLES[toolset]
    list_tool = "list_webhooks" if noun == "webhook" else "list_custom_field_definitions"
    async with Client(server) as client:
        tools = Tools(client)
        made = await tools.ok(f"create_{noun}", create)
        assert create.items() <= made.items()
        assert await tools.ok(f"get_{noun}", {"id": made["id"]}) == made
        changed = await tools.ok(f"update_{noun}", {"id": made["id"], **update})
        assert changed == {**made, **update}
        assert changed in (await tools.ok(list_tool, {}))["records"]
        # Copper answers a deleted webhook with its id only.
        gone = {"id": made["id"]} if noun == "webhook" else {"id": made["id"], "is_deleted": True}
        assert await tools.ok(f"delete_{noun}", {"id": made["id"]}) == gone
        assert made["id"] not in {r["id"] for r in (await tools.ok(list_tool, {}))["records"]}
        assert "No such record" in await tools.error(f"get_{noun}", {"id": made["id"]})
        assert "No such record" in await tools.error(f"delete_{noun}", {"id": made["id"]})


# --- names where the published schemas accept them: path parameters, nested objects, bulk items ---


async def test_stages_of_a_pipeline_given_by_name(server: MCPServer) -> None:
    async with Client(server) as client:
        tools = Tools(client)
        ids = await discover(tools)
        out = await tools.ok("list_pipeline_stages_by_pipeline", {"pipeline_id": ids.pipeline.name})
    assert ids.stage.id in {s["id"] for s in out["records"]}


async def test_convert_lead_with_a_pipeline_by_name(server: MCPServer) -> None:
    async with Client(server) as client:
        tools = Tools(client)
        ids = await discover(tools)
        details = {"opportunity": {"name": "By name", "pipeline_id": ids.pipeline.name, "assignee_id": ids.user_email}}
        out = await tools.ok("convert_lead", {"id": ids.lead, "details": details})
    assert out["opportunity"]["pipeline_id"] == ids.pipeline.id
    # The answer is compact, like a read: names beside the ids.
    assert (out["opportunity"]["pipeline"], out["opportunity"]["assignee"]) == (ids.pipeline.name, ids.user.name)


async def test_bulk_items_take_names_dates_and_custom_fields_by_name(server: MCPServer) -> None:
    async with Client(server) as client:
        tools = Tools(client)
        ids = await discover(tools)
        item = {
            "name": "Bulk by name",
            "pipeline_id": ids.pipeline.name,
            "pipeline_stage_id": ids.stage.name,
            "close_date": "2026-12-05",
            "assignee_id": ids.user.name,
        }
        out = await tools.ok("bulk_create_opportunities", {"opportunities": [item]})
        (made,) = out["records"]
        raw = await tools.ok("get_opportunity", {"id": made["id"], "raw": True})
        company = {"name": "Bulk Co", "custom_fields": {ids.dropdown: ids.option.name}}
        companies = await tools.ok("bulk_create_companies", {"companies": [company]})
    assert (raw["pipeline_id"], raw["pipeline_stage_id"]) == (ids.pipeline.id, ids.stage.id)
    assert (raw["close_date"], raw["assignee_id"]) == ("12/5/2026", ids.user.id)
    assert (made["pipeline_stage"], made["close_date"]) == (ids.stage.name, "2026-12-05")
    assert companies["records"][0]["custom_fields"][ids.dropdown] == ids.option.name


async def test_an_unknown_name_inside_a_bulk_item_lists_the_choices(server: MCPServer) -> None:
    async with Client(server) as client:
        tools = Tools(client)
        ids = await discover(tools)
        good = {"name": "x", "pipeline_id": ids.pipeline.name}
        item = {"name": "y", "pipeline_id": ids.pipeline.name, "pipeline_stage_id": "Nowhere"}
        message = await tools.error("bulk_create_opportunities", {"opportunities": [good, item]})
        found = await tools.ok("search_opportunities", {"name": "x"})
    # The item is named the way the validator names it; nothing was created.
    where = "opportunities.1.pipeline_stage_id"
    assert f"{where}: no pipeline stage named 'Nowhere' in pipeline {ids.pipeline.name}" in message
    assert found["records"] == []
    assert ids.stage.name in message
