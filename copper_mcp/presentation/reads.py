"""compact(): the default shape of every record a model reads."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from .dates import is_unix, iso_date_from_unix, iso_from_mdy, iso_from_unix
from .fields import RECORD_KINDS, EntityFields, name_key
from .reference import CustomFieldDefinition, ReferenceData


def compact(
    record: dict[str, Any],
    fields: EntityFields,
    ref: ReferenceData,
    linked: Mapping[tuple[str, int], str] | None = None,
) -> dict[str, Any]:
    """Shape a raw Copper record for a model: smaller, with names and ISO dates, nothing lost.

    Empty values (None, "", [], {}, unset custom fields) are left out. Unix dates become ISO
    date-times in the account zone and close_date an ISO date. Each known reference id keeps its
    id and gains its name under the id field's name without ``_id`` (``assignee_id`` ->
    ``assignee``, an activity's ``type`` -> ``type_name``); ids not in the reference data keep
    the id alone. Linked records (a primary contact, a task's ``related_resource``) are named
    from ``linked`` ({(kind, id): name}, see :func:`linked_ids`) unless the record names them
    itself (``company_name``). custom_fields become ``{"Field name": value}`` with option
    names and ISO dates. Objects inside the record whose fields are marked (a person's
    ``leads_converted_from``) are shaped by the same rules.
    """
    shaped: dict[str, Any] = {}
    for key, value in record.items():
        if key == "custom_fields" and isinstance(value, list):
            custom = _custom_fields(value, ref)
            if custom:
                shaped[key] = custom
            continue
        if key in fields.dates:
            value = _date(value, fields.dates[key], ref)
        elif key in fields.nested:
            value = _nested(value, fields.nested[key], ref, linked)
        value = _prune(value)
        if _is_empty(value):
            continue
        shaped[key] = value
        kind = fields.refs.get(key)
        if kind is not None and not _named_by_record(record, key):
            names: str | list[str] | None
            if kind in RECORD_KINDS:
                target = _link(kind, value)
                names = (linked or {}).get(target) if target else None
            else:
                names = _ref_names(kind, value, ref)
            if names is not None:
                shaped[name_key(key)] = names
    return shaped


def _nested(value: Any, fields: EntityFields, ref: ReferenceData, linked: Mapping[tuple[str, int], str] | None) -> Any:
    """An object inside a record (or each object of a list), shaped by the same rules."""
    if isinstance(value, list):
        return [_nested(item, fields, ref, linked) for item in value]
    return compact(value, fields, ref, linked) if isinstance(value, dict) else value


def linked_ids(records: Iterable[tuple[Mapping[str, Any], EntityFields]]) -> dict[str, set[int]]:
    """The records some records point at without naming them: {kind: ids}, kinds singular."""
    return _by_kind(target for record, fields in records for target in _targets(record, fields))


def name_links(links: list[Any], linked: Mapping[tuple[str, int], str]) -> list[Any]:
    """Copper's ``{id, type}`` links, each with its record's ``name`` where ``linked`` has it."""
    named = []
    for link in links:
        target = _link("record", link)
        name = linked.get(target) if target else None
        named.append({**link, "name": name} if name is not None else link)
    return named


def link_ids(links: list[Any]) -> dict[str, set[int]]:
    """The records a list of ``{id, type}`` links points at: {kind: ids}."""
    return _by_kind(_link("record", link) for link in links)


def _targets(record: Mapping[str, Any], fields: EntityFields) -> Iterator[tuple[str, int] | None]:
    """What compact() would look up in ``linked`` for this record, nested objects included."""
    for key, kind in fields.refs.items():
        if kind in RECORD_KINDS and not _named_by_record(record, key):
            yield _link(kind, record.get(key))
    for key, inner in fields.nested.items():
        value = record.get(key)
        for part in value if isinstance(value, list) else [value]:
            if isinstance(part, Mapping):
                yield from _targets(part, inner)


def _by_kind(targets: Iterable[tuple[str, int] | None]) -> dict[str, set[int]]:
    wanted: dict[str, set[int]] = {}
    for target in targets:
        if target:
            wanted.setdefault(target[0], set()).add(target[1])
    return wanted


def _link(kind: str, value: Any) -> tuple[str, int] | None:
    """(kind, id) of the record a value points at: an id of that kind, or an {id, type} link."""
    if kind == "record" and isinstance(value, Mapping):
        value, kind = value.get("id"), value.get("type")
    if isinstance(kind, str) and isinstance(value, int) and not isinstance(value, bool):
        return kind, value
    return None


def _named_by_record(record: Mapping[str, Any], key: str) -> bool:
    # A record's own field wins: a lead's "status" mirrors status_id, "company_name" company_id.
    label = name_key(key)
    return not (_is_empty(record.get(label)) and _is_empty(record.get(f"{label}_name")))


def _date(value: Any, kind: str, ref: ReferenceData) -> Any:
    if kind == "unix" and is_unix(value):
        return iso_from_unix(value, ref.zone)
    if kind == "mdy" and isinstance(value, str):
        return iso_from_mdy(value) or value
    return value


def _ref_names(kind: str, value: Any, ref: ReferenceData) -> str | list[str] | None:
    if isinstance(value, list):
        names = [ref.name_of(kind, item) for item in value]
        # A partial list would no longer line up with the ids, so it is all or nothing.
        return None if None in names else [n for n in names if n is not None]
    return ref.name_of(kind, value)


def _custom_fields(entries: list[Any], ref: ReferenceData) -> dict[str, Any]:
    present = [e for e in entries if isinstance(e, dict) and not _is_empty(_prune(e.get("value")))]
    definitions = [_definition(e.get("custom_field_definition_id"), ref) for e in present]
    repeated = Counter(d.name for d in definitions if d is not None)
    shaped: dict[str, Any] = {}
    for entry, definition in zip(present, definitions, strict=True):
        field_id = entry.get("custom_field_definition_id")
        if definition is None:
            # Unknown definition: keyed by its id, which to_copper also accepts as a field name.
            shaped[str(field_id)] = _prune(entry["value"])
            continue
        label = definition.name
        if repeated[label] > 1:
            label = f"{label} (id {definition.id})"
        shaped[label] = _custom_value(definition, entry["value"], ref)
    return shaped


def _definition(field_id: object, ref: ReferenceData) -> CustomFieldDefinition | None:
    return ref.custom_fields.get(field_id) if isinstance(field_id, int) else None


def _custom_value(definition: CustomFieldDefinition, value: Any, ref: ReferenceData) -> Any:
    if definition.data_type == "Dropdown":
        name = definition.option_name(value)
        return value if name is None else name
    if definition.data_type == "MultiSelect" and isinstance(value, list):
        return [definition.option_name(item) or item for item in value]
    if definition.data_type == "Date" and is_unix(value):
        return iso_date_from_unix(value, ref.zone)
    return _prune(value)


def _prune(value: Any) -> Any:
    """Drop empty parts of nested values; an object whose parts are all empty becomes {}."""
    if isinstance(value, dict):
        kept = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if not _is_empty(v)}
    if isinstance(value, list):
        return [p for p in (_prune(v) for v in value) if not _is_empty(p)]
    return value


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)
