"""Multi-record operations: lead convert and upsert, bulk create/update, related items,
a record's activities and people/fetch_by_email."""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from copper_mcp.sandbox import connect, customfields
from copper_mcp.sandbox.checks import is_int, is_one_of
from copper_mcp.sandbox.entities import ENTITIES
from copper_mcp.sandbox.errors import ApiError, invalid, not_found
from copper_mcp.sandbox.recordtypes import RECORD_TYPES, TYPES
from copper_mcp.sandbox.relations import add_relation, parse_resource, related_items, remove_relation
from copper_mcp.sandbox.routing import guarded, ok, path_id, query_id, read_object, wants_computed
from copper_mcp.sandbox.search import search
from copper_mcp.sandbox.web import caller_user, emit, public_changes, sandbox_of

BULK_LIMIT = 10
UPSERT_ID_LIMIT = 30
"""Beyond this many matches Copper's upsert 422 no longer lists the ids."""
# A related type in a URL (/related/people) -> the type a link names (person).
_TYPE_OF_PLURAL = {plural: singular for singular, plural in RECORD_TYPES.items()}


# -- lead convert ---------------------------------------------------------------------------


def _optional_object(details: dict[str, Any], name: str) -> dict[str, Any] | None:
    value = details.get(name)
    if value is not None and not isinstance(value, dict):
        raise invalid(name, "must be an object")
    return value


def _normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


async def convert_lead(request: Request) -> Response:
    """POST /leads/{id}/convert: make a person (and a company, an opportunity) from a lead."""
    sb = sandbox_of(request)
    records, store = sb.records, sb.store
    lead_id = path_id(request)
    lead = records.load("leads", lead_id)
    body = await read_object(request)
    details = body.get("details")
    if not isinstance(details, dict):
        raise invalid("details", 'the body must be {"details": {"person": ..., "company": ..., "opportunity": ...}}')
    person_in = _optional_object(details, "person") or {}
    company_in = _optional_object(details, "company")
    opportunity_in = _optional_object(details, "opportunity")
    user_id = caller_user(request)["id"]
    now = records.now()
    converted = [{"lead_id": lead_id, "converted_timestamp": now}]

    with store.transaction():
        company, company_created = _resolve_company(request, lead, company_in)
        person_body: dict[str, Any] = {
            k: lead.get(k)
            for k in ("name", "prefix", "first_name", "middle_name", "last_name", "suffix", "title", "details",
                      "address", "phone_numbers", "socials", "websites", "tags", "assignee_id")
        }  # fmt: skip
        person_body["emails"] = [lead["email"]] if lead.get("email") else []
        person_body["custom_fields"] = _carry_custom_fields(store, lead, "person")
        person_body.update({k: person_in[k] for k in ("name", "contact_type_id", "assignee_id") if k in person_in})
        person_body["company_id"] = company["id"] if company else None
        person = records.create("people", person_body, user_id)
        person.update(leads_converted_from=converted, date_lead_created=lead.get("date_created"))
        store.replace("people", person["id"], person)

        opportunity = None
        if opportunity_in is not None:
            opp_body: dict[str, Any] = {
                "name": lead["name"],
                "monetary_value": lead.get("monetary_value"),
                "customer_source_id": lead.get("customer_source_id"),
                "assignee_id": lead.get("assignee_id"),
                "custom_fields": _carry_custom_fields(store, lead, "opportunity"),
                **opportunity_in,
                "company_id": company["id"] if company else None,
                "primary_contact_id": person["id"],
            }
            opportunity = records.create("opportunities", opp_body, user_id)
            opportunity.update(leads_converted_from=converted, date_lead_created=lead.get("date_created"))
            store.replace("opportunities", opportunity["id"], opportunity)
        # The lead disappears for clients (GET answers 404) but stays visible to
        # searches with include_converted_leads, carrying what it became.
        lead.update(
            converted_at=now,
            converted_contact_id=person["id"],
            converted_opportunity_id=opportunity["id"] if opportunity else None,
        )
        store.replace("leads", lead_id, lead)

    await emit(request, "lead", "delete", [lead_id])
    if company_created and company:
        await emit(request, "company", "new", [company["id"]])
    await emit(request, "person", "new", [person["id"]])
    if opportunity:
        await emit(request, "opportunity", "new", [opportunity["id"]])
    computed = wants_computed(request)
    return ok(
        {
            "person": records.render("people", person, computed),
            "company": records.render("companies", company, computed) if company else None,
            "opportunity": records.render("opportunities", opportunity, computed) if opportunity else None,
        }
    )


def _resolve_company(
    request: Request, lead: dict[str, Any], company_in: dict[str, Any] | None
) -> tuple[dict[str, Any] | None, bool]:
    """Pick the company for a conversion: by id, by (reused) name, or from the lead's company_name."""
    records = sandbox_of(request).records
    if company_in is None:
        name, exact = lead.get("company_name"), False
    else:
        if "id" in company_in and "name" in company_in:
            raise invalid("company", "give either id or name, not both")
        if "id" in company_in:
            if not is_int(company_in["id"]):
                raise invalid("company", "id must be an integer")
            found = records.store.get("companies", company_in["id"])
            if found is None:
                raise invalid("company", f"no company with id {company_in['id']}")
            return found, False
        name, exact = company_in.get("name"), company_in.get("exact_match", False)
        if name is not None and not isinstance(name, str):
            raise invalid("company", "name must be a string")
        if not isinstance(exact, bool):
            raise invalid("company", "exact_match must be true or false")
    if not name or not name.strip():
        return None, False
    # Reuse an existing company of that name: exact = case-insensitive equality;
    # Copper's default fuzzy match is approximated by ignoring case and punctuation.
    for company in records.live("companies"):
        same = company["name"].lower() == name.lower() if exact else _normalise(company["name"]) == _normalise(name)
        if same:
            return company, False
    return records.create("companies", {"name": name.strip()}), True


def _carry_custom_fields(store: Any, lead: dict[str, Any], target: str) -> list[dict[str, Any]]:
    """Lead custom field values whose definitions also exist on the target entity."""
    available = {d["id"] for d in customfields.definitions_for(store, target)}
    values = lead.get("custom_fields") or {}
    return [
        {"custom_field_definition_id": int(k), "value": v}
        for k, v in values.items()
        if int(k) in available and v is not None
    ]


# -- lead upsert ---------------------------------------------------------------------------------


async def upsert_lead(request: Request) -> Response:
    """PUT /leads/upsert: update the one lead matching by name, email or custom field, or create one."""
    sb = sandbox_of(request)
    records = sb.records
    body = await read_object(request)
    properties = body.get("properties")
    if not isinstance(properties, dict):
        raise invalid("properties", "must be an object of lead fields")
    match = body.get("match")
    if not isinstance(match, dict) or not is_one_of(match.get("field_name"), ("name", "email", "custom")):
        raise invalid("match", 'must be {"field_name": "name"|"email"|"custom", "field_value": ...}')
    matches = [lead for lead in records.live("leads") if _upsert_matcher(request, match)(lead)]
    if len(matches) > UPSERT_ID_LIMIT:
        raise invalid("match", f"more than {UPSERT_ID_LIMIT} leads match")
    if len(matches) > 1:
        ids = ", ".join(str(lead["id"]) for lead in matches)
        raise invalid("match", f"multiple leads match: [{ids}]")
    computed = wants_computed(request)
    if not matches:
        doc = records.create("leads", dict(properties), caller_user(request)["id"])
        await emit(request, "lead", "new", [doc["id"]])
        return ok(records.render("leads", doc, computed))
    doc, diff = records.update("leads", matches[0]["id"], dict(properties))
    if diff:
        await emit(request, "lead", "update", [doc["id"]], public_changes(diff))
    return ok(records.render("leads", doc, computed))


def _upsert_matcher(request: Request, match: dict[str, Any]) -> Any:
    field_name, value = match["field_name"], match.get("field_value")
    if field_name in ("name", "email"):
        if not isinstance(value, str) or not value.strip():
            raise invalid("match", "field_value must be a non-empty string")
        wanted = value.strip().lower()
        if field_name == "name":
            return lambda lead: (lead.get("name") or "").lower() == wanted
        return lambda lead: ((lead.get("email") or {}).get("email") or "").lower() == wanted
    if not isinstance(value, dict) or not is_int(value.get("custom_field_definition_id")):
        raise invalid("match", 'field_value must be {"custom_field_definition_id": N, "value": ...}')
    store = sandbox_of(request).store
    definition = store.get(customfields.DEFINITIONS, value["custom_field_definition_id"])
    if definition is None or "lead" not in definition.get("available_on", []):
        raise invalid("match", "the custom field is not available on leads")
    if not definition.get("is_filterable"):
        raise invalid("match", "the custom field must be filterable")
    wanted_value = customfields.check_value(definition, value.get("value"), "match")
    key = str(definition["id"])

    def same(lead: dict[str, Any]) -> bool:
        got = (lead.get("custom_fields") or {}).get(key)
        if isinstance(got, str) and isinstance(wanted_value, str):
            return got.lower() == wanted_value.lower()
        return bool(got == wanted_value)

    return same


# -- bulk -----------------------------------------------------------------------------------------


def _bulk(plural: str, operation: str) -> Any:
    singular = ENTITIES[plural].singular

    async def run(request: Request) -> Response:
        sb = sandbox_of(request)
        records = sb.records
        body = await read_object(request)
        items = body.get(plural)
        if not isinstance(items, list):
            raise invalid(plural, f'the body must be {{"{plural}": [...]}}')
        if len(items) > BULK_LIMIT:
            # Documented with its own shape, not the usual envelope.
            too_large = {"error": f"Request size too large, limit is {BULK_LIMIT}"}
            raise ApiError(422, too_large["error"], body=too_large)
        user_id = caller_user(request)["id"]
        computed = wants_computed(request) and plural != "activities"
        results: list[dict[str, Any]] = []
        created: list[int] = []
        updates: list[tuple[int, dict[str, list[Any]]]] = []
        # Each item stands alone: a failure is reported in its slot, others still apply.
        for item in items:
            try:
                if not isinstance(item, dict):
                    raise invalid("item", "must be an object")
                if operation == "bulk_create":
                    doc = records.create(plural, dict(item), user_id)
                    created.append(doc["id"])
                else:
                    if not is_int(item.get("id")):
                        raise invalid("id", "is required")
                    try:
                        doc, diff = records.update(plural, item["id"], {k: v for k, v in item.items() if k != "id"})
                    except ApiError as exc:
                        if exc.status == 404:
                            raise invalid("id", "not found") from exc
                        raise
                    if diff:
                        updates.append((doc["id"], public_changes(diff)))
                results.append(records.render(plural, doc, computed))
            except ApiError as exc:
                failure: dict[str, Any] = {"success": False, "message": {exc.field or "base": [{"error": "invalid"}]}}
                if operation == "bulk_update":
                    failure["id"] = item.get("id") if isinstance(item, dict) else None
                results.append(failure)
        await emit(request, singular, "new", created)
        for id, changes in updates:
            await emit(request, singular, "update", [id], changes)
        return ok(results)

    return run


# -- related items ------------------------------------------------------------------------------------


def _related_list(plural: str) -> Any:
    singular = ENTITIES[plural].singular

    async def run(request: Request) -> Response:
        sb = sandbox_of(request)
        id = path_id(request)
        sb.records.load(plural, id)
        only = None
        if "other" in request.path_params:
            other = request.path_params["other"]
            if other not in _TYPE_OF_PLURAL:
                raise not_found()
            only = _TYPE_OF_PLURAL[other]
        return ok(related_items(sb.store, singular, id, only))

    return run


def _related_change(plural: str) -> Any:
    singular = ENTITIES[plural].singular

    async def run(request: Request) -> Response:
        sb = sandbox_of(request)
        id = path_id(request)
        sb.records.load(plural, id)
        other = parse_resource(await read_object(request))
        resource = {"id": other[1], "type": other[0]}
        with sb.store.transaction():
            if request.method == "POST":
                add_relation(sb.store, (singular, id), other)
            else:
                remove_relation(sb.store, (singular, id), other)
        if request.method == "POST":
            return ok({"added": True, "resource": resource})
        return ok({"removed": True, "resource": resource})

    return run


# -- a record's activities, people by email ---------------------------------------------------------------


def _record_activities(plural: str) -> Any:
    singular = ENTITIES[plural].singular

    async def run(request: Request) -> Response:
        sb = sandbox_of(request)
        id = path_id(request)
        sb.records.load(plural, id)
        body = await read_object(request)
        criteria: dict[str, Any] = {k: body[k] for k in ("activity_types", "page_number", "page_size") if k in body}
        criteria["parent"] = {"id": id, "type": singular}
        page, total = search(sb.records, "activities", criteria, sb.records.now())
        return ok([sb.records.render("activities", d) for d in page], headers={"X-PW-TOTAL": str(total)})

    return run


async def fetch_by_email(request: Request) -> Response:
    """POST /people/fetch_by_email: the person with that email address."""
    sb = sandbox_of(request)
    body = await read_object(request)
    email = body.get("email")
    if not isinstance(email, str) or not email.strip():
        raise invalid("email", "is required")
    wanted = email.strip().lower()
    for person in sb.records.live("people"):
        if any(e["email"].lower() == wanted for e in person.get("emails") or []):
            return ok(sb.records.render("people", person, wants_computed(request)))
    raise not_found()


# -- Connect-field links (see connect.py) ------------------------------------------------------------------


async def list_related_links(request: Request) -> Response:
    """GET /related_links?source_type=&source_id=, optionally &custom_field_definition_id=."""
    store = sandbox_of(request).store
    source_type = connect.entity_type("source_type", request.query_params.get("source_type"))
    source_id = query_id(request, "source_id")
    if source_id is None:
        raise invalid("source_id", "is required")
    field_id = query_id(request, "custom_field_definition_id")
    if field_id is not None:
        connect.connect_definition(store, field_id)
    if not connect.exists(store, (source_type, source_id)):
        raise not_found()
    links = [
        link
        for link in connect.live_links(store, (source_type, source_id))
        if field_id in (None, link["custom_field_definition_id"])
    ]
    return ok([connect.present(store, link) for link in links])


async def create_related_link(request: Request) -> Response:
    """POST /related_links: link two records through a Connect field."""
    store = sandbox_of(request).store
    link = connect.create(store, await read_object(request))
    return ok(connect.present(store, link))


async def delete_related_link(request: Request) -> Response:
    """DELETE /related_links/{id}: the link and its mirror."""
    return ok({"ids": connect.delete(sandbox_of(request).store, path_id(request)), "is_deleted": True})


def routes() -> list[BaseRoute]:
    """Routes relative to /developer_api/v1 (listed before the generic /{entity}/{id} routes)."""
    table: list[BaseRoute] = [
        Route("/leads/upsert", guarded(upsert_lead), methods=["PUT"]),
        Route("/leads/{id}/convert", guarded(convert_lead), methods=["POST"]),
        Route("/people/fetch_by_email", guarded(fetch_by_email), methods=["POST"]),
        Route("/related_links", guarded(list_related_links), methods=["GET"]),
        Route("/related_links", guarded(create_related_link), methods=["POST"]),
        Route("/related_links/{id}", guarded(delete_related_link), methods=["DELETE"]),
    ]
    table += [
        Route(f"/{t.plural}/{operation}", guarded(_bulk(t.plural, operation)), methods=["POST"])
        for t in TYPES
        for operation in t.bulk
    ]
    for plural in RECORD_TYPES.values():
        table += [
            Route(f"/{plural}/{{id}}/related", guarded(_related_list(plural)), methods=["GET"]),
            Route(f"/{plural}/{{id}}/related/{{other}}", guarded(_related_list(plural)), methods=["GET"]),
            Route(f"/{plural}/{{id}}/related", guarded(_related_change(plural)), methods=["POST", "DELETE"]),
        ]
    table += [
        Route(f"/{t.plural}/{{id}}/activities", guarded(_record_activities(t.plural)), methods=["POST"])
        for t in TYPES
        if t.with_activities
    ]
    return table
