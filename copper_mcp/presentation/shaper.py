"""The shaper the tools use: friendly inputs in, Copper's records out.

Reference data is only fetched when a call actually needs it (a name where an id goes, an
ISO date, custom fields by name), so a plain ``get_person`` costs one Copper request.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from copper_mcp.tools.catalog import Operation

from .budget import DEFAULT_BUDGET, aligned_page, fit_to_budget
from .cache import ReferenceCache
from .fields import SINGULAR, EntityFields
from .names import RecordNames
from .reads import compact, link_ids, linked_ids, name_links
from .reference import ReferenceData
from .writes import to_copper

# Writes to these toolsets change what the reference data holds.
_REFERENCE_TOOLSETS = frozenset({"custom_fields"})
logger = logging.getLogger(__name__)
# A lead conversion answers {"person": {...}, "company": {...}, "opportunity": {...}}.
_ENTITY_OF_SINGULAR = {singular: entity for entity, singular in SINGULAR.items()}


def _friendly(value: Any) -> bool:
    """A value that is not already in Copper's form (an int id, Unix seconds, {category, id})."""
    if isinstance(value, list):
        return any(_friendly(item) for item in value)
    return isinstance(value, str)


def needs_reference(fields: EntityFields, args: Mapping[str, Any]) -> bool:
    """Whether translating these arguments needs the account's reference data."""
    marked = {**fields.refs, **fields.dates}
    if any(_friendly(args[key]) for key in marked if key in args):
        return True
    if isinstance(args.get("custom_fields"), dict):
        return True
    for key, inner in fields.nested.items():
        value = args.get(key)
        parts = value if isinstance(value, list) else [value]
        if any(isinstance(part, Mapping) and needs_reference(inner, part) for part in parts):
            return True
    return False


class CopperShaper:
    """Translate friendly arguments in; shape records out (compact unless ``raw``), within budget."""

    def __init__(
        self,
        cache: ReferenceCache,
        entities: Mapping[str, EntityFields],
        budget: int = DEFAULT_BUDGET,
        names: RecordNames | None = None,
    ) -> None:
        self._cache = cache
        self._entities = dict(entities)
        self._budget = budget
        self._names = names

    async def prepare(self, op: Operation, args: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """Copper-ready arguments plus notes (e.g. which time zone read a bare date)."""
        if not needs_reference(op.fields, args):
            return args, []
        reference = await self._cache.get()
        # Operations outside a record entity (a pipeline's stages) have marked fields too.
        return to_copper(op.entity or "", args, op.fields, reference)

    async def present(self, op: Operation, data: Any, args: Mapping[str, Any]) -> Any:
        """Records in the compact form (or raw), a search page cut honestly to the budget.

        Writes answer with the record they made or changed, compact too, so a model reads
        the same shape whether it searched for a record or just created it. A write has
        already happened when this runs, so if shaping fails (reference data cannot be
        fetched) its answer is Copper's record with a note, never an error a model would
        answer by writing again.
        """
        if not op.read_only:
            if op.toolset in _REFERENCE_TOOLSETS:
                self._cache.invalidate()
            if self._names is not None and op.entity in SINGULAR:  # it may have renamed a record
                self._names.forget()
        if op.lists_links and isinstance(data, dict) and self._names is not None:
            links = data.get("records") or []
            return {**data, "records": name_links(links, await self._names.lookup(link_ids(links)))}
        entity = op.entity or ""
        if entity not in self._entities or not isinstance(data, dict):
            return data
        if op.read_only:
            return self._within_budget(data if args.get("raw") else await self._shape(op, entity, data))
        try:
            return await self._shape(op, entity, data)
        except Exception as exc:  # whatever it is, the write is done and must not look failed
            logger.warning("%s succeeded; its answer could not be shaped", op.name, exc_info=True)
            note = f"Done. This is Copper's own record: names and dates could not be added ({exc})."
            return {**data, "notes": [*data.get("notes", []), note]}

    async def _shape(self, op: Operation, entity: str, data: dict[str, Any]) -> dict[str, Any]:
        reference = await self._cache.get()
        if "records" in data:
            parts = [(entity, record) for record in data["records"]]
        elif op.kind == "convert":
            parts = [(_ENTITY_OF_SINGULAR.get(key, ""), part) for key, part in data.items()]
        else:
            parts = [(entity, data)]
        linked = await self._linked(parts)
        shaped = [self._compact(kind, part, reference, linked) for kind, part in parts]
        if "records" in data:
            return {**data, "records": shaped}
        if op.kind == "convert":
            return dict(zip(data, shaped, strict=True))
        one: dict[str, Any] = shaped[0]
        return one

    async def _linked(self, parts: list[tuple[str, Any]]) -> dict[tuple[str, int], str]:
        """Names of the records these records point at, in one search per kind of record."""
        records = [(part, self._entities[kind]) for kind, part in parts if kind in self._entities]
        wanted = linked_ids((part, fields) for part, fields in records if isinstance(part, dict))
        if not wanted or self._names is None:
            return {}
        return await self._names.lookup(wanted)

    def _compact(
        self, entity: str, value: Any, reference: ReferenceData, linked: Mapping[tuple[str, int], str]
    ) -> Any:
        """value compact if it is a record of a known entity, else as it is."""
        fields = self._entities.get(entity)
        if fields is None or not isinstance(value, dict):
            return value
        return compact(value, fields, reference, linked)

    def fits(self, records: list[Any]) -> bool:
        """Whether these records, as ``present`` gave them, fit in one answer's budget."""
        return not fit_to_budget(records, self._budget)[1]

    def _within_budget(self, data: dict[str, Any]) -> dict[str, Any]:
        """Never a silently cut answer: fewer records, has_more, and exactly how to get the rest.

        A cut search page is described again as the smaller page it now is (page_size and
        page_number change), so continuing from next_page_number with that page_size neither
        skips nor repeats a record.
        """
        records = data.get("records")
        if not isinstance(records, list):
            return data
        kept, cut = fit_to_budget(records, self._budget)
        if not cut:
            return data
        page, size = data.get("page_number"), data.get("page_size")
        if not (isinstance(page, int) and isinstance(size, int)) or not kept:
            note = (
                f"Only {len(kept)} of the {len(records)} records fit in one answer; "
                "narrow the request (filters, or a get per record) to see the rest."
            )
            return {**data, "records": kept, "has_more": True, "notes": [*data.get("notes", []), note]}
        smaller, number = aligned_page((page - 1) * size, len(kept))
        note = (
            f"Only {smaller} of the {len(records)} records asked for fit in one answer: this is page {number} "
            f"of {smaller} records. Continue with page_number={number + 1} and page_size={smaller}."
        )
        return {
            **data,
            "records": kept[:smaller],
            "page_number": number,
            "page_size": smaller,
            "has_more": True,
            "next_page_number": number + 1,
            "notes": [*data.get("notes", []), note],
        }

