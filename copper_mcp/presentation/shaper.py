"""The shaper the tools use: friendly inputs in, Copper's records out.

Reference data is only fetched when a call actually needs it (a name where an id goes, an
ISO date, custom fields by name), so a plain ``get_person`` costs one Copper request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from copper_mcp.tools.catalog import FieldMarks, Operation

from .budget import DEFAULT_BUDGET, fit_to_budget
from .cache import ReferenceCache
from .fields import EntityFields
from .reads import compact
from .writes import to_copper

# Writes to these toolsets change what the reference data holds.
_REFERENCE_TOOLSETS = frozenset({"custom_fields"})


def _friendly(value: Any) -> bool:
    """A value that is not already in Copper's form (an int id or Unix seconds)."""
    if isinstance(value, list):
        return any(_friendly(item) for item in value)
    return isinstance(value, str)


def needs_reference(op: Operation, args: Mapping[str, Any]) -> bool:
    """Whether translating these arguments needs the account's reference data."""
    marked = {**op.fields.refs, **op.fields.dates}
    if any(_friendly(args[key]) for key in marked if key in args):
        return True
    if isinstance(args.get("custom_fields"), dict):
        return True
    return op.entity == "activities" and (_friendly(args.get("type")) or _friendly(args.get("activity_types")))


def entity_fields(marks: FieldMarks) -> EntityFields:
    """The presentation layer's view of the catalogue's field marks."""
    return EntityFields(refs=marks.refs, dates=marks.dates)


class CopperShaper:
    """Translate friendly arguments in; shape records out (compact unless ``raw``), within budget."""

    def __init__(
        self, cache: ReferenceCache, entities: Mapping[str, FieldMarks], budget: int = DEFAULT_BUDGET
    ) -> None:
        self._cache = cache
        self._entities = {name: entity_fields(marks) for name, marks in entities.items()}
        self._budget = budget

    async def prepare(self, op: Operation, args: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """Copper-ready arguments plus notes (e.g. which time zone read a bare date)."""
        if not needs_reference(op, args):
            return args, []
        reference = await self._cache.get()
        # Operations outside a record entity (a pipeline's stages) have marked fields too.
        return to_copper(op.entity or "", args, entity_fields(op.fields), reference)

    async def present(self, op: Operation, data: Any, args: Mapping[str, Any]) -> Any:
        """Records in the compact form (or raw), a search page cut honestly to the budget."""
        if not op.read_only and op.toolset in _REFERENCE_TOOLSETS:
            self._cache.invalidate()
        fields = self._entities.get(op.entity or "")
        if not op.read_only or fields is None or not isinstance(data, dict):
            return data
        if not args.get("raw"):
            reference = await self._cache.get()
            if "records" in data:
                data = {**data, "records": [compact(op.entity or "", r, fields, reference) for r in data["records"]]}
            else:
                data = compact(op.entity or "", data, fields, reference)
        return self._within_budget(data)

    def _within_budget(self, data: dict[str, Any]) -> dict[str, Any]:
        """Never a silently cut answer: fewer records, has_more, and how to get the rest."""
        records = data.get("records")
        if not isinstance(records, list):
            return data
        kept, cut = fit_to_budget(records, self._budget)
        if not cut:
            return data
        size = max(len(kept), 1)
        note = (
            f"Only {len(kept)} of the {len(records)} records on this page fit in one answer. "
            f"Ask again with page_size={size} and raise page_number to see the rest."
        )
        return {**data, "records": kept, "has_more": True, "notes": [*data.get("notes", []), note]}
