"""Record lifecycle: create, partial update, delete and rendering, with Copper's side rules.

Stored documents hold only what the client (or a rule) set; values that follow other
records (a person's ``company_name``, a lead's ``status``) are derived when rendering,
so they can never go stale.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from copper_mcp.sandbox import activitytypes, connect, customfields
from copper_mcp.sandbox.entities import ENTITIES, FIELD_RELATIONS, RESOURCE_HOLDERS, Entity, validate_input
from copper_mcp.sandbox.errors import invalid, not_found
from copper_mcp.sandbox.recordtypes import RECORD_TYPES
from copper_mcp.sandbox.store import Store

LINKS = "links"
"""Related-item links that no record field expresses (kind name in the store)."""


def wall_clock() -> int:
    """Unix seconds now (record timestamps use wall time; rate limits use the config clock)."""
    return int(time.time())


class Records:
    """Reads and writes of the seven record types over a :class:`Store`."""

    def __init__(self, store: Store, now: Callable[[], int] = wall_clock) -> None:
        self.store = store
        self.now = now

    # -- reads ------------------------------------------------------------------

    def load(self, plural: str, id: int) -> dict[str, Any]:
        """The stored document, or 404 (converted leads are gone for clients)."""
        doc = self.store.get(plural, id)
        if doc is None or doc.get("converted_at") is not None:
            raise not_found()
        return doc

    def live(self, plural: str) -> list[dict[str, Any]]:
        """All searchable documents of a type (no deleted-activity stubs, no converted leads)."""
        return [d for d in self.store.list(plural) if not d.get("is_deleted") and d.get("converted_at") is None]

    def render(self, plural: str, doc: dict[str, Any], computed: bool = False) -> dict[str, Any]:
        """The API shape of a stored document."""
        if doc.get("is_deleted"):
            return {"id": doc["id"], "is_deleted": True}
        out = {"id": doc["id"], **{k: v for k, v in doc.items() if not k.startswith("_")}}
        entity = ENTITIES[plural]
        if "custom_fields" in entity.fields:
            connected = connect.linked_ids(self.store, entity.singular, doc["id"])
            stored_values = doc.get("custom_fields", {})
            out["custom_fields"] = customfields.render(self.store, entity.singular, stored_values, computed, connected)
        if plural in ("people", "opportunities"):
            company = self.store.get("companies", doc["company_id"]) if doc.get("company_id") else None
            out["company_name"] = company["name"] if company else None
        if plural == "leads":
            status = self.store.get("lead_statuses", doc["status_id"]) if doc.get("status_id") else None
            out["status"] = status["name"] if status else None
        if plural == "opportunities" and doc.get("pipeline_id"):
            pipeline = self.store.get("pipelines", doc["pipeline_id"]) or {}
            out["pipeline_is_revenue"] = bool(pipeline.get("is_revenue", True))
            out["pipeline_type"] = pipeline.get("type", "opportunity")
        return out

    # -- writes -----------------------------------------------------------------

    def create(self, plural: str, body: dict[str, Any], user_id: int | None = None) -> dict[str, Any]:
        """Validate and insert a record; returns the stored document."""
        entity = ENTITIES[plural]
        self._prepare(entity, body)
        changes = validate_input(entity, body, self.store, creating=True)
        doc = entity.defaults()
        doc.update(changes)
        now = self.now()
        doc["date_created"] = doc["date_modified"] = now
        self._apply_rules(plural, doc, body, None, user_id)
        self._check_unique(plural, doc, None)
        with self.store.transaction():
            stored = self.store.insert(plural, doc)
            if plural == "activities":
                self.count_interaction(stored)
        return stored

    def update(self, plural: str, id: int, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[Any]]]:
        """Apply a partial update; returns the new document and ``{field: [old, new]}``."""
        entity = ENTITIES[plural]
        before = self.load(plural, id)
        if before.get("is_deleted"):
            raise not_found()
        if plural == "activities":
            category = before.get("type", {}).get("category")
            if category != "user":
                raise invalid("type", "only user activities can be updated")
        self._prepare(entity, body)
        changes = validate_input(entity, body, self.store, creating=False)
        doc = dict(before)
        if "custom_fields" in changes:
            # Copper merges custom field values by definition: unnamed fields keep their values.
            changes["custom_fields"] = {**before.get("custom_fields", {}), **changes["custom_fields"]}
        doc.update(changes)
        self._apply_rules(plural, doc, body, before, None)
        self._check_unique(plural, doc, id)
        diff = {k: [before.get(k), doc.get(k)] for k in doc if k != "date_modified" and before.get(k) != doc.get(k)}
        if diff:
            doc["date_modified"] = max(self.now(), int(before.get("date_modified") or 0))
        self.store.replace(plural, id, doc)
        return doc, diff

    def delete(self, plural: str, id: int) -> None:
        """Remove a record and every relation pointing at it (activities keep a stub)."""
        doc = self.load(plural, id)
        if doc.get("is_deleted"):
            raise not_found()
        singular = ENTITIES[plural].singular
        with self.store.transaction():
            if plural == "activities":
                self.store.replace(plural, id, {"id": id, "is_deleted": True})
                return
            self.store.delete(plural, id)
            self._forget_relations(singular, id)

    # -- rules shared by several entities ------------------------------------------

    def _prepare(self, entity: Entity, body: dict[str, Any]) -> None:
        # Clients often send only first/last names; Copper requires a full name.
        if "first_name" in entity.fields and not body.get("name"):
            parts = [body.get(k) for k in ("first_name", "middle_name", "last_name")]
            if all(p is None or isinstance(p, str) for p in parts) and any(parts):
                body["name"] = " ".join(p for p in parts if isinstance(p, str) and p)
        # Leads accept a status name as a friendlier spelling of status_id.
        if entity.plural == "leads" and "status" in body and "status_id" not in body:
            by_name = {s["name"].lower(): s["id"] for s in self.store.list("lead_statuses")}
            name = body["status"]
            if not isinstance(name, str) or name.lower() not in by_name:
                raise invalid("status", "unknown lead status")
            body["status_id"] = by_name[name.lower()]

    def _check_unique(self, plural: str, doc: dict[str, Any], own_id: int | None) -> None:
        if plural == "people":
            mine = {e["email"].lower() for e in doc.get("emails") or []}
            for other in self.store.list("people"):
                if other["id"] != own_id and mine & {e["email"].lower() for e in other.get("emails") or []}:
                    raise invalid("emails", "email address is already used by another person")
        if plural == "companies" and doc.get("email_domain"):
            domain = doc["email_domain"].lower()
            for other in self.store.list("companies"):
                if other["id"] != own_id and (other.get("email_domain") or "").lower() == domain:
                    raise invalid("email_domain", "is already used by another company")

    def count_interaction(self, activity: dict[str, Any]) -> None:
        """Count a stored activity on its parent if its type is an interaction."""
        kind = self.store.get(activitytypes.KIND, activity["type"]["id"])
        parent = activity["parent"]
        plural = RECORD_TYPES[parent["type"]]
        target = self.store.get(plural, parent["id"])
        if kind is None or not kind.get("count_as_interaction") or target is None:
            return
        if "interaction_count" in ENTITIES[plural].fields:
            target["interaction_count"] = int(target.get("interaction_count") or 0) + 1
            target["date_last_contacted"] = max(activity["activity_date"], target.get("date_last_contacted") or 0)
            self.store.replace(plural, target["id"], target)

    def _forget_relations(self, singular: str, id: int) -> None:
        for link in self.store.list(LINKS):
            if (link["a_type"], link["a_id"]) == (singular, id) or (link["b_type"], link["b_id"]) == (singular, id):
                self.store.delete(LINKS, link["id"])
        for holder, field, target in FIELD_RELATIONS:
            if target == singular:
                for doc in self.store.list(RECORD_TYPES[holder]):
                    if doc.get(field) == id:
                        self.store.replace(RECORD_TYPES[holder], doc["id"], {**doc, field: None})
        for holder in RESOURCE_HOLDERS:
            for doc in self.store.list(RECORD_TYPES[holder]):
                if doc.get("related_resource") == {"id": id, "type": singular}:
                    self.store.replace(RECORD_TYPES[holder], doc["id"], {**doc, "related_resource": None})


    # -- entity-specific rules (kept to the few that Copper documents) ---------------------

    def _apply_rules(
        self, plural: str, doc: dict[str, Any], body: dict[str, Any], before: dict[str, Any] | None, user_id: int | None
    ) -> None:
        if plural == "leads" and doc.get("status_id") is None:
            statuses = self.store.list("lead_statuses")
            default = next((s for s in statuses if s.get("is_default")), statuses[0] if statuses else None)
            doc["status_id"] = default["id"] if default else None
        elif plural == "opportunities":
            self._opportunity_stage(doc, body, before or {})
        elif plural == "tasks":
            # completed_date is not writable: it records the Open -> Completed transition.
            old_status = (before or {}).get("status", "Open")
            if doc.get("status") == "Completed" and old_status != "Completed":
                doc["completed_date"] = self.now()
            elif doc.get("status") == "Open":
                doc["completed_date"] = None
        elif plural == "activities" and before is None:
            if doc.get("user_id") is None:
                doc["user_id"] = user_id
            if doc.get("activity_date") is None:
                doc["activity_date"] = doc["date_created"]

    def _opportunity_stage(self, doc: dict[str, Any], body: dict[str, Any], old: dict[str, Any]) -> None:
        """Default pipeline and first stage; the stage must belong to the pipeline; win % follows the stage."""
        if doc.get("pipeline_id") is None:
            pipelines = self.store.list("pipelines")
            doc["pipeline_id"] = pipelines[0]["id"] if pipelines else None
        stages = [s for s in self.store.list("pipeline_stages") if s["pipeline_id"] == doc["pipeline_id"]]
        stage_ids = [s["id"] for s in stages]
        pipeline_moved = bool(old) and old.get("pipeline_id") != doc["pipeline_id"]
        if doc.get("pipeline_stage_id") is None or (pipeline_moved and "pipeline_stage_id" not in body):
            doc["pipeline_stage_id"] = stage_ids[0] if stage_ids else None
        if doc["pipeline_stage_id"] is not None and doc["pipeline_stage_id"] not in stage_ids:
            raise invalid("pipeline_stage_id", "does not belong to the opportunity's pipeline")
        if doc["pipeline_stage_id"] != old.get("pipeline_stage_id"):
            doc["date_stage_changed"] = self.now()
            stage = next((s for s in stages if s["id"] == doc["pipeline_stage_id"]), None)
            if "win_probability" not in body and stage is not None:
                doc["win_probability"] = stage.get("win_probability", 0)
        if doc.get("win_probability") is None:
            doc["win_probability"] = 0
