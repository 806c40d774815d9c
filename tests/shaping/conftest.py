"""Fixtures shaped like the Copper API reference (copper-api.md §3 and §8)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from copper_mcp.catalog import load_catalog
from copper_mcp.core.entities import BY_PLURAL
from copper_mcp.core.marks import Marks
from copper_mcp.shaping.reference import ReferenceData

ACCOUNT = {
    "id": 100624,
    "name": "Dev API Sandbox",
    "primary_timezone": "America/New_York",
    "settings": {"setting_team_permissions_enabled": False, "setting_enable_leads": True},
}
# Two users share a name on purpose: names are not unique in Copper, emails are.
USERS = [
    {"id": 159258, "name": "Dana Reyes", "email": "dana.reyes@example.com", "groups": [{"id": 1, "name": "Sales"}]},
    {"id": 159259, "name": "Alex Kim", "email": "alex.kim@example.com", "groups": []},
    {"id": 159260, "name": "Alex Kim", "email": "akim@example.com", "groups": []},
]
# "Qualified" is a stage of both pipelines, as happens in real accounts.
PIPELINES = [
    {
        "id": 213214,
        "name": "Sales",
        "stages": [
            {"id": 987790, "name": "Qualified", "win_probability": 5},
            {"id": 987791, "name": "Follow-up", "win_probability": 10},
            {"id": 987792, "name": "Presentation", "win_probability": 50},
            {"id": 987793, "name": "Negotiation", "win_probability": 75},
        ],
    },
    {
        "id": 213215,
        "name": "Business Development",
        "stages": [
            {"id": 987795, "name": "First Meeting", "win_probability": 10},
            {"id": 987796, "name": "Qualified", "win_probability": 30},
            {"id": 987797, "name": "Proposal", "win_probability": 60},
        ],
    },
]
CONTACT_TYPES = [
    {"id": 451490, "name": "Potential Customer"},
    {"id": 451491, "name": "Current Customer"},
    {"id": 451492, "name": "Uncategorized"},
    {"id": 451493, "name": "Other"},
]
CUSTOMER_SOURCES = [
    {"id": 331240, "name": "Email"},
    {"id": 331241, "name": "Cold Call"},
    {"id": 331242, "name": "Advertising"},
]
LOSS_REASONS = [{"id": 308806, "name": "Price"}, {"id": 308807, "name": "Competitor"}, {"id": 308808, "name": "Timing"}]
LEAD_STATUSES = [
    {"id": 208231, "name": "New", "order": 1, "is_default": True},
    {"id": 208232, "name": "Unqualified", "order": 2, "is_default": False},
    {"id": 208233, "name": "Contacted", "order": 3, "is_default": False},
    {"id": 208234, "name": "Qualified", "order": 4, "is_default": False},
]
ACTIVITY_TYPES = {
    "user": [
        {"id": 0, "category": "user", "name": "Note", "is_disabled": False, "count_as_interaction": False},
        {"id": 190711, "category": "user", "name": "Phone Call", "is_disabled": False, "count_as_interaction": True},
        {"id": 190712, "category": "user", "name": "Meeting", "is_disabled": False, "count_as_interaction": True},
        {"id": 6, "category": "user", "name": "To Do", "is_disabled": False, "count_as_interaction": False},
    ],
    "system": [
        {
            "id": 1,
            "category": "system",
            "name": "Property Changed",
            "is_disabled": False,
            "count_as_interaction": False,
        },
        {
            "id": 3,
            "category": "system",
            "name": "Pipeline Stage Changed",
            "is_disabled": False,
            "count_as_interaction": False,
        },
    ],
}
# Every user activity type but Note, as /custom_activity_types shows them (Copper's 2019 example);
# "To Do" is the default task type.
CUSTOM_ACTIVITY_TYPES = [
    {"id": 190711, "company_id": 100624, "icon_type": "Phone", "is_disabled": False, "is_interaction": True,
     "name": "Phone Call", "is_default_task_type": None},
    {"id": 190712, "company_id": 100624, "icon_type": "Event", "is_disabled": False, "is_interaction": True,
     "name": "Meeting", "is_default_task_type": None},
    {"id": 6, "company_id": 100624, "icon_type": "Todo", "is_disabled": False, "is_interaction": False,
     "name": "To Do", "is_default_task_type": True},
]  # fmt: skip
CUSTOM_FIELD_DEFINITIONS: list[dict[str, Any]] = [
    {
        "id": 100764,
        "name": "Region Notes",
        "canonical_name": None,
        "data_type": "String",
        "available_on": ["lead", "person", "company", "opportunity"],
        "is_filterable": False,
    },
    {
        "id": 126240,
        "name": "Color option",
        "canonical_name": None,
        "data_type": "Dropdown",
        "available_on": ["opportunity", "project", "person"],
        "is_filterable": True,
        "options": [
            {"id": 167772, "name": "Red", "rank": 0},
            {"id": 167773, "name": "Green", "rank": 1},
            {"id": 167774, "name": "Blue", "rank": 2},
        ],
    },
    {
        "id": 126241,
        "name": "Interests",
        "canonical_name": None,
        "data_type": "MultiSelect",
        "available_on": ["person", "lead", "company"],
        "is_filterable": True,
        "options": [
            {"id": 167780, "name": "Software", "rank": 0},
            {"id": 167781, "name": "Hardware", "rank": 1},
            {"id": 167782, "name": "Services", "rank": 2},
        ],
    },
    {
        "id": 126242,
        "name": "Renewal Date",
        "canonical_name": None,
        "data_type": "Date",
        "available_on": ["opportunity", "company", "person"],
        "is_filterable": True,
    },
    {
        "id": 126243,
        "name": "VIP",
        "canonical_name": None,
        "data_type": "Checkbox",
        "available_on": ["person", "company", "lead"],
        "is_filterable": True,
    },
    # A Connect field: its values are links made through /related_links.
    {
        "id": 126250,
        "name": "Referred by",
        "canonical_name": "referred_by",
        "data_type": "Connect",
        "available_on": ["person"],
        "is_filterable": False,
    },
]

_CATALOG = load_catalog()
RECORD_MARKS = _CATALOG.records
"""What compact() reads, from the API description as the server has it."""


def _input_marks(entity: str) -> Marks:
    """The marks of an entity's search and create inputs together (each tool carries its own)."""
    found = [op.marks for op in _CATALOG.operations if op.name in (f"search_{entity}", f"create_{_singular(entity)}")]
    return Marks(
        refs={k: v for marks in found for k, v in marks.refs.items()},
        dates={k: v for marks in found for k, v in marks.dates.items()},
        nested={k: v for marks in found for k, v in marks.nested.items()},
        values={k: v for marks in found for k, v in marks.values.items()},
        pairs=frozenset().union(*(marks.pairs for marks in found)),
    )


def _singular(entity: str) -> str:
    return BY_PLURAL[entity].singular


INPUT_MARKS = {entity: _input_marks(entity) for entity in BY_PLURAL}
"""What to_copper() reads for a search or a create of each entity."""


def _custom(values: dict[int, Any], available_on: str) -> list[dict[str, Any]]:
    """Copper lists every definition available on the entity, null when unset."""
    return [
        {"custom_field_definition_id": d["id"], "value": values.get(d["id"])}
        for d in CUSTOM_FIELD_DEFINITIONS
        if available_on in d["available_on"]
    ]


RECORDS: dict[str, dict[str, Any]] = {
    "people": {
        "id": 27140442, "name": "My Contact", "prefix": None, "first_name": "My", "middle_name": None,
        "last_name": "Contact", "suffix": None,
        "address": {
            "street": "123 Main Street", "city": "Savannah", "state": "GA", "postal_code": "31410", "country": None,
        },
        "assignee_id": 159258, "company_id": 13349319, "company_name": "Noemail", "contact_type_id": 451492,
        "details": None, "emails": [{"email": "mycontact_123@noemail.com", "category": "work"}],
        "phone_numbers": [{"number": "415-123-45678", "category": "mobile"}],
        "socials": [], "tags": ["tag1"], "title": "Business Development", "websites": [],
        "custom_fields": _custom({126241: [167780, 167782], 126243: True}, "person"),
        "interaction_count": 0, "leads_converted_from": [], "date_lead_created": None,
        "date_last_contacted": None, "date_created": 1490045413, "date_modified": 1490045413,
    },
    "companies": {
        "id": 13358412, "name": "Demo Company",
        "address": {"street": None, "city": "Savannah", "state": "GA", "postal_code": None, "country": None},
        "assignee_id": None, "contact_type_id": 451491, "primary_contact_id": 27140442,
        "details": "This is a demo company", "email_domain": "democompany.com",
        "phone_numbers": [{"number": "415-123-45678", "category": "work"}], "socials": [], "tags": [],
        "websites": [], "custom_fields": _custom({126242: 1518595200}, "company"),
        "interaction_count": 0, "date_last_contacted": None, "date_created": 1496707930, "date_modified": 1496707930,
    },
    "leads": {
        "id": 13244480, "name": "My Lead", "prefix": None, "first_name": "My", "last_name": "Lead",
        "middle_name": None, "suffix": None, "address": None, "assignee_id": None, "company_name": None,
        "customer_source_id": 331242, "details": None,
        "email": {"email": "mylead@noemail.com", "category": "work"}, "interaction_count": 0,
        "monetary_unit": None, "monetary_value": None, "socials": [], "status": "New", "status_id": 208231,
        "tags": [], "title": None, "websites": [],
        "phone_numbers": [{"number": "415-123-45678", "category": "mobile"}],
        "custom_fields": _custom({100764: "Text fields are 255 chars or less!"}, "lead"),
        "date_created": 1502158444, "date_modified": 1502158444, "date_last_contacted": None,
    },
    "opportunities": {
        "id": 4417020, "name": "Demo Project", "assignee_id": 159259, "close_date": "1/15/2018",
        "company_id": 13349319, "company_name": "Noemail", "customer_source_id": None, "details": "",
        "loss_reason_id": None, "pipeline_id": 213214, "pipeline_stage_id": 987790,
        "primary_contact_id": 27140359, "priority": "None", "status": "Open", "tags": [],
        "interaction_count": 1, "monetary_unit": "USD", "monetary_value": 1000, "win_probability": 0,
        "date_stage_changed": 1515434869, "date_last_contacted": 1496703593,
        "leads_converted_from": [{"lead_id": 11393303, "converted_timestamp": 1496694264}],
        "date_lead_created": 1496692663, "date_created": 1496694264, "date_modified": 1496943309,
        "pipeline_is_revenue": True, "pipeline_type": "opportunity",
        "custom_fields": _custom({126240: 167773}, "opportunity"),
    },
    "projects": {
        "id": 208105, "name": "New Demo Project", "related_resource": None, "assignee_id": None,
        "status": "Open", "details": None, "tags": [], "custom_fields": _custom({}, "project"),
        "date_created": 1496713867, "date_modified": 1496713867,
    },
    "tasks": {
        "id": 3716920, "name": "My First Task", "related_resource": {"id": 144296, "type": "project"},
        "assignee_id": 137658, "due_date": 1496799000, "reminder_date": None, "completed_date": None,
        "priority": "None", "status": "Open", "details": "This is an update", "tags": [], "custom_fields": [],
        "date_created": 1496712856, "date_modified": 1496776369, "custom_activity_type_id": 6,
    },
    "activities": {
        "id": 3064242278, "parent": {"id": 27140359, "type": "person"}, "type": {"id": 190711, "category": "user"},
        "user_id": 159258, "details": "Called about the renewal", "activity_date": 1496772355,
        "old_value": None, "new_value": None, "date_created": 1496772355, "date_modified": 1496772355,
    },
}  # fmt: skip


def build_reference(
    definitions: list[dict[str, Any]] = CUSTOM_FIELD_DEFINITIONS, **account_changes: Any
) -> ReferenceData:
    """ReferenceData from the literal JSON above, optionally with other custom fields or account fields changed."""
    return ReferenceData.from_copper(
        {**ACCOUNT, **account_changes},
        USERS,
        PIPELINES,
        CONTACT_TYPES,
        CUSTOMER_SOURCES,
        LOSS_REASONS,
        LEAD_STATUSES,
        ACTIVITY_TYPES,
        definitions,
        CUSTOM_ACTIVITY_TYPES,
    )


@pytest.fixture
def ref() -> ReferenceData:
    return build_reference()


@pytest.fixture
def records() -> dict[str, dict[str, Any]]:
    """Fresh copies, so a test may change a record."""
    return copy.deepcopy(RECORDS)
