"""Custom field definitions: validating values on records, rendering them, and CRUD checks."""

from __future__ import annotations

from typing import Any

from copper_mcp.sandbox.checks import choice, is_int, is_number, is_one_of
from copper_mcp.sandbox.errors import invalid
from copper_mcp.sandbox.recordtypes import RECORD_TYPES
from copper_mcp.sandbox.store import Store

DEFINITIONS = "custom_field_definitions"
OPTION_IDS = "custom_field_options"

DATA_TYPES = (
    "String", "Text", "Dropdown", "MultiSelect", "Date", "Checkbox",
    "Float", "URL", "Percentage", "Currency", "Connect",
)  # fmt: skip
AVAILABLE_ON = tuple(RECORD_TYPES)
_OPTION_TYPES = ("Dropdown", "MultiSelect")
_MIN_OPTIONS = {"Dropdown": 1, "MultiSelect": 2}
# Copper documents String fields as "255 chars or less"; Text is the long form.
_STRING_MAX = 255


def definitions_for(store: Store, entity: str) -> list[dict[str, Any]]:
    """Every definition available on ``entity`` (singular), in id order."""
    return [d for d in store.list(DEFINITIONS) if entity in d.get("available_on", [])]


def validate_values(store: Store, entity: str, raw: Any, field: str = "custom_fields") -> dict[int, Any]:
    """Check a record's ``custom_fields`` input; returns {definition id: value}.

    Values are checked against the definition's data type; option ids must exist.
    """
    if not isinstance(raw, list):
        raise invalid(field, "must be an array")
    defs = {d["id"]: d for d in definitions_for(store, entity)}
    out: dict[int, Any] = {}
    for item in raw:
        if not isinstance(item, dict):
            raise invalid(field, "each entry must be an object")
        def_id: Any = item.get("custom_field_definition_id")
        if not is_int(def_id) or def_id not in defs:
            raise invalid(field, f"unknown custom_field_definition_id {def_id!r} for {entity}")
        out[def_id] = check_value(defs[def_id], item.get("value"), field)
    return out


def check_value(definition: dict[str, Any], value: Any, field: str = "custom_fields") -> Any:
    """Validate one value against its definition's data type; null always clears."""
    if value is None:
        return None
    data_type = definition["data_type"]
    name = definition["name"]
    option_ids = {o["id"] for o in definition.get("options", [])}
    if data_type in ("String", "Text", "URL"):
        if not isinstance(value, str):
            raise invalid(field, f"{name} must be a string")
        if data_type == "String" and len(value) > _STRING_MAX:
            raise invalid(field, f"{name} must be {_STRING_MAX} characters or less")
        return value
    if data_type == "Dropdown":
        if not is_int(value) or value not in option_ids:
            raise invalid(field, f"{name} must be one of its option ids")
        return value
    if data_type == "MultiSelect":
        if not isinstance(value, list) or not all(is_int(v) and v in option_ids for v in value):
            raise invalid(field, f"{name} must be an array of its option ids")
        return list(dict.fromkeys(value))
    if data_type == "Date":
        if not is_int(value):
            raise invalid(field, f"{name} must be a Unix timestamp in seconds")
        return value
    if data_type == "Checkbox":
        if not isinstance(value, bool):
            raise invalid(field, f"{name} must be true or false")
        return value
    if data_type in ("Float", "Percentage", "Currency"):
        if not is_number(value):
            raise invalid(field, f"{name} must be a number")
        return value
    # Connect: the value lists the records a link joins; links change through /related_links.
    raise invalid(field, f"{name} is a Connect field: link records with /related_links")


def render(
    store: Store, entity: str, stored: dict[str, Any], computed: bool, connected: dict[int, list[int]]
) -> list[dict[str, Any]]:
    """The ``custom_fields`` array of a response: every available definition, null where unset.

    Values whose options were since removed read as null (Copper drops them too). A Connect
    field's value is ``connected[definition id]``, the ids the record links to (see connect.py).
    """
    rendered = []
    for definition in definitions_for(store, entity):
        if definition["data_type"] == "Connect":
            value = connected.get(definition["id"])
        else:
            value = _still_valid(definition, stored.get(str(definition["id"])))
        entry: dict[str, Any] = {"custom_field_definition_id": definition["id"], "value": value}
        if computed:
            entry["computed_value"] = computed_value(definition, value)
        rendered.append(entry)
    return rendered


def computed_value(definition: dict[str, Any], value: Any) -> Any:
    """Option names for Dropdown/MultiSelect values; the value itself otherwise."""
    names = {o["id"]: o["name"] for o in definition.get("options", [])}
    if definition["data_type"] == "Dropdown" and value is not None:
        return names.get(value)
    if definition["data_type"] == "MultiSelect" and value is not None:
        return [names[v] for v in value if v in names]
    return value


def _still_valid(definition: dict[str, Any], value: Any) -> Any:
    if definition["data_type"] not in _OPTION_TYPES or value is None:
        return value
    option_ids = {o["id"] for o in definition.get("options", [])}
    if definition["data_type"] == "Dropdown":
        return value if value in option_ids else None
    kept = [v for v in value if v in option_ids]
    return kept


# -- definition CRUD ------------------------------------------------------------


def validate_definition(store: Store, body: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, Any]:
    """Check a create (``existing`` None) or update body; returns the definition to store.

    On update only given fields change, ``data_type`` cannot change, and ``options``
    replaces the whole option list (new options get new ids, as in Copper).
    """
    doc: dict[str, Any] = dict(existing) if existing else {
        "name": None, "canonical_name": None, "data_type": None,
        "available_on": [], "is_filterable": False,
    }  # fmt: skip
    if existing is None or "name" in body:
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise invalid("name", "is required")
        doc["name"] = name
    if existing is None:
        doc["data_type"] = choice("data_type", body.get("data_type"), DATA_TYPES)
    elif "data_type" in body and body["data_type"] != existing["data_type"]:
        raise invalid("data_type", "cannot be changed")
    if "canonical_name" in body:
        canonical = body["canonical_name"]
        if canonical is not None and not isinstance(canonical, str):
            raise invalid("canonical_name", "must be a string")
        doc["canonical_name"] = canonical.lower() if canonical else None
    if "available_on" in body:
        available = body["available_on"]
        if not isinstance(available, list) or not all(is_one_of(a, AVAILABLE_ON) for a in available):
            raise invalid("available_on", f"must be an array of {', '.join(AVAILABLE_ON)}")
        doc["available_on"] = list(dict.fromkeys(available))
    if "is_filterable" in body:
        if not isinstance(body["is_filterable"], bool):
            raise invalid("is_filterable", "must be true or false")
        doc["is_filterable"] = body["is_filterable"]
    data_type = doc["data_type"]
    if data_type == "Currency":
        currency = body.get("currency", doc.get("currency") or "USD")
        if not isinstance(currency, str) or len(currency) != 3:
            raise invalid("currency", "must be a 3-letter currency code")
        doc["currency"] = currency.upper()
    if data_type in _OPTION_TYPES and (existing is None or "options" in body):
        doc["options"] = _new_options(store, body.get("options"), data_type)
    return doc


def _new_options(store: Store, raw: Any, data_type: str) -> list[dict[str, Any]]:
    minimum = _MIN_OPTIONS[data_type]
    if not isinstance(raw, list) or len(raw) < minimum:
        raise invalid("options", f"{data_type} needs at least {minimum} option(s)")
    names = []
    for option in raw:
        name = option.get("name") if isinstance(option, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise invalid("options", "each option needs a name")
        names.append(name)
    # Option ids come from their own sequence so they are unique across definitions.
    return [
        {"id": store.insert(OPTION_IDS, {"name": name})["id"], "name": name, "rank": rank}
        for rank, name in enumerate(names)
    ]
