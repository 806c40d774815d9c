"""Related items: which record pairs may be related, and reading/writing those relations.

A relation is stored where Copper keeps it: a person's ``company_id``, an opportunity's
``company_id``/``primary_contact_id``, a task's or project's ``related_resource``, or
else a generic link document. Relations read the same from both ends.
"""

from __future__ import annotations

from typing import Any

from copper_mcp.sandbox.checks import is_one_of
from copper_mcp.sandbox.entities import FIELD_RELATIONS, RESOURCE_HOLDERS, record_exists
from copper_mcp.sandbox.errors import invalid, not_found
from copper_mcp.sandbox.records import LINKS
from copper_mcp.sandbox.recordtypes import BY_SINGULAR, RECORD_TYPES
from copper_mcp.sandbox.store import Store

_TYPE_ORDER = tuple(RECORD_TYPES)

Key = tuple[str, int]


def relation_index(store: Store) -> dict[Key, set[Key]]:
    """Every relation, indexed from both ends."""
    index: dict[Key, set[Key]] = {}

    def pair(a: Key, b: Key) -> None:
        index.setdefault(a, set()).add(b)
        index.setdefault(b, set()).add(a)

    for link in store.list(LINKS):
        pair((link["a_type"], link["a_id"]), (link["b_type"], link["b_id"]))
    for holder, field, target in FIELD_RELATIONS:
        for doc in store.list(RECORD_TYPES[holder]):
            if doc.get(field) is not None and not doc.get("converted_at"):
                pair((holder, doc["id"]), (target, doc[field]))
    for holder in RESOURCE_HOLDERS:
        for doc in store.list(RECORD_TYPES[holder]):
            resource = doc.get("related_resource")
            if resource:
                pair((holder, doc["id"]), (resource["type"], resource["id"]))
    return index


def related_items(store: Store, singular: str, id: int, only: str | None = None) -> list[dict[str, Any]]:
    """``[{"id", "type"}]`` of everything related to ``singular/id`` (optionally one type)."""
    found = relation_index(store).get((singular, id), set())
    wanted = [(t, i) for t, i in found if only is None or t == only]
    items = sorted(wanted, key=lambda k: (_TYPE_ORDER.index(k[0]), k[1]))
    return [{"id": i, "type": t} for t, i in items]


def parse_resource(body: Any) -> Key:
    """Read ``{"resource": {"id": N, "type": "person"}}``."""
    resource = body.get("resource") if isinstance(body, dict) else None
    if not isinstance(resource, dict) or not is_one_of(resource.get("type"), RECORD_TYPES):
        raise invalid("resource", 'must be an object like {"id": 1, "type": "person"}')
    if type(resource.get("id")) is not int:
        raise invalid("resource", "id must be an integer")
    return resource["type"], resource["id"]


def add_relation(store: Store, a: Key, b: Key) -> None:
    """Relate two records, enforcing allowed pairs and the one-company / one-item limits."""
    _check_pair(store, a, b)
    if b in relation_index(store).get(a, set()):
        return
    if "task" in (a[0], b[0]):
        task_key, other = (a, b) if a[0] == "task" else (b, a)
        task = store.get("tasks", task_key[1])
        assert task is not None
        if task.get("related_resource"):
            raise invalid("resource", "a task can be related to at most one record")
        store.replace("tasks", task["id"], {**task, "related_resource": {"id": other[1], "type": other[0]}})
    elif {a[0], b[0]} == {"person", "company"}:
        person_key, company_key = (a, b) if a[0] == "person" else (b, a)
        person = store.get("people", person_key[1])
        assert person is not None
        if person.get("company_id"):
            raise invalid("resource", "a person can be related to at most one company")
        store.replace("people", person["id"], {**person, "company_id": company_key[1]})
    else:
        store.insert(LINKS, {"a_type": a[0], "a_id": a[1], "b_type": b[0], "b_id": b[1]})


def remove_relation(store: Store, a: Key, b: Key) -> None:
    """Unrelate two records wherever the relation is stored (a no-op when they are not related)."""
    _check_pair(store, a, b)
    with store.transaction():
        for link in store.list(LINKS):
            ends = {(link["a_type"], link["a_id"]), (link["b_type"], link["b_id"])}
            if ends == {a, b}:
                store.delete(LINKS, link["id"])
        for x, y in ((a, b), (b, a)):
            doc = store.get(RECORD_TYPES[x[0]], x[1])
            if doc is None:
                continue
            changed = dict(doc)
            for holder, field, target in FIELD_RELATIONS:
                if holder == x[0] and target == y[0] and doc.get(field) == y[1]:
                    changed[field] = None
            if x[0] in RESOURCE_HOLDERS and doc.get("related_resource") == {"id": y[1], "type": y[0]}:
                changed["related_resource"] = None
            if changed != doc:
                store.replace(RECORD_TYPES[x[0]], x[1], changed)


def _check_pair(store: Store, a: Key, b: Key) -> None:
    if not record_exists(store, RECORD_TYPES[a[0]], a[1]):
        raise not_found()
    if b[0] not in BY_SINGULAR[a[0]].related:
        raise invalid("resource", f"a {a[0]} cannot be related to a {b[0]}")
    if not record_exists(store, RECORD_TYPES[b[0]], b[1]):
        raise invalid("resource", f"no {b[0]} with id {b[1]}")
