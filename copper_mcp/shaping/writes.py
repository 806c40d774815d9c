"""to_copper(): a model's arguments (names, ISO dates, named custom fields) -> a Copper body."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from copper_mcp.core.entities import BY_PLURAL
from copper_mcp.core.errors import InputError, UnknownNameError
from copper_mcp.core.marks import LINK_REFS, RECORD_REFS, REF_WORDS, Marks

from .choices import closest_first, listing
from .dates import is_unix, mdy_from_input, unix_from_input
from .reference import CustomFieldDefinition, ReferenceData, fold

# Search bounds named like these are upper bounds: a bare date there means the end of that day.
UPPER_BOUND_PREFIXES = ("maximum_", "max_")
FILTER_KEYS = frozenset({"value", "minimum_value", "maximum_value", "option", "allow_empty"})
# Custom field types whose values are numbers; given as text (the published form), they are read as one.
NUMERIC_TYPES = frozenset({"Float", "Currency", "Percentage"})
ID_TEXT = re.compile(r"-?\d+")
FIELD_ID = re.compile(r"#?(\d+)|.* \(id (\d+)\)")


def needs(marks: Marks, args: Mapping[str, Any]) -> set[str]:
    """What translating these arguments needs from the account (see ``reference.SOURCES``).

    Empty when every marked value is already in Copper's form (an int id, Unix seconds,
    ``{category, id}``), so such a call costs no reference request.
    """
    found: set[str] = set()
    for key, target in marks.refs.items():
        if key in args and _friendly(args[key]):
            found.add(target)
    if any(key in args and _friendly(args[key]) for key in marks.dates):
        found.add("zone")
    if _named_custom_fields(args.get("custom_fields")):
        found |= {"custom_fields", "zone"}
    for key, inner in marks.nested.items():
        value = args.get(key)
        for part in value if isinstance(value, list) else [value]:
            if isinstance(part, Mapping):
                found |= needs(inner, part)
    return found


def _friendly(value: Any) -> bool:
    """A value that is not already in Copper's form (an int id, Unix seconds, {category, id})."""
    if isinstance(value, list):
        return any(_friendly(item) for item in value)
    return isinstance(value, str)


def to_copper(
    entity: str, args: dict[str, Any], marks: Marks, ref: ReferenceData
) -> tuple[dict[str, Any], list[str]]:
    """Turn a model's arguments into the JSON body Copper expects; returns (body, notes).

    Dates: ISO 8601 date or date-time (offset or Z), or Unix seconds, become Unix seconds, or
    "M/D/YYYY" for close_date. A date or time without a zone is read in the account zone and a
    note says so. References: an int id passes through; a name (a user also by email) is looked
    up ignoring case; pipeline stages are looked up within pipeline_id / pipeline_ids when given.
    Filter arrays marked as references take names in their items; an activity type is a name
    or Copper's ``{category, id}``. Objects nested in the arguments (bulk items, a conversion's
    details) follow the same rules with their own fields. custom_fields as
    ``[{"field": "Field name", "value": ...}]`` or ``{"Field name": value}`` become Copper's list,
    option names become option ids; Copper's own list passes through. Words for Copper's
    numbers (a deal status "Won", followed true) become the numbers; a list of
    ``{name, value}`` pairs becomes an object. Other arguments pass through unchanged.

    ``ref`` needs to hold only what ``needs`` asked for.

    Raises InputError, with the valid choices closest first, for unknown or ambiguous names.
    """
    notes: list[str] = []
    pipelines = _pipeline_scope(args, marks, ref)
    body: dict[str, Any] = {}
    for key, value in args.items():
        if key in marks.dates and value is not None:
            body[key] = _date(key, value, marks.dates[key], ref, notes)
        elif key in marks.refs and value is not None:
            body[key] = _refs(key, value, marks.refs[key], ref, pipelines)
        elif key in marks.values and value is not None:
            body[key] = _words(key, value, marks.values[key])
        elif key in marks.pairs and isinstance(value, list):
            body[key] = {pair["name"]: pair["value"] for pair in value}
        elif key == "custom_fields" and _named_custom_fields(value):
            body[key] = _custom_fields(entity, _by_name(value), ref, notes)
        elif key in marks.nested and value is not None:
            body[key] = _nested(entity, key, value, marks.nested[key], ref, notes)
        else:
            body[key] = value
    return body, notes


def _words(key: str, value: Any, pairs: tuple[tuple[Any, Any], ...]) -> Any:
    """Copper's number for a word that stands for it (each item of a list); anything else as given."""
    if isinstance(value, list):
        return [_words(key, item, pairs) for item in value]
    for word, number in pairs:
        same_kind = type(word) is type(value)  # True is not 1 here, whatever Python's == says
        if same_kind and (value == word or (isinstance(value, str) and value.casefold() == str(word).casefold())):
            return number
    return value


def _named_custom_fields(value: Any) -> bool:
    """Custom fields given by name, as a map or as the published list; Copper's own list is not."""
    if isinstance(value, dict):
        return True
    return isinstance(value, list) and any(isinstance(item, dict) and "field" in item for item in value)


def _by_name(value: dict[str, Any] | list[Any]) -> list[tuple[str, Any]]:
    """(field name, value or filter) pairs from either named form.

    A list item's filter parts (minimum_value, option...) make it a filter, as a map value's do.
    """
    if isinstance(value, dict):
        return list(value.items())
    found: list[tuple[str, Any]] = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("field"), str):
            raise InputError('custom_fields: each item needs a "field" (the field\'s name).', field="custom_fields")
        parts = {k: v for k, v in item.items() if k != "field"}
        found.append((item["field"], parts if parts.keys() - {"value"} else parts.get("value")))
    return found


def _nested(entity: str, key: str, value: Any, marks: Marks, ref: ReferenceData, notes: list[str]) -> Any:
    """An object (or each object of a list) inside the arguments, translated by the same rules.

    Errors name where the value sits (``opportunities.2.pipeline_stage_id``), as the
    validator's messages do, so a model can tell which bulk item to fix.
    """
    if isinstance(value, list):
        return [_nested(entity, f"{key}.{index}", item, marks, ref, notes) for index, item in enumerate(value)]
    if not isinstance(value, dict):
        return value
    try:
        body, inner_notes = to_copper(entity, value, marks, ref)
    except InputError as exc:
        raise exc.within(key) from None
    notes.extend(note for note in inner_notes if note not in notes)
    return body


def _date(key: str, value: Any, form: str, ref: ReferenceData, notes: list[str]) -> Any:
    if form == "mdy":
        text, note = mdy_from_input(key, value, ref.zone)
        result: Any = text
    else:
        result, note = unix_from_input(key, value, ref.zone, end_of_day=key.startswith(UPPER_BOUND_PREFIXES))
    if note:
        notes.append(note)
    return result


def _pipeline_scope(args: dict[str, Any], marks: Marks, ref: ReferenceData) -> list[int]:
    """Pipelines given in the same call, so a stage name is read within them."""
    scope: list[int] = []
    for key, target in marks.refs.items():
        if target == "pipeline" and args.get(key) is not None:
            resolved = _refs(key, args[key], target, ref, [])
            scope.extend(resolved if isinstance(resolved, list) else [resolved])
    return scope


def _refs(key: str, value: Any, target: str, ref: ReferenceData, pipelines: Sequence[int]) -> Any:
    if isinstance(value, list):
        return [_ref(key, item, target, ref, pipelines) for item in value]
    return _ref(key, value, target, ref, pipelines)


def _ref(key: str, value: Any, target: str, ref: ReferenceData, pipelines: Sequence[int]) -> Any:
    if target == "activity_type":
        # Copper's own {category, id} passes through, as an int id does below.
        return _activity_type(key, value, ref) if isinstance(value, str) else value
    if target in LINK_REFS:
        return value  # an {id, type} link or a Connect link's end: nothing to translate
    if isinstance(value, int) and not isinstance(value, bool):
        # Ids pass unchecked: the data may be newer than the cache, and -2 means "none" in filters.
        return value
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{key}: expected an id or a name, got {value!r}.", field=key)
    if ID_TEXT.fullmatch(value.strip()):
        return int(value)
    word, words = REF_WORDS[target]
    if target in RECORD_REFS:
        raise InputError(
            f"{key}: {value!r} is not an id. A {word} is given by its numeric id; "
            f"search {word} records by name first to find it.",
            field=key,
        )
    found = ref.ids_named(target, value, pipelines)
    if len(found) == 1:
        return found[0]
    if found:
        labels = [c.label for c in ref.candidates(target, pipelines) if c.id in found]
        raise InputError(
            f"{key}: {value!r} matches several {words}: {listing(labels)}. Give the id instead.",
            field=key,
        )
    choices = ref.candidates(target, pipelines)
    where = _stage_scope(target, pipelines, ref)
    if not choices:
        raise UnknownNameError(f"{key}: there are no {words}{where}; give an id.", need=target, field=key)
    ordered = [c.label for c in closest_first(value, choices, lambda c: c.name)]
    extra = " Users can also be given by email." if target == "user" else ""
    raise UnknownNameError(
        f"{key}: no {word} named {value!r}{where}. Valid {words}, closest first: {listing(ordered)}.{extra}",
        need=target,
        field=key,
    )


def _stage_scope(target: str, pipelines: Sequence[int], ref: ReferenceData) -> str:
    if target != "pipeline_stage" or not pipelines:
        return ""
    names = ", ".join(ref.name_of("pipeline", p) or str(p) for p in pipelines)
    return f" in pipeline {names}"


def _activity_type(key: str, value: Any, ref: ReferenceData) -> dict[str, Any]:
    found = ref.activity_types_named(value)
    if len(found) == 1:
        category, type_id = found[0]
        return {"category": category, "id": type_id}
    if found:
        labels = [f"{ref.activity_types[found_key]} ({found_key[0]} id {found_key[1]})" for found_key in found]
        raise InputError(
            f"{key}: {value!r} matches several activity types: {listing(labels)}. "
            'Give {"category": ..., "id": ...} instead.',
            field=key,
        )
    names = closest_first(value, ref.activity_types.values())
    raise UnknownNameError(
        f"{key}: no activity type named {value!r}. Valid activity types, closest first: {listing(names)}.",
        need="activity_type",
        field=key,
    )


def _custom_fields(entity: str, values: list[tuple[str, Any]], ref: ReferenceData, notes: list[str]) -> list[Any]:
    entries: list[Any] = []
    for name, value in values:
        definition = _definition(entity, name, ref)
        if isinstance(value, dict) and value.keys() <= FILTER_KEYS:
            entry = {k: _filter_part(definition, k, v, ref, notes) for k, v in value.items()}
            entries.append({"custom_field_definition_id": definition.id, **entry})
        else:
            converted = _custom_value(definition, value, ref, notes, key=definition.name)
            entries.append({"custom_field_definition_id": definition.id, "value": converted})
    return entries


def _definition(entity: str, name: str, ref: ReferenceData) -> CustomFieldDefinition:
    singular = BY_PLURAL[entity].singular if entity in BY_PLURAL else entity
    here = ref.custom_fields_on(singular)
    key = name.strip()
    # Besides its name, a field may be keyed by its id: "126240", "#126240", or compact's "Name (id 126240)".
    labelled = FIELD_ID.fullmatch(key)
    by_id = int(labelled.group(1) or labelled.group(2)) if labelled else None
    if by_id is not None:
        matches = [d for d in here if d.id == by_id]
    else:
        matches = [d for d in here if fold(d.name) == fold(key)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        labels = [f"{d.name} (id {d.id})" for d in matches]
        raise InputError(
            f"custom_fields: {name!r} names several fields on {entity}: {listing(labels)}. "
            "Use the id as the key instead.",
            field="custom_fields",
        )
    elsewhere = [d for d in ref.custom_fields.values() if d.id == by_id or fold(d.name) == fold(key)]
    if elsewhere:
        places = sorted({place for d in elsewhere for place in d.available_on})
        raise InputError(
            f"custom_fields: {name!r} is not available on {entity}; it is available on "
            f"{', '.join(places) or 'no entity'}.",
            field="custom_fields",
        )
    if not here:
        raise UnknownNameError(f"custom_fields: {entity} has no custom fields.", need="custom_fields",
                               field="custom_fields")  # fmt: skip
    names = closest_first(name, [d.name for d in here])
    raise UnknownNameError(
        f"custom_fields: no field named {name!r} on {entity}. Valid fields, closest first: {listing(names)}.",
        need="custom_fields",
        field="custom_fields",
    )


def _filter_part(definition: CustomFieldDefinition, part: str, value: Any, ref: ReferenceData, notes: list[str]) -> Any:
    if part in ("option", "allow_empty") or value is None:
        return value
    if definition.data_type in ("Dropdown", "MultiSelect"):
        # Search filters take a list of option ids even for a single-choice Dropdown.
        return [_option(definition, item) for item in _options_given(definition, value)]
    return _custom_value(definition, value, ref, notes, key=f"{definition.name}.{part}", bound=part)


def _custom_value(
    definition: CustomFieldDefinition,
    value: Any,
    ref: ReferenceData,
    notes: list[str],
    *,
    key: str,
    bound: str = "",
) -> Any:
    if value is None:
        return None  # clears the field
    data_type = definition.data_type
    if data_type == "Dropdown":
        return _option(definition, value)
    if data_type == "MultiSelect":
        return [_option(definition, item) for item in _options_given(definition, value)]
    if data_type in NUMERIC_TYPES and isinstance(value, str):
        return _number(key, value)
    if data_type == "Date":
        seconds, note = unix_from_input(key, value, ref.zone, end_of_day=bound == "maximum_value")
        if note:
            notes.append(note)
        return seconds
    if data_type == "Checkbox":
        return _checkbox(key, value)
    return value


def _options_given(definition: CustomFieldDefinition, value: Any) -> list[Any]:
    """Several options: a list, or text naming one option or several separated by commas."""
    if isinstance(value, list):
        return value
    if not isinstance(value, str) or "," not in value or _named_option(definition, value) is not None:
        return [value]
    return [part for part in (piece.strip() for piece in value.split(",")) if part]


def _number(key: str, text: str) -> int | float:
    try:
        number = float(text.replace(",", "").strip().lstrip("$€£"))
    except ValueError:
        raise InputError(f"custom_fields: {key!r} takes a number, not {text!r}.", field="custom_fields") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise InputError(f"custom_fields: {key!r} takes a number, not {text!r}.", field="custom_fields")
    return int(number) if number.is_integer() else number


def _named_option(definition: CustomFieldDefinition, text: str) -> int | None:
    wanted = fold(text)
    return next((option_id for option_id, name in definition.options.items() if fold(name) == wanted), None)


def _option(definition: CustomFieldDefinition, value: Any) -> int:
    if is_unix(value) and value in definition.options:
        return int(value)
    text = str(value).strip()
    found = _named_option(definition, text)
    if found is not None:
        return found
    names = closest_first(text, definition.options.values())
    raise UnknownNameError(
        f"custom_fields: {definition.name!r} has no option {value!r}. Valid options, closest first: {listing(names)}.",
        need="custom_fields",
        field="custom_fields",
    )


def _checkbox(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0"):
        return False
    raise InputError(f"custom_fields: {key!r} is a checkbox; give true or false, not {value!r}.", field="custom_fields")
