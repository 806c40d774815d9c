"""Connect custom fields: links between two records, served at ``/related_links``.

A custom field of data type Connect links a record to another one (a person "Referred by"
a person, a company's "Partner"). The shapes follow Copper's 2019 docs:

- ``POST /related_links`` takes ``{"custom_field_definition_id", "source": {"id", "entity_type"},
  "target": {"id", "entity_type"}}`` and answers the link, each end with its ``name``:
  ``{"id", "custom_field_definition_id", "source": {"id", "entity_type", "name"}, "target": {...}}``;
- ``GET /related_links?custom_field_definition_id=&source_type=&source_id=`` lists links;
- ``DELETE /related_links/{id}`` answers ``{"ids": [two ids], "is_deleted": true}``.

That delete answer names two ids, so Copper seems to keep a link once per direction; the
sandbox does the same. A create stores the link and its mirror (ends swapped, the next id),
so a link is listed from both records, each seeing itself as the ``source``; deleting either
id removes both. Entity types are spelled as Copper's Connect docs spell them ("lead",
"people", "organization", "opportunity", "project", "user"); the API's usual "person" and
"company" are accepted on input too.

Decisions where the docs are silent (unconfirmed): the source must be of a type the field is
``available_on`` and the target any linkable record or a user; both ends must exist and
differ; the same link twice is a 422; ``source_type`` and ``source_id`` are required to list,
``custom_field_definition_id`` narrows to one field; a link whose record was deleted or
converted, or whose field was deleted, is gone. A record's value for a Connect field is the
list of ids it links to, read-only on the record (links change here). Links raise no
webhooks: Copper's "update" events exclude new relationships.
"""

from __future__ import annotations

from typing import Any

from copper_mcp.sandbox.checks import is_int, is_one_of
from copper_mcp.sandbox.customfields import DEFINITIONS
from copper_mcp.sandbox.entities import record_exists
from copper_mcp.sandbox.errors import invalid, not_found
from copper_mcp.sandbox.recordtypes import TYPES
from copper_mcp.sandbox.store import Store

KIND = "related_links"
USER = "user"
_RECORDS = {t.connect_type: t for t in TYPES if t.connect_type}
STORE_KINDS: dict[str, str] = {**{spelling: t.plural for spelling, t in _RECORDS.items()}, USER: "users"}
"""Each end's ``entity_type`` (Copper's spelling) -> the store kind its id names."""
_SPELLING: dict[str, str] = {**{t.singular: t.connect_type for t in _RECORDS.values()}, **{e: e for e in STORE_KINDS}}
"""Accepted input spellings -> Copper's spelling."""

End = tuple[str, int]


def connect_definition(store: Store, id: Any, name: str = "custom_field_definition_id") -> dict[str, Any]:
    """The Connect custom field definition ``id``, else a 422 naming ``name``."""
    definition = store.get(DEFINITIONS, id) if is_int(id) else None
    if definition is None or definition["data_type"] != "Connect":
        raise invalid(name, f"no Connect custom field with id {id!r}")
    return definition


def _spelled(value: Any) -> str | None:
    return _SPELLING[value] if is_one_of(value, _SPELLING) else None


def entity_type(name: str, value: Any) -> str:
    """An accepted ``entity_type`` spelling, as Copper spells it; else a 422 naming ``name``."""
    spelled = _spelled(value)
    if spelled is None:
        raise invalid(name, f"must be one of {', '.join(STORE_KINDS)}")
    return spelled


def _end(store: Store, name: str, value: Any) -> End:
    if not isinstance(value, dict):
        raise invalid(name, 'must be an object like {"id": 1, "entity_type": "people"}')
    kind = _spelled(value.get("entity_type"))
    if kind is None:
        raise invalid(name, f"entity_type must be one of {', '.join(STORE_KINDS)}")
    if not exists(store, (kind, value.get("id"))):
        raise invalid(name, f"no {kind} with id {value.get('id')!r}")
    return kind, value["id"]


def exists(store: Store, end: tuple[str, Any]) -> bool:
    """True when the record (or user) an end names exists (converted leads do not)."""
    kind, id = end
    if kind == USER:
        return is_int(id) and store.get(STORE_KINDS[USER], id) is not None
    return record_exists(store, STORE_KINDS[kind], id)


def _ends(link: dict[str, Any]) -> tuple[End, End]:
    source, target = link["source"], link["target"]
    return (source["entity_type"], source["id"]), (target["entity_type"], target["id"])


def live_links(store: Store, source: End | None = None) -> list[dict[str, Any]]:
    """Stored links (optionally from one ``source``) whose field and both ends still exist."""
    links = [link for link in store.list(KIND) if source is None or _ends(link)[0] == source]
    fields: dict[int, bool] = {}

    def field_alive(id: int) -> bool:
        if id not in fields:
            definition = store.get(DEFINITIONS, id)
            fields[id] = definition is not None and definition["data_type"] == "Connect"
        return fields[id]

    return [
        link
        for link in links
        if field_alive(link["custom_field_definition_id"]) and all(exists(store, end) for end in _ends(link))
    ]


def create(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    """Check a create body and store the link and its mirror; returns the link as stored."""
    definition = connect_definition(store, body.get("custom_field_definition_id"))
    source = _end(store, "source", body.get("source"))
    target = _end(store, "target", body.get("target"))
    if source[0] == USER or _RECORDS[source[0]].singular not in definition.get("available_on", []):
        on = ", ".join(_SPELLING[t] for t in definition.get("available_on", []) if t in _SPELLING)
        raise invalid("source", f"{definition['name']} is on {on or 'no record type'}, not {source[0]}")
    if source == target:
        raise invalid("target", "a record cannot be linked to itself")
    with store.transaction():
        if any(_ends(link)[1] == target for link in live_links(store, source)
               if link["custom_field_definition_id"] == definition["id"]):  # fmt: skip
            raise invalid("target", "these records are already linked by this field")
        forward = store.insert(KIND, _stored(definition["id"], source, target, None))
        mirror = store.insert(KIND, _stored(definition["id"], target, source, forward["id"]))
        forward["mirror"] = mirror["id"]
        store.replace(KIND, forward["id"], forward)
    return forward


def _stored(definition_id: int, source: End, target: End, mirror: int | None) -> dict[str, Any]:
    return {
        "custom_field_definition_id": definition_id,
        "source": {"id": source[1], "entity_type": source[0]},
        "target": {"id": target[1], "entity_type": target[0]},
        "mirror": mirror,
    }


def delete(store: Store, id: int) -> list[int]:
    """Remove a link and its mirror; returns both ids. 404 for an unknown (or dead) link."""
    link = next((link for link in live_links(store) if link["id"] == id), None)
    if link is None:
        raise not_found()
    ids = sorted({link["id"], link["mirror"]})
    with store.transaction():
        for gone in ids:
            store.delete(KIND, gone)
    return ids


def present(store: Store, link: dict[str, Any]) -> dict[str, Any]:
    """The API shape of a link: each end with its record's (or user's) current name."""

    def end(value: dict[str, Any]) -> dict[str, Any]:
        found = store.get(STORE_KINDS[value["entity_type"]], value["id"]) or {}
        return {"id": value["id"], "entity_type": value["entity_type"], "name": found.get("name")}

    return {
        "id": link["id"],
        "custom_field_definition_id": link["custom_field_definition_id"],
        "source": end(link["source"]),
        "target": end(link["target"]),
    }


def linked_ids(store: Store, singular: str, id: int) -> dict[int, list[int]]:
    """A record's Connect-field values: ``{definition id: [ids it links to]}``."""
    spelling = _SPELLING.get(singular)
    if spelling is None:
        return {}
    values: dict[int, list[int]] = {}
    for link in live_links(store, (spelling, id)):
        values.setdefault(link["custom_field_definition_id"], []).append(link["target"]["id"])
    return values
