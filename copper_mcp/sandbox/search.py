"""``POST /{entity}/search``: Copper's filters, sort orders and paging over stored records.

Filters and sort keys are tables per entity. Every filter is AND-ed; unknown body keys
are ignored (as Copper does), known ones with a wrong type are a 422 naming the field.
Sorting is total (ties break on id) so paging visits every match exactly once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from copper_mcp.sandbox import activitytypes, customfields
from copper_mcp.sandbox.checks import choice, is_int, is_number, is_one_of
from copper_mcp.sandbox.entities import ENTITIES, mdy_to_unix
from copper_mcp.sandbox.errors import invalid
from copper_mcp.sandbox.records import Records
from copper_mcp.sandbox.recordtypes import RECORD_TYPES
from copper_mcp.sandbox.relations import relation_index

MAX_REACHABLE = 100_000
"""Copper only lets clients page through the first 100,000 matches."""
NONE_ID = -2
"""In id filters, -2 selects records where the field is empty."""
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 200

Doc = dict[str, Any]
Predicate = Callable[[Doc], bool]


@dataclass
class Context:
    """What filters and sort keys may look at besides the record itself."""

    records: Records
    plural: str
    now: int
    _names: dict[str, dict[int, str]] = field(default_factory=dict)
    _relations: dict[tuple[str, int], set[tuple[str, int]]] | None = None

    def name_of(self, kind: str, id: Any) -> str | None:
        """The ``name`` of a referenced record or reference item (cached per search)."""
        if kind not in self._names:
            self._names[kind] = {d["id"]: str(d.get("name") or "") for d in self.records.store.list(kind)}
        return self._names[kind].get(id) if is_int(id) else None

    def related(self, singular: str, id: int, other: str) -> set[int]:
        """Ids of ``other`` records related to ``singular/id`` (links, fields and resources)."""
        if self._relations is None:
            self._relations = relation_index(self.records.store)
        return {i for t, i in self._relations.get((singular, id), set()) if t == other}


FilterBuilder = Callable[[str, Any, Context], Predicate]


def search(records: Records, plural: str, body: dict[str, Any], now: int) -> tuple[list[Doc], int]:
    """Return (the requested page of stored docs, total number of matches)."""
    page_number = _int_in(body, "page_number", 1, 1, None)
    page_size = _int_in(body, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    sort_keys = SORTS[plural]
    default_sort, default_direction = DEFAULT_SORT[plural]
    sort_by = body.get("sort_by")
    sort_by = default_sort if sort_by is None else choice("sort_by", sort_by, sort_keys)
    direction = body.get("sort_direction")
    if direction is None:
        direction = default_direction if "sort_by" not in body else "asc"
    direction = choice("sort_direction", direction, ("asc", "desc"))

    ctx = Context(records, plural, now)
    predicates = [FILTERS[plural][name](name, value, ctx) for name, value in body.items() if name in FILTERS[plural]]
    if plural == "leads" and body.get("include_converted_leads") is True:
        candidates = [d for d in records.store.list("leads") if not d.get("is_deleted")]
    else:
        if "include_converted_leads" in body and not isinstance(body["include_converted_leads"], bool | None):
            raise invalid("include_converted_leads", "must be true or false")
        candidates = records.live(plural)
    matches = [d for d in candidates if all(p(d) for p in predicates)]
    key = sort_keys[sort_by]

    def order(doc: Doc) -> tuple[bool, Any, int]:
        value = key(doc, ctx)
        if isinstance(value, str):
            value = value.lower()
        return (value is None, value if value is not None else 0, doc["id"])

    matches.sort(key=order, reverse=direction == "desc")
    reachable = matches[:MAX_REACHABLE]
    start = (page_number - 1) * page_size
    return reachable[start : start + page_size], len(matches)


def _int_in(body: dict[str, Any], name: str, default: int, low: int, high: int | None) -> int:
    value = body.get(name, default)
    if value is None:
        return default
    if not is_int(value) or value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise invalid(name, f"must be an integer {bound}")
    return int(value)


# -- value getters ----------------------------------------------------------------------


def _get(name: str) -> Callable[[Doc, Context], Any]:
    return lambda doc, _ctx: doc.get(name)


def _address(part: str) -> Callable[[Doc, Context], Any]:
    return lambda doc, _ctx: (doc.get("address") or {}).get(part)


def _first(name: str, key: str) -> Callable[[Doc, Context], Any]:
    def get(doc: Doc, _ctx: Context) -> Any:
        entries = doc.get(name) or []
        return entries[0].get(key) if entries else None

    return get


def _lead_email(doc: Doc, _ctx: Context) -> Any:
    return (doc.get("email") or {}).get("email")


def _ref_name(name: str, kind: str) -> Callable[[Doc, Context], Any]:
    return lambda doc, ctx: ctx.name_of(kind, doc.get(name))


def _close_date(doc: Doc, _ctx: Context) -> Any:
    return mdy_to_unix(doc["close_date"]) if doc.get("close_date") else None


def _resource_label(doc: Doc, ctx: Context) -> Any:
    resource = doc.get("related_resource")
    if not resource:
        return None
    return ctx.name_of(RECORD_TYPES[resource["type"]], resource["id"])


def _person_name_part(part: str) -> Callable[[Doc, Context], Any]:
    def get(doc: Doc, ctx: Context) -> Any:
        person = ctx.records.store.get("people", doc["primary_contact_id"]) if doc.get("primary_contact_id") else None
        return person.get(part) if person else None

    return get


def _rank(name: str, order: tuple[str, ...]) -> Callable[[Doc, Context], Any]:
    return lambda doc, _ctx: order.index(doc[name]) if doc.get(name) in order else None


def _digits(text: Any) -> str:
    return re.sub(r"\D", "", text) if isinstance(text, str) else ""


def _phone(doc: Doc, ctx: Context) -> Any:
    return _digits(_first("phone_numbers", "number")(doc, ctx)) or None


def _inactive_days(doc: Doc, ctx: Context) -> Any:
    last = doc.get("date_last_contacted") or doc.get("date_created") or 0
    return (ctx.now - int(last)) // 86400


# -- filter builders -------------------------------------------------------------------------


def _ids(getter: Callable[[Doc, Context], Any]) -> FilterBuilder:
    """An id-list filter; the getter yields an id, None, or a set of ids. -2 matches "none"."""

    def build(name: str, value: Any, ctx: Context) -> Predicate:
        if not isinstance(value, list) or not all(is_int(v) for v in value):
            raise invalid(name, "must be an array of integer ids")
        wanted = set(value)
        want_none = NONE_ID in wanted

        def match(doc: Doc) -> bool:
            got = getter(doc, ctx)
            have = got if isinstance(got, set) else ({got} if got is not None else set())
            return bool(have & wanted) or (want_none and not have)

        return match

    return build


def _mapped_ids(name_field: str, order: tuple[str, ...]) -> FilterBuilder:
    """Filters like opportunity status_ids, where each id is a position in an enum."""
    return _ids(_rank(name_field, order))


def _strings(getter: Callable[[Doc, Context], Any]) -> FilterBuilder:
    """A string-list filter (statuses, priorities): matches any, case-insensitively."""

    def build(name: str, value: Any, ctx: Context) -> Predicate:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise invalid(name, "must be an array of strings")
        wanted = {v.lower() for v in value}
        return lambda doc: str(getter(doc, ctx) or "").lower() in wanted

    return build


def _text(getter: Callable[[Doc, Context], Any], exact: bool = False) -> FilterBuilder:
    """Case-insensitive text match: substring by default, whole value when ``exact``."""

    def build(name: str, value: Any, ctx: Context) -> Predicate:
        if not isinstance(value, str):
            raise invalid(name, "must be a string")
        wanted = value.strip().lower()

        def match(doc: Doc) -> bool:
            got = getter(doc, ctx)
            texts = got if isinstance(got, list) else [got]
            return any(
                isinstance(t, str) and (t.lower() == wanted if exact else wanted in t.lower()) for t in texts
            )

        return match

    return build


def _any_of(getter: Callable[[Doc, Context], Any]) -> FilterBuilder:
    """A list-of-strings filter matching when any record value equals any given one."""

    def build(name: str, value: Any, ctx: Context) -> Predicate:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise invalid(name, "must be an array of strings")
        wanted = {v.strip().lower() for v in value}

        def match(doc: Doc) -> bool:
            got = getter(doc, ctx)
            texts = got if isinstance(got, list) else [got]
            return any(isinstance(t, str) and t.lower() in wanted for t in texts)

        return match

    return build


def _range(getter: Callable[[Doc, Context], Any], bound: str, integer: bool) -> FilterBuilder:
    def build(name: str, value: Any, ctx: Context) -> Predicate:
        if not (is_int(value) if integer else is_number(value)):
            raise invalid(name, "must be an integer" if integer else "must be a number")

        def match(doc: Doc) -> bool:
            got = getter(doc, ctx)
            if not is_number(got):
                return False
            return bool(got >= value) if bound == "min" else bool(got <= value)

        return match

    return build


def _tags(name: str, value: Any, _ctx: Context) -> Predicate:
    """Both documented shapes: ``["a","b"]`` (any) and ``{"value": [...], "option": "ANY"|"ALL"}``."""
    option = "ANY"
    if isinstance(value, dict):
        option = value.get("option", "ANY")
        value = value.get("value")
        if not is_one_of(option, ("ANY", "ALL")):
            raise invalid(name, "option must be ANY or ALL")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid(name, 'must be an array of strings or {"value": [...], "option": "ANY"|"ALL"}')
    wanted = {v.strip().lower() for v in value}

    def match(doc: Doc) -> bool:
        have = {t.lower() for t in doc.get("tags") or []}
        if not wanted:
            return True
        return wanted <= have if option == "ALL" else bool(wanted & have)

    return match


def _phone_filter(getter: Callable[[Doc, Context], Any]) -> FilterBuilder:
    """Digits-only matching: partial = suffix; fuzzy also tries dropping 1-6 leading digits (min 6 left)."""

    def build(name: str, value: Any, ctx: Context) -> Predicate:
        mode = None
        if isinstance(value, dict):
            mode = value.get("match")
            value = value.get("value")
            if mode is not None and not is_one_of(mode, ("partial", "fuzzy")):
                raise invalid(name, "match must be partial or fuzzy")
        if not isinstance(value, str) or not _digits(value):
            raise invalid(name, "must be a phone number with digits")
        digits = _digits(value)
        mode = mode or ("partial" if len(digits) <= 6 else "fuzzy")
        suffixes = {digits}
        if mode == "fuzzy":
            suffixes |= {digits[k:] for k in range(1, 7) if len(digits) - k >= 6}

        def match(doc: Doc) -> bool:
            numbers = [_digits(p.get("number")) for p in getter(doc, ctx) or []]
            return any(n.endswith(s) for n in numbers if n for s in suffixes)

        return match

    return build


def _followed(name: str, value: Any, _ctx: Context) -> Predicate:
    if value not in (1, 2) or isinstance(value, bool):
        raise invalid(name, "must be 1 (followed) or 2 (not followed)")
    return lambda doc: bool(doc.get("_followed")) == (value == 1)


def _age(name: str, value: Any, ctx: Context) -> Predicate:
    if not is_int(value) or value < 0:
        raise invalid(name, "must be a number of seconds")
    return lambda doc: ctx.now - int(doc.get("date_created") or 0) <= value


def _resource(name: str, value: Any, ctx: Context) -> Predicate:
    """Tasks' related_resource / activities' parent: ``{"id": N, "type": "person"}``."""
    if not isinstance(value, dict) or not is_one_of(value.get("type"), RECORD_TYPES) or not is_int(value.get("id")):
        raise invalid(name, 'must be an object like {"id": 1, "type": "person"}')
    wanted = {"id": value["id"], "type": value["type"]}
    field_name = "parent" if ctx.plural == "activities" else "related_resource"
    return lambda doc: doc.get(field_name) == wanted


def _activity_types(name: str, value: Any, _ctx: Context) -> Predicate:
    if not isinstance(value, list) or not all(
        isinstance(v, dict) and is_int(v.get("id")) and is_one_of(v.get("category"), activitytypes.CATEGORIES)
        for v in value
    ):
        raise invalid(name, 'must be an array like [{"id": 0, "category": "user"}]')
    wanted = {(v["id"], v["category"]) for v in value}
    return lambda doc: (doc["type"]["id"], doc["type"]["category"]) in wanted


def _custom_fields(name: str, value: Any, ctx: Context) -> Predicate:
    """Custom-field criteria; each item is checked against its definition's data type."""
    if not isinstance(value, list):
        raise invalid(name, "must be an array")
    entity = ENTITIES[ctx.plural].singular
    defs = {d["id"]: d for d in customfields.definitions_for(ctx.records.store, entity)}
    checks = []
    for item in value:
        def_id = item.get("custom_field_definition_id") if isinstance(item, dict) else None
        if not isinstance(item, dict) or not is_int(def_id) or def_id not in defs:
            raise invalid(name, f"unknown custom_field_definition_id {def_id!r} for {entity}")
        definition = defs[def_id]
        if not definition.get("is_filterable"):
            raise invalid(name, f"{definition['name']} is not filterable")
        if definition["data_type"] in ("Text", "Connect"):
            kind = definition["data_type"]
            raise invalid(name, f"{definition['name']} is a {kind} field; {kind} fields are not searchable")
        checks.append(_custom_check(name, definition, item))

    def match(doc: Doc) -> bool:
        stored = doc.get("custom_fields") or {}
        return all(check(stored.get(str(def_id))) for def_id, check in checks)

    return match


def _custom_check(name: str, definition: Doc, item: Doc) -> tuple[int, Callable[[Any], bool]]:
    data_type = definition["data_type"]
    allow_empty = item.get("allow_empty", False)
    if not isinstance(allow_empty, bool):
        raise invalid(name, "allow_empty must be true or false")
    has_criteria = any(k in item for k in ("value", "minimum_value", "maximum_value", "option"))
    if not has_criteria:
        # Real Copper answers 500 to allow_empty alone; the sandbox reads it as "is empty".
        return definition["id"], _is_empty
    empty_ok: Callable[[Any], bool] = _is_empty if allow_empty else _never
    wanted = item.get("value")
    if data_type in ("Dropdown", "MultiSelect"):
        if is_int(wanted):
            wanted = [wanted]
        if wanted is None:
            wanted = []
        if not isinstance(wanted, list) or not all(is_int(v) for v in wanted):
            raise invalid(name, f"{definition['name']}: value must be an array of option ids")
        option = item.get("option", "ANY")
        if not is_one_of(option, ("ANY", "ALL", "NONE")):
            raise invalid(name, "option must be ANY, ALL or NONE")
        ids = set(wanted)

        def options(v: Any) -> bool:
            have = set(v) if isinstance(v, list) else ({v} if v is not None else set())
            if empty_ok(v):
                return True
            if option == "ALL":
                return bool(ids) and ids <= have
            if option == "NONE":
                return not (ids & have)
            return bool(ids & have)

        return definition["id"], options
    if data_type in ("Date", "Float", "Percentage", "Currency"):
        low, high = item.get("minimum_value"), item.get("maximum_value")
        for bound_name, bound in (("minimum_value", low), ("maximum_value", high), ("value", wanted)):
            if bound is not None and not is_number(bound):
                raise invalid(name, f"{definition['name']}: {bound_name} must be a number")

        def ranged(v: Any) -> bool:
            if empty_ok(v):
                return True
            if not is_number(v):
                return False
            return (
                (low is None or v >= low) and (high is None or v <= high) and (wanted is None or v == wanted)
            )

        return definition["id"], ranged
    if data_type == "Checkbox":
        if not isinstance(wanted, bool):
            raise invalid(name, f"{definition['name']}: value must be true or false")
        # An unset checkbox reads as unchecked.
        return definition["id"], lambda v: bool(v) == wanted
    if not isinstance(wanted, str):
        raise invalid(name, f"{definition['name']}: value must be a string")
    lowered = wanted.lower()
    return definition["id"], lambda v: empty_ok(v) or (isinstance(v, str) and lowered in v.lower())


def _is_empty(value: Any) -> bool:
    return value in (None, [], "")


def _never(_value: Any) -> bool:
    return False


def _date_ranges(*pairs: tuple[str, Callable[[Doc, Context], Any]]) -> dict[str, FilterBuilder]:
    """minimum_X/maximum_X (and the min_X/max_X shorthand) for each (X, getter)."""
    table: dict[str, FilterBuilder] = {}
    for suffix, getter in pairs:
        integer = suffix not in ("monetary_value",)
        for prefix, bound in (("minimum_", "min"), ("min_", "min"), ("maximum_", "max"), ("max_", "max")):
            table[prefix + suffix] = _range(getter, bound, integer)
    return table


# -- per-entity tables ------------------------------------------------------------------------

def _related(other: str) -> Callable[[Doc, Context], Any]:
    def get(doc: Doc, ctx: Context) -> Any:
        return ctx.related(ENTITIES[ctx.plural].singular, doc["id"], other)

    return get


def _task_resource(kind: str) -> Callable[[Doc, Context], Any]:
    def get(doc: Doc, _ctx: Context) -> Any:
        resource = doc.get("related_resource") or {}
        return resource.get("id") if resource.get("type") == kind else None

    return get


_COMMON: dict[str, FilterBuilder] = {
    "ids": _ids(lambda doc, _ctx: doc["id"]),
    "assignee_ids": _ids(_get("assignee_id")),
    "tags": _tags,
    "followed": _followed,
    "age": _age,
    "custom_fields": _custom_fields,
    **_date_ranges(("created_date", _get("date_created")), ("modified_date", _get("date_modified"))),
}
_PLACE: dict[str, FilterBuilder] = {
    "city": _text(_address("city"), exact=True),
    "state": _text(_address("state"), exact=True),
    "postal_code": _text(_address("postal_code"), exact=True),
    "country": _text(_address("country"), exact=True),
}
_INTERACTIONS = _date_ranges(
    ("interaction_count", _get("interaction_count")), ("interaction_date", _get("date_last_contacted"))
)
_SOCIALS = _any_of(lambda doc, _ctx: [s.get("url") for s in doc.get("socials") or []])
# status_ids / priority_ids are positions in these choices (0 Open, 1 Won, ...).
OPP_STATUSES = ENTITIES["opportunities"].fields["status"].choices
OPP_PRIORITIES = ENTITIES["opportunities"].fields["priority"].choices

FILTERS: dict[str, dict[str, FilterBuilder]] = {
    "people": {
        **_COMMON,
        **_PLACE,
        **_INTERACTIONS,
        "name": _text(_get("name")),
        "phone_number": _phone_filter(_get("phone_numbers")),
        "emails": _any_of(lambda doc, _ctx: [e["email"] for e in doc.get("emails") or []]),
        "contact_type_ids": _ids(_get("contact_type_id")),
        "company_ids": _ids(_get("company_id")),
        "opportunity_ids": _ids(_related("opportunity")),
        "socials": _SOCIALS,
    },
    "leads": {
        **_COMMON,
        **_PLACE,
        **_INTERACTIONS,
        **_date_ranges(("monetary_value", _get("monetary_value"))),
        "name": _text(_get("name")),
        "first_name": _text(_get("first_name")),
        "last_name": _text(_get("last_name")),
        "middle_name": _text(_get("middle_name")),
        "company_name": _text(_get("company_name")),
        "title": _text(_get("title")),
        "phone_number": _phone_filter(_get("phone_numbers")),
        "emails": _any_of(_lead_email),
        "status_ids": _ids(_get("status_id")),
        "customer_source_ids": _ids(_get("customer_source_id")),
        "socials": _SOCIALS,
    },
    "companies": {
        **_COMMON,
        **_PLACE,
        **_INTERACTIONS,
        "name": _text(_get("name")),
        "phone_number": _phone_filter(_get("phone_numbers")),
        "email_domains": _any_of(_get("email_domain")),
        "email_domain": _any_of(_get("email_domain")),
        "contact_type_ids": _ids(_get("contact_type_id")),
        "primary_contact_ids": _ids(_get("primary_contact_id")),
        "socials": _SOCIALS,
    },
    "opportunities": {
        **_COMMON,
        **_INTERACTIONS,
        **_date_ranges(
            ("monetary_value", _get("monetary_value")),
            ("close_date", _close_date),
            ("stage_change_date", _get("date_stage_changed")),
            ("date_stage_changed", _get("date_stage_changed")),
            ("win_probability", _get("win_probability")),
        ),
        # Copper documents opportunity name search as an exact match.
        "name": _text(_get("name"), exact=True),
        "company_name": _text(lambda doc, ctx: ctx.name_of("companies", doc.get("company_id"))),
        "status_ids": _mapped_ids("status", OPP_STATUSES),
        "statuses": _strings(_get("status")),
        "priority_ids": _mapped_ids("priority", OPP_PRIORITIES),
        "priorities": _strings(_get("priority")),
        "pipeline_ids": _ids(_get("pipeline_id")),
        "pipeline_stage_ids": _ids(_get("pipeline_stage_id")),
        "customer_source_ids": _ids(_get("customer_source_id")),
        "loss_reason_ids": _ids(_get("loss_reason_id")),
        "company_ids": _ids(_get("company_id")),
        "primary_contact_ids": _ids(_get("primary_contact_id")),
    },
    "projects": {
        **_COMMON,
        "name": _text(_get("name")),
        "status_ids": _mapped_ids("status", ENTITIES["projects"].fields["status"].choices),
        "statuses": _strings(_get("status")),
    },
    "tasks": {
        **_COMMON,
        **_date_ranges(
            ("due_date", _get("due_date")),
            ("reminder_date", _get("reminder_date")),
            ("completed_date", _get("completed_date")),
        ),
        "name": _text(_get("name")),
        "phrase": _text(lambda doc, _ctx: [doc.get("name"), doc.get("details")]),
        "opportunity_ids": _ids(_task_resource("opportunity")),
        "project_ids": _ids(_task_resource("project")),
        "related_resource": _resource,
        "statuses": _strings(_get("status")),
        "priorities": _strings(_get("priority")),
    },
    "activities": {
        "ids": _ids(lambda doc, _ctx: doc["id"]),
        "parent": _resource,
        "activity_types": _activity_types,
        "user_ids": _ids(_get("user_id")),
        **_date_ranges(
            ("activity_date", _get("activity_date")),
            ("created_date", _get("date_created")),
            ("modified_date", _get("date_modified")),
        ),
    },
}

SortKey = Callable[[Doc, Context], Any]
_PLACE_SORTS: dict[str, SortKey] = {
    "city": _address("city"),
    "state": _address("state"),
    "country": _address("country"),
    "zip": _address("postal_code"),
}
_TIME_SORTS: dict[str, SortKey] = {"date_modified": _get("date_modified"), "date_created": _get("date_created")}

SORTS: dict[str, dict[str, SortKey]] = {
    "people": {
        "name": _get("name"),
        "first_name": _get("first_name"),
        "last_name": _get("last_name"),
        "title": _get("title"),
        "email": _first("emails", "email"),
        "phone": _phone,
        "socials": _first("socials", "url"),
        **_TIME_SORTS,
        **_PLACE_SORTS,
    },
    "leads": {
        "name": _get("name"),
        "first_name": _get("first_name"),
        "last_name": _get("last_name"),
        "company_name": _get("company_name"),
        "title": _get("title"),
        "value": _get("monetary_value"),
        "email": _lead_email,
        "phone": _phone,
        "inactive_days": _inactive_days,
        **_TIME_SORTS,
        **_PLACE_SORTS,
    },
    "companies": {
        "name": _get("name"),
        "phone": _phone,
        "contact": _person_name_part("name"),
        "contact_first_name": _person_name_part("first_name"),
        "contact_last_name": _person_name_part("last_name"),
        "email_domain": _get("email_domain"),
        "assignee": _ref_name("assignee_id", "users"),
        "contact_group": _ref_name("contact_type_id", "contact_types"),
        "last_interaction": _get("date_last_contacted"),
        "interaction_count": _get("interaction_count"),
        "primary_website": _first("websites", "url"),
        **_TIME_SORTS,
        **_PLACE_SORTS,
    },
    "opportunities": {
        "name": _get("name"),
        "account": _ref_name("company_id", "companies"),
        "company_name": _ref_name("company_id", "companies"),
        "value": _get("monetary_value"),
        "assignee": _ref_name("assignee_id", "users"),
        "customer_source_id": _get("customer_source_id"),
        "source": _ref_name("customer_source_id", "customer_sources"),
        "contact": _person_name_part("name"),
        "stage": _ref_name("pipeline_stage_id", "pipeline_stages"),
        "status": _rank("status", OPP_STATUSES),
        "close_date": _close_date,
        "priority": _rank("priority", OPP_PRIORITIES),
        "last_interaction": _get("date_last_contacted"),
        "interaction_count": _get("interaction_count"),
        "deal_last_stage": _get("date_stage_changed"),
        "win_probability": _get("win_probability"),
        **_TIME_SORTS,
    },
    "projects": {
        "name": _get("name"),
        "assigned_to": _ref_name("assignee_id", "users"),
        "related_to": _resource_label,
        "status": _get("status"),
        **_TIME_SORTS,
    },
    "tasks": {
        "name": _get("name"),
        "assigned_to": _ref_name("assignee_id", "users"),
        "related_to": _resource_label,
        "status": _get("status"),
        "priority": _rank("priority", ("None", "High")),
        "due_date": _get("due_date"),
        "reminder_date": _get("reminder_date"),
        "completed_date": _get("completed_date"),
        **_TIME_SORTS,
    },
    "activities": {"activity_date": _get("activity_date"), **_TIME_SORTS},
}

# (sort_by, direction) used when the body names none. Activities are newest first
# (observed by clients; not documented).
DEFAULT_SORT: dict[str, tuple[str, str]] = {
    "people": ("first_name", "asc"),
    "leads": ("name", "asc"),
    "companies": ("date_modified", "asc"),
    "opportunities": ("name", "asc"),
    "projects": ("name", "asc"),
    "tasks": ("due_date", "asc"),
    "activities": ("activity_date", "desc"),
}
