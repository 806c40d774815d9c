"""One call of a Copper operation, from a model's arguments to the answer it reads.

``Calls.execute(operation, arguments)`` is the one owner of what happens in a call, for tools
and resources alike. The steps, in the order they run (each a method below)::

    check     the arguments against the operation's full schema; nothing is sent if they fail
    prepare   our own options (raw, max_records, group_by, top) set apart; names, ISO dates and
              named custom fields turned into Copper's form, with the account lists that needs
    send      one request through the shared client, or one a page when max_records or
              group_by asks (group_by answers what the records add up to: ``shaping.groups``)
    forget    after a write, what it may have changed (an account list, the names of records)
    present   the answer: records compact (or raw) with the names of linked records, page
              facts, the response budget, and notes on anything interpreted

Only ``InputError`` and ``CopperError`` are anticipated; anything else is a bug.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from copper_mcp.account import Account
from copper_mcp.account.names import RecordNames
from copper_mcp.catalog import Catalog, Operation
from copper_mcp.core.errors import InputError, NotFoundError, OutcomeUnknownError, UnknownNameError
from copper_mcp.core.marks import Marks
from copper_mcp.core.pages import MAX_PAGE_SIZE, has_more
from copper_mcp.core.requester import PATIENCE, CopperResponse, Patience, Requester
from copper_mcp.recover import recover
from copper_mcp.shaping import groups
from copper_mcp.shaping.budget import DEFAULT_BUDGET, array_size, fitting, sizes, within_budget
from copper_mcp.shaping.reads import View, compact, layout_fields, link_ids, linked_ids, name_links, unnamed
from copper_mcp.shaping.reads import needs as record_needs
from copper_mcp.shaping.reference import NO_REFERENCE, lists_for
from copper_mcp.shaping.writes import needs, to_copper

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, ValidationError

logger = logging.getLogger(__name__)

Progress = Callable[[float, float | None, str | None], Awaitable[None]]
"""Reports progress: (done so far, total if known, message)."""

RENEW_AFTER = 10.0
"""Seconds a kept account list is trusted to be complete: a name or id it lacks then fetches it
again (once per call), so a colleague's new custom field or user works at once, while a name that
is simply wrong costs at most one request every few seconds."""
PATIENCE_SECONDS = 25.0
"""How long one call may wait, in all, on Copper's rate limit and on retry backoff before a request
is sent. Hosts commonly give a tool call 60 s; the requests themselves need the rest. A longer
wait is refused at once (nothing sent, and when to retry said); a wait of a second or more is
announced as progress to hosts that asked for it."""

# Reprs of a model's values longer than this are cut in messages: echoing a payload back costs context.
_SHOWN_CHARS = 80


@dataclass(frozen=True)
class Reply:
    """What a call answers: JSON data, encoded once."""

    data: Any

    @cached_property
    def text(self) -> str:
        """The data as compact JSON text, the form a model reads."""
        return json.dumps(self.data, ensure_ascii=False, separators=(",", ":"))

    @property
    def structured(self) -> dict[str, Any]:
        """The data as a JSON object (MCP's structured content is always one)."""
        return self.data if isinstance(self.data, dict) else {"result": self.data}


@dataclass(frozen=True)
class Request:
    """A call's arguments in Copper's form, split where they go, plus our own options."""

    path: str
    query: dict[str, Any] | None
    body: Any
    args: Mapping[str, Any]
    """Every argument bound for Copper (page facts are read from here)."""
    options: Mapping[str, Any]
    notes: list[str] = field(default_factory=list)


class Calls:
    """Executes catalogue operations against Copper, sharing one client, account and record names.

    Args:
        requester: The Copper client every request goes through.
        catalog: Where record marks come from.
        account: The account's lists, fetched when needed and kept a while.
        names: Names of linked records, fetched in bulk and kept a while.
        budget: Bytes of JSON one answer's records may take.
    """

    def __init__(
        self,
        requester: Requester,
        catalog: Catalog,
        account: Account,
        names: RecordNames,
        budget: int = DEFAULT_BUDGET,
    ) -> None:
        self.requester = requester
        self.catalog = catalog
        self.account = account
        self.names = names
        self.budget = budget
        self._validators: dict[str, Draft202012Validator] = {}

    async def execute(
        self, op: Operation, arguments: Mapping[str, Any], progress: Progress | None = None
    ) -> Reply:
        """Run one call of ``op`` and answer as a model should read it.

        Raises:
            InputError: The arguments cannot become a Copper request; nothing was sent.
            CopperError: Copper failed or refused (see ``copper_mcp.core.errors``).
        """
        self.check(op, arguments)
        told = _Told(progress)
        token = PATIENCE.set(Patience(PATIENCE_SECONDS, on_wait=told.wait))
        try:
            request = await self.prepare(op, arguments)
            if "group_by" in request.options or "top" in request.options:
                data = await self.grouped(op, request, told)
            elif "max_records" in request.options:
                data = await self.walk(op, request, told)
            else:
                response = await self.send(op, request)
                if not op.read_only:
                    self.forget(op)
                data = await self.present(op, request, response)
        finally:
            PATIENCE.reset(token)
        if request.notes and isinstance(data, dict):
            data = {**data, "notes": [*request.notes, *data.get("notes", [])]}
        return Reply(data)

    # -- check ----------------------------------------------------------------------------------

    def check(self, op: Operation, arguments: Mapping[str, Any]) -> None:
        """Refuse arguments the operation's full schema does not allow, naming each problem."""
        problems = sorted(self._validator(op).iter_errors(arguments), key=lambda e: list(e.absolute_path))
        if problems:
            raise InputError(f"Invalid arguments for {op.name}: " + "; ".join(_describe(p) for p in problems))

    def _validator(self, op: Operation) -> Draft202012Validator:
        # Compiled on first use, and jsonschema imported then: ~25 ms no start-up should pay.
        validator = self._validators.get(op.name)
        if validator is None:
            from jsonschema import Draft202012Validator

            validator = self._validators[op.name] = Draft202012Validator(dict(op.validation_schema))
        return validator

    # -- prepare --------------------------------------------------------------------------------

    async def prepare(self, op: Operation, arguments: Mapping[str, Any]) -> Request:
        """Our options apart, the rest in Copper's form and split into path, query and body."""
        options = {name: arguments[name] for name in op.own_params if name in arguments}
        args = {name: value for name, value in arguments.items() if name not in op.own_params}
        wanted = needs(op.marks, args)
        # Only what the arguments need is fetched; with nothing to look up, no request at all.
        reference = await self.account.reference(lists_for(wanted)) if wanted else NO_REFERENCE
        try:
            args, notes = to_copper(op.answer.record or "", args, op.marks, reference)
        except UnknownNameError as missed:
            # The kept list may predate the name (a colleague's new custom field): fetch it once more.
            if not self.account.renew(lists_for({missed.need}), older_than=RENEW_AFTER):
                raise
            reference = await self.account.reference(lists_for(wanted))
            args, notes = to_copper(op.answer.record or "", args, op.marks, reference)
        path = op.path
        for name in op.path_params:
            path = path.replace("{" + name + "}", quote(str(args[name]), safe=""))
        query = {name: args[name] for name in op.query_params if name in args}
        body = {name: args[name] for name in op.body_params if name in args}
        has_body = bool(op.body_params) and op.method != "GET"
        return Request(path, query or None, body if has_body else None, args, options, notes)

    # -- send -----------------------------------------------------------------------------------

    async def send(self, op: Operation, request: Request) -> CopperResponse:
        """One request; a create whose outcome is unknown is looked for once (``copper_mcp.recover``)."""
        sent_at = time.time()
        try:
            return await self.requester.request(op.method, request.path, json=request.body, params=request.query)
        except OutcomeUnknownError as unknown:
            response, note = await recover(self.requester, op, request.body, unknown, sent_at)
            request.notes.append(note)
            return response
        except NotFoundError as gone:
            if op.not_found is None:
                raise
            raise gone.saying(op.not_found) from None

    async def walk(self, op: Operation, request: Request, told: _Told) -> dict[str, Any]:
        """Up to max_records records from consecutive search pages, one request a page, as one answer.

        The walk stops after the whole pages max_records allows, at the last page, or before a
        page that would take the answer over the budget. Only whole pages are kept, so
        next_page_number with the same page_size continues exactly. A first page that does not
        fit on its own comes back cut, as it would without max_records.
        """
        limit = int(request.options["max_records"])
        # Fewest requests: pages as large as Copper allows, split evenly so none is wasted.
        largest = op.declared("page_size", "maximum", limit)
        size = int(request.args.get("page_size") or limit // math.ceil(limit / largest))
        if size > limit:
            raise InputError(
                f"max_records ({limit}) is less than page_size ({size}): raise it or leave page_size out."
            )
        first = int(request.args.get("page_number", 1))
        records: list[Any] = []
        record_sizes: list[int] = []
        over_budget = False
        page: dict[str, Any] = {}
        async with aclosing(self._pages(op, request, size, first, limit // size, told)) as each:
            async for page_request, response in each:
                page = await self.present(op, page_request, response, cut=False)
                page_sizes = sizes(page["records"])
                if not records and fitting(page_sizes, self.budget) < len(page_sizes):
                    return {**within_budget(page, self.budget, page_sizes), "pages": 1}
                if fitting(page_sizes, self.budget, used=array_size(record_sizes)) < len(page_sizes):
                    over_budget = True
                    break
                records += page["records"]
                record_sizes += page_sizes
        pages = math.ceil(len(records) / size) if records else 0
        answer: dict[str, Any] = {
            "records": records,
            "page_number": first,
            "page_size": size,
            "pages": pages,
            "total": page.get("total"),
            "has_more": over_budget or bool(page.get("has_more")),
        }
        if answer["has_more"]:
            answer["next_page_number"] = first + pages
        if over_budget:
            answer["notes"] = ["The next page would not fit in this answer: ask again from next_page_number."]
        return answer

    async def grouped(self, op: Operation, request: Request, told: _Told) -> dict[str, Any]:
        """What every matching record adds up to, by the group_by keys, in place of the records.

        Every page is read, the largest Copper serves, up to ``groups.MOST_PAGES``; past that
        the answer says it is not complete. The keys are checked before any record is asked for.
        """
        groups.check_options(request.options, request.args)
        if op.group_by is None or op.answer.record is None:
            raise InputError(f"{op.name} cannot group its records.", field="group_by")
        asked = list(request.options["group_by"])
        marks = self.catalog.records[op.answer.record]
        reference = await self.account.reference(lists_for(groups.needs(asked, op.group_by, marks)))
        keys = groups.keys(asked, op.group_by, marks, reference, op.answer.record)
        tally = groups.Tally(keys, op.group_by.sums, reference)
        read = 0
        last: CopperResponse | None = None
        async with aclosing(self._pages(op, request, MAX_PAGE_SIZE, 1, groups.MOST_PAGES, told)) as each:
            async for _, last in each:
                tally.add(last.data or [])
                read += 1
        total = last.total if last is not None else None
        complete = last is None or not has_more(read, MAX_PAGE_SIZE, len(last.data or []), total)
        return tally.answer(
            top=request.options.get("top"), pages=read, complete=complete, total=total, budget=self.budget
        )

    async def _pages(
        self, op: Operation, request: Request, size: int, first: int, count: int, told: _Told
    ) -> AsyncGenerator[tuple[Request, CopperResponse]]:
        """Up to ``count`` consecutive search pages of ``size`` from page ``first``, one request each.

        It ends at the last match. Progress (records so far, of how many) is reported when the
        caller comes back for the next page, so a page the caller did not keep is never counted.
        """
        most, read = count * size, 0
        for number in range(first, first + count):
            page_request = _with_body(request, page_number=number, page_size=size)
            response = await self.send(op, page_request)
            yield page_request, response
            returned = len(response.data) if isinstance(response.data, list) else 0
            read += returned
            if returned:
                goal = most if response.total is None else min(most, response.total - (first - 1) * size)
                await told.done(read, max(goal, read), f"{read} records")
            if not has_more(number, size, returned, response.total):
                return

    # -- forget ---------------------------------------------------------------------------------

    def forget(self, op: Operation) -> None:
        """After a write: the account lists it changed are fetched again, and record names too
        (it may have renamed a record)."""
        for name in op.changes:
            self.account.changed(name)
        self.names.forget()

    # -- present --------------------------------------------------------------------------------

    async def present(self, op: Operation, request: Request, response: CopperResponse, *, cut: bool = True) -> Any:
        """The answer as a model reads it (see the module docstring).

        A write has already happened when this runs, so if shaping its answer fails, the
        answer is Copper's record with a note, never an error a model would answer by
        writing again.
        """
        data = self._framed(op, request, response)
        if not op.read_only:
            try:
                return await self._shaped(op, data)
            except Exception as exc:  # whatever it is, the write is done and must not look failed
                logger.warning("%s succeeded; its answer could not be shaped", op.name, exc_info=True)
                note = f"Done. This is Copper's own answer: names and dates could not be added ({exc})."
                return {**data, "notes": [*data.get("notes", []), note]} if isinstance(data, dict) else data
        if not request.options.get("raw"):
            data = await self._shaped(op, data, self._view(op, request))
        return within_budget(data, self.budget) if cut and isinstance(data, dict) else data

    def _view(self, op: Operation, request: Request) -> View | None:
        """What a search shows of each record: the fields asked for, else its list view."""
        schema = self.catalog.schemas.get(op.answer.record or "")
        if not op.is_search or schema is None:
            return None
        asked = request.options.get("fields")
        wanted = asked or schema.listed
        return View.of(wanted, schema.fields, schema.marks, listing=not asked) if wanted else None

    def _framed(self, op: Operation, request: Request, response: CopperResponse) -> Any:
        """Lists in an object, with honest page facts for a page."""
        data = response.data
        if not (op.answer.many and isinstance(data, list)):
            return data
        if not op.answer.paged:
            return {"records": data, "count": len(data)}
        number = int(request.args.get("page_number", 1))
        size = int(request.args.get("page_size", op.declared("page_size", "default", 20)))
        return {
            "records": data,
            "page_number": number,
            "page_size": size,
            "total": response.total,
            "has_more": has_more(number, size, len(data), response.total),
        }

    async def _shaped(self, op: Operation, data: Any, view: View | None = None) -> Any:
        """Records compact with names (only what ``view`` shows); related-item links with their records' names;
        a layout's field names."""
        if not isinstance(data, dict):
            return data
        answer = op.answer
        if answer.links and isinstance(data.get("records"), list):
            links = data["records"]
            return {**data, "records": name_links(links, await self.names.lookup(link_ids(links)))}
        if answer.layout and isinstance(data.get("records"), list):
            return layout_fields(data["records"], await self.account.reference(lists_for({"custom_fields"})))
        parts = self._records_in(op, data)
        if view is not None:  # before naming: what is not shown costs no lookup
            parts = [(key, marks, view.lean(record)) for key, marks, record in parts]
        if not parts:
            return data
        needed = set().union(*(record_needs(record, marks) for _, marks, record in parts))
        reference = await self.account.reference(lists_for(needed))
        # An id the kept lists lack (a colleague's new user or custom field): fetch its list once more.
        unknown = unnamed(((record, marks) for _, marks, record in parts), reference)
        if unknown and self.account.renew(lists_for(unknown), older_than=RENEW_AFTER):
            reference = await self.account.reference(lists_for(needed))
        targets = linked_ids((record, marks) for _, marks, record in parts)
        linked = await self.names.lookup(targets) if targets else {}
        notes: list[str] = []
        shaped = {key: compact(record, marks, reference, linked, notes) for key, marks, record in parts}
        if view is not None:
            shaped = {key: view.trim(record) for key, record in shaped.items()}
            missing = view.missing(shaped.values())
            if missing and shaped:
                notes.append(f"fields: no record here has {', '.join(missing)}; custom field names are in "
                             "list_custom_field_definitions.")
        if answer.parts:
            result: dict[str, Any] = {**data, **shaped}
        elif answer.many:
            result = {**data, "records": [shaped.get(i, item) for i, item in enumerate(data["records"])]}
        else:
            result = shaped[None]
        if notes:
            result["notes"] = [*result.get("notes", []), *notes]
        return result

    def _records_in(self, op: Operation, data: dict[str, Any]) -> list[tuple[Any, Marks, dict[str, Any]]]:
        """(where, marks, record) for each record the answer holds: a list index, a part's name, or None."""
        answer = op.answer
        records = self.catalog.records
        if answer.parts:
            return [
                (key, records[record], data[key])
                for key, record in answer.parts.items()
                if isinstance(data.get(key), dict) and record in records
            ]
        marks = records.get(answer.record or "")
        if marks is None:
            return []
        if answer.many:
            items = data.get("records") or []
            return [(i, marks, item) for i, item in enumerate(items) if isinstance(item, dict)]
        return [(None, marks, data)]


class _Told:
    """The progress notifications of one call: what is done, and waits before a request is sent.

    MCP asks that progress rise with every notification, so a wait between two pages is
    reported a hair above the last figure.
    """

    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self._last = 0.0

    async def done(self, count: float, total: float | None, message: str) -> None:
        """Report ``count`` of ``total`` done."""
        await self._tell(max(count, self._last + _HAIR), total, message)

    async def wait(self, seconds: float) -> None:
        """Report a wait for Copper's rate limit (or a retry) about to begin."""
        await self._tell(self._last + _HAIR, None, f"waiting {math.ceil(seconds)} s for Copper's rate limit")

    async def _tell(self, value: float, total: float | None, message: str) -> None:
        if self._progress is not None:
            self._last = value
            await self._progress(value, total, message)


_HAIR = 0.001


def _with_body(request: Request, **changes: Any) -> Request:
    """The same request with some body values replaced (a walk's next page)."""
    body = {**(request.body or {}), **changes}
    return Request(request.path, request.query, body, {**request.args, **changes}, request.options, request.notes)


def _shown(value: Any) -> str:
    """A model's value as a message shows it: its repr, cut short."""
    shown = repr(value)
    return shown if len(shown) <= _SHOWN_CHARS else shown[: _SHOWN_CHARS - 1] + "…"


def _describe(error: ValidationError) -> str:
    """One validation problem, short: where it is and what is wrong, without echoing a payload."""
    where = ".".join(str(p) for p in error.absolute_path)
    limit = error.validator_value
    if error.validator == "maxItems":
        text = f"has more than {limit} items; send at most {limit} per call"
    elif error.validator == "minItems":
        text = f"needs at least {limit} item{'s' if limit != 1 else ''}"
    elif error.validator == "enum":
        text = f"{_shown(error.instance)} is not one of {json.dumps(limit, ensure_ascii=False)}"
    elif error.validator in ("type", "maximum", "minimum"):
        text = error.message.replace(repr(error.instance), _shown(error.instance), 1)
    else:
        text = error.message if len(error.message) <= 2 * _SHOWN_CHARS else error.message[: 2 * _SHOWN_CHARS] + "…"
    return f"{where}: {text}" if where else text
