"""The record types the sandbox serves, stated once: names, what each supports, how they relate.

Every other sandbox module derives its lists from :data:`TYPES` (routes, webhook types,
related-item pairs, custom-field targets, search and validation of ``{id, type}`` links).
The order is the one Copper's reference uses, and answers that list several types
(related items) follow it. This module imports nothing from the sandbox, so any module may use it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RecordType:
    """One record type and the API features it has."""

    singular: str
    """The name in ``{"id", "type"}`` links, webhook types and custom-field ``available_on``."""
    plural: str
    """The name in URLs (``/people/{id}``) and the store's kind."""
    related: frozenset[str] = frozenset()
    """Types related items may link it to (Copper's documented pairs); empty for activities,
    which are not records others link to."""
    with_activities: bool = False
    """Has ``POST /{plural}/{id}/activities``."""
    bulk: tuple[str, ...] = ()
    """Bulk operations (``bulk_create``, ``bulk_update``)."""
    webhook_type: str = ""
    """The ``type`` webhook subscriptions use for it; empty means the singular name."""
    connect_type: str = ""
    """The ``entity_type`` Connect-field links (``/related_links``) spell it with; empty: not linkable."""

    @property
    def watched_as(self) -> str:
        """The webhook ``type`` that watches this record type."""
        return self.webhook_type or self.singular


_BOTH_BULK = ("bulk_create", "bulk_update")

TYPES: tuple[RecordType, ...] = (
    RecordType("lead", "leads", frozenset({"task"}), with_activities=True, bulk=_BOTH_BULK, connect_type="lead"),
    RecordType(
        "person", "people", frozenset({"company", "opportunity", "task", "project"}),
        with_activities=True, bulk=_BOTH_BULK, connect_type="people",
    ),
    RecordType(
        "company", "companies", frozenset({"person", "opportunity", "task", "project"}),
        with_activities=True, bulk=_BOTH_BULK, connect_type="organization",
    ),
    RecordType(
        "opportunity", "opportunities", frozenset({"company", "person", "task", "project"}),
        with_activities=True, bulk=("bulk_create",), connect_type="opportunity",
    ),
    RecordType(
        "project", "projects", frozenset({"company", "person", "opportunity", "task"}), connect_type="project"
    ),
    # A task relates to at most one record of any other type (see relations.py).
    RecordType("task", "tasks", frozenset({"lead", "person", "company", "opportunity", "project"})),
    RecordType("activity", "activities", bulk=("bulk_create",), webhook_type="activity_log"),
)  # fmt: skip

BY_PLURAL: dict[str, RecordType] = {t.plural: t for t in TYPES}
BY_SINGULAR: dict[str, RecordType] = {t.singular: t for t in TYPES}

RECORD_TYPES: dict[str, str] = {t.singular: t.plural for t in TYPES if t.related}
"""Singular -> plural of the records that can be linked: an activity's parent, a related
item, a task's or project's related_resource, a custom field's ``available_on``."""

WEBHOOK_TYPES: tuple[str, ...] = tuple(t.watched_as for t in TYPES)
"""Every ``type`` a webhook subscription may watch."""
