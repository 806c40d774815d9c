"""After a create whose outcome is unknown, one search says what became of it.

A create that got no clear answer (a timeout or a dropped connection after sending, a 5xx) is
never sent again: Copper has no idempotency key. Instead the record it would have made is looked
for with one search, among the records created since shortly before it was sent
(``CLOCK_SLACK`` allows for Copper's clock and ours to differ), on what identifies it:

    people, leads   the first email address (Copper keeps a person's emails unique)
    companies       the email domain (unique as well)
    activities      their parent record and type, on their activity date (they have no name)
    the rest, and people, leads and companies sent without an email: the name

Each record the search finds is compared with every field the create sent, in Copper's form:
a record that has them all could be the one sent; one that differs anywhere (a look-alike made
by someone else, or, rarely, ours with a value Copper normalised) cannot be trusted either way.

    created        exactly one record has every field sent: the answer is that record, as a
                   create's would have been, with a note saying how it was found
    not created    the search found no record at all: ``NotCreatedError``, safe to send again
    still unknown  anything else (several records with every field, or only look-alikes):
                   ``OutcomeUnknownError`` naming them, to be checked before retrying

So "created" is never claimed for a record another one could stand for, and "not created" only
when nothing was found that could be it. The one case no search can tell apart: an exact copy
made by someone else in those few minutes while ours was not stored; it is answered "created".

Bulk creates are not looked for: one search cannot cover ten items identified by ten names, and
their answer is one result per item anyway; they keep the plain "search before retrying".
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from copper_mcp.catalog import Operation
from copper_mcp.core.entities import BY_PLURAL, Entity
from copper_mcp.core.errors import CopperError, NotCreatedError, OutcomeUnknownError
from copper_mcp.core.requester import CopperResponse, Requester

__all__ = ["CLOCK_SLACK", "LOOKUP_SIZE", "Found", "Lookup", "judge", "lookup", "recover"]

logger = logging.getLogger(__name__)

CLOCK_SLACK = 300
"""Seconds before sending from which a record counts as possibly made by the create."""
LOOKUP_SIZE = 20
"""Records the one search asks for: more than one that could be it is already an answer."""
_SHOWN = 5
"""Ids named in a still-unknown message."""


@dataclass(frozen=True)
class Lookup:
    """The one search that finds what a create made.

    Attributes:
        path: The entity's search path.
        body: Copper's search filters.
        since: Unix seconds: records created before this cannot be the create's.
        what: How the message names what was looked for ("person with email dana@x.com").
    """

    path: str
    body: Mapping[str, Any]
    since: int
    what: str


@dataclass(frozen=True)
class Found:
    """What the search says about a create: the record it made, or the ids of those that could be it."""

    record: Mapping[str, Any] | None
    candidates: tuple[Any, ...] = ()


def lookup(op: Operation, body: Any, sent_at: float) -> Lookup | None:
    """The search for the record a single create sent at ``sent_at`` would have made, or None when
    the operation is not a single record create (bulk, webhooks, custom fields, links)."""
    entity = BY_PLURAL.get(op.answer.record or "")
    if entity is None or op.action != "create" or op.path != f"/{entity.plural}" or not isinstance(body, Mapping):
        return None
    since = math.floor(sent_at) - CLOCK_SLACK
    found = _identity(entity, body)
    if found is None:
        return None
    filters, what = found
    if entity.plural == "activities":
        # Only the activity date can be searched; it is the creation time unless the create set it.
        day = body.get("activity_date")
        if isinstance(day, int):
            filters = {**filters, "minimum_activity_date": day, "maximum_activity_date": day}
        else:
            filters = {**filters, "minimum_activity_date": since}
    else:
        filters = {**filters, "minimum_created_date": since, "sort_by": "date_created", "sort_direction": "desc"}
    return Lookup(entity.search_path, {**filters, "page_size": LOOKUP_SIZE}, since, f"{entity.noun} {what}")


def judge(sent: Mapping[str, Any], records: Sequence[Any], since: int, *, more: bool = False) -> Found:
    """What the records a lookup found say about the create that sent ``sent`` (see the module docstring).

    ``more`` says the search had more records than it answered: one of them could have every field too.
    """
    possible = [record for record in records if isinstance(record, Mapping) and not _older(record, since)]
    complete = [record for record in possible if _has(record, sent)]
    if len(complete) == 1 and not more:
        return Found(complete[0])
    return Found(None, tuple(record.get("id") for record in possible))


async def recover(
    requester: Requester, op: Operation, body: Any, unknown: OutcomeUnknownError, sent_at: float
) -> tuple[CopperResponse, str]:
    """The answer of a create whose outcome is unknown, when one search finds exactly what it made.

    Returns:
        Copper's record, as the create would have answered it, and a note saying how it was found.

    Raises:
        NotCreatedError: Nothing that could be the record was found: it is safe to send again.
        OutcomeUnknownError: ``unknown`` when the operation is not looked for or the search failed,
            else a new one naming the records that could be it.
    """
    search = lookup(op, body, sent_at)
    if search is None:
        raise unknown
    try:
        answer = await requester.request("POST", search.path, json=dict(search.body))
    except CopperError:
        logger.warning("%s: the search for what it made failed too", op.name, exc_info=True)
        raise unknown from None
    records = answer.data if isinstance(answer.data, list) else []
    found = judge(body, records, search.since, more=len(records) >= LOOKUP_SIZE)
    if found.record is not None:
        note = (
            f"Copper's answer to this create was lost ({unknown.method} {unknown.path} got no clear answer); "
            f"copper-mcp found the {search.what} it made, so it was created once. This is that record."
        )
        return CopperResponse(data=dict(found.record)), note
    if not found.candidates:
        raise NotCreatedError(
            f"{unknown.method} {unknown.path} got no clear answer, so copper-mcp searched for the "
            f"{search.what} it would have made: none was made since shortly before it was sent. It was not "
            "created; it is safe to send it again.",
            method=unknown.method, path=unknown.path,
        )
    count = len(found.candidates)
    plural = "s" if count > 1 else ""
    ids = ", ".join(str(i) for i in found.candidates[:_SHOWN]) + (" and more" if count > _SHOWN else "")
    raise OutcomeUnknownError(
        f"{unknown} A search for the {search.what} found {count} record{plural} made around then that could "
        f"be it (id{plural} {ids}), and none is certainly it: still unknown.",
        method=unknown.method, path=unknown.path, status_code=unknown.status_code, candidates=found.candidates,
    ) from None


def _older(record: Mapping[str, Any], since: int) -> bool:
    """Whether the record says it was created before ``since`` (activities cannot be searched by that)."""
    created = record.get("date_created")
    return isinstance(created, int | float) and not isinstance(created, bool) and created < since


def _identity(entity: Entity, body: Mapping[str, Any]) -> tuple[dict[str, Any], str] | None:
    """Search filters that find a record from what its create sent, and how to name them."""
    if entity.plural == "people":
        emails = body.get("emails")
        first = emails[0] if isinstance(emails, list) and emails and isinstance(emails[0], Mapping) else {}
        if isinstance(first.get("email"), str):
            return {"emails": [first["email"]]}, f"with email {first['email']}"
    elif entity.plural == "leads":
        email = body.get("email")
        if isinstance(email, Mapping) and isinstance(email.get("email"), str):
            return {"emails": email["email"]}, f"with email {email['email']}"
    elif entity.plural == "companies":
        if isinstance(body.get("email_domain"), str) and body["email_domain"]:
            return {"email_domains": [body["email_domain"]]}, f"with email domain {body['email_domain']}"
    elif entity.plural == "activities":
        parent, kind = body.get("parent"), body.get("type")
        if isinstance(parent, Mapping) and isinstance(kind, Mapping):
            filters = {"parent": dict(parent), "activity_types": [dict(kind)]}
            return filters, f"on {parent.get('type')} {parent.get('id')}"
        return None
    name = body.get("name")
    return ({"name": name}, f"named {name!r}") if isinstance(name, str) and name.strip() else None


def _has(stored: Any, sent: Any) -> bool:
    """Whether a stored value holds what was sent: objects key by key (Copper adds keys), lists item
    by item in any order (Copper lists every custom field), text ignoring case and spacing."""
    if isinstance(sent, Mapping):
        return isinstance(stored, Mapping) and all(_has(stored.get(key), value) for key, value in sent.items())
    if isinstance(sent, list):
        return isinstance(stored, list) and all(any(_has(item, wanted) for item in stored) for wanted in sent)
    if sent is None or sent == "":
        return stored in (None, "", [], {})
    if isinstance(sent, str):
        return isinstance(stored, str) and " ".join(sent.split()).casefold() == " ".join(stored.split()).casefold()
    if isinstance(sent, bool) or isinstance(stored, bool):
        return sent is stored
    return bool(sent == stored)
