"""group_by's arithmetic, without I/O: keys, buckets, sums per currency, order, top, the budget.

Expected figures are written out by hand from the literal records below (and the reference data of
``conftest.py``: America/New_York, two users called Alex Kim, a Qualified stage in both pipelines).
"""

from __future__ import annotations

from typing import Any

import pytest

from copper_mcp.catalog import GroupBy, load_catalog
from copper_mcp.core.errors import InputError
from copper_mcp.shaping import groups
from copper_mcp.shaping.groups import Tally
from copper_mcp.shaping.reference import ReferenceData
from tests.shaping.conftest import RECORD_MARKS, build_reference

CATALOG = load_catalog()


def _group_by(entity: str) -> GroupBy:
    found = CATALOG.operation(f"search_{entity}").group_by
    assert found is not None
    return found


def _tally(entity: str, asked: list[str], ref: ReferenceData, records: list[dict[str, Any]]) -> Tally:
    group_by = _group_by(entity)
    tally = Tally(groups.keys(asked, group_by, RECORD_MARKS[entity], ref, entity), group_by.sums, ref)
    tally.add(records)
    return tally


def _answer(tally: Tally, **overrides: Any) -> dict[str, Any]:
    options: dict[str, Any] = {"top": None, "pages": 1, "complete": True, "total": None, "budget": 60_000}
    return tally.answer(**{**options, **overrides})


def _counts(answer: dict[str, Any], field: str = "count") -> dict[tuple[Any, ...], Any]:
    return {tuple(g["key"].values()): g[field] for g in answer["groups"]}


# Instants either side of midnight in New York around both 2026 daylight-saving changes, with
# what each is there: (Unix seconds, day, week's Monday, month, quarter). UTC would put each in
# another day, week, month or quarter than the account does.
DST_INSTANTS = [
    (1773027000, "2026-03-08", "2026-03-02", "2026-03", "2026-Q1"),  # 03-09T03:30Z: Sun 23:30 EDT (new offset)
    (1773030600, "2026-03-09", "2026-03-09", "2026-03", "2026-Q1"),  # 03-09T04:30Z: Mon 00:30 EDT
    (1775014200, "2026-03-31", "2026-03-30", "2026-03", "2026-Q1"),  # 04-01T03:30Z: Tue 23:30 EDT
    (1793503800, "2026-10-31", "2026-10-26", "2026-10", "2026-Q4"),  # 11-01T03:30Z: Sat 23:30 EDT
    (1793593800, "2026-11-01", "2026-10-26", "2026-11", "2026-Q4"),  # 11-02T04:30Z: Sun 23:30 EST (new offset)
    (1793597400, "2026-11-02", "2026-11-02", "2026-11", "2026-Q4"),  # 11-02T05:30Z: Mon 00:30 EST
]


@pytest.mark.parametrize(("period", "column"), [("day", 1), ("week", 2), ("month", 3), ("quarter", 4)])
def test_a_date_falls_in_the_period_it_has_in_the_account_zone_across_daylight_saving(
    ref: ReferenceData, period: str, column: int
) -> None:
    tasks = [{"id": n, "due_date": row[0]} for n, row in enumerate(DST_INSTANTS)]
    answer = _answer(_tally("tasks", [f"due_date:{period}"], ref, tasks))
    expected: dict[tuple[Any, ...], int] = {}
    for row in DST_INSTANTS:
        expected[(row[column],)] = expected.get((row[column],), 0) + 1
    assert _counts(answer) == expected
    assert answer["notes"][0] == "Dates are grouped in the account's time zone, America/New_York."
    assert ("Monday" in " ".join(answer["notes"])) == (period == "week")


def test_close_date_is_a_calendar_date_and_a_record_without_one_is_a_group_of_its_own(ref: ReferenceData) -> None:
    deals: list[dict[str, Any]] = [{"close_date": "12/31/2026"}, {"close_date": "1/3/2027"}, {"close_date": None}, {}]
    weeks = _counts(_answer(_tally("opportunities", ["close_date:week"], ref, deals)))
    quarters = _counts(_answer(_tally("opportunities", ["Close_Date:Quarter"], ref, deals)))
    assert weeks == {("2026-12-28",): 2, (None,): 2}
    assert quarters == {("2026-Q4",): 1, ("2027-Q1",): 1, (None,): 2}


DEALS: list[dict[str, Any]] = [
    {"pipeline_stage_id": 987790, "monetary_value": 1000, "monetary_unit": "USD", "win_probability": 5},
    {"pipeline_stage_id": 987790, "monetary_value": 250.5, "monetary_unit": "USD", "win_probability": 50},
    {"pipeline_stage_id": 987790, "monetary_value": None, "monetary_unit": "USD", "win_probability": 5},
    {"pipeline_stage_id": 987796, "monetary_value": 4000, "monetary_unit": "USD", "win_probability": 30},
    {"pipeline_stage_id": 987792, "monetary_value": 300, "monetary_unit": "USD", "win_probability": None},
    {"pipeline_stage_id": 987792, "monetary_value": 100, "monetary_unit": "USD", "win_probability": 100},
    {"pipeline_stage_id": 987792, "monetary_value": 10, "monetary_unit": "USD", "win_probability": 0},
]


def test_a_deal_group_sums_value_and_weighted_value_and_counts_what_is_missing_apart(ref: ReferenceData) -> None:
    answer = _answer(_tally("opportunities", ["stage"], ref, DEALS))
    # The two Qualified stages (Sales and Business Development) stay apart, named by their pipeline.
    assert answer["groups"] == [
        {"key": {"stage": "Qualified (Business Development)"}, "count": 1, "value": {"USD": 4000},
         "weighted_value": {"USD": 1200}, "without_value": 0},
        {"key": {"stage": "Qualified (Sales)"}, "count": 3, "value": {"USD": 1250.5},
         "weighted_value": {"USD": 175.25}, "without_value": 1},
        {"key": {"stage": "Presentation"}, "count": 3, "value": {"USD": 410},
         "weighted_value": {"USD": 100}, "without_value": 0, "without_weight": 1},
    ]  # fmt: skip
    assert (answer["group_count"], answer["records_read"], answer["complete"]) == (3, 7, True)
    assert "ordered by value" in answer["notes"][-1]


def test_currencies_are_never_added_together_and_then_the_most_records_come_first(ref: ReferenceData) -> None:
    deals = [
        {"status": "Open", "monetary_value": 100, "monetary_unit": "EUR", "win_probability": 10},
        {"status": "Open", "monetary_value": 50, "monetary_unit": "USD", "win_probability": 10},
        {"status": "Open", "monetary_value": 5, "monetary_unit": None, "win_probability": 10},
        {"status": "Won", "monetary_value": 9000, "monetary_unit": "USD", "win_probability": 100},
    ]
    answer = _answer(_tally("opportunities", ["status"], ref, deals))
    assert [g["key"]["status"] for g in answer["groups"]] == ["Open", "Won"]
    assert answer["groups"][0]["value"] == {"EUR": 100, "USD": 50, "unknown": 5}
    assert answer["groups"][0]["weighted_value"] == {"EUR": 10, "USD": 5, "unknown": 0.5}
    assert "per currency (EUR, USD, unknown), never converted; groups are ordered by count" in answer["notes"][-1]


def test_a_lead_group_sums_its_value_without_a_weight(ref: ReferenceData) -> None:
    leads: list[dict[str, Any]] = [
        {"status_id": 208231, "monetary_value": 500, "monetary_unit": "USD"},
        {"status_id": 208231, "monetary_value": None, "monetary_unit": "USD"},
        {"status_id": 208234, "monetary_value": 700, "monetary_unit": "USD"},
    ]
    answer = _answer(_tally("leads", ["status"], ref, leads))
    assert answer["groups"] == [
        {"key": {"status": "Qualified"}, "count": 1, "value": {"USD": 700}, "without_value": 0},
        {"key": {"status": "New"}, "count": 2, "value": {"USD": 500}, "without_value": 1},
    ]


def test_a_record_counts_in_each_of_its_tags_and_the_answer_says_so(ref: ReferenceData) -> None:
    people: list[dict[str, Any]] = [{"tags": ["vip", "partner"]}, {"tags": ["vip"]}, {"tags": []}]
    people.append({"tags": ["vip", "vip"]})
    answer = _answer(_tally("people", ["tag"], ref, people))
    assert _counts(answer) == {("vip",): 3, ("partner",): 1, (None,): 1}
    assert answer["records_read"] == 4
    assert "counts once in each" in answer["notes"][0]


def test_two_keys_count_every_pair_a_record_is_in(ref: ReferenceData) -> None:
    people: list[dict[str, Any]] = [
        {"assignee_id": 159258, "custom_fields": [{"custom_field_definition_id": 126241, "value": [167780, 167782]}]},
        {"assignee_id": 159258, "custom_fields": [{"custom_field_definition_id": 126241, "value": [167780]}]},
        {"assignee_id": None, "custom_fields": [{"custom_field_definition_id": 126241, "value": []}]},
    ]
    answer = _answer(_tally("people", ["owner", "interests"], ref, people))
    assert _counts(answer) == {
        ("Dana Reyes", "Software"): 2,
        ("Dana Reyes", "Services"): 1,
        (None, None): 1,
    }
    assert list(answer["groups"][0]["key"]) == ["owner", "Interests"]


def test_names_shared_by_several_ids_are_told_apart_and_unknown_ids_stay_ids(ref: ReferenceData) -> None:
    companies = [{"assignee_id": 159259}, {"assignee_id": 159260}, {"assignee_id": 159260}, {"assignee_id": 4}]
    answer = _answer(_tally("companies", ["owner"], ref, companies))
    assert _counts(answer) == {("Alex Kim (id 159260)",): 2, ("Alex Kim (id 159259)",): 1, (4,): 1}


def test_activities_group_by_their_type_and_their_parent_s_kind(ref: ReferenceData) -> None:
    activities = [
        {"type": {"category": "user", "id": 190711}, "parent": {"id": 1, "type": "person"}},
        {"type": {"category": "user", "id": 190711}, "parent": {"id": 2, "type": "company"}},
        {"type": {"category": "system", "id": 3}, "parent": {"id": 3, "type": "opportunity"}},
        {"type": {"category": "user", "id": 777}, "parent": {"id": 1, "type": "person"}},
    ]
    by_type = _counts(_answer(_tally("activities", ["type"], ref, activities)))
    by_parent = _counts(_answer(_tally("activities", ["parent_type"], ref, activities)))
    assert by_type == {("Phone Call",): 2, ("Pipeline Stage Changed",): 1, ("user 777",): 1}
    assert by_parent == {("person",): 2, ("company",): 1, ("opportunity",): 1}


def test_dropdown_checkbox_and_date_custom_fields_group_by_option_value_and_period(ref: ReferenceData) -> None:
    field = {"custom_field_definition_id": 126240}
    red = {"custom_fields": [{**field, "value": 167772}]}
    deals: list[dict[str, Any]] = [red, red, {}]
    companies = [
        {"custom_fields": [{"custom_field_definition_id": 126243, "value": True}]},
        {"custom_fields": [{"custom_field_definition_id": 126242, "value": 1793593800}]},
    ]
    assert _counts(_answer(_tally("opportunities", ["color option"], ref, deals))) == {("Red",): 2, (None,): 1}
    assert _counts(_answer(_tally("companies", ["VIP"], ref, companies))) == {(True,): 1, (None,): 1}
    renewal = _counts(_answer(_tally("companies", ["Renewal Date:day"], ref, companies)))
    assert renewal == {("2026-11-01",): 1, (None,): 1}


def test_top_keeps_the_largest_groups_and_the_answer_says_how_many_there_were(ref: ReferenceData) -> None:
    tasks = [{"priority": p} for p in ["High"] * 3 + ["None"] * 5 + ["Low"]]
    answer = _answer(_tally("tasks", ["priority"], ref, tasks), top=2)
    assert [(g["key"]["priority"], g["count"]) for g in answer["groups"]] == [("None", 5), ("High", 3)]
    assert answer["group_count"] == 3


def test_groups_beyond_the_budget_are_left_out_with_a_note(ref: ReferenceData) -> None:
    tasks = [{"due_date": 1_780_000_000 + day * 86_400} for day in range(200)]
    whole = _answer(_tally("tasks", ["due_date:day"], ref, tasks))
    cut = _answer(_tally("tasks", ["due_date:day"], ref, tasks), budget=2_000)
    assert len(whole["groups"]) == 200
    assert 0 < len(cut["groups"]) < 200 and cut["groups"] == whole["groups"][: len(cut["groups"])]
    assert cut["group_count"] == 200
    assert f"Only the largest {len(cut['groups'])} of the 200 groups" in cut["notes"][-1]


def test_an_incomplete_read_is_never_shown_as_totals(ref: ReferenceData) -> None:
    answer = _answer(_tally("opportunities", ["status"], ref, DEALS[:2]), complete=False, pages=25, total=9000)
    assert "groups" not in answer
    assert answer["partial_groups"][0]["count"] == 2
    assert (answer["complete"], answer["records_read"], answer["total"], answer["pages"]) == (False, 2, 9000, 25)
    assert "NOT totals" in answer["notes"][0] and "Narrow the filters" in answer["notes"][0]


@pytest.mark.parametrize(
    ("entity", "asked", "message"),
    [
        ("companies", ["stage"], "'stage' is not a key of companies. Valid keys: owner, contact_type, tag; "
         "a date field with a period (day, week, month, quarter): date_last_contacted:month, date_created:month, "
         "date_modified:month; custom fields: Interests, Renewal Date:month, VIP."),
        ("opportunities", ["close_date"], "close_date is a date: add a period, e.g. close_date:month"),
        ("opportunities", ["close_date:fortnight"], "'close_date:fortnight' is not a key of opportunities"),
        ("opportunities", ["renewal date"], "Renewal Date is grouped as Renewal Date:month"),
        ("opportunities", ["color option:month"], "Color option is grouped as Color option."),
        ("opportunities", ["Region Notes"], "'Region Notes' is not a key"),  # text fields name no groups
        ("opportunities", ["stage", "Stage"], "group_by names 'stage' twice"),
    ],
)
def test_a_key_that_cannot_be_read_is_refused_listing_the_valid_ones(
    ref: ReferenceData, entity: str, asked: list[str], message: str
) -> None:
    with pytest.raises(InputError) as refused:
        groups.keys(asked, _group_by(entity), RECORD_MARKS[entity], ref, entity)
    assert message in str(refused.value)


def test_keys_need_only_the_lists_that_name_them() -> None:
    group_by, marks = _group_by("opportunities"), RECORD_MARKS["opportunities"]
    assert groups.needs(["stage", "owner"], group_by, marks) == {"zone", "pipeline_stage", "user"}
    assert groups.needs(["status", "close_date:month"], group_by, marks) == {"zone"}
    assert groups.needs(["Industry"], group_by, marks) == {"zone", "custom_fields"}


@pytest.mark.parametrize(
    ("options", "args", "message"),
    [
        ({"top": 3}, {}, "top needs group_by"),
        ({"group_by": ["stage"], "max_records": 10}, {}, "leave out max_records"),
        ({"group_by": ["stage"], "raw": True}, {"page_size": 5}, "leave out raw, page_size"),
    ],
)
def test_what_cannot_go_with_group_by_is_refused(options: dict[str, Any], args: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        groups.check_options(options, args)


def test_an_account_without_custom_fields_lists_none() -> None:
    ref = build_reference(definitions=[])
    with pytest.raises(InputError) as refused:
        groups.keys(["Industry"], _group_by("tasks"), RECORD_MARKS["tasks"], ref, "tasks")
    assert str(refused.value).endswith("date_modified:month.")
