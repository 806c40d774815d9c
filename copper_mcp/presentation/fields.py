"""What the tool registry tells this package about an entity's fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

# Reference kinds an x-copper-ref can name. company and person point at records, not reference
# data, so their names are never looked up here.
REF_KINDS = frozenset(
    {
        "user",
        "company",
        "person",
        "pipeline",
        "pipeline_stage",
        "contact_type",
        "customer_source",
        "loss_reason",
        "lead_status",
        "activity_type",
        "record",
    }
)
# Kinds named from records, not reference data; "record" is Copper's {id, type} link to any of them.
RECORD_KINDS = frozenset({"company", "person", "record"})
DATE_KINDS = frozenset({"unix", "mdy"})

# Custom field definitions say where they apply with singular names; tools use plural paths.
SINGULAR = MappingProxyType(
    {
        "people": "person",
        "companies": "company",
        "leads": "lead",
        "opportunities": "opportunity",
        "projects": "project",
        "tasks": "task",
    }
)


@dataclass(frozen=True)
class EntityFields:
    """Field meaning for one entity, taken from the API description.

    refs maps a field (``assignee_id``, or a filter array such as ``assignee_ids``) to the kind of
    thing its ids refer to; dates maps a field to ``"unix"`` (Unix seconds) or ``"mdy"``
    (Copper's ``M/D/YYYY`` string); nested maps a field holding an object, or a list of
    objects, to the fields of that object (a bulk call's items, a lead conversion's details).
    """

    refs: Mapping[str, str] = field(default_factory=dict)
    dates: Mapping[str, str] = field(default_factory=dict)
    nested: Mapping[str, EntityFields] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown_refs = set(self.refs.values()) - REF_KINDS
        unknown_dates = set(self.dates.values()) - DATE_KINDS
        if unknown_refs or unknown_dates:
            raise ValueError(f"unknown field kinds: {sorted(unknown_refs | unknown_dates)}")
        # Copy so a caller mutating its dict later cannot change a value meant to be frozen.
        object.__setattr__(self, "refs", MappingProxyType(dict(self.refs)))
        object.__setattr__(self, "dates", MappingProxyType(dict(self.dates)))
        object.__setattr__(self, "nested", MappingProxyType(dict(self.nested)))

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EntityFields:
        """Read the ``fields`` data that ``scripts/gen_catalog.py`` writes into catalog.json."""
        nested = {name: cls.from_json(inner) for name, inner in data.get("nested", {}).items()}
        return cls(refs=data["refs"], dates=data["dates"], nested=nested)


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
