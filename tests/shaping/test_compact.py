"""compact(): names beside ids, ISO dates in the account zone, empties dropped, nothing lost."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from copper_mcp.core.marks import Marks
from copper_mcp.shaping.reads import compact, layout_fields, linked_ids
from copper_mcp.shaping.reference import ReferenceData

from . import conftest
from .conftest import CUSTOM_FIELD_DEFINITIONS, RECORD_MARKS, RECORDS, build_reference

ENTITIES = list(RECORDS)


def shaped(entity: str, record: dict[str, Any], ref: ReferenceData) -> dict[str, Any]:
    return compact(record, RECORD_MARKS[entity], ref)


def test_person_reads_like_a_person(ref: ReferenceData, records: dict[str, dict[str, Any]]) -> None:
    person = shaped("people", records["people"], ref)
    assert person["assignee_id"] == 159258
    assert person["assignee"] == "Dana Reyes"
    assert person["contact_type"] == "Uncategorized"
    assert person["address"] == {"street": "123 Main Street", "city": "Savannah", "state": "GA", "postal_code": "31410"}
    assert person["custom_fields"] == {"Interests": ["Software", "Services"], "VIP": True}
    assert person["date_created"] == "2017-03-20T17:30:13-04:00"
    for gone in (
        "prefix",
        "middle_name",
        "details",
        "socials",
        "websites",
        "leads_converted_from",
        "date_lead_created",
    ):
        assert gone not in person


def test_opportunity_names_pipeline_stage_and_iso_close_date(
    ref: ReferenceData, records: dict[str, dict[str, Any]]
) -> None:
    opportunity = shaped("opportunities", records["opportunities"], ref)
    assert (opportunity["pipeline_id"], opportunity["pipeline"]) == (213214, "Sales")
    assert (opportunity["pipeline_stage_id"], opportunity["pipeline_stage"]) == (987790, "Qualified")
    assert opportunity["close_date"] == "2018-01-15"
    assert opportunity["custom_fields"] == {"Color option": "Green"}
    # Ids kept beside names, in the record's own order.
    keys = list(opportunity)
    assert keys.index("pipeline_stage") == keys.index("pipeline_stage_id") + 1
    # A company ref takes its name from the record itself; a person ref gets none (nothing is fetched).
    assert opportunity["company_name"] == "Noemail"
    assert "company" not in opportunity
    assert "primary_contact" not in opportunity


def test_activity_type_gains_its_name_and_parent_is_kept(
    ref: ReferenceData, records: dict[str, dict[str, Any]]
) -> None:
    activity = shaped("activities", records["activities"], ref)
    assert activity["type"] == records["activities"]["type"]
    assert activity["type_name"] == "Phone Call"
    assert activity["parent"] == {"id": 27140359, "type": "person"}
    assert activity["user"] == "Dana Reyes"
    assert "old_value" not in activity


def test_lead_keeps_its_own_status_text(ref: ReferenceData, records: dict[str, dict[str, Any]]) -> None:
    lead = records["leads"]
    lead["status"] = "New (legacy)"  # the record's own value wins over the looked-up name
    assert shaped("leads", lead, ref)["status"] == "New (legacy)"
    assert shaped("leads", lead, ref)["customer_source"] == "Advertising"


@pytest.mark.parametrize(
    ("entity", "field", "unknown"),
    [
        ("tasks", "assignee_id", 137658),
        ("opportunities", "pipeline_stage_id", 999999),
        ("people", "contact_type_id", 1),
    ],
)
def test_unknown_ids_keep_the_id_and_get_no_name(
    ref: ReferenceData, records: dict[str, dict[str, Any]], entity: str, field: str, unknown: int
) -> None:
    record = records[entity]
    record[field] = unknown
    result = shaped(entity, record, ref)
    assert result[field] == unknown
    assert field.removesuffix("_id") not in result


def test_unknown_activity_type_and_custom_values_are_kept_raw(ref: ReferenceData) -> None:
    activity = {"id": 1, "type": {"id": 777, "category": "user"}, "details": "x"}
    assert compact(activity, RECORD_MARKS["activities"], ref)["type"] == {"id": 777, "category": "user"}
    person = {
        "id": 2,
        "custom_fields": [
            {"custom_field_definition_id": 126240, "value": 99},  # option id not in the definition
            {"custom_field_definition_id": 555, "value": "from a field created after the cache"},
        ],
    }
    assert compact(person, RECORD_MARKS["people"], ref)["custom_fields"] == {
        "Color option": 99,
        "555": "from a field created after the cache",
    }


def test_custom_fields_sharing_a_name_are_told_apart_by_id() -> None:
    twin = {"id": 300001, "name": "VIP", "data_type": "String", "available_on": ["person"]}
    ref = ReferenceData.from_copper(
        conftest.ACCOUNT, [], [], [], [], [], [], {}, [*conftest.CUSTOM_FIELD_DEFINITIONS, twin]
    )
    person = {
        "custom_fields": [
            {"custom_field_definition_id": 126243, "value": True},
            {"custom_field_definition_id": 300001, "value": "gold"},
        ]
    }
    assert compact(person, RECORD_MARKS["people"], ref)["custom_fields"] == {
        "VIP (id 126243)": True,
        "VIP (id 300001)": "gold",
    }


def test_name_lists_beside_id_lists(ref: ReferenceData) -> None:
    fields = Marks(refs={"assignee_ids": "user"})
    assert compact({"assignee_ids": [159258, 159259]}, fields, ref) == {
        "assignee_ids": [159258, 159259],
        "assignees": ["Dana Reyes", "Alex Kim"],
    }
    # One unknown id and the names would no longer line up with the ids: ids only.
    assert compact({"assignee_ids": [159258, 4]}, fields, ref) == {"assignee_ids": [159258, 4]}


def test_related_resource_of_nulls_is_dropped(ref: ReferenceData, records: dict[str, dict[str, Any]]) -> None:
    task = records["tasks"]
    task["related_resource"] = {"id": None, "type": None}
    assert "related_resource" not in shaped("tasks", task, ref)


@pytest.mark.parametrize(
    ("timezone", "unix", "iso"),
    [
        ("America/New_York", 1796324700, "2026-12-03T14:05:00-05:00"),  # winter, EST
        ("America/New_York", 1783101900, "2026-07-03T14:05:00-04:00"),  # summer, EDT
        # 2026-03-08 02:00 EST clocks jump to 03:00 EDT: one real hour apart, two offsets.
        ("America/New_York", 1772951400, "2026-03-08T01:30:00-05:00"),
        ("America/New_York", 1772955000, "2026-03-08T03:30:00-04:00"),
        # 2026-11-01 01:30 happens twice in New York; the offset tells the two apart.
        ("America/New_York", 1793511000, "2026-11-01T01:30:00-04:00"),
        ("America/New_York", 1793514600, "2026-11-01T01:30:00-05:00"),
        # 23:30 UTC is already the next day in Tokyo: the date must not be the server's or UTC's.
        ("Asia/Tokyo", 1796254200, "2026-12-03T08:30:00+09:00"),
        ("UTC", 1796254200, "2026-12-02T23:30:00+00:00"),
    ],
)
def test_unix_dates_show_in_the_account_zone(timezone: str, unix: int, iso: str) -> None:
    ref = build_reference(primary_timezone=timezone)
    task = {"id": 1, "due_date": unix}
    assert compact(task, RECORD_MARKS["tasks"], ref)["due_date"] == iso


def test_custom_date_is_a_calendar_date_in_the_account_zone() -> None:
    # 1518595200 is 2018-02-14 08:00 UTC: midnight in Los Angeles, still the 13th nowhere west of it.
    company = {"id": 1, "custom_fields": [{"custom_field_definition_id": 126242, "value": 1518595200}]}
    for timezone, day in (("America/Los_Angeles", "2018-02-14"), ("Pacific/Honolulu", "2018-02-13")):
        ref = build_reference(primary_timezone=timezone)
        assert compact(company, RECORD_MARKS["companies"], ref)["custom_fields"] == {"Renewal Date": day}


def test_unknown_timezone_falls_back_to_utc() -> None:
    assert build_reference(primary_timezone="Mars/Olympus").timezone == "UTC"


# -- nothing lost -------------------------------------------------------------------------------


def leaves(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every non-empty scalar in a JSON value, with its path."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    elif value is not None and value != "":
        yield path, value


def typed(value: Any) -> tuple[str, Any]:
    # Keeps True and 1 apart, so a checkbox cannot pass for an id.
    return type(value).__name__, value


def accepted_forms(
    entity: str, path: tuple[str | int, ...], value: Any, raw: dict[str, Any], ref: ReferenceData
) -> set[Any]:
    """The value itself, or what compact is allowed to turn it into."""
    forms = {typed(value)}
    top = path[0]
    marks = RECORD_MARKS[entity]
    *outer, last = [part for part in path if isinstance(part, str)]
    for part in outer:  # dates inside nested objects (a deal's leads_converted_from) count too
        marks = marks.nested.get(part, Marks())
    form = marks.dates.get(last) if path[-1] == last else None
    if form == "unix":
        forms.add(typed(datetime.fromtimestamp(value, ref.zone).isoformat()))
    if form == "mdy":
        month, day, year = (int(p) for p in value.split("/"))
        forms.add(typed(f"{year:04d}-{month:02d}-{day:02d}"))
    if entity == "activities" and top == "type":
        forms.add(typed(ref.activity_type_name(raw["type"]["category"], raw["type"]["id"])))
    if top == "custom_fields":
        entry = raw["custom_fields"][path[1]]
        definition = ref.custom_fields[entry["custom_field_definition_id"]]
        forms.add(typed(definition.name))  # the definition id is carried by the field's name
        option = definition.options.get(value) if isinstance(value, int) else None
        if option:
            forms.add(typed(option))
        if definition.data_type == "Date":
            forms.add(typed(datetime.fromtimestamp(value, ref.zone).date().isoformat()))
    return forms


def lost(entity: str, raw: dict[str, Any], result: dict[str, Any], ref: ReferenceData) -> list[Any]:
    """Raw leaves whose value (or allowed converted form) appears nowhere in result."""
    # An unset custom field is an empty value: its definition id alone is not data.
    raw = {**raw, "custom_fields": [e for e in raw.get("custom_fields", []) if e["value"] not in (None, "", [])]}
    found = {typed(value) for _, value in leaves(result)} | {typed(key) for key in _keys(result)}
    return [(path, value) for path, value in leaves(raw) if not accepted_forms(entity, path, value, raw, ref) & found]


@pytest.mark.parametrize("entity", ENTITIES)
def test_nothing_lost(entity: str, ref: ReferenceData, records: dict[str, dict[str, Any]]) -> None:
    raw = records[entity]
    assert lost(entity, raw, shaped(entity, raw, ref), ref) == []


def test_nothing_lost_notices_a_dropped_value(ref: ReferenceData, records: dict[str, dict[str, Any]]) -> None:
    raw = records["people"]
    result = shaped("people", raw, ref)
    del result["tags"]
    result["custom_fields"].pop("VIP")
    assert lost("people", raw, result, ref) == [
        (("tags", 0), "tag1"),
        (("custom_fields", 1, "custom_field_definition_id"), 126243),
        (("custom_fields", 1, "value"), True),
    ]


def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


# -- size ---------------------------------------------------------------------------------------

# Accounts commonly carry a few dozen custom fields, and Copper lists every one on every record,
# null when unset. Twenty (the five of the fixtures plus fifteen plain ones) is a modest account.
EXTRA_DEFINITIONS = [
    {
        "id": 200000 + n,
        "name": f"Extra field {n}",
        "data_type": ("String", "Float", "URL", "Text", "Currency")[n % 5],
        "available_on": ["lead", "person", "company", "opportunity", "project", "task"],
    }
    for n in range(15)
]


def with_extra_custom_fields(record: dict[str, Any], entity: str) -> dict[str, Any]:
    if "custom_fields" not in record:
        return record
    nulls = [{"custom_field_definition_id": d["id"], "value": None} for d in EXTRA_DEFINITIONS]
    return {**record, "custom_fields": [*record["custom_fields"], *nulls]}


@pytest.mark.parametrize("entity", [e for e in ENTITIES if "custom_fields" in RECORDS[e]])
def test_compact_is_about_half_the_raw_size(entity: str) -> None:
    """Dropping unset custom fields more than pays for names and ISO dates. (A deal lands just over
    half: its lead conversion's date is ISO too, 20 bytes longer than Unix seconds.)"""
    ref = build_reference([*CUSTOM_FIELD_DEFINITIONS, *EXTRA_DEFINITIONS])
    raw = with_extra_custom_fields(RECORDS[entity], entity)
    raw_bytes = len(json.dumps(raw))
    compact_bytes = len(json.dumps(shaped(entity, raw, ref)))
    assert compact_bytes <= raw_bytes * 0.55, (entity, compact_bytes, raw_bytes)


def test_a_page_of_sparse_records_still_shrinks(ref: ReferenceData) -> None:
    """With only the fixtures' five custom fields the page shrinks less (about 0.75 when written):
    ISO dates are longer than Unix seconds and names are added, and few nulls are there to drop."""
    page = list(RECORDS.items())
    raw_bytes = len(json.dumps([record for _, record in page]))
    compact_bytes = len(json.dumps([shaped(entity, record, ref) for entity, record in page]))
    assert compact_bytes < raw_bytes, (compact_bytes, raw_bytes)


def test_dates_inside_nested_objects_become_iso(ref: ReferenceData) -> None:
    nested = Marks(dates={"converted_timestamp": "unix"})
    fields = Marks(nested={"leads_converted_from": nested})
    person = {"leads_converted_from": [{"lead_id": 7, "converted_timestamp": 1_796_324_700}, {"lead_id": None}]}
    shaped = compact(person, fields, ref)
    iso = datetime.fromtimestamp(1_796_324_700, ref.zone).isoformat()
    assert shaped == {"leads_converted_from": [{"lead_id": 7, "converted_timestamp": iso}]}


def test_a_task_names_its_custom_activity_type(ref: ReferenceData, records: dict[str, dict[str, Any]]) -> None:
    task = shaped("tasks", records["tasks"], ref)
    assert (task["custom_activity_type_id"], task["custom_activity_type"]) == (6, "To Do")


# -- Connect-field links and field layouts ----------------------------------------------------------

LINK = {
    "id": 375,
    "custom_field_definition_id": 126250,
    # Copper's docs show a record's id as its name here, and a user's real name.
    "source": {"id": 27140442, "entity_type": "people", "name": "27140442"},
    "target": {"id": 155, "entity_type": "user", "name": "Deque Deque"},
}


def test_a_connect_link_names_its_field_and_its_records_from_the_lookup(ref: ReferenceData) -> None:
    linked = {("person", 27140442): "My Contact", ("company", 13358412): "Demo Company"}
    shown = compact(LINK, RECORD_MARKS["related_links"], ref, linked)
    assert shown == {
        "id": 375,
        "custom_field_definition_id": 126250,
        "custom_field_definition": "Referred by",
        "source": {"id": 27140442, "entity_type": "people", "name": "My Contact"},
        "target": {"id": 155, "entity_type": "user", "name": "Deque Deque"},  # a user keeps Copper's name
    }
    company = {**LINK, "target": {"id": 13358412, "entity_type": "organization", "name": "13358412"}}
    assert compact(company, RECORD_MARKS["related_links"], ref, linked)["target"]["name"] == "Demo Company"


def test_the_records_a_connect_link_names_are_looked_up_by_record_type() -> None:
    company = {**LINK, "target": {"id": 13358412, "entity_type": "organization"}}
    assert linked_ids([(company, RECORD_MARKS["related_links"])]) == {
        "person": {27140442},
        "company": {13358412},
    }
    assert linked_ids([(LINK, RECORD_MARKS["related_links"])]) == {"person": {27140442}, "user": {155}}


def test_a_layout_is_its_field_names_in_order_custom_fields_by_name(ref: ReferenceData) -> None:
    elements = [
        {"field_id": 0, "field_key": "name", "field_type": "static_field"},
        {"field_id": 126250, "field_key": "referred_by", "field_type": "custom_field"},
        {"field_id": 0, "field_key": "emails", "field_type": "static_field"},
        {"field_id": 999, "field_key": None, "field_type": "custom_field"},  # a field defined since
        {"field_id": 0, "field_key": None, "field_type": "static_field"},  # nothing to name it by
        {"field_id": 126243, "field_key": None, "field_type": "custom_field"},
    ]
    assert layout_fields(elements, ref) == {
        "fields": ["name", "Referred by", "emails", "999", "VIP"],
        "custom_fields": ["Referred by", "999", "VIP"],
    }


def test_layout_fields_sharing_a_name_are_told_apart_by_id() -> None:
    twins = [{"id": n, "name": "Region", "data_type": "String", "available_on": ["person"]} for n in (1, 2)]
    elements = [{"field_id": n, "field_key": None, "field_type": "custom_field"} for n in (1, 2)]
    assert layout_fields(elements, build_reference(twins))["custom_fields"] == ["Region (id 1)", "Region (id 2)"]
