"""ReferenceData.from_copper(): lookups both ways from the raw Copper JSON."""

from __future__ import annotations

import pytest

from copper_mcp.core.marks import Marks
from copper_mcp.shaping.reference import ReferenceData

from .conftest import build_reference


def test_account_time_zone(ref: ReferenceData) -> None:
    assert ref.timezone == "America/New_York"
    assert ref.zone.key == "America/New_York"
    assert ref.account["name"] == "Dev API Sandbox"


@pytest.mark.parametrize(
    ("kind", "ref_id", "name"),
    [
        ("user", 159258, "Dana Reyes"),
        ("pipeline", 213215, "Business Development"),
        ("pipeline_stage", 987796, "Qualified"),
        ("contact_type", 451490, "Potential Customer"),
        ("customer_source", 331242, "Advertising"),
        ("loss_reason", 308807, "Competitor"),
        ("lead_status", 208233, "Contacted"),
        ("user", 1, None),
        ("user", "159258", None),  # ids are ints; a string is not looked up
        ("user", True, None),
        ("company", 13349319, None),  # records are not reference data
    ],
)
def test_id_to_name(ref: ReferenceData, kind: str, ref_id: object, name: str | None) -> None:
    assert ref.name_of(kind, ref_id) == name


@pytest.mark.parametrize(
    ("kind", "text", "pipelines", "ids"),
    [
        ("user", "dana reyes", (), [159258]),
        ("user", "DANA.REYES@example.com", (), [159258]),
        ("user", "Alex Kim", (), [159259, 159260]),
        ("pipeline_stage", "Qualified", (), [987790, 987796]),
        ("pipeline_stage", "Qualified", (213215,), [987796]),
        ("lead_status", "junk", (), []),
    ],
)
def test_name_to_ids(ref: ReferenceData, kind: str, text: str, pipelines: tuple[int, ...], ids: list[int]) -> None:
    assert ref.ids_named(kind, text, pipelines) == ids


def test_activity_types_both_ways(ref: ReferenceData) -> None:
    assert ref.activity_type_name("user", 190711) == "Phone Call"
    assert ref.activity_type_name("system", 3) == "Pipeline Stage Changed"
    assert ref.activity_type_name("system", 190711) is None
    assert ref.activity_types_named("note") == [("user", 0)]


def test_custom_field_definitions(ref: ReferenceData) -> None:
    color = ref.custom_fields[126240]
    assert (color.name, color.data_type, color.available_on) == (
        "Color option",
        "Dropdown",
        ("opportunity", "project", "person"),
    )
    assert color.option_name(167773) == "Green"
    assert [d.name for d in ref.custom_fields_on("lead")] == ["Region Notes", "Interests", "VIP"]


def test_reference_data_is_read_only(ref: ReferenceData) -> None:
    with pytest.raises(TypeError):
        ref.names["user"][1] = "Someone"  # type: ignore[index]


def test_marks_reject_unknown_refs_and_date_forms() -> None:
    with pytest.raises(ValueError, match="unknown field marks"):
        Marks(refs={"owner_id": "owner"})
    with pytest.raises(ValueError, match="unknown field marks"):
        Marks(dates={"due_date": "iso"})


def test_missing_time_zone_means_utc() -> None:
    assert build_reference(primary_timezone=None).timezone == "UTC"
