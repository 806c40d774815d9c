"""Per-entity fields, defaults and input validation, described as data.

Each entity lists its fields with a kind (how values are checked) and whether they
can be written. ``validate_input`` turns a request body into the changes to store;
read-only and unknown fields are ignored, wrong types are a 422 naming the field.
"""

from __future__ import annotations

import copy
import datetime
import re
from dataclasses import dataclass
from typing import Any

from copper_mcp.sandbox import activitytypes, customfields
from copper_mcp.sandbox.checks import choice, is_int, is_number, is_one_of
from copper_mcp.sandbox.errors import invalid
from copper_mcp.sandbox.recordtypes import BY_PLURAL, RECORD_TYPES, TYPES, RecordType
from copper_mcp.sandbox.store import Store

EMAIL_CATEGORIES = ("work", "personal", "other")
PHONE_CATEGORIES = ("mobile", "work", "home", "other")
SOCIAL_CATEGORIES = (
    "linkedin", "twitter", "googleplus", "facebook", "youtube",
    "quora", "foursquare", "klout", "gravatar", "other",
)  # fmt: skip
WEBSITE_CATEGORIES = ("work", "personal", "other")
ADDRESS_KEYS = ("street", "city", "state", "postal_code", "country")

# Reference kinds that ``ref`` fields may point at (singular name -> store kind).
REF_KINDS = {
    **RECORD_TYPES,
    "user": "users",
    "contact_type": "contact_types",
    "customer_source": "customer_sources",
    "loss_reason": "loss_reasons",
    "lead_status": "lead_statuses",
    "pipeline": "pipelines",
    "pipeline_stage": "pipeline_stages",
}
_MAX_UNIX = 2**40  # far beyond any real date, small enough to stay an exact JSON number
_MDY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


@dataclass(frozen=True)
class Field:
    """How one field is checked and whether a client may write it."""

    kind: str
    """str | int | number | bool | enum | ref | unix | mdy | percent | emails | email | phones |
    socials | websites | address | tags | resource | parent | activity_type | custom_activity_type |
    custom_fields | any"""
    ref: str | None = None
    choices: tuple[str, ...] = ()
    writable: bool = True
    create_only: bool = False
    nullable: bool = True
    default: Any = None
    relation: bool = False
    """The value is also a related-items link to the ``ref`` record (a person's company_id)."""


@dataclass(frozen=True)
class Entity:
    """One record type's fields and required fields; its names come from ``recordtypes``."""

    type: RecordType
    fields: dict[str, Field]
    required: tuple[str, ...] = ("name",)

    @property
    def plural(self) -> str:
        """The URL name (``people``)."""
        return self.type.plural

    @property
    def singular(self) -> str:
        """The link name (``person``)."""
        return self.type.singular

    def defaults(self) -> dict[str, Any]:
        """A new record's field values before the client's input is applied."""
        return {name: copy.deepcopy(f.default) for name, f in self.fields.items()}


def _ro(kind: str = "any", default: Any = None) -> Field:
    return Field(kind, writable=False, default=default)


_STR = Field("str")
_TAGS = Field("tags", default=[])
_CUSTOM = Field("custom_fields", nullable=False, default={})  # values clear one by one (value: null)
_NAME_PARTS = {"prefix": _STR, "first_name": _STR, "middle_name": _STR, "last_name": _STR, "suffix": _STR}
_CONTACT = {
    "address": Field("address"),
    "phone_numbers": Field("phones", default=[]),
    "socials": Field("socials", default=[]),
    "websites": Field("websites", default=[]),
}
_TIMES = {"date_created": _ro(), "date_modified": _ro()}

PEOPLE = Entity(
    BY_PLURAL["people"],
    {
        "name": _STR,
        **_NAME_PARTS,
        **_CONTACT,
        "assignee_id": Field("ref", "user"),
        # Copper: a person's company changes through related items, not through update.
        "company_id": Field("ref", "company", create_only=True, relation=True),
        "company_name": _ro(),
        "contact_type_id": Field("ref", "contact_type"),
        "details": _STR,
        "emails": Field("emails", default=[]),
        "tags": _TAGS,
        "title": _STR,
        "custom_fields": _CUSTOM,
        "interaction_count": _ro(default=0),
        "leads_converted_from": _ro(default=[]),
        "date_lead_created": _ro(),
        "date_last_contacted": _ro(),
        **_TIMES,
    },
)

COMPANIES = Entity(
    BY_PLURAL["companies"],
    {
        "name": _STR,
        **_CONTACT,
        "assignee_id": Field("ref", "user"),
        "contact_type_id": Field("ref", "contact_type"),
        "details": _STR,
        "email_domain": _STR,
        "primary_contact_id": Field("ref", "person"),
        "tags": _TAGS,
        "custom_fields": _CUSTOM,
        "interaction_count": _ro(default=0),
        "date_last_contacted": _ro(),
        **_TIMES,
    },
)

LEADS = Entity(
    BY_PLURAL["leads"],
    {
        "name": _STR,
        **_NAME_PARTS,
        **_CONTACT,
        "assignee_id": Field("ref", "user"),
        "company_name": _STR,
        "customer_source_id": Field("ref", "customer_source"),
        "details": _STR,
        "email": Field("email"),
        "monetary_unit": _STR,
        "monetary_value": Field("number"),
        "status": _ro(),  # mirrors status_id; see records.py
        "status_id": Field("ref", "lead_status"),
        "tags": _TAGS,
        "title": _STR,
        "custom_fields": _CUSTOM,
        "interaction_count": _ro(default=0),
        "date_last_contacted": _ro(),
        **_TIMES,
    },
)

OPPORTUNITIES = Entity(
    BY_PLURAL["opportunities"],
    {
        "name": _STR,
        "assignee_id": Field("ref", "user"),
        "close_date": Field("mdy"),
        "company_id": Field("ref", "company", relation=True),
        "company_name": _ro(),
        "customer_source_id": Field("ref", "customer_source"),
        "details": _STR,
        "loss_reason_id": Field("ref", "loss_reason"),
        "pipeline_id": Field("ref", "pipeline"),
        "pipeline_stage_id": Field("ref", "pipeline_stage"),
        "primary_contact_id": Field("ref", "person", relation=True),
        "priority": Field("enum", choices=("None", "Low", "Medium", "High"), nullable=False, default="None"),
        "status": Field("enum", choices=("Open", "Won", "Lost", "Abandoned"), nullable=False, default="Open"),
        "tags": _TAGS,
        "monetary_unit": Field("str", default="USD"),
        "monetary_value": Field("number"),
        "win_probability": Field("percent"),
        "custom_fields": _CUSTOM,
        "interaction_count": _ro(default=0),
        "date_stage_changed": _ro(),
        "date_last_contacted": _ro(),
        "leads_converted_from": _ro(default=[]),
        "date_lead_created": _ro(),
        **_TIMES,
    },
)

PROJECTS = Entity(
    BY_PLURAL["projects"],
    {
        "name": _STR,
        "related_resource": Field("resource"),
        "assignee_id": Field("ref", "user"),
        "status": Field("enum", choices=("Open", "Completed"), nullable=False, default="Open"),
        "details": _STR,
        "tags": _TAGS,
        "custom_fields": _CUSTOM,
        **_TIMES,
    },
)

TASKS = Entity(
    BY_PLURAL["tasks"],
    {
        "name": _STR,
        "related_resource": Field("resource"),
        "assignee_id": Field("ref", "user"),
        "due_date": Field("unix"),
        "reminder_date": Field("unix"),
        "completed_date": _ro(),  # set when the status goes Open -> Completed
        "priority": Field("enum", choices=("None", "High"), nullable=False, default="None"),
        "status": Field("enum", choices=("Open", "Completed"), nullable=False, default="Open"),
        "details": _STR,
        "tags": _TAGS,
        "custom_fields": _CUSTOM,
        "custom_activity_type_id": Field("custom_activity_type"),
        **_TIMES,
    },
)

ACTIVITIES = Entity(
    BY_PLURAL["activities"],
    {
        "parent": Field("parent", nullable=False),
        "type": Field("activity_type", nullable=False),
        "user_id": Field("ref", "user"),
        "details": Field("str", nullable=False),
        "activity_date": Field("unix"),
        "old_value": _ro(),
        "new_value": _ro(),
        **_TIMES,
    },
    required=("parent", "type", "details"),
)

_TABLES = {e.plural: e for e in (PEOPLE, COMPANIES, LEADS, OPPORTUNITIES, PROJECTS, TASKS, ACTIVITIES)}
ENTITIES: dict[str, Entity] = {t.plural: _TABLES[t.plural] for t in TYPES}
"""Field tables by plural name, in ``recordtypes.TYPES`` order (every type has one)."""

FIELD_RELATIONS: tuple[tuple[str, str, str], ...] = tuple(
    (e.singular, name, f.ref)
    for e in ENTITIES.values()
    for name, f in e.fields.items()
    if f.relation and f.ref is not None
)
"""Relations held by a record field: (record type, field, related type)."""
RESOURCE_HOLDERS: tuple[str, ...] = tuple(
    e.singular for e in ENTITIES.values() if any(f.kind == "resource" for f in e.fields.values())
)
"""Records whose ``related_resource`` field is itself a relation."""


def validate_input(entity: Entity, body: dict[str, Any], store: Store, creating: bool) -> dict[str, Any]:
    """Return the checked, normalised values of every writable field present in ``body``.

    Custom fields come back as ``{"<definition id>": value}`` for merging into the record.
    """
    changes: dict[str, Any] = {}
    for name, spec in entity.fields.items():
        if name not in body or not spec.writable or (spec.create_only and not creating):
            continue
        value = body[name]
        if value is None:
            if not spec.nullable or name in entity.required:
                raise invalid(name, "cannot be null")
            changes[name] = None
            continue
        changes[name] = _check(name, spec, value, store, entity)
    if creating:
        for name in entity.required:
            value = changes.get(name)
            if value is None or (isinstance(value, str) and not value.strip()):
                raise invalid(name, "is required")
    elif "name" in changes and isinstance(changes["name"], str) and not changes["name"].strip():
        raise invalid("name", "cannot be empty")
    return changes


def mdy_to_unix(text: str) -> int | None:
    """Parse an opportunity ``close_date`` ("M/D/YYYY") to Unix seconds at UTC midnight."""
    match = _MDY.match(text)
    if not match:
        return None
    month, day, year = (int(g) for g in match.groups())
    try:
        moment = datetime.datetime(year, month, day, tzinfo=datetime.UTC)
    except ValueError:
        return None
    return int(moment.timestamp())


def unix_to_mdy(seconds: int) -> str:
    """Format Unix seconds as Copper's "M/D/YYYY" (UTC date)."""
    moment = datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)
    return f"{moment.month}/{moment.day}/{moment.year}"


def record_exists(store: Store, kind: str, id: Any) -> bool:
    """True when ``id`` is a valid id of an existing (non-deleted) record of ``kind``."""
    if not is_int(id):
        return False
    doc = store.get(kind, id)
    return doc is not None and not doc.get("is_deleted") and not doc.get("converted_at")


# -- value checks -------------------------------------------------------------------


def _check(name: str, spec: Field, value: Any, store: Store, entity: Entity) -> Any:
    kind = spec.kind
    if kind == "str":
        if not isinstance(value, str):
            raise invalid(name, "must be a string")
        return value
    if kind == "number":
        if not is_number(value):
            raise invalid(name, "must be a number")
        return value
    if kind == "percent":
        if not is_int(value) or not 0 <= value <= 100:
            raise invalid(name, "must be an integer from 0 to 100")
        return value
    if kind == "enum":
        return choice(name, value, spec.choices)
    if kind == "ref":
        assert spec.ref is not None
        if not is_int(value) or value <= 0:
            raise invalid(name, f"Invalid value for {name}: IDs must be positive integers: {value}")
        if not record_exists(store, REF_KINDS[spec.ref], value):
            raise invalid(name, f"no {spec.ref} with id {value}")
        return value
    if kind == "unix":
        if not is_int(value) or not 0 <= value < _MAX_UNIX:
            raise invalid(name, "must be a Unix timestamp in seconds")
        return value
    if kind == "mdy":
        if not isinstance(value, str) or mdy_to_unix(value) is None:
            raise invalid(name, 'must be a date formatted "M/D/YYYY"')
        month, day, year = (int(g) for g in value.split("/"))
        return f"{month}/{day}/{year}"
    if kind == "tags":
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            raise invalid(name, "must be an array of strings")
        # Copper treats tags case-insensitively; keep the first spelling of each.
        seen: dict[str, str] = {}
        for tag in value:
            if tag.strip() and tag.strip().lower() not in seen:
                seen[tag.strip().lower()] = tag.strip()
        return list(seen.values())
    if kind == "emails":
        return [_contact_entry(name, e, "email", EMAIL_CATEGORIES) for e in _array(name, value)]
    if kind == "email":
        return _contact_entry(name, value, "email", EMAIL_CATEGORIES)
    if kind == "phones":
        return [_contact_entry(name, e, "number", PHONE_CATEGORIES) for e in _array(name, value)]
    if kind == "socials":
        return [_contact_entry(name, e, "url", SOCIAL_CATEGORIES) for e in _array(name, value)]
    if kind == "websites":
        return [_contact_entry(name, e, "url", WEBSITE_CATEGORIES) for e in _array(name, value)]
    if kind == "address":
        if not isinstance(value, dict):
            raise invalid(name, "must be an object")
        address = {}
        for key in ADDRESS_KEYS:
            part = value.get(key)
            if part is not None and not isinstance(part, str):
                raise invalid(name, f"{key} must be a string")
            address[key] = part
        return address
    if kind in ("resource", "parent"):
        allowed = RECORD_TYPES if kind == "parent" else {k: v for k, v in RECORD_TYPES.items() if k != "task"}
        if not isinstance(value, dict):
            raise invalid(name, "must be an object with id and type")
        if kind == "resource" and value.get("id") is None and value.get("type") is None:
            return None  # Copper answers an unset related_resource as {"id":null,"type":null}
        if not is_one_of(value.get("type"), allowed):
            raise invalid(name, f"type must be one of {', '.join(allowed)}")
        if not record_exists(store, allowed[value["type"]], value.get("id")):
            raise invalid(name, f"no {value['type']} with id {value.get('id')!r}")
        return {"id": value["id"], "type": value["type"]}
    if kind == "activity_type":
        if not isinstance(value, dict) or not is_one_of(value.get("category"), activitytypes.CATEGORIES):
            raise invalid(name, 'must be an object like {"category": "user", "id": 0}')
        found = store.get(activitytypes.KIND, value["id"]) if is_int(value.get("id")) else None
        if found is None or found["category"] != value["category"]:
            raise invalid(name, "unknown activity type")
        if found["category"] != "user":
            raise invalid(name, "only user activity types can be created or updated")
        if found.get("is_disabled"):
            raise invalid(name, "this activity type is disabled")
        return {"id": found["id"], "category": found["category"]}
    if kind == "custom_activity_type":
        return activitytypes.check_task_type(store, name, value)
    if kind == "custom_fields":
        return {str(k): v for k, v in customfields.validate_values(store, entity.singular, value, name).items()}
    raise AssertionError(f"unknown field kind {kind}")  # a programming error in the tables above


def _array(name: str, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise invalid(name, "must be an array")
    return value


def _contact_entry(name: str, entry: Any, key: str, categories: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise invalid(name, f"each entry must be an object with {key} and category")
    text = entry.get(key)
    if not isinstance(text, str) or not text.strip():
        raise invalid(name, f"{key} is required")
    if key == "email" and "@" not in text:
        raise invalid(name, f"{text!r} is not an email address")
    # Category is required by Copper's docs; defaulting it keeps hand-written calls working.
    category = entry.get("category", "work" if "work" in categories else "other")
    if not is_one_of(category, categories):
        raise invalid(name, f"category must be one of {', '.join(categories)}")
    return {key: text.strip(), "category": category}
