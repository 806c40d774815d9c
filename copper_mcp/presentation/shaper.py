"""The shaper the tools use: friendly inputs in, Copper's records out.

Reference data is only fetched when a call actually needs it (a name where an id goes, an
ISO date, custom fields by name), so a plain ``get_person`` costs one Copper request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from copper_mcp.tools.catalog import Operation

from .cache import ReferenceCache
from .fields import EntityFields
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


class CopperShaper:
    """Translate friendly arguments with the presentation layer; answer with Copper's data."""

    def __init__(self, cache: ReferenceCache) -> None:
        self._cache = cache

    async def prepare(self, op: Operation, args: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """Copper-ready arguments plus notes (e.g. which time zone read a bare date)."""
        if op.entity is None or not needs_reference(op, args):
            return args, []
        reference = await self._cache.get()
        return to_copper(op.entity, args, EntityFields(refs=op.fields.refs, dates=op.fields.dates), reference)

    async def present(self, op: Operation, data: Any, args: Mapping[str, Any]) -> Any:
        """Copper's data as sent; a change to reference data refreshes the cache."""
        if not op.read_only and op.toolset in _REFERENCE_TOOLSETS:
            self._cache.invalidate()
        return data
