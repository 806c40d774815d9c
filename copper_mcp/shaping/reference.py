"""Account reference data: time zone, users, pipelines, lists and custom field definitions."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

JsonObject = Mapping[str, Any]

# Copper accounts without a primary time zone are rare; UTC is the least surprising fallback.
DEFAULT_TIMEZONE = "UTC"

SOURCES: Mapping[str, str] = MappingProxyType(
    {
        "zone": "account",
        "user": "users",
        "pipeline": "pipelines",
        "pipeline_stage": "pipelines",
        "contact_type": "contact_types",
        "customer_source": "customer_sources",
        "loss_reason": "loss_reasons",
        "lead_status": "lead_statuses",
        "activity_type": "activity_types",
        "custom_activity_type": "custom_activity_types",
        "custom_fields": "custom_field_definitions",
        "connect_field": "custom_field_definitions",
    }
)
"""What a shaping step needs (a ref target, the account's time zone, custom field definitions)
-> the account list that answers it. Refs to records (company, person) need no list."""


def lists_for(needs: Iterable[str]) -> frozenset[str]:
    """The account lists that answer these needs."""
    return frozenset(SOURCES[need] for need in needs if need in SOURCES)


@dataclass(frozen=True)
class CustomFieldDefinition:
    """One custom field: its name, data type, the entities it applies to and its options."""

    id: int
    name: str
    data_type: str
    available_on: tuple[str, ...]
    options: Mapping[int, str]

    def option_name(self, option_id: object) -> str | None:
        """The option's name, or None if the id is not one of this field's options."""
        return self.options.get(option_id) if isinstance(option_id, int) else None


@dataclass(frozen=True)
class Candidate:
    """A named thing a model may refer to by name; label is how an error message shows it."""

    id: int
    name: str
    label: str


@dataclass(frozen=True)
class ReferenceData:
    """Everything needed to show ids as names and to read names back as ids.

    Build it with :meth:`from_copper`; all lookups are case-insensitive on names and emails.
    """

    timezone: str
    zone: ZoneInfo
    account: Mapping[str, Any]
    names: Mapping[str, Mapping[int, str]]
    user_emails: Mapping[int, str]
    stage_pipeline: Mapping[int, int]
    activity_types: Mapping[tuple[str, int], str]
    custom_fields: Mapping[int, CustomFieldDefinition]

    @classmethod
    def from_lists(cls, lists: Mapping[str, Any]) -> ReferenceData:
        """Build from the account lists at hand, by the names ``SOURCES`` uses; missing ones are empty."""
        return cls.from_copper(**{name: lists[name] for name in set(SOURCES.values()) if name in lists})

    @classmethod
    def from_copper(
        cls,
        account: JsonObject | None = None,
        users: Sequence[JsonObject] = (),
        pipelines: Sequence[JsonObject] = (),
        contact_types: Sequence[JsonObject] = (),
        customer_sources: Sequence[JsonObject] = (),
        loss_reasons: Sequence[JsonObject] = (),
        lead_statuses: Sequence[JsonObject] = (),
        activity_types: Mapping[str, Sequence[JsonObject]] | None = None,
        custom_field_definitions: Sequence[JsonObject] = (),
        custom_activity_types: Sequence[JsonObject] = (),
    ) -> ReferenceData:
        """Build from the JSON bodies of GET /account, POST /users/search, GET /pipelines,
        /contact_types, /customer_sources, /loss_reasons, /lead_statuses, /activity_types,
        /custom_field_definitions and /custom_activity_types."""
        account = account or {}
        activity_types = activity_types or {}
        zone = _zone(account.get("primary_timezone") or DEFAULT_TIMEZONE)
        stages: dict[int, str] = {}
        stage_pipeline: dict[int, int] = {}
        for pipeline in pipelines:
            for stage in pipeline.get("stages") or []:
                stages[stage["id"]] = stage["name"]
                stage_pipeline[stage["id"]] = pipeline["id"]
        names = {
            "user": _names(users),
            "pipeline": _names(pipelines),
            "pipeline_stage": stages,
            "contact_type": _names(contact_types),
            "customer_source": _names(customer_sources),
            "loss_reason": _names(loss_reasons),
            "lead_status": _names(lead_statuses),
            "custom_activity_type": _names(custom_activity_types),
            # A Connect field is named among Connect fields alone: only they link records.
            "connect_field": _names([d for d in custom_field_definitions if d.get("data_type") == "Connect"]),
        }
        activity_names = {
            (item.get("category") or category, item["id"]): item["name"]
            for category, items in activity_types.items()
            for item in items
        }
        definitions = {
            raw["id"]: CustomFieldDefinition(
                id=raw["id"],
                name=raw["name"],
                data_type=raw.get("data_type") or "String",
                available_on=tuple(raw.get("available_on") or ()),
                options=MappingProxyType(_names(raw.get("options") or [])),
            )
            for raw in custom_field_definitions
        }
        return cls(
            timezone=zone.key,
            zone=zone,
            account=MappingProxyType(dict(account)),
            names=MappingProxyType({target: MappingProxyType(ids) for target, ids in names.items()}),
            user_emails=MappingProxyType({u["id"]: u["email"] for u in users if u.get("email")}),
            stage_pipeline=MappingProxyType(stage_pipeline),
            activity_types=MappingProxyType(activity_names),
            custom_fields=MappingProxyType(definitions),
        )

    def name_of(self, target: str, ref_id: object) -> str | None:
        """The name behind an id of a reference target, or None if unknown.

        An activity type's id is Copper's ``{"category": ..., "id": ...}`` pair.
        """
        if target == "activity_type":
            pair = ref_id if isinstance(ref_id, Mapping) else {}
            return self.activity_type_name(pair.get("category"), pair.get("id"))
        if not isinstance(ref_id, int) or isinstance(ref_id, bool):
            return None
        return self.names.get(target, {}).get(ref_id)

    def candidates(self, target: str, pipeline_ids: Sequence[int] = ()) -> list[Candidate]:
        """Every nameable item of a target; pipeline stages can be limited to some pipelines."""
        items = self.names.get(target, {})
        if target == "pipeline_stage" and pipeline_ids:
            items = {i: n for i, n in items.items() if self.stage_pipeline.get(i) in pipeline_ids}
        return [Candidate(i, name, self._label(target, i, name)) for i, name in items.items()]

    def ids_named(self, target: str, text: str, pipeline_ids: Sequence[int] = ()) -> list[int]:
        """Ids of what ``text`` names: its name (a user's also its email), or a unique start of it.

        Case, accents and extra spaces are ignored ("tomas herrera" is "Tomás Herrera"). Without
        an exact match, names that start with the text or have it as a word ("Priya", "Herrera")
        are the candidates; several of them mean the text is ambiguous.
        """
        candidates = [(c.id, c.name) for c in self.candidates(target, pipeline_ids)]
        if target == "user":
            wanted = fold(text)
            emails = [i for i, email in self.user_emails.items() if fold(email) == wanted]
            if emails:
                return emails
        return named(candidates, text)

    def activity_type_name(self, category: object, type_id: object) -> str | None:
        """The name of an activity type given as Copper's {category, id}."""
        if not isinstance(category, str) or not isinstance(type_id, int):
            return None
        return self.activity_types.get((category, type_id))

    def activity_types_named(self, text: str) -> list[tuple[str, int]]:
        """(category, id) pairs of the activity types ``text`` names (as ``ids_named`` reads names)."""
        return named(list(self.activity_types.items()), text)

    def custom_fields_on(self, entity: str) -> list[CustomFieldDefinition]:
        """Custom field definitions that apply to an entity given by its singular name."""
        return [d for d in self.custom_fields.values() if entity in d.available_on]

    def _label(self, target: str, ref_id: int, name: str) -> str:
        if target == "user" and ref_id in self.user_emails:
            return f"{name} <{self.user_emails[ref_id]}> (id {ref_id})"
        if target == "pipeline_stage" and ref_id in self.stage_pipeline:
            pipeline = self.name_of("pipeline", self.stage_pipeline[ref_id])
            return f"{name} (id {ref_id}, pipeline {pipeline})"
        return f"{name} (id {ref_id})"


def _names(items: Sequence[JsonObject]) -> dict[int, str]:
    return {item["id"]: item["name"] for item in items if "id" in item and item.get("name") is not None}


def fold(text: str) -> str:
    """A name as matching compares it: without accents, case or extra spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.split()).casefold()


K = TypeVar("K")


def named(candidates: Sequence[tuple[K, str]], text: str) -> list[K]:
    """The keys of the candidates ``text`` names: exact names first, else those it starts or is a word of."""
    wanted = fold(text)
    if not wanted:
        return []
    exact = [key for key, name in candidates if fold(name) == wanted]
    if exact:
        return exact
    return [key for key, name in candidates if fold(name).startswith(wanted) or wanted in fold(name).split()]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:
        if not available_timezones():
            # Without a time zone database every date would silently shift; fail loudly instead.
            raise RuntimeError(
                "No time zone database found: install the tzdata package (pip install tzdata)."
            ) from None
        return ZoneInfo(DEFAULT_TIMEZONE)


NO_REFERENCE = ReferenceData.from_lists({})
"""Reference data with nothing in it, for translations that look nothing up."""
