"""group_by end to end, through an MCP client as a model calls it.

On the sandbox, every kind of key is checked against totals computed here, independently, from
Copper's raw records and lists read straight from the sandbox app (not through the server), with
``zoneinfo`` for the account's dates. Deals in two currencies and without a value, and tasks and
activities either side of both 2026 daylight-saving changes, are added first. The bound, progress
and cancellation are checked against a fake Copper that counts what it is asked.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.server import MCPServer
from starlette.applications import Starlette

from copper_mcp.account import Account
from copper_mcp.account.names import RecordNames
from copper_mcp.calls import Calls
from copper_mcp.catalog import load_catalog
from copper_mcp.client import CopperClient, RateLimits
from copper_mcp.core.settings import Settings
from copper_mcp.mcp import build_server
from copper_mcp.sandbox import SandboxConfig, create_app
from tests.client.fakes import EMAIL, KEY, FakeClock, make_client, ok
from tests.conftest import SANDBOX_URL, shaped_server
from tests.mcp.conftest import Tools

ROOMY = 100_000
HEADERS = {"X-PW-AccessToken": "raw-reader", "X-PW-Application": "developer_api", "X-PW-UserEmail": "raw@example.com"}

# (Unix seconds, its day, week's Monday, month and quarter in New York): instants either side of
# local midnight around both 2026 daylight-saving changes, where UTC would say otherwise.
DST = [
    (1773027000, "2026-03-08", "2026-03-02", "2026-03", "2026-Q1"),
    (1773030600, "2026-03-09", "2026-03-09", "2026-03", "2026-Q1"),
    (1775014200, "2026-03-31", "2026-03-30", "2026-03", "2026-Q1"),
    (1793503800, "2026-10-31", "2026-10-26", "2026-10", "2026-Q4"),
    (1793593800, "2026-11-01", "2026-10-26", "2026-11", "2026-Q4"),
    (1793597400, "2026-11-02", "2026-11-02", "2026-11", "2026-Q4"),
]


class Raw:
    """Copper's own answers, read from the sandbox app directly."""

    def __init__(self, app: Starlette) -> None:
        self.http = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=SANDBOX_URL, headers=HEADERS)

    async def __aenter__(self) -> Raw:
        await self.http.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.http.__aexit__(*exc)

    async def json(self, method: str, path: str, body: Any = None) -> Any:
        response = await self.http.request(method, SANDBOX_URL + path, json=body)
        assert response.status_code == 200, response.text
        return response.json()

    async def every(self, entity: str, body: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for page in itertools.count(1):
            asked = {**(body or {}), "page_number": page, "page_size": 200}
            batch = await self.json("POST", f"/{entity}/search", asked)
            found += batch
            if len(batch) < 200:
                return found
        raise AssertionError("unreachable")


@dataclass(frozen=True)
class Facts:
    """The account's names and zone, from its raw lists."""

    zone: ZoneInfo
    names: dict[str, dict[int, str]]
    activity_types: dict[tuple[str, int], str]
    fields: dict[str, dict[str, Any]]
    """Custom field definitions by name."""

    @classmethod
    async def read(cls, raw: Raw) -> Facts:
        pipelines = await raw.json("GET", "/pipelines")
        lists = {name: await raw.json("GET", f"/{name}") for name in
                 ("contact_types", "customer_sources", "loss_reasons", "lead_statuses")}  # fmt: skip
        names = {name: {item["id"]: item["name"] for item in items} for name, items in lists.items()}
        names["users"] = {u["id"]: u["name"] for u in await raw.json("POST", "/users/search", {"page_size": 200})}
        names["pipelines"] = {p["id"]: p["name"] for p in pipelines}
        names["stages"] = {s["id"]: s["name"] for p in pipelines for s in p["stages"]}
        kinds = await raw.json("GET", "/activity_types")
        activity_types = {(t["category"], t["id"]): t["name"] for items in kinds.values() for t in items}
        fields = {d["name"]: d for d in await raw.json("GET", "/custom_field_definitions")}
        account = await raw.json("GET", "/account")
        return cls(ZoneInfo(account["primary_timezone"]), names, activity_types, fields)

    def custom_value(self, record: dict[str, Any], field: str) -> Any:
        wanted = self.fields[field]["id"]
        entries = record.get("custom_fields") or []
        return next((e["value"] for e in entries if e["custom_field_definition_id"] == wanted), None)

    def option_names(self, record: dict[str, Any], field: str) -> list[Any]:
        definition = self.fields[field]
        options = {o["id"]: o["name"] for o in definition.get("options") or []}
        value = self.custom_value(record, field)
        if definition["data_type"] == "Checkbox":
            return [value]
        chosen = value if isinstance(value, list) else [value]
        return [options[v] for v in dict.fromkeys(chosen) if v is not None] or [None]


Label = Callable[[dict[str, Any], Facts], list[Any]]


def named(field: str, table: str) -> Label:
    return lambda r, f: [f.names[table][r[field]] if r.get(field) is not None else None]


def plain(field: str) -> Label:
    return lambda r, f: [r.get(field)]


def tags(r: dict[str, Any], f: Facts) -> list[Any]:
    return list(dict.fromkeys(r.get("tags") or [])) or [None]


def custom(field: str) -> Label:
    return lambda r, f: f.option_names(r, field)


def local(field: str, period: str) -> Label:
    def label(r: dict[str, Any], f: Facts) -> list[Any]:
        value = r.get(field)
        if value is None:
            return [None]
        if isinstance(value, str):  # close_date, M/D/YYYY: a calendar date already
            day = datetime.strptime(value, "%m/%d/%Y").date()
        else:
            day = datetime.fromtimestamp(value, f.zone).date()
        return [_period(day, period)]

    return label


def custom_date(field: str, period: str) -> Label:
    def label(r: dict[str, Any], f: Facts) -> list[Any]:
        value = f.custom_value(r, field)
        return [None if value is None else _period(datetime.fromtimestamp(value, f.zone).date(), period)]

    return label


def _period(day: date, period: str) -> str:
    return {
        "day": day.isoformat(),
        "week": (day - timedelta(days=day.weekday())).isoformat(),
        "month": day.strftime("%Y-%m"),
        "quarter": f"{day.year}-Q{(day.month + 2) // 3}",
    }[period]


OWNER = named("assignee_id", "users")
CASES: dict[str, list[tuple[list[str], list[Label]]]] = {
    "opportunities": [
        (["owner"], [OWNER]),
        (["status"], [plain("status")]),
        (["pipeline"], [named("pipeline_id", "pipelines")]),
        (["stage"], [named("pipeline_stage_id", "stages")]),
        (["source"], [named("customer_source_id", "customer_sources")]),
        (["priority"], [plain("priority")]),
        (["loss_reason"], [named("loss_reason_id", "loss_reasons")]),
        (["tag"], [tags]),
        (["Industry"], [custom("Industry")]),
        (["products of interest"], [custom("Products of Interest")]),
        (["close_date:month"], [local("close_date", "month")]),
        (["close_date:quarter", "status"], [local("close_date", "quarter"), plain("status")]),
        (["date_created:week"], [local("date_created", "week")]),
        (["date_stage_changed:day"], [local("date_stage_changed", "day")]),
        (["stage", "owner"], [named("pipeline_stage_id", "stages"), OWNER]),
    ],
    "leads": [
        (["status"], [named("status_id", "lead_statuses")]),
        (["source"], [named("customer_source_id", "customer_sources")]),
        (["owner", "tag"], [OWNER, tags]),
        (["Industry"], [custom("Industry")]),
        (["date_created:month"], [local("date_created", "month")]),
    ],
    "people": [
        (["contact_type"], [named("contact_type_id", "contact_types")]),
        (["owner"], [OWNER]),
        (["tag"], [tags]),
        (["Products of Interest"], [custom("Products of Interest")]),
        (["Newsletter Opt-in"], [custom("Newsletter Opt-in")]),
        (["date_created:quarter"], [local("date_created", "quarter")]),
    ],
    "companies": [
        (["contact_type", "owner"], [named("contact_type_id", "contact_types"), OWNER]),
        (["Industry"], [custom("Industry")]),
        (["Contract Renewal:month"], [custom_date("Contract Renewal", "month")]),
    ],
    "projects": [(["status"], [plain("status")]), (["owner", "tag"], [OWNER, tags])],
    "tasks": [
        (["status", "priority"], [plain("status"), plain("priority")]),
        (["owner"], [OWNER]),
        (["due_date:day"], [local("due_date", "day")]),
        (["due_date:week"], [local("due_date", "week")]),
        (["due_date:month"], [local("due_date", "month")]),
    ],
    "activities": [
        (["type"], [lambda r, f: [f.activity_types[(r["type"]["category"], r["type"]["id"])]]]),
        (["parent_type"], [lambda r, f: [r["parent"]["type"]]]),
        (["owner"], [named("user_id", "users")]),
        (["activity_date:week"], [local("activity_date", "week")]),
        (["activity_date:month"], [local("activity_date", "month")]),
    ],
}
# What each entity's groups add up: (value, currency, weight) fields.
SUMS = {
    "opportunities": ("monetary_value", "monetary_unit", "win_probability"),
    "leads": ("monetary_value", "monetary_unit", None),
}


def expected_groups(records: list[dict[str, Any]], labels: list[Label], facts: Facts, entity: str) -> dict[Any, Any]:
    """Groups computed from raw records: count, and for deals and leads sums per currency."""
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    value_field, currency_field, weight_field = SUMS.get(entity, (None, None, None))
    for record in records:
        for combo in itertools.product(*(label(record, facts) for label in labels)):
            group = found.setdefault(combo, {"count": 0, "value": {}, "weighted_value": {}, "without_value": 0})
            group["count"] += 1
            if value_field is None:
                continue
            amount = record.get(value_field)
            if amount is None:
                group["without_value"] += 1
                continue
            currency = record.get(currency_field or "") or "unknown"
            group["value"][currency] = group["value"].get(currency, 0) + amount
            if weight_field is not None:
                weighted = group["weighted_value"].get(currency, 0) + amount * record[weight_field] / 100
                group["weighted_value"][currency] = weighted
    return found


async def add_edge_records(raw: Raw) -> None:
    """Deals in euros and without a value; tasks and activities at the daylight-saving instants."""
    pipelines = await raw.json("GET", "/pipelines")
    sales = pipelines[0]
    for n, (value, unit) in enumerate([(1234.5, "EUR"), (80_000, "EUR"), (None, "USD"), (700, "USD")]):
        stage = sales["stages"][n % 2]
        await raw.json("POST", "/opportunities", {
            "name": f"Edge deal {n}", "pipeline_id": sales["id"], "pipeline_stage_id": stage["id"],
            "monetary_value": value, "monetary_unit": unit, "close_date": "11/1/2026", "tags": ["edge", "eu"],
        })  # fmt: skip
    await raw.json("POST", "/leads", {"name": "Euro Lead", "monetary_value": 900, "monetary_unit": "EUR"})
    person = (await raw.json("POST", "/people/search", {"page_size": 1}))[0]
    for seconds, *_ in DST:
        await raw.json("POST", "/tasks", {"name": f"Due {seconds}", "due_date": seconds, "tags": ["dst"]})
        await raw.json("POST", "/activities", {
            "parent": {"id": person["id"], "type": "person"}, "type": {"category": "user", "id": 0},
            "details": "At a daylight-saving edge", "activity_date": seconds,
        })  # fmt: skip


def _by_key(answer: dict[str, Any]) -> dict[tuple[Any, ...], dict[str, Any]]:
    return {tuple(group["key"].values()): group for group in answer["groups"]}


def _assert_matches(answer: dict[str, Any], expected: dict[Any, Any], entity: str, case: list[str]) -> None:
    got = _by_key(answer)
    assert set(got) == set(expected), case
    for key, want in expected.items():
        group = got[key]
        assert group["count"] == want["count"], (case, key)
        if entity not in SUMS:
            assert set(group) == {"key", "count"}, (case, key)
            continue
        assert group["without_value"] == want["without_value"], (case, key)
        assert group["value"] == pytest.approx(want["value"], abs=0.01), (case, key)
        if entity == "opportunities":
            assert group["weighted_value"] == pytest.approx(want["weighted_value"], abs=0.01), (case, key)


def _assert_ordered(answer: dict[str, Any]) -> None:
    """Largest first: by value when every value is in one currency, else by count."""
    groups = answer["groups"]
    currencies = {c for g in groups for c in g.get("value", {})}
    sizes: list[tuple[float, ...]]
    if len(currencies) == 1:
        (currency,) = currencies
        sizes = [(g["value"].get(currency, 0), g["count"]) for g in groups]
    else:
        sizes = [(g["count"],) for g in groups]
    assert sizes == sorted(sizes, reverse=True)


@pytest.mark.parametrize("entity", list(CASES))
async def test_every_kind_of_key_matches_totals_computed_from_the_raw_records(entity: str) -> None:
    app = create_app(SandboxConfig(requests_per_minute=ROOMY))
    async with Raw(app) as raw:
        await add_edge_records(raw)
        facts = await Facts.read(raw)
        records = await raw.every(entity)
        server = shaped_server(app=app, limits=RateLimits(per_minute=ROOMY))
        async with Client(server) as client:
            tools = Tools(client)
            for case, labels in CASES[entity]:
                answer = await tools.ok(f"search_{entity}", {"group_by": case})
                expected = expected_groups(records, labels, facts, entity)
                _assert_matches(answer, expected, entity, case)
                _assert_ordered(answer)
                facts_shown = (answer["group_count"], answer["records_read"], answer["pages"], answer["complete"])
                assert facts_shown == (len(expected), len(records), math.ceil(len(records) / 200), True), case


async def test_deals_in_two_currencies_are_summed_apart_and_ordered_by_count() -> None:
    app = create_app(SandboxConfig(requests_per_minute=ROOMY))
    async with Raw(app) as raw:
        await add_edge_records(raw)
        edge = await raw.every("opportunities", {"tags": ["edge"]})
        async with Client(shaped_server(app=app, limits=RateLimits(per_minute=ROOMY))) as client:
            answer = await Tools(client).ok("search_opportunities", {"tags": ["edge"], "group_by": ["stage"]})
    stages = {g["key"]["stage"]: g for g in answer["groups"]}
    assert len(edge) == 4 and answer["records_read"] == 4
    assert stages["Qualified"]["value"] == {"EUR": 1234.5} and stages["Qualified"]["without_value"] == 1
    assert stages["Follow-up"]["value"] == {"EUR": 80000, "USD": 700} and stages["Follow-up"]["without_value"] == 0
    assert stages["Follow-up"]["weighted_value"] == {"EUR": 80000 * 0.25, "USD": 700 * 0.25}  # the stage's 25%
    assert "summed per currency (EUR, USD), never converted; groups are ordered by count" in answer["notes"][-1]


async def test_dates_fall_in_the_day_week_and_month_they_have_in_the_account_zone() -> None:
    app = create_app(SandboxConfig(requests_per_minute=ROOMY))
    async with Raw(app) as raw:
        await add_edge_records(raw)
        zone = (await raw.json("GET", "/account"))["primary_timezone"]
        async with Client(shaped_server(app=app, limits=RateLimits(per_minute=ROOMY))) as client:
            tools = Tools(client)
            answers = [
                await tools.ok("search_tasks", {"tags": ["dst"], "group_by": [f"due_date:{period}"]})
                for period in ("day", "week", "month", "quarter")
            ]
    assert zone == "America/New_York"
    for column, answer in enumerate(answers, start=1):
        expected: dict[tuple[Any, ...], int] = {}
        for row in DST:
            expected[(row[column],)] = expected.get((row[column],), 0) + 1
        assert {key: g["count"] for key, g in _by_key(answer).items()} == expected


# --- the bound, progress and cancelling: a fake Copper that counts what it is asked --------------------

ACCOUNT = {"id": 1, "name": "Fake", "primary_timezone": "Europe/Paris"}


class FakeDeals:
    """A Copper holding ``count`` deals and empty lists, recording each search of deals."""

    def __init__(self, count: int, *, send_total: bool = True) -> None:
        statuses = ("Open", "Open", "Won", "Lost")
        self.deals: list[dict[str, Any]] = [
            {"id": n, "status": statuses[n % 4], "monetary_value": n % 7 * 100, "monetary_unit": "USD",
             "win_probability": n % 5 * 25}
            for n in range(1, count + 1)
        ]  # fmt: skip
        self.send_total = send_total
        self.bodies: list[dict[str, Any]] = []
        self.on_search: Callable[[int], None] = lambda number: None

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/account"):
            return ok(ACCOUNT)
        if not request.url.path.endswith("/opportunities/search"):
            return ok([])  # users, pipelines, custom field definitions...
        body = json.loads(request.content)
        self.bodies.append(body)
        self.on_search(len(self.bodies))
        number, size = body.get("page_number", 1), body.get("page_size", 20)
        headers = {"X-PW-TOTAL": str(len(self.deals))} if self.send_total else None
        return ok(self.deals[(number - 1) * size : number * size], headers=headers)

    def server(self) -> MCPServer:
        return build_server(Settings(api_key=KEY, user_email=EMAIL), make_client(self))


async def test_the_bound_stops_the_walk_and_the_answer_says_it_is_not_a_total() -> None:
    copper = FakeDeals(5_300)
    async with Client(copper.server()) as client:
        answer = await Tools(client).ok("search_opportunities", {"group_by": ["status"], "status_ids": ["Open", "Won"]})
    assert copper.bodies == [
        {"status_ids": [0, 1], "page_number": n, "page_size": 200} for n in range(1, 26)
    ]
    read = copper.deals[:5_000]
    expected = {s: sum(1 for d in read if d["status"] == s) for s in ("Open", "Won", "Lost")}
    assert "groups" not in answer
    assert {g["key"]["status"]: g["count"] for g in answer["partial_groups"]} == expected
    won = next(g for g in answer["partial_groups"] if g["key"]["status"] == "Won")
    assert won["value"] == {"USD": sum(d["monetary_value"] for d in read if d["status"] == "Won")}
    assert (answer["complete"], answer["records_read"], answer["pages"], answer["total"]) == (False, 5_000, 25, 5_300)
    assert "NOT totals" in answer["notes"][0] and "Narrow the filters" in answer["notes"][0]


@pytest.mark.parametrize("send_total", [True, False])
async def test_a_search_that_ends_within_the_bound_is_complete(send_total: bool) -> None:
    copper = FakeDeals(4_999, send_total=send_total)
    async with Client(copper.server()) as client:
        answer = await Tools(client).ok("search_opportunities", {"group_by": ["status"]})
    assert len(copper.bodies) == 25
    counted = sum(g["count"] for g in answer["groups"])
    assert (answer["complete"], answer["records_read"], counted) == (True, 4_999, 4_999)


async def test_progress_is_reported_after_each_page() -> None:
    copper = FakeDeals(450)
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    async with Client(copper.server()) as client:
        result = await client.call_tool("search_opportunities", {"group_by": ["status"]}, progress_callback=on_progress)
    assert not result.is_error
    assert seen == [(200, 450, "200 records"), (400, 450, "400 records"), (450, 450, "450 records")]


async def test_cancelling_mid_walk_sends_no_further_request() -> None:
    """The call's scope is cancelled while Copper answers page 2: page 3 is never asked for."""
    copper = FakeDeals(1_000)
    client = make_client(copper)
    calls = Calls(client, load_catalog(), Account(client), RecordNames(client))
    op = load_catalog().operation("search_opportunities")
    async with client:
        with anyio.CancelScope() as scope:
            copper.on_search = lambda number: scope.cancel() if number == 2 else None
            await calls.execute(op, {"group_by": ["status"]})
    assert scope.cancelled_caught
    assert [body["page_number"] for body in copper.bodies] == [1, 2]


async def test_a_host_cancelling_the_call_stops_the_walk() -> None:
    """The MCP client gives up while page 2 is being read; the server stops before page 3."""
    copper = FakeDeals(1_000)
    interrupted = anyio.Event()

    class Hanging(httpx2.AsyncBaseTransport):
        """Page 2 never comes back: only the server's cancellation ends the wait."""

        async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
            response = copper(request)
            if len(copper.bodies) == 2 and request.url.path.endswith("/search"):
                caller.cancel()
                try:
                    await anyio.sleep_forever()
                finally:
                    interrupted.set()
            return response

    clock = FakeClock()
    client = CopperClient(api_key=KEY, user_email=EMAIL, transport=Hanging(), clock=clock, sleep=clock.sleep)
    server = build_server(Settings(api_key=KEY, user_email=EMAIL), client)
    async with Client(server) as mcp:
        with anyio.CancelScope() as caller:
            await mcp.call_tool("search_opportunities", {"group_by": ["status"]})
        with anyio.fail_after(5):  # a hang guard: the server must act on the cancellation
            await interrupted.wait()
        answer = await Tools(mcp).ok("search_opportunities", {"page_size": 1, "raw": True})
    assert answer["records"] == copper.deals[:1]
    assert [body.get("page_number") for body in copper.bodies] == [1, 2, None]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"group_by": ["stage", "owner", "status"]}, "group_by: has more than 2 items"),
        ({"group_by": []}, "group_by: needs at least 1 item"),
        ({"group_by": ["stage"], "top": 0}, "top: 0 is less than the minimum of 1"),
        ({"group_by": ["size"]}, "'size' is not a key of opportunities. Valid keys: owner, status, pipeline, stage"),
        ({"group_by": ["close_date"]}, "close_date is a date: add a period, e.g. close_date:month"),
        ({"top": 5}, "top needs group_by"),
        ({"group_by": ["stage"], "page_number": 2}, "leave out page_number"),
        ({"group_by": ["stage"], "max_records": 200}, "leave out max_records"),
    ],
)
async def test_a_group_by_that_cannot_be_read_is_refused_before_any_record_is_asked_for(
    args: dict[str, Any], message: str
) -> None:
    copper = FakeDeals(10)
    async with Client(copper.server()) as client:
        error = await Tools(client).error("search_opportunities", args)
    assert message in error
    assert copper.bodies == []


def test_every_record_search_and_only_those_can_group() -> None:
    grouping = {op.name for op in load_catalog().operations if op.group_by is not None}
    assert grouping == {f"search_{entity}" for entity in CASES}
    for op in load_catalog().operations:
        assert ("group_by" in op.own_params) == (op.name in grouping)
