"""Activity types and custom activity types: one collection, shown two ways.

Copper keeps the activity types an account defines in one list and shows it twice.
``GET /activity_types`` lists them under ``user`` (beside Note, id 0, and the read-only
``system`` types) with ``count_as_interaction``; ``GET /custom_activity_types`` lists the
same types, every user type but Note, with ``icon_type``, ``is_interaction`` and
``is_default_task_type`` (Copper's own example of that list holds Phone Call and Meeting,
the user types every account starts with).

The sandbox stores each type once (store kind ``activity_types``) and renders either view.
So a type created with ``POST /custom_activity_types`` is at once listed under ``user`` in
``/activity_types``, usable as an activity's ``type`` (``{"category": "user", "id": N}``) and
as a task's ``custom_activity_type_id``, which must name an enabled custom activity type.

Decisions where Copper's docs are silent: ``company_id`` is the account's id (Copper's
examples show a small id there); ``is_interaction`` starts false for a created type (as in
Copper's create example) and is not writable, like ``is_disabled`` and ``is_default_task_type``;
names are unique among user types, ignoring case, since clients pick types by name. No
webhook type watches activity types, so changes to them notify nobody.
"""

from __future__ import annotations

from typing import Any

from copper_mcp.sandbox.checks import choice, is_int
from copper_mcp.sandbox.errors import invalid
from copper_mcp.sandbox.store import Store

KIND = "activity_types"
CATEGORIES = ("user", "system")
NOTE_ID = 0
"""Copper's Note: a user type, but not a custom one (it is built in)."""
ICON_TYPES = (
    "Message", "Phone", "Event", "Assignment", "Assessment", "Group", "Description", "Speaker Notes",
    "Forum", "Web", "Loyalty", "Content Paste", "Headset", "Share", "Navigation", "Notification",
    "Voicemail", "Room", "Edit", "Send", "Videocam", "Play Arrow", "Grocery Store", "Mic", "Camera Mic", "Todo",
)  # fmt: skip

# Every account's types: id 0 is Copper's Note; 1 and 3 are its system types. One disabled
# type shows that disabled types can filter searches but not be created.
BASE_TYPES = [
    {"id": NOTE_ID, "category": "user", "name": "Note", "is_disabled": False, "count_as_interaction": False},
    {"id": 1, "category": "system", "name": "Property Changed", "is_disabled": False, "count_as_interaction": False},
    {"id": 3, "category": "system", "name": "Pipeline Stage Changed", "is_disabled": False,
     "count_as_interaction": False},
    {"id": 190711, "category": "user", "name": "Phone Call", "is_disabled": False, "count_as_interaction": True,
     "icon_type": "Phone"},
    {"id": 190712, "category": "user", "name": "Meeting", "is_disabled": False, "count_as_interaction": True,
     "icon_type": "Event"},
    {"id": 190713, "category": "user", "name": "Email", "is_disabled": False, "count_as_interaction": True,
     "icon_type": "Message"},
    {"id": 190714, "category": "user", "name": "Lunch", "is_disabled": True, "count_as_interaction": True,
     "icon_type": "Grocery Store"},
]  # fmt: skip


def is_custom(doc: dict[str, Any]) -> bool:
    """True for a custom activity type: a user type other than Note."""
    return bool(doc["category"] == "user" and doc["id"] != NOTE_ID)


def custom_types(store: Store) -> list[dict[str, Any]]:
    """Every custom activity type (stored form), in id order."""
    return [doc for doc in store.list(KIND) if is_custom(doc)]


def find_custom(store: Store, id: Any) -> dict[str, Any] | None:
    """The custom activity type ``id`` (stored form), or None."""
    doc = store.get(KIND, id) if is_int(id) else None
    return doc if doc is not None and is_custom(doc) else None


def as_activity_type(doc: dict[str, Any]) -> dict[str, Any]:
    """The ``/activity_types`` view of a stored type."""
    keys = ("id", "category", "name", "is_disabled", "count_as_interaction")
    return {key: doc[key] for key in keys}


def as_custom_type(doc: dict[str, Any], account_id: int) -> dict[str, Any]:
    """The ``/custom_activity_types`` view of a stored custom type."""
    return {
        "id": doc["id"],
        "company_id": account_id,
        "icon_type": doc.get("icon_type"),
        "is_disabled": doc["is_disabled"],
        "is_interaction": doc["count_as_interaction"],
        "name": doc["name"],
        "is_default_task_type": doc.get("is_default_task_type"),
    }


def check_custom(store: Store, body: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, Any]:
    """A create (``existing`` None: name and icon_type required) or partial update; returns the doc to store."""
    doc: dict[str, Any] = (
        dict(existing) if existing else {"category": "user", "is_disabled": False, "count_as_interaction": False}
    )
    if existing is None or "name" in body:
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise invalid("name", "is required")
        others = [t for t in store.list(KIND) if t["category"] == "user" and t["id"] != (existing or {}).get("id")]
        if any(t["name"].lower() == name.strip().lower() for t in others):
            raise invalid("name", f"an activity type named {name.strip()!r} exists")
        doc["name"] = name.strip()
    if existing is None or "icon_type" in body:
        doc["icon_type"] = choice("icon_type", body.get("icon_type"), ICON_TYPES)
    return doc


def check_task_type(store: Store, name: str, value: Any) -> int:
    """A task's ``custom_activity_type_id``: an enabled custom activity type's id."""
    found = find_custom(store, value)
    if found is None:
        raise invalid(name, f"no custom activity type with id {value!r}")
    if found["is_disabled"]:
        raise invalid(name, "this activity type is disabled")
    return int(found["id"])
