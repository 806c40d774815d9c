"""compact(): the default shape of every record a model reads."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from copper_mcp.core.entities import BY_CONNECT
from copper_mcp.core.marks import LINK_REFS, RECORD_REFS, Marks

from .dates import is_unix, iso_date_from_unix, iso_from_mdy, iso_from_unix
from .reference import CustomFieldDefinition, ReferenceData


def name_key(ref_field: str) -> str:
    """The key that carries the name next to a reference field.

    ``assignee_id`` -> ``assignee``, ``pipeline_stage_ids`` -> ``pipeline_stages``,
    anything else -> ``<field>_name``.
    """
    if ref_field.endswith("_ids"):
        return ref_field[: -len("_ids")] + "s"
    if ref_field.endswith("_id"):
        return ref_field[: -len("_id")]
    return ref_field + "_name"


def compact(
    record: dict[str, Any],
    marks: Marks,
    ref: ReferenceData,
    linked: Mapping[tuple[str, int], str] | None = None,
    notes: list[str] | None = None,
) -> dict[str, Any]:
    """Shape a raw Copper record for a model: smaller, with names and ISO dates, nothing lost.

    Empty values (None, "", [], {}, unset custom fields) are left out. Unix dates become ISO
    date-times in the account zone and close_date an ISO date. Each known reference id keeps its
    id and gains its name under the id field's name without ``_id`` (``assignee_id`` ->
    ``assignee``, an activity's ``type`` -> ``type_name``); ids not in the reference data keep
    the id alone. Linked records (a primary contact, a task's ``related_resource``) are named
    from ``linked`` ({(record type, id): name}, see :func:`linked_ids`) unless the record names them
    itself (``company_name``). custom_fields become ``{"Field name": value}`` with option
    names and ISO dates. Objects inside the record whose fields are marked (a person's
    ``leads_converted_from``) are shaped by the same rules.

    A value that cannot be presented (a timestamp no calendar holds) is kept as Copper sent
    it, and a line saying so is added to ``notes``: one odd record never fails an answer.
    """
    shaped: dict[str, Any] = {}
    for key, value in record.items():
        if key == "custom_fields" and isinstance(value, list):
            custom = _custom_fields(value, ref, notes)
            if custom:
                shaped[key] = custom
            continue
        if key in marks.dates:
            value = _date(key, value, marks.dates[key], ref, notes)
        elif key in marks.nested:
            value = _nested(value, marks.nested[key], ref, linked, notes)
        value = _prune(value)
        if _is_empty(value):
            continue
        shaped[key] = value
        target_kind = marks.refs.get(key)
        if target_kind == "connect_end":
            shaped[key] = _named_end(value, linked)
        elif target_kind is not None and not _named_by_record(record, key):
            names: str | list[str] | None
            if target_kind in RECORD_REFS:
                target = _link(target_kind, value)
                names = (linked or {}).get(target) if target else None
            else:
                names = _ref_names(target_kind, value, ref)
            if names is not None:
                shaped[name_key(key)] = names
    return shaped


def _nested(
    value: Any, marks: Marks, ref: ReferenceData, linked: Mapping[tuple[str, int], str] | None, notes: list[str] | None
) -> Any:
    """An object inside a record (or each object of a list), shaped by the same rules."""
    if isinstance(value, list):
        return [_nested(item, marks, ref, linked, notes) for item in value]
    return compact(value, marks, ref, linked, notes) if isinstance(value, dict) else value


def linked_ids(records: Iterable[tuple[Mapping[str, Any], Marks]]) -> dict[str, set[int]]:
    """The records some records point at without naming them: {record type: ids}."""
    return _by_kind(target for record, marks in records for target in _targets(record, marks))


def needs(record: Mapping[str, Any], marks: Marks) -> set[str]:
    """What naming this record needs from the account (``reference.SOURCES`` keys): only for the
    fields it holds, so a list view that shows three of them costs three lists at most."""
    found = {
        target
        for key, target in marks.refs.items()
        if target not in RECORD_REFS and not _is_empty(record.get(key))
    }
    if any(not _is_empty(record.get(key)) for key in marks.dates):
        found.add("zone")
    if isinstance(record.get("custom_fields"), list) and record["custom_fields"]:
        found |= {"custom_fields", "zone"}  # a custom date is shown in the account's zone
    for key, inner in marks.nested.items():
        value = record.get(key)
        for part in value if isinstance(value, list) else [value]:
            if isinstance(part, Mapping):
                found |= needs(part, inner)
    return found


def unnamed(records: Iterable[tuple[Mapping[str, Any], Marks]], ref: ReferenceData) -> set[str]:
    """What the reference data cannot name in these records: the needs (``reference.SOURCES``
    keys) of ids it does not hold, and ``custom_fields`` for a field it has no definition of."""
    found: set[str] = set()
    for record, marks in records:
        for key, target in marks.refs.items():
            value = record.get(key)
            if target in RECORD_REFS or value is None or _is_empty(value):
                continue
            if any(ref.name_of(target, item) is None for item in (value if isinstance(value, list) else [value])):
                found.add(target)
        entries = record.get("custom_fields")
        if isinstance(entries, list) and any(
            isinstance(e, dict) and _definition(e.get("custom_field_definition_id"), ref) is None for e in entries
        ):
            found.add("custom_fields")
        for key, inner in marks.nested.items():
            value = record.get(key)
            parts = value if isinstance(value, list) else [value]
            found |= unnamed(((part, inner) for part in parts if isinstance(part, Mapping)), ref)
    return found


def name_links(links: list[Any], linked: Mapping[tuple[str, int], str]) -> list[Any]:
    """Copper's ``{id, type}`` links, each with its record's ``name`` where ``linked`` has it."""
    named = []
    for link in links:
        target = _link("record", link)
        name = linked.get(target) if target else None
        named.append({**link, "name": name} if name is not None else link)
    return named


def link_ids(links: list[Any]) -> dict[str, set[int]]:
    """The records a list of ``{id, type}`` links points at: {record type: ids}."""
    return _by_kind(_link("record", link) for link in links)


def _targets(record: Mapping[str, Any], marks: Marks) -> Iterator[tuple[str, int] | None]:
    """What compact() would look up in ``linked`` for this record, nested objects included."""
    for key, target_kind in marks.refs.items():
        if target_kind in RECORD_REFS and not _named_by_record(record, key):
            yield _link(target_kind, record.get(key))
    for key, inner in marks.nested.items():
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


def _link(target: str, value: Any) -> tuple[str, int] | None:
    """(record type, id) a value points at: an id of a ``person``/``company`` ref, an {id, type} link,
    or an {id, entity_type} end of a Connect link (``user`` for a user)."""
    kind: Any = target
    if target in LINK_REFS and isinstance(value, Mapping):
        kind = value.get("type") if target == "record" else _connect_type(value.get("entity_type"))
        value = value.get("id")
    if isinstance(kind, str) and isinstance(value, int) and not isinstance(value, bool):
        return kind, value
    return None


def _connect_type(spelling: Any) -> str | None:
    """The record type a Connect link's ``entity_type`` spells (``organization`` -> ``company``)."""
    if not isinstance(spelling, str):
        return None
    entity = BY_CONNECT.get(spelling)
    return entity.singular if entity else spelling


def _named_end(end: Any, linked: Mapping[tuple[str, int], str] | None) -> Any:
    """A Connect link's end with its record's name. The name looked up wins over Copper's own,
    which its docs show as the record's id in text; a user's, or an unknown record's, stays."""
    target = _link("connect_end", end)
    name = (linked or {}).get(target) if target else None
    return {**end, "name": name} if name is not None and isinstance(end, dict) else end


def _named_by_record(record: Mapping[str, Any], key: str) -> bool:
    # A record's own field wins: a lead's "status" mirrors status_id, "company_name" company_id.
    label = name_key(key)
    return not (_is_empty(record.get(label)) and _is_empty(record.get(f"{label}_name")))


def _date(key: str, value: Any, form: str, ref: ReferenceData, notes: list[str] | None) -> Any:
    if form == "unix" and is_unix(value):
        return _presentable(key, value, iso_from_unix(value, ref.zone), notes)
    if form == "mdy" and isinstance(value, str):
        return iso_from_mdy(value) or value
    return value


def _presentable(key: str, raw: Any, shown: str | None, notes: list[str] | None) -> Any:
    """``shown``, or the raw value with a note when it could not be presented."""
    if shown is not None:
        return shown
    if notes is not None:
        note = f"{key}: {raw!r} is not a date that can be shown; it is kept as Copper sent it."
        if note not in notes:
            notes.append(note)
    return raw


# The field_type of a layout's custom field, whose field_id is the definition's id; other
# elements name a record field by their field_key.
_CUSTOM = "custom_field"


def layout_fields(elements: list[Any], ref: ReferenceData) -> dict[str, list[str]]:
    """A field layout as a model fills a record: ``fields``, every field's name in the layout's
    order, and ``custom_fields``, those of them that are custom fields.

    A record field is named by its key; a custom field by its name, as ``custom_fields`` takes
    it (``Name (id N)`` when two share a name, the id alone when the definition is unknown).
    """
    items = [e for e in elements if isinstance(e, Mapping)]
    definitions = [_definition(e.get("field_id"), ref) if e.get("field_type") == _CUSTOM else None for e in items]
    repeated = Counter(d.name for d in definitions if d is not None)
    fields: list[str] = []
    custom: list[str] = []
    for item, definition in zip(items, definitions, strict=True):
        if item.get("field_type") == _CUSTOM:
            name = str(item.get("field_id")) if definition is None else _custom_label(definition, repeated)
            custom.append(name)
        elif isinstance(item.get("field_key"), str) and item["field_key"]:
            name = item["field_key"]
        else:
            continue
        fields.append(name)
    return {"fields": fields, "custom_fields": custom}


def _ref_names(target: str, value: Any, ref: ReferenceData) -> str | list[str] | None:
    if isinstance(value, list):
        names = [ref.name_of(target, item) for item in value]
        # A partial list would no longer line up with the ids, so it is all or nothing.
        return None if None in names else [n for n in names if n is not None]
    return ref.name_of(target, value)


def _custom_fields(entries: list[Any], ref: ReferenceData, notes: list[str] | None) -> dict[str, Any]:
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
        shaped[_custom_label(definition, repeated)] = _custom_value(definition, entry["value"], ref, notes)
    return shaped


def _custom_label(definition: CustomFieldDefinition, repeated: Counter[str]) -> str:
    """How a custom field is named to a model: its name, with its id when another shares the name."""
    return definition.name if repeated[definition.name] <= 1 else f"{definition.name} (id {definition.id})"


def _definition(field_id: object, ref: ReferenceData) -> CustomFieldDefinition | None:
    return ref.custom_fields.get(field_id) if isinstance(field_id, int) else None


def _custom_value(
    definition: CustomFieldDefinition, value: Any, ref: ReferenceData, notes: list[str] | None
) -> Any:
    # An option id the definitions do not know (an option added since) stays an id.
    if definition.data_type == "Dropdown":
        name = definition.option_name(value)
        return value if name is None else name
    if definition.data_type == "MultiSelect" and isinstance(value, list):
        return [definition.option_name(item) or item for item in value]
    if definition.data_type == "Date" and is_unix(value):
        return _presentable(definition.name, value, iso_date_from_unix(value, ref.zone), notes)
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


@dataclass(frozen=True)
class View:
    """The fields a list shows of each record: its id always, and the wanted fields.

    A wanted name is a field of the record (``status``), the name beside an id (``assignee``
    shows ``assignee_id`` and its name), ``custom_fields`` (all of them), or the name of one
    custom field. Names ignore case. In a list view (``listing``), as a person scans a list, the
    names of the account's reference data (owner, stage, status, activity type) stand in for
    their ids; ids of records stay, and the record's own id is always there to get the whole
    record. Fields asked for by name are shown as asked, ids and names both.
    """

    marks: Marks
    listing: bool
    fields: frozenset[str]
    """Record fields shown, folded to lower case."""
    custom: frozenset[str]
    """Custom fields shown by name, folded; ``ALL_CUSTOM`` for every one."""

    @classmethod
    def of(cls, wanted: Iterable[str], record_fields: Iterable[str], marks: Marks, *, listing: bool) -> View | None:
        """The view of these wanted names (a list view's own if ``listing``); None when ``*`` asks for all."""
        folded = {name.strip().casefold() for name in wanted}
        if "*" in folded:
            return None
        known = {name.casefold() for name in record_fields}
        named = {name_key(field).casefold() for field in known}
        shown = frozenset(name for name in folded if name in known or name in named)
        return cls(marks, listing, shown, ALL_CUSTOM if "custom_fields" in folded else frozenset(folded - shown))

    def lean(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """The part of a raw record this view shows (before compact(), which names what is left)."""
        return {
            key: value
            for key, value in record.items()
            if key == "id"
            or key.casefold() in self.fields
            or name_key(key).casefold() in self.fields
            or (key == "custom_fields" and bool(self.custom))
        }

    def trim(self, shaped: dict[str, Any]) -> dict[str, Any]:
        """A compact record as this view shows it: reference ids left to their names, custom fields cut
        to those it names."""
        trimmed = {
            key: value
            for key, value in shaped.items()
            if not (self.listing and self.marks.refs.get(key) not in (None, *RECORD_REFS) and name_key(key) in shaped)
        }
        custom = trimmed.pop("custom_fields", None)
        if isinstance(custom, dict) and self.custom != ALL_CUSTOM:
            custom = {label: value for label, value in custom.items() if _label_name(label) in self.custom}
        return {**trimmed, "custom_fields": custom} if custom else trimmed

    def missing(self, shaped: Iterable[Mapping[str, Any]]) -> list[str]:
        """Custom field names this view asks for that no record shown has (misspelt, or all empty)."""
        if self.custom == ALL_CUSTOM:
            return []
        found = {_label_name(label) for record in shaped for label in (record.get("custom_fields") or {})}
        return sorted(self.custom - found)


ALL_CUSTOM = frozenset({"*"})


def _label_name(label: str) -> str:
    """A custom field's name as compact() labels it, without a repeated name's ``(id N)``, folded."""
    return re.sub(r" \(id \d+\)$", "", label).casefold()
