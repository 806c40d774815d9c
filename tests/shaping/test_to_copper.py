"""to_copper(): names, ISO dates and named custom fields in; Copper's ids and formats out."""

from __future__ import annotations

from typing import Any

import pytest

from copper_mcp.core.errors import InputError, UnknownNameError
from copper_mcp.core.marks import Marks
from copper_mcp.shaping.reads import compact
from copper_mcp.shaping.reference import NO_REFERENCE, ReferenceData
from copper_mcp.shaping.writes import to_copper

from .conftest import INPUT_MARKS, RECORD_MARKS, RECORDS, build_reference


def write(entity: str, args: dict[str, Any], ref: ReferenceData) -> tuple[dict[str, Any], list[str]]:
    return to_copper(entity, args, INPUT_MARKS[entity], ref)


def error(entity: str, args: dict[str, Any], ref: ReferenceData) -> str:
    with pytest.raises(InputError) as caught:
        write(entity, args, ref)
    return str(caught.value)


# -- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "unix"),
    [
        (1796324700, 1796324700),  # already Unix
        ("1796324700", 1796324700),
        ("2026-12-03T19:05:00Z", 1796324700),
        ("2026-12-03T14:05:00-05:00", 1796324700),
        ("2026-12-04T04:05:00+09:00", 1796324700),
    ],
)
def test_dates_with_a_zone_need_no_note(ref: ReferenceData, given: object, unix: int) -> None:
    assert write("tasks", {"due_date": given}, ref) == ({"due_date": unix}, [])


@pytest.mark.parametrize(
    ("given", "unix", "shown"),
    [
        # A bare date is midnight in the account zone, winter (EST) and summer (EDT).
        ("2026-12-05", 1796446800, "2026-12-05T00:00:00-05:00"),
        ("2026-07-05", 1783224000, "2026-07-05T00:00:00-04:00"),
        # A time without a zone is read in the account zone, on each side of the March DST jump.
        ("2026-03-08T01:30:00", 1772951400, "2026-03-08T01:30:00-05:00"),
        ("2026-03-08T03:30:00", 1772955000, "2026-03-08T03:30:00-04:00"),
    ],
)
def test_dates_without_a_zone_are_read_in_the_account_zone_with_a_note(
    ref: ReferenceData, given: str, unix: int, shown: str
) -> None:
    body, notes = write("tasks", {"due_date": given}, ref)
    assert body == {"due_date": unix}
    assert notes == [f"due_date: {given} read as America/New_York ({shown})"]


def test_the_note_names_the_account_zone_not_the_server_zone() -> None:
    ref = build_reference(primary_timezone="Asia/Tokyo")
    body, notes = to_copper("tasks", {"due_date": "2026-12-05"}, INPUT_MARKS["tasks"], ref)
    assert body == {"due_date": 1796396400}  # 2026-12-04T15:00:00Z
    assert notes == ["due_date: 2026-12-05 read as Asia/Tokyo (2026-12-05T00:00:00+09:00)"]


def test_a_bare_date_as_upper_bound_includes_the_whole_day(ref: ReferenceData) -> None:
    body, notes = write("tasks", {"minimum_due_date": "2026-12-05", "maximum_due_date": "2026-12-05"}, ref)
    assert body == {"minimum_due_date": 1796446800, "maximum_due_date": 1796446800 + 86400 - 1}
    assert notes[1] == "maximum_due_date: 2026-12-05 read as America/New_York (2026-12-05T23:59:59-05:00)"


@pytest.mark.parametrize(
    ("given", "mdy", "noted"),
    [
        ("2026-01-15", "1/15/2026", False),
        ("1/15/2026", "1/15/2026", False),
        ("2026-01-15T23:30:00-05:00", "1/15/2026", True),
        ("2026-01-16T03:30:00Z", "1/15/2026", True),  # still the 15th in New York
        (1768537800, "1/15/2026", True),  # 2026-01-16T04:30Z
    ],
)
def test_close_date_is_m_d_yyyy_in_the_account_zone(ref: ReferenceData, given: object, mdy: str, noted: bool) -> None:
    body, notes = write("opportunities", {"close_date": given}, ref)
    assert body == {"close_date": mdy}
    assert bool(notes) is noted


@pytest.mark.parametrize("given", ["next friday", "2026-13-01", "12/5", True, {"day": 5}])
def test_unreadable_dates_say_what_to_send(ref: ReferenceData, given: object) -> None:
    message = error("tasks", {"due_date": given}, ref)
    assert message.startswith("due_date: cannot read")
    assert "ISO 8601" in message


def test_null_clears_a_date(ref: ReferenceData) -> None:
    assert write("tasks", {"due_date": None}, ref) == ({"due_date": None}, [])


# -- references ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"assignee_id": 159258}, {"assignee_id": 159258}),
        ({"assignee_id": "Dana Reyes"}, {"assignee_id": 159258}),
        ({"assignee_id": "  dana   REYES "}, {"assignee_id": 159258}),
        ({"assignee_id": "AKIM@example.com"}, {"assignee_id": 159260}),
        ({"assignee_id": "159259"}, {"assignee_id": 159259}),
        ({"customer_source_id": "cold call", "loss_reason_id": "Price"},
         {"customer_source_id": 331241, "loss_reason_id": 308806}),
        ({"pipeline_id": "Sales", "pipeline_stage_id": "qualified"},
         {"pipeline_id": 213214, "pipeline_stage_id": 987790}),
        ({"pipeline_id": 213215, "pipeline_stage_id": "Qualified"},
         {"pipeline_id": 213215, "pipeline_stage_id": 987796}),
        ({"pipeline_stage_id": "Negotiation"}, {"pipeline_stage_id": 987793}),  # unique without a pipeline
        ({"assignee_ids": ["Dana Reyes", 159259, -2]}, {"assignee_ids": [159258, 159259, -2]}),
        ({"pipeline_ids": ["Business Development"], "pipeline_stage_ids": ["Qualified", "Proposal"]},
         {"pipeline_ids": [213215], "pipeline_stage_ids": [987796, 987797]}),
        ({"company_id": 13349319, "primary_contact_id": 27140359},
         {"company_id": 13349319, "primary_contact_id": 27140359}),
        ({"assignee_id": None}, {"assignee_id": None}),
        ({"name": "Demo", "monetary_value": 1000}, {"name": "Demo", "monetary_value": 1000}),
    ],
)  # fmt: skip
def test_refs_take_ids_or_names(ref: ReferenceData, args: dict[str, Any], expected: dict[str, Any]) -> None:
    assert write("opportunities", args, ref) == (expected, [])


@pytest.mark.parametrize(
    ("entity", "args", "expected"),
    [
        ("leads", {"status_ids": ["new", "Contacted"], "customer_source_ids": ["Email"]},
         {"status_ids": [208231, 208233], "customer_source_ids": [331240]}),
        ("people", {"contact_type_ids": ["Potential Customer", 451493]}, {"contact_type_ids": [451490, 451493]}),
        ("activities", {"user_ids": ["dana.reyes@example.com"]}, {"user_ids": [159258]}),
    ],
)  # fmt: skip
def test_filter_arrays_take_names(
    ref: ReferenceData, entity: str, args: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert write(entity, args, ref) == (expected, [])


def test_an_ambiguous_user_lists_the_candidates_with_ids_and_emails(ref: ReferenceData) -> None:
    message = error("opportunities", {"assignee_id": "alex kim"}, ref)
    assert message == (
        "assignee_id: 'alex kim' matches several users: Alex Kim <alex.kim@example.com> (id 159259); "
        "Alex Kim <akim@example.com> (id 159260). Give the id instead."
    )


def test_an_ambiguous_stage_names_each_pipeline(ref: ReferenceData) -> None:
    message = error("opportunities", {"pipeline_stage_id": "Qualified"}, ref)
    assert "Qualified (id 987790, pipeline Sales)" in message
    assert "Qualified (id 987796, pipeline Business Development)" in message


def test_an_unknown_name_lists_valid_names_closest_first(ref: ReferenceData) -> None:
    message = error("opportunities", {"assignee_id": "Dana Reyse"}, ref)
    assert message.startswith("assignee_id: no user named 'Dana Reyse'. Valid users, closest first: Dana Reyes")
    assert message.endswith("Users can also be given by email.")
    message = error("leads", {"status_ids": ["Qualifed"]}, ref)
    assert "no lead status named 'Qualifed'. Valid lead statuses, closest first: " in message
    listed = message.split("closest first: ")[1]
    assert listed.startswith("Qualified (id 208234); Unqualified (id 208232)")


def test_a_stage_not_in_the_given_pipeline_lists_that_pipelines_stages(ref: ReferenceData) -> None:
    message = error("opportunities", {"pipeline_id": "Business Development", "pipeline_stage_id": "Negotiation"}, ref)
    assert "no pipeline stage named 'Negotiation' in pipeline Business Development" in message
    assert "Sales" not in message  # only the stages that would be valid here


def test_record_refs_need_an_id(ref: ReferenceData) -> None:
    message = error("opportunities", {"company_id": "Noemail"}, ref)
    assert message.startswith("company_id: 'Noemail' is not an id. A company is given by its numeric id")


@pytest.mark.parametrize("given", [True, 1.5, "", {"id": 5}])
def test_ref_values_of_the_wrong_type(ref: ReferenceData, given: object) -> None:
    assert error("tasks", {"assignee_id": given}, ref).startswith("assignee_id: expected an id or a name")


# -- activity types -----------------------------------------------------------------------------


def test_activity_type_by_name(ref: ReferenceData) -> None:
    body, _ = write("activities", {"type": "phone call", "details": "x", "parent": {"id": 1, "type": "person"}}, ref)
    assert body["type"] == {"category": "user", "id": 190711}
    body, _ = write("activities", {"activity_types": ["Note", {"id": 3, "category": "system"}]}, ref)
    assert body["activity_types"] == [{"category": "user", "id": 0}, {"id": 3, "category": "system"}]


def test_unknown_activity_type_lists_closest_first(ref: ReferenceData) -> None:
    message = error("activities", {"type": "Fone"}, ref)
    assert message.startswith("type: no activity type named 'Fone'. Valid activity types, closest first: Note;")


# -- names as people say them ---------------------------------------------------------------------


def test_names_ignore_accents_and_a_unique_start_or_word_is_enough() -> None:
    users = [{"id": 1, "name": "Tomás Herrera", "email": "tomas@x.example"},
             {"id": 2, "name": "Priya Shah", "email": "priya@x.example"},
             {"id": 3, "name": "Alex Kim", "email": "alex@x.example"},
             {"id": 4, "name": "Alexandra Ruiz", "email": "ar@x.example"}]  # fmt: skip
    ref = ReferenceData.from_copper(users=users)
    for given, expected in (("Tomas Herrera", 1), ("tomás  herrera", 1), ("Priya", 2), ("herrera", 1), ("Alex Kim", 3)):
        assert to_copper("tasks", {"assignee_id": given}, INPUT_MARKS["tasks"], ref)[0] == {"assignee_id": expected}
    # "Alex" starts two names: the error lists both, with their emails, to choose from.
    with pytest.raises(InputError, match="'Alex' matches several users") as ambiguous:
        to_copper("tasks", {"assignee_id": "Alex"}, INPUT_MARKS["tasks"], ref)
    assert "alex@x.example" in str(ambiguous.value) and "ar@x.example" in str(ambiguous.value)


def test_a_name_the_lists_do_not_hold_is_an_unknown_name_a_fresh_list_may_find(ref: ReferenceData) -> None:
    """It says what it is a name of, so the call can fetch that list again once."""
    with pytest.raises(UnknownNameError) as missed:
        write("opportunities", {"pipeline_stage_ids": ["Presentation", "Negotiations won"]}, ref)
    assert missed.value.need == "pipeline_stage"
    with pytest.raises(UnknownNameError) as missed:
        write("companies", {"custom_fields": [{"field": "Territory", "value": "West"}]}, ref)
    assert missed.value.need == "custom_fields"
    with pytest.raises(UnknownNameError) as missed:
        write("people", {"assignee_id": "Nobody"}, ref)
    assert missed.value.need == "user"


def test_a_task_type_is_a_custom_activity_type_by_name(ref: ReferenceData) -> None:
    assert write("tasks", {"custom_activity_type_id": "to do"}, ref) == ({"custom_activity_type_id": 6}, [])
    message = error("tasks", {"custom_activity_type_id": "Note"}, ref)
    # Note is an activity type but no task type: only custom activity types are offered.
    assert message.startswith("custom_activity_type_id: no custom activity type named 'Note'. Valid custom activity")
    assert "Note" not in message.split("closest first: ")[1]


def test_a_connect_field_is_named_among_connect_fields_alone(ref: ReferenceData) -> None:
    marks = Marks(refs={"custom_field_definition_id": "connect_field"})
    body, _ = to_copper("related_links", {"custom_field_definition_id": "referred BY"}, marks, ref)
    assert body == {"custom_field_definition_id": 126250}
    with pytest.raises(InputError) as caught:
        to_copper("related_links", {"custom_field_definition_id": "VIP"}, marks, ref)
    assert str(caught.value) == (
        "custom_field_definition_id: no Connect field named 'VIP'. Valid Connect fields, closest first: "
        "Referred by (id 126250)."
    )


# -- custom fields ------------------------------------------------------------------------------


def test_custom_fields_by_name(ref: ReferenceData) -> None:
    body, notes = write(
        "people",
        {
            "custom_fields": {
                "region notes": "West",
                "Color option": "blue",
                "Interests": ["Software", "hardware"],
                "Renewal Date": "2026-12-05",
                "VIP": False,
            }
        },
        ref,
    )
    assert body["custom_fields"] == [
        {"custom_field_definition_id": 100764, "value": "West"},
        {"custom_field_definition_id": 126240, "value": 167774},
        {"custom_field_definition_id": 126241, "value": [167780, 167781]},
        {"custom_field_definition_id": 126242, "value": 1796446800},
        {"custom_field_definition_id": 126243, "value": False},
    ]
    assert notes == ["Renewal Date: 2026-12-05 read as America/New_York (2026-12-05T00:00:00-05:00)"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Services", [167782]),  # a single MultiSelect choice is still a list
        ([167780], [167780]),  # option ids pass
        (None, None),  # null clears
    ],
)
def test_multiselect_values(ref: ReferenceData, value: object, expected: object) -> None:
    body, _ = write("leads", {"custom_fields": {"Interests": value}}, ref)
    assert body["custom_fields"] == [{"custom_field_definition_id": 126241, "value": expected}]


def test_the_raw_list_form_passes_through(ref: ReferenceData) -> None:
    raw = [{"custom_field_definition_id": 126240, "value": 167772}]
    assert write("opportunities", {"custom_fields": raw}, ref) == ({"custom_fields": raw}, [])


@pytest.mark.parametrize("key", ["126240", "#126240", "Color option (id 126240)"])
def test_a_field_can_be_named_by_its_id(ref: ReferenceData, key: str) -> None:
    body, _ = write("opportunities", {"custom_fields": {key: "Red"}}, ref)
    assert body["custom_fields"] == [{"custom_field_definition_id": 126240, "value": 167772}]


def test_search_filters_on_custom_fields(ref: ReferenceData) -> None:
    body, _ = write(
        "opportunities",
        {
            "custom_fields": {
                "Color option": {"value": "Red", "allow_empty": False},
                "Renewal Date": {"minimum_value": "2026-12-01", "maximum_value": "2026-12-31"},
            }
        },
        ref,
    )
    assert body["custom_fields"] == [
        {"custom_field_definition_id": 126240, "value": [167772], "allow_empty": False},
        {"custom_field_definition_id": 126242, "minimum_value": 1796101200, "maximum_value": 1798779599},
    ]


def test_unknown_custom_field_lists_this_entitys_fields_closest_first(ref: ReferenceData) -> None:
    message = error("people", {"custom_fields": {"Intrests": ["Software"]}}, ref)
    assert message.startswith("custom_fields: no field named 'Intrests' on people. Valid fields, closest first: ")
    listed = message.split("closest first: ")[1].rstrip(".").split("; ")
    assert listed[0] == "Interests"
    assert sorted(listed) == ["Color option", "Interests", "Referred by", "Region Notes", "Renewal Date", "VIP"]


def test_unknown_option_lists_options_closest_first(ref: ReferenceData) -> None:
    message = error("opportunities", {"custom_fields": {"Color option": "Greem"}}, ref)
    assert message == (
        "custom_fields: 'Color option' has no option 'Greem'. Valid options, closest first: Green; Red; Blue."
    )


def test_a_field_from_another_entity_says_where_it_is_available(ref: ReferenceData) -> None:
    message = error("leads", {"custom_fields": {"Color option": "Red"}}, ref)
    assert message == (
        "custom_fields: 'Color option' is not available on leads; it is available on opportunity, person, project."
    )


@pytest.mark.parametrize(("value", "expected"), [(True, True), ("yes", True), ("false", False)])
def test_checkbox_values(ref: ReferenceData, value: object, expected: bool) -> None:
    body, _ = write("companies", {"custom_fields": {"VIP": value}}, ref)
    assert body["custom_fields"] == [{"custom_field_definition_id": 126243, "value": expected}]


def test_checkbox_rejects_other_values(ref: ReferenceData) -> None:
    assert "is a checkbox; give true or false" in error("companies", {"custom_fields": {"VIP": "maybe"}}, ref)


def test_custom_fields_on_an_entity_without_any(ref: ReferenceData) -> None:
    assert error("activities", {"custom_fields": {"VIP": True}}, ref).startswith(
        "custom_fields: 'VIP' is not available on activities"
    )


# -- round trip ---------------------------------------------------------------------------------

FRIENDLY: dict[str, dict[str, Any]] = {
    "opportunities": {
        "assignee_id": "akim@example.com",
        "pipeline_id": "Business Development",
        "pipeline_stage_id": "Proposal",
        "loss_reason_id": "timing",
        "customer_source_id": "Cold Call",
        "close_date": "2026-11-30",
        "custom_fields": {"Color option": "Red", "Renewal Date": "2027-03-14"},
    },
    "people": {
        "assignee_id": "Dana Reyes",
        "contact_type_id": "Current Customer",
        "custom_fields": {"Interests": ["Hardware", "Services"], "VIP": True, "Region Notes": "EMEA"},
    },
    "leads": {"status_id": "Contacted", "customer_source_id": "Email", "assignee_id": "akim@example.com"},
    "tasks": {
        "assignee_id": "Dana Reyes",
        "due_date": "2026-03-08T03:30:00-04:00",
        "custom_activity_type_id": "meeting",
    },
    "activities": {"type": "Meeting", "activity_date": "2026-11-01T01:30:00-04:00"},
}
EXPECTED_NAMES: dict[str, dict[str, Any]] = {
    "opportunities": {
        "assignee": "Alex Kim",
        "pipeline": "Business Development",
        "pipeline_stage": "Proposal",
        "loss_reason": "Timing",
        "customer_source": "Cold Call",
        "close_date": "2026-11-30",
        "custom_fields": {"Color option": "Red", "Renewal Date": "2027-03-14"},
    },
    "people": {
        "assignee": "Dana Reyes",
        "contact_type": "Current Customer",
        "custom_fields": {"Interests": ["Hardware", "Services"], "VIP": True, "Region Notes": "EMEA"},
    },
    "leads": {"status": "Contacted", "customer_source": "Email", "assignee": "Alex Kim"},
    "tasks": {"assignee": "Dana Reyes", "due_date": "2026-03-08T03:30:00-04:00", "custom_activity_type": "Meeting"},
    # 01:30 on the first Sunday of November happens twice in New York; the offset picks the first.
    "activities": {"type_name": "Meeting", "activity_date": "2026-11-01T01:30:00-04:00"},
}


@pytest.mark.parametrize("entity", list(FRIENDLY))
def test_round_trip_gives_back_the_same_names_and_dates(entity: str, ref: ReferenceData) -> None:
    body, notes = write(entity, FRIENDLY[entity], ref)
    # What Copper would store: the record with the body applied (a lead's status text follows its id).
    stored = {key: value for key, value in RECORDS[entity].items() if key != "status"} | body
    shaped = compact(stored, RECORD_MARKS[entity], ref)
    for key, value in EXPECTED_NAMES[entity].items():
        assert shaped[key] == value, key
    assert all("read as" in note for note in notes)  # only the bare dates needed a note


# -- the published forms: what every host's schema offers ----------------------------------------


def test_custom_fields_as_the_published_list_read_like_the_map(ref: ReferenceData) -> None:
    listed = [
        {"field": "region notes", "value": "West"},
        {"field": "Color option", "value": "blue"},
        {"field": "Interests", "value": "Software, hardware"},  # several options, by commas
        {"field": "Renewal Date", "value": "2026-12-05"},
        {"field": "VIP", "value": "false"},
    ]
    mapped = {"region notes": "West", "Color option": "blue", "Interests": ["Software", "hardware"],
              "Renewal Date": "2026-12-05", "VIP": False}  # fmt: skip
    assert write("people", {"custom_fields": listed}, ref) == write("people", {"custom_fields": mapped}, ref)


def test_a_published_list_item_with_filter_parts_is_a_filter(ref: ReferenceData) -> None:
    listed = [
        {"field": "Color option", "value": "Red", "allow_empty": False},
        {"field": "Renewal Date", "minimum_value": "2026-12-01", "maximum_value": "2026-12-31"},
        {"field": "Interests", "value": "Software, Services", "option": "ALL"},
    ]
    body, _ = write("people", {"custom_fields": listed}, ref)
    assert body["custom_fields"] == [
        {"custom_field_definition_id": 126240, "value": [167772], "allow_empty": False},
        {"custom_field_definition_id": 126242, "minimum_value": 1796101200, "maximum_value": 1798779599},
        {"custom_field_definition_id": 126241, "value": [167780, 167782], "option": "ALL"},
    ]


def test_an_option_whose_name_has_a_comma_is_not_split() -> None:
    definitions = [{"id": 9, "name": "Sizes", "data_type": "MultiSelect", "available_on": ["person"],
                    "options": [{"id": 1, "name": "Small, medium"}, {"id": 2, "name": "Large"}]}]  # fmt: skip
    body, _ = write("people", {"custom_fields": [{"field": "Sizes", "value": "Small, medium"}]},
                    build_reference(definitions))  # fmt: skip
    assert body["custom_fields"] == [{"custom_field_definition_id": 9, "value": [1]}]


@pytest.mark.parametrize(("text", "number"), [("155000", 155000), ("12.5", 12.5), ("$1,200", 1200)])
def test_numbers_given_as_text_are_sent_as_numbers(text: str, number: float) -> None:
    definitions = [{"id": 7, "name": "Budget", "data_type": "Currency", "available_on": ["opportunity"]}]
    args = {"custom_fields": [{"field": "Budget", "value": text}]}
    body, _ = write("opportunities", args, build_reference(definitions))
    assert body["custom_fields"] == [{"custom_field_definition_id": 7, "value": number}]
    assert type(body["custom_fields"][0]["value"]) is type(number)


def test_a_number_field_refuses_words() -> None:
    definitions = [{"id": 7, "name": "Budget", "data_type": "Float", "available_on": ["opportunity"]}]
    with pytest.raises(InputError, match="'Budget' takes a number, not 'lots'"):
        write("opportunities", {"custom_fields": [{"field": "Budget", "value": "lots"}]}, build_reference(definitions))


def test_a_published_list_item_needs_its_field(ref: ReferenceData) -> None:
    assert 'needs a "field"' in error("people", {"custom_fields": [{"field": "VIP"}, {"value": "x"}]}, ref)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"status_ids": ["Won", "lost", 0]}, {"status_ids": [1, 2, 0]}),  # words, any case, or Copper's numbers
        ({"followed": True}, {"followed": 1}),
        ({"followed": False}, {"followed": 2}),
        ({"followed": 1}, {"followed": 1}),  # 1 is Copper's own form, not True
    ],
)
def test_words_for_copper_s_numbers(ref: ReferenceData, args: dict[str, Any], expected: dict[str, Any]) -> None:
    body, notes = write("opportunities", args, ref)
    assert (body, notes) == (expected, [])
    assert all(type(v) is int for value in body.values() for v in (value if isinstance(value, list) else [value]))


def test_pairs_become_an_object_and_an_object_passes() -> None:
    marks = Marks(pairs=frozenset({"headers"}))
    pairs = [{"name": "X-Token", "value": "abc"}, {"name": "X-Team", "value": "ops"}]
    joined = {"headers": {"X-Token": "abc", "X-Team": "ops"}}
    assert to_copper("", {"headers": pairs}, marks, NO_REFERENCE) == (joined, [])
    assert to_copper("", {"headers": {"X-Token": "abc"}}, marks, NO_REFERENCE) == ({"headers": {"X-Token": "abc"}}, [])
