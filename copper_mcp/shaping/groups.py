"""group_by: what every record a search matches adds up to, answered in place of the records.

Pure: the call (``copper_mcp.calls``) reads the search page by page and gives each page's raw
records to a ``Tally``; this module decides what a key means (``keys``), which groups a record
counts in, what a group adds up, and what the answer says (``Tally.answer``).

A key is one of the search's declared keys (``x-copper-group-by``: ``owner``, ``stage``...), a
date field with a period (``close_date:month``; day, week, month or quarter, in the account's
time zone, weeks from Monday and named by that Monday), or a custom field by name (a dropdown,
multi-select or checkbox; a date one with a period). A record counts once in each group it
belongs to: in each of its tags or options when a key has several, and in the group of
``null`` when it has none.

Sums (deals and leads, ``sums`` of ``x-copper-group-by``) are kept per currency, never added
across currencies; a record without a value is counted apart (``without_value``), never as 0,
and one without a weight is left out of the weighted sum and counted apart
(``without_weight``).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from copper_mcp.catalog import GroupBy
from copper_mcp.core.entities import BY_PLURAL
from copper_mcp.core.errors import InputError
from copper_mcp.core.marks import Marks
from copper_mcp.core.pages import MAX_PAGE_SIZE

from .budget import fitting, sizes
from .dates import is_unix, iso_date_from_unix, iso_from_mdy
from .reference import CustomFieldDefinition, ReferenceData

PERIODS = ("day", "week", "month", "quarter")
MOST_PAGES = 25
"""The most search pages one group_by call reads. Copper allows 180 requests a minute for everything
the server does, and hosts give up on a tool call after about 60 seconds: 25 pages of 200 at about a
second each leave more than half of that time, and 155 of the minute's requests, to everything else."""
MOST_RECORDS = MOST_PAGES * MAX_PAGE_SIZE
"""5,000: the most records one group_by call adds up; past it the answer is not a total."""
GROUPABLE_TYPES = ("Dropdown", "MultiSelect", "Checkbox", "Date")
"""Custom field types whose values name groups (a Date one by a period)."""
UNKNOWN_CURRENCY = "unknown"
"""The currency of a value whose record names none."""
_CONFLICTS = ("max_records", "raw", "page_number", "page_size")
"""Inputs that mean nothing when group_by reads every page itself."""


@dataclass(frozen=True)
class Key:
    """One way of grouping: the name the answer shows and where a record's groups come from.

    Attributes:
        name: The key as the answer shows it (``stage``, ``close_date:month``, ``Industry``).
        field: The record field read (``pipeline_stage_id``); unused for a custom field.
        target: What the field's ids refer to (its ``x-copper-ref``), named by the reference data.
        period: day, week, month or quarter, for a date.
        form: The date's form (``unix`` or ``mdy``), for a date.
        custom: The custom field, for one.
    """

    name: str
    field: str = ""
    target: str | None = None
    period: str | None = None
    form: str | None = None
    custom: CustomFieldDefinition | None = None

    def groups(self, record: Mapping[str, Any], reference: ReferenceData) -> list[Hashable]:
        """What identifies each group of this key the record counts in: [None] when it has none."""
        if self.custom is not None:
            value = _custom_value(record, self.custom.id)
            form = "unix" if self.custom.data_type == "Date" else None
        else:
            value, form = record.get(self.field), self.form
        values = value if isinstance(value, list) else [value]
        found = [self._identity(item, form, reference) for item in values]
        return list(dict.fromkeys(found)) or [None]

    def _identity(self, value: Any, form: str | None, reference: ReferenceData) -> Hashable:
        if value is None:
            return None
        if self.period is not None:
            return _bucket(value, form, self.period, reference)
        if self.target == "record":  # a link to any record: grouped by its type
            return value.get("type") if isinstance(value, Mapping) else None
        if self.target == "activity_type" and isinstance(value, Mapping):  # Copper's {category, id}
            return (value.get("category"), value.get("id"))
        return value if isinstance(value, Hashable) else json.dumps(value, sort_keys=True)

    def label(self, identity: Hashable, reference: ReferenceData) -> Any:
        """How the answer shows a group of this key: a name where the id has one, else the id."""
        if identity is None:
            return None
        if self.custom is not None and self.custom.data_type in ("Dropdown", "MultiSelect"):
            return self.custom.option_name(identity) or identity
        if self.target == "activity_type" and isinstance(identity, tuple):
            category, type_id = identity
            return reference.activity_type_name(category, type_id) or f"{category} {type_id}"
        if self.target is not None and self.target != "record":
            return reference.name_of(self.target, identity) or identity
        return identity

    def told_apart(self, identity: Hashable, name: str, reference: ReferenceData) -> str:
        """A name several groups of this key share, made unique: a stage by its pipeline, else by id."""
        if self.target == "pipeline_stage" and isinstance(identity, int) and identity in reference.stage_pipeline:
            return f"{name} ({reference.name_of('pipeline', reference.stage_pipeline[identity])})"
        return f"{name} (id {identity})"


def needs(asked: Sequence[str], group_by: GroupBy, marks: Marks) -> set[str]:
    """What reading these keys needs from the account (see ``reference.SOURCES``).

    A key that is none of the declared ones or dates may be a custom field, or a mistake whose
    message lists the custom fields too: either way the definitions are needed.
    """
    found = {"zone"}
    for text in asked:
        declared = _declared(text, group_by)
        if declared is not None:
            target = marks.refs.get(group_by.keys[declared])
            if target is not None:
                found.add(target)
        elif _date_field(text, marks) is None:
            found.add("custom_fields")
    return found


def keys(asked: Sequence[str], group_by: GroupBy, marks: Marks, reference: ReferenceData, entity: str) -> list[Key]:
    """The keys a model asked for, each checked; an unknown one is an error listing the valid keys."""
    found = [_key(text, group_by, marks, reference, entity) for text in asked]
    names = [key.name for key in found]
    if len(set(names)) < len(names):
        raise InputError(f"group_by names {names[0]!r} twice: give two different keys, or one.", field="group_by")
    return found


def check_options(options: Mapping[str, Any], args: Mapping[str, Any]) -> None:
    """Refuse what cannot go with group_by (or top without it): nothing has been sent yet."""
    if "group_by" not in options:
        raise InputError("top needs group_by: it keeps the largest groups.", field="top")
    given = [name for name in _CONFLICTS if name in options or name in args]
    if given:
        raise InputError(
            f"group_by reads every matching record itself, page by page: leave out {', '.join(given)}.",
            field=given[0],
        )


def _key(text: str, group_by: GroupBy, marks: Marks, reference: ReferenceData, entity: str) -> Key:
    declared = _declared(text, group_by)
    if declared is not None:
        name = group_by.keys[declared]
        return Key(declared, name, target=marks.refs.get(name))
    base, period = _split(text)
    dated = _date_field(text, marks)
    if dated is not None:
        if period is None:
            raise InputError(
                f"group_by: {dated} is a date: add a period, e.g. {dated}:month ({_periods()}).", field="group_by"
            )
        return Key(f"{dated}:{period}", dated, period=period, form=marks.dates[dated])
    custom = _custom_field(base, reference, entity)
    if custom is None:
        raise InputError(
            f"group_by: {text!r} is not a key of {entity}. {_valid(group_by, marks, reference, entity)}",
            field="group_by",
        )
    if (custom.data_type == "Date") != (period is not None):
        shown = f"{custom.name}:month ({_periods()})" if custom.data_type == "Date" else custom.name
        raise InputError(f"group_by: the custom field {custom.name} is grouped as {shown}.", field="group_by")
    return Key(custom.name if period is None else f"{custom.name}:{period}", period=period, custom=custom)


def _declared(text: str, group_by: GroupBy) -> str | None:
    wanted = text.strip().casefold()
    return next((key for key in group_by.keys if key.casefold() == wanted), None)


def _split(text: str) -> tuple[str, str | None]:
    """``close_date:Month`` -> (close_date, month); text without a known period is all base."""
    base, colon, period = text.strip().rpartition(":")
    if colon and period.strip().casefold() in PERIODS:
        return base.strip(), period.strip().casefold()
    return text.strip(), None


def _date_field(text: str, marks: Marks) -> str | None:
    base, _ = _split(text)
    return next((name for name in marks.dates if name.casefold() == base.casefold()), None)


def _custom_field(name: str, reference: ReferenceData, entity: str) -> CustomFieldDefinition | None:
    wanted = name.casefold()
    return next((d for d in _groupable(reference, entity) if d.name.casefold() == wanted), None)


def _groupable(reference: ReferenceData, entity: str) -> list[CustomFieldDefinition]:
    here = reference.custom_fields_on(BY_PLURAL[entity].singular)
    return [d for d in here if d.data_type in GROUPABLE_TYPES]


def _periods() -> str:
    return ", ".join(PERIODS)


def _valid(group_by: GroupBy, marks: Marks, reference: ReferenceData, entity: str) -> str:
    """Every key of an entity, for a message: what a model needs to ask again."""
    custom = [d.name + (":month" if d.data_type == "Date" else "") for d in _groupable(reference, entity)]
    text = (
        f"Valid keys: {', '.join(group_by.keys)}; a date field with a period ({_periods()}): "
        f"{', '.join(name + ':month' for name in marks.dates)}"
    )
    return text + (f"; custom fields: {', '.join(custom)}." if custom else ".")


def _custom_value(record: Mapping[str, Any], definition_id: int) -> Any:
    for entry in record.get("custom_fields") or []:
        if isinstance(entry, Mapping) and entry.get("custom_field_definition_id") == definition_id:
            return entry.get("value")
    return None


def _bucket(value: Any, form: str | None, period: str, reference: ReferenceData) -> str | None:
    """The period a date falls in, in the account's time zone: 2026-11-01, its week's Monday, 2026-11, 2026-Q4."""
    if form == "mdy" and isinstance(value, str):
        text = iso_from_mdy(value)
    elif is_unix(value):
        text = iso_date_from_unix(value, reference.zone)
    else:
        text = None
    if text is None:
        return None
    day = date.fromisoformat(text)
    if period == "day":
        return day.isoformat()
    if period == "week":
        return (day - timedelta(days=day.weekday())).isoformat()
    if period == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


@dataclass
class _Group:
    count: int = 0
    value: dict[str, float] = field(default_factory=dict)
    weighted: dict[str, float] = field(default_factory=dict)
    without_value: int = 0
    without_weight: int = 0


class Tally:
    """Groups counted (and summed) over the pages of one search, then answered.

    Args:
        keys: What to group by (see ``keys``).
        sums: The roles of ``x-copper-group-by`` sums: value, currency, weight (empty: counts only).
        reference: Names of ids and the account's time zone.
    """

    def __init__(self, keys: Sequence[Key], sums: Mapping[str, str], reference: ReferenceData) -> None:
        self.keys = tuple(keys)
        self.sums = sums
        self.reference = reference
        self.records_read = 0
        self._groups: dict[tuple[Hashable, ...], _Group] = {}
        self._spread = False

    def add(self, records: Iterable[Any]) -> None:
        """Count one page of Copper's records."""
        for record in records:
            if not isinstance(record, Mapping):
                continue
            self.records_read += 1
            combos = list(itertools.product(*(key.groups(record, self.reference) for key in self.keys)))
            self._spread = self._spread or len(combos) > 1
            for combo in combos:
                self._count(self._groups.setdefault(combo, _Group()), record)

    def _count(self, group: _Group, record: Mapping[str, Any]) -> None:
        group.count += 1
        if not self.sums:
            return
        amount = record.get(self.sums["value"])
        if not is_unix(amount):  # a number that is not a bool
            group.without_value += 1
            return
        currency = record.get(self.sums.get("currency", "")) or UNKNOWN_CURRENCY
        group.value[currency] = group.value.get(currency, 0) + amount
        if "weight" not in self.sums:
            return
        weight = record.get(self.sums["weight"])
        if not is_unix(weight):
            group.without_weight += 1
            return
        group.weighted[currency] = group.weighted.get(currency, 0) + amount * weight / 100

    def answer(self, *, top: int | None, pages: int, complete: bool, total: int | None, budget: int) -> dict[str, Any]:
        """The groups, largest first, as a model reads them; never a partial sum shown as a total.

        Largest means the largest value when every value is in one currency, else the most
        records. ``top`` keeps that many; the answer is cut to ``budget`` bytes of groups, saying so.
        """
        currencies = sorted({c for group in self._groups.values() for c in group.value})
        by_value = len(currencies) == 1
        labels = self._labels()
        ordered = sorted(
            self._groups.items(),
            key=lambda item: (
                -(item[1].value.get(currencies[0], 0) if by_value else 0),
                -item[1].count,
                json.dumps([labels[i][part] for i, part in enumerate(item[0])], ensure_ascii=False, default=str),
            ),
        )
        shown = [self._shown(combo, group, labels) for combo, group in ordered[:top]]
        kept = fitting(sizes(shown), budget)
        notes = self._notes(currencies, by_value, complete)
        if kept < len(shown):
            notes.append(
                f"Only the largest {kept} of the {len(ordered)} groups fit in one answer: ask with top, "
                "fewer or coarser keys (a month, not a day), or narrower filters."
            )
        answer: dict[str, Any] = {
            "groups" if complete else "partial_groups": shown[:kept],
            "group_count": len(ordered),
            "records_read": self.records_read,
            "pages": pages,
            "complete": complete,
        }
        if not complete and total is not None:
            answer["total"] = total
        if notes:
            answer["notes"] = notes
        return answer

    def _labels(self) -> list[dict[Hashable, Any]]:
        """For each key, every group's label: names, and names shared by several ids told apart."""
        found: list[dict[Hashable, Any]] = []
        for position, key in enumerate(self.keys):
            identities = {combo[position] for combo in self._groups}
            named = {identity: key.label(identity, self.reference) for identity in identities}
            shared = [label for label in named.values() if isinstance(label, str)]
            repeated = {label for label in shared if shared.count(label) > 1}
            found.append(
                {
                    identity: key.told_apart(identity, label, self.reference) if label in repeated else label
                    for identity, label in named.items()
                }
            )
        return found

    def _shown(self, combo: tuple[Hashable, ...], group: _Group, labels: list[dict[Hashable, Any]]) -> dict[str, Any]:
        shown: dict[str, Any] = {
            "key": {key.name: labels[i][combo[i]] for i, key in enumerate(self.keys)},
            "count": group.count,
        }
        if self.sums:
            shown["value"] = _money(group.value)
            if "weight" in self.sums:
                shown["weighted_value"] = _money(group.weighted)
            shown["without_value"] = group.without_value
            if group.without_weight:
                shown["without_weight"] = group.without_weight
        return shown

    def _notes(self, currencies: list[str], by_value: bool, complete: bool) -> list[str]:
        notes: list[str] = []
        if not complete:
            notes.append(
                f"Stopped after {self.records_read:,} records, the most one call adds up: partial_groups are "
                f"NOT totals. Narrow the filters (a shorter date range, one owner, pipeline or status) until "
                f"fewer than {MOST_RECORDS:,} records match, or ask once per date range and add up the "
                "complete answers."
            )
        if self._spread:
            notes.append(
                "A record with several values of a key (tags, options) counts once in each of their groups, "
                "so counts add up to more than records_read."
            )
        if any(key.period and (key.form == "unix" or key.custom) for key in self.keys):
            notes.append(f"Dates are grouped in the account's time zone, {self.reference.timezone}.")
        if any(key.period == "week" for key in self.keys):
            notes.append("A week starts on Monday and is named by that Monday's date.")
        if self.sums:
            without = "without_value counts records with no value (left out of the sums)"
            if len(currencies) > 1:
                notes.append(
                    f"Values are summed per currency ({', '.join(currencies)}), never converted; groups are "
                    f"ordered by count. {without}."
                )
            else:
                notes.append(f"Groups are ordered by {'value' if by_value else 'count'}; {without}.")
        return notes


def _money(sums: Mapping[str, float]) -> dict[str, float | int]:
    """Sums by currency, to the cent, whole amounts without a decimal point."""
    rounded = {currency: round(amount, 2) for currency, amount in sorted(sums.items())}
    return {currency: int(amount) if float(amount).is_integer() else amount for currency, amount in rounded.items()}
