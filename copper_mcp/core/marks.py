"""Field marks: which fields of a record or of a tool's input are dates or refer to something.

They come from the API description (``x-copper-date`` and ``x-copper-ref``) through the
catalogue; nothing else in the package names a field of one entity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

# How messages name what an id refers to: (one, several). company, person, record and
# connect_end point at records; the rest at the account's reference data.
REF_WORDS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "user": ("user", "users"),
        "company": ("company", "companies"),
        "person": ("person", "people"),
        "record": ("record", "records"),
        "pipeline": ("pipeline", "pipelines"),
        "pipeline_stage": ("pipeline stage", "pipeline stages"),
        "contact_type": ("contact type", "contact types"),
        "customer_source": ("customer source", "customer sources"),
        "loss_reason": ("loss reason", "loss reasons"),
        "lead_status": ("lead status", "lead statuses"),
        "activity_type": ("activity type", "activity types"),
        "custom_activity_type": ("custom activity type", "custom activity types"),
        "connect_field": ("Connect field", "Connect fields"),
        "connect_end": ("linked record", "linked records"),
    }
)
LINK_REFS = frozenset({"record", "connect_end"})
"""Links to any record, given whole and named only in answers: ``record`` is Copper's ``{id, type}``,
``connect_end`` an ``{id, entity_type}`` end of a Connect-field link (a record or a user)."""
RECORD_REFS = frozenset({"company", "person", *LINK_REFS})
"""Refs named from records, not reference data."""
DATE_FORMS = frozenset({"unix", "mdy"})
"""``unix``: Unix seconds; ``mdy``: Copper's ``M/D/YYYY`` text (an opportunity's close_date)."""


@dataclass(frozen=True)
class Marks:
    """What the fields of one object mean, taken from the API description.

    refs maps a field (``assignee_id``, or a filter array such as ``assignee_ids``) to what its
    ids refer to; dates maps a field to its date form; nested maps a field holding an object,
    or a list of objects, to the marks of that object (a bulk call's items, a lead
    conversion's details, a person's ``leads_converted_from``). values maps a field whose
    Copper values are numbers to the words that stand for them (``"Won"`` for 1, ``true``
    for 1), and pairs names fields Copper takes as an object of strings that tools take as
    a list of ``{name, value}``.
    """

    refs: Mapping[str, str] = field(default_factory=dict)
    dates: Mapping[str, str] = field(default_factory=dict)
    nested: Mapping[str, Marks] = field(default_factory=dict)
    values: Mapping[str, tuple[tuple[Any, Any], ...]] = field(default_factory=dict)
    pairs: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        unknown = (set(self.refs.values()) - set(REF_WORDS)) | (set(self.dates.values()) - DATE_FORMS)
        if unknown:
            raise ValueError(f"unknown field marks: {sorted(unknown)}")
        # Copied, so a caller mutating its dict later cannot change a value meant to be frozen.
        object.__setattr__(self, "refs", MappingProxyType(dict(self.refs)))
        object.__setattr__(self, "dates", MappingProxyType(dict(self.dates)))
        object.__setattr__(self, "nested", MappingProxyType(dict(self.nested)))
        object.__setattr__(self, "values", MappingProxyType({k: tuple(map(tuple, v)) for k, v in self.values.items()}))
        object.__setattr__(self, "pairs", frozenset(self.pairs))

    def __bool__(self) -> bool:
        return bool(self.refs or self.dates or self.nested or self.values or self.pairs)

    def only(self, names: set[str] | frozenset[str]) -> Marks:
        """The marks of these fields alone."""
        return Marks(
            refs={k: v for k, v in self.refs.items() if k in names},
            dates={k: v for k, v in self.dates.items() if k in names},
            nested={k: v for k, v in self.nested.items() if k in names},
            values={k: v for k, v in self.values.items() if k in names},
            pairs=self.pairs & names,
        )

    def to_json(self) -> dict[str, Any]:
        """Plain data for catalog.json (empty groups left out)."""
        data: dict[str, Any] = {}
        if self.refs:
            data["refs"] = dict(self.refs)
        if self.dates:
            data["dates"] = dict(self.dates)
        if self.nested:
            data["nested"] = {name: inner.to_json() for name, inner in self.nested.items()}
        if self.values:
            data["values"] = {name: [list(pair) for pair in pairs] for name, pairs in self.values.items()}
        if self.pairs:
            data["pairs"] = sorted(self.pairs)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Marks:
        """Read what :meth:`to_json` wrote."""
        nested = {name: cls.from_json(inner) for name, inner in data.get("nested", {}).items()}
        return cls(
            refs=data.get("refs", {}),
            dates=data.get("dates", {}),
            nested=nested,
            values=data.get("values", {}),
            pairs=frozenset(data.get("pairs", ())),
        )
