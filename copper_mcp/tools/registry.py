"""Turn catalogue operations into MCP tools: one generic handler, registered in one loop.

Every tool runs the same steps: validate the arguments against the operation's JSON
Schema, refuse writes in read-only mode, let the shaper translate friendly inputs, split
the arguments into path, query and body, send one request through the shared client, and
shape the answer. A search given ``max_records`` sends one request a page instead (see
``CopperTool._walk``). Copper failures become ``ToolError`` messages, the only kind of
error text the SDK lets through to the model.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.server.mcpserver.tools import Tool
from mcp.server.mcpserver.utilities.func_metadata import func_metadata
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult, TextContent, ToolAnnotations

from copper_mcp.client import CopperError, CopperResponse
from copper_mcp.tools.catalog import Operation

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from mcp.server.mcpserver import Context

# Copper answers at most the first 100,000 matches of a search, whatever the page.
SEARCH_CAP = 100_000


class Requester(Protocol):
    """The part of CopperClient the tools use."""

    async def request(
        self, method: str, path: str, *, json: object = None, params: Mapping[str, object] | None = None
    ) -> CopperResponse: ...


class Shaper(Protocol):
    """Translates between what a model writes and reads and what Copper takes and sends."""

    async def prepare(self, op: Operation, args: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """Copper-ready arguments for ``op`` and notes on any interpretation made."""
        ...

    async def present(self, op: Operation, data: Any, args: Mapping[str, Any]) -> Any:
        """The answer as the model should read it."""
        ...

    def fits(self, records: list[Any]) -> bool:
        """Whether these records, as ``present`` gave them, fit in one answer."""
        ...


def _no_arguments() -> None:
    """Stands in for the function the SDK's Tool expects; CopperTool.run never calls it."""


_NO_ARGUMENTS = func_metadata(_no_arguments, structured_output=False)


class CopperTool(Tool):
    """An MCP tool backed by one Copper operation."""

    operation: Operation
    requester: Any
    shaper: Any
    read_only_mode: bool

    @cached_property
    def validator(self) -> Draft202012Validator:
        """Compiled on first use, so start-up does not pay for tools nobody calls."""
        # Imported here too: jsonschema and its dependencies cost ~25 ms of every cold start.
        from jsonschema import Draft202012Validator

        return Draft202012Validator(dict(self.operation.validation_schema))

    async def run(
        self, arguments: dict[str, Any], context: Context[Any, Any], convert_result: bool = False
    ) -> CallToolResult:
        """Run one call; a failure we did not foresee reaches the model only as a bare notice."""
        try:
            return await self._call(arguments, context)
        except (ToolError, MCPError):
            raise
        except Exception as exc:
            # Its text may describe our internals; the SDK logs the traceback on stderr.
            raise UnexpectedToolError(f"Error executing tool {self.name}") from exc

    async def _call(self, arguments: dict[str, Any], context: Context[Any, Any]) -> CallToolResult:
        """Validate, translate, send and shape one call (see the module docstring)."""
        op = self.operation
        problems = sorted(self.validator.iter_errors(arguments), key=lambda e: list(e.absolute_path))
        if problems:
            raise ToolError(f"Invalid arguments for {op.name}: " + "; ".join(_describe(p) for p in problems))
        if self.read_only_mode and not op.read_only:
            raise ToolError(f"{op.name} changes data and copper-mcp is running read-only.")
        try:
            prepared, notes = await self.shaper.prepare(op, dict(arguments))
            if "max_records" in arguments:
                data = await self._walk(prepared, arguments, context)
            else:
                data = _wrap(op, await self._send(prepared), prepared)
                data = await self.shaper.present(op, data, arguments)
        except CopperError as exc:
            raise ToolError(str(exc)) from exc
        except ValueError as exc:  # the shaper's InputError: a message written for the model
            raise ToolError(str(exc)) from exc
        if notes and isinstance(data, dict):
            data = {**data, "notes": [*notes, *data.get("notes", [])]}
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        structured = data if isinstance(data, dict) else {"result": data}
        return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)

    async def _send(self, args: Mapping[str, Any]) -> CopperResponse:
        """One request with these Copper-ready arguments (inputs of ours are left out by _split)."""
        path, body, query = _split(self.operation, args)
        response: CopperResponse = await self.requester.request(self.operation.method, path, json=body, params=query)
        return response

    async def _walk(self, args: dict[str, Any], asked: Mapping[str, Any], context: Context[Any, Any]) -> dict[str, Any]:
        """Up to max_records records from consecutive search pages, one request a page, as one answer.

        The walk stops after the whole pages max_records allows, at the last page, or before a
        page that would take the answer over the response budget. Only whole pages are kept,
        so next_page_number with the same page_size continues exactly. A first page that does
        not fit on its own comes back cut, with the shaper's note, as it would without max_records.
        """
        op = self.operation
        limit = int(asked["max_records"])
        # Fewest requests: pages as large as Copper allows, split evenly so none is wasted.
        largest = _declared(op, "page_size", "maximum", limit)
        size = int(args.get("page_size") or limit // math.ceil(limit / largest))
        if size > limit:
            raise ToolError(f"max_records ({limit}) is less than page_size ({size}): raise it or leave page_size out.")
        first = int(args.get("page_number", 1))
        most = limit // size * size
        records: list[Any] = []
        pages = 0
        over_budget = False
        for number in range(first, first + limit // size):
            page_args = {**args, "page_number": number, "page_size": size}
            fetched = _wrap(op, await self._send(page_args), page_args)
            page = await self.shaper.present(op, fetched, asked)
            whole = len(page["records"]) == len(fetched["records"])
            if not whole and pages == 0:
                return {**page, "pages": 1}
            if not whole or not self.shaper.fits([*records, *page["records"]]):
                over_budget = True
                break
            records += page["records"]
            pages += 1
            if page["records"]:  # progress must rise with every notification
                goal = most if page["total"] is None else min(most, page["total"] - (first - 1) * size)
                count = len(records)
                await context.report_progress(count, total=max(goal, count), message=f"{count} records")
            if not page["has_more"]:
                break
        answer = {
            "records": records,
            "page_number": first,
            "page_size": size,
            "pages": pages,
            "total": page["total"],
            "has_more": over_budget or page["has_more"],
        }
        if answer["has_more"]:
            answer["next_page_number"] = first + pages
        if over_budget:
            answer["notes"] = ["The next page would not fit in this answer: ask again from next_page_number."]
        return answer


def _describe(error: Any) -> str:
    where = ".".join(str(p) for p in error.absolute_path)
    return f"{where}: {error.message}" if where else error.message


def _split(op: Operation, args: Mapping[str, Any]) -> tuple[str, Any, dict[str, Any] | None]:
    """Path with its parameters filled in, the JSON body (or None), and the query."""
    path = op.path
    for name in op.path_params:
        path = path.replace("{" + name + "}", quote(str(args[name]), safe=""))
    query = {k: args[k] for k in op.query_params if k in args}
    body = {k: args[k] for k in op.body_params if k in args}
    has_body = bool(op.body_params) and op.method != "GET"
    return path, (body if has_body else None), (query or None)


def _wrap(op: Operation, response: CopperResponse, args: Mapping[str, Any]) -> Any:
    """Give lists a home in an object; give searches honest paging facts."""
    data = response.data
    if op.is_search and isinstance(data, list):
        page = int(args.get("page_number", 1))
        size = int(args.get("page_size", _declared(op, "page_size", "default", 20)))
        total = response.total
        seen = (page - 1) * size + len(data)
        more = seen < total if total is not None else len(data) == size
        return {
            "records": data,
            "page_number": page,
            "page_size": size,
            "total": total,
            "has_more": more and seen < SEARCH_CAP,
        }
    if isinstance(data, list):
        return {"records": data, "count": len(data)}
    return data


def _declared(op: Operation, name: str, key: str, fallback: int) -> int:
    """A default or bound of an input; the published view leaves defaults out, the validation schema keeps them."""
    schema = op.validation_schema.get("properties", {}).get(name, {})
    return int(schema.get(key, fallback))


def tool_annotations(op: Operation) -> ToolAnnotations:
    """The operation's hints, leaving out those equal to MCP's defaults.

    MCP defines readOnlyHint=false, destructiveHint=true, idempotentHint=false and
    openWorldHint=true when absent, and the middle two mean nothing on a read-only tool;
    stating only the rest keeps the catalogue small without changing what a host concludes.
    """
    if op.read_only:
        return ToolAnnotations(read_only_hint=True)
    return ToolAnnotations(
        destructive_hint=None if op.destructive else False,
        idempotent_hint=True if op.idempotent else None,
    )


def build_tools(
    operations: tuple[Operation, ...], requester: Requester, shaper: Shaper, *, read_only: bool
) -> list[Tool]:
    """One CopperTool per operation, all sharing the requester and the shaper."""
    return [
        CopperTool(
            fn=_no_arguments,
            name=op.name,
            title=op.title,
            description=op.description,
            parameters=dict(op.input_schema),
            fn_metadata=_NO_ARGUMENTS,
            is_async=True,
            context_kwarg=None,
            annotations=tool_annotations(op),
            operation=op,
            requester=requester,
            shaper=shaper,
            read_only_mode=read_only,
        )
        for op in operations
    ]
