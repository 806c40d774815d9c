"""The catalogue's operations as MCP tools: one adapter class, registered in one loop.

A tool call is ``Calls.execute``; this module only turns its answer into an MCP result and
its anticipated failures into ``ToolError`` messages, the only error text the SDK lets
through to the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.server.mcpserver.tools import Tool
from mcp.server.mcpserver.utilities.func_metadata import func_metadata
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import ConfigDict

from copper_mcp.calls import Calls
from copper_mcp.catalog import Operation
from copper_mcp.core.errors import CopperError, InputError

if TYPE_CHECKING:
    from mcp.server.mcpserver import Context


def _no_arguments() -> None:
    """Stands in for the function the SDK's Tool expects; CopperTool.run never calls it."""


_NO_ARGUMENTS = func_metadata(_no_arguments, structured_output=False)


class CopperTool(Tool):
    """An MCP tool backed by one Copper operation."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    operation: Operation
    calls: Calls

    async def run(
        self, arguments: dict[str, Any], context: Context[Any, Any], convert_result: bool = False
    ) -> CallToolResult:
        """Run one call; a failure nobody foresaw reaches the model only as a bare notice."""
        try:
            reply = await self.calls.execute(self.operation, arguments, progress=context.report_progress)
        except (InputError, CopperError) as exc:
            raise ToolError(str(exc)) from exc
        except (ToolError, MCPError):
            raise
        except Exception as exc:
            # Its text may describe our internals; the SDK logs the traceback on stderr.
            raise UnexpectedToolError(f"Error executing tool {self.name}") from exc
        return CallToolResult(content=[TextContent(type="text", text=reply.text)], structured_content=reply.structured)


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


def build_tools(operations: tuple[Operation, ...], calls: Calls) -> list[Tool]:
    """One CopperTool per operation, all executing through the same ``calls``."""
    return [
        CopperTool(
            fn=_no_arguments,
            name=op.name,
            title=op.shown_title,
            description=op.description,
            parameters=dict(op.input_schema),
            fn_metadata=_NO_ARGUMENTS,
            is_async=True,
            context_kwarg=None,
            annotations=tool_annotations(op),
            operation=op,
            calls=calls,
        )
        for op in operations
    ]
