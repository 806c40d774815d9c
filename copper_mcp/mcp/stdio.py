"""MCP over stdin and stdout, one JSON-RPC message a line, where every line is answered.

The SDK's stdio transport (mcp 2.3, ``mcp.server.stdio``) drops each line its validator refuses,
so a host whose request was malformed waits for an answer until its own timeout. This reader
answers such lines instead, as JSON-RPC 2.0 says, and keeps serving:

- a line that is not JSON (cut short, plain text, bytes that decode to nothing): -32700, id null;
- JSON that is no message (a bare number, a batch array, a request without a method, an id that
  is neither a string nor an integer): -32600 with the message's id, or id null when it has no
  usable one (a batch is answered once for each id in it);
- a line longer than ``MAX_LINE_BYTES`` or nested deeper than ``MAX_DEPTH``: -32600 with its id
  when the id comes before the part that is too large, else id null.

Text that cannot be UTF-8 is repaired, not refused: a lone surrogate (``"ab\\ud83d"``, what a
JavaScript host sends when it cuts a string inside an emoji) and bytes that are not UTF-8 become
U+FFFD, and the message is served. A refusal could only carry the id, and the host, resending the
same cut string, would be refused again; the replacement character is what the host's own UTF-8
encoder (WHATWG ``TextEncoder``) would have sent. Answers are repaired the same way on the way out
(Copper's data may hold a lone surrogate), so one odd record cannot stop the writer.

Everything else is the SDK's: valid messages reach its session over the memory streams its
``stdio_server`` would use. Answers to our own requests are never answered back (a malformed one
fails the request it answers), so two peers cannot trade errors forever.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from mcp.server.lowlevel import Server
from mcp.server.transport_security import DEFAULT_MAX_REQUEST_BODY_SIZE
from mcp.shared.message import SessionMessage
from mcp.types import (
    INTERNAL_ERROR,
    INVALID_REQUEST,
    PARSE_ERROR,
    ErrorData,
    JSONRPCError,
    JSONRPCMessage,
    RequestId,
    jsonrpc_message_adapter,
)
from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

__all__ = ["MAX_DEPTH", "MAX_LINE_BYTES", "encode", "oversized", "screen", "serve", "stdio"]

logger = logging.getLogger(__name__)

MAX_LINE_BYTES = DEFAULT_MAX_REQUEST_BODY_SIZE
"""The largest message read, in bytes: the limit the SDK puts on an HTTP request body (4 MiB)."""
MAX_DEPTH = 64
"""Arrays and objects nested in one message. Copper's inputs need under 10 with the envelope;
the SDK's own parser gives up near 200 and Python's near 1,000."""

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_NOT_JSON = "Parse error: a line must hold one JSON-RPC message."
_TOO_DEEP = f"Invalid Request: the message is nested deeper than {MAX_DEPTH} levels."


class _TooDeep(Exception):
    """A message nested deeper than MAX_DEPTH."""


def screen(line: bytes) -> JSONRPCMessage | list[JSONRPCError]:
    """What to do with one line of stdin: the message to serve, or the errors that answer it.

    A blank line gets no answer (an empty list).
    """
    text = line.decode("utf-8", errors="replace")
    if not text.strip():
        return []
    try:
        data = json.loads(text)
    except RecursionError:
        return [_refusal(_leading_id(text), _TOO_DEEP)]
    except ValueError:
        return [_error(None, PARSE_ERROR, _NOT_JSON)]
    if isinstance(data, list):
        ids: list[RequestId | None] = [found for item in data if (found := _usable_id(item)) is not None]
        batch = "Invalid Request: batches are not supported; send one message a line."
        return [_refusal(request_id, batch) for request_id in ids or [None]]
    if not isinstance(data, dict):
        return [_refusal(None, "Invalid Request: a message is a JSON object.")]
    request_id = _usable_id(data)
    answer = "method" not in data and ("result" in data or "error" in data)
    if "id" in data and request_id is None and not answer:
        return [_refusal(None, "Invalid Request: the id must be a string or an integer.")]
    try:
        return jsonrpc_message_adapter.validate_python(_repaired(data), by_name=False)
    except _TooDeep:
        problem = _TOO_DEEP
    except ValidationError as exc:
        problem = f"Invalid Request: {_first_problem(exc, data)}"
    if not answer:
        return [_refusal(request_id, problem)]
    logger.warning("stdin: a malformed answer to request %r: %s", request_id, problem)
    if request_id is None:
        return []
    # Fail the request it answers rather than leave it waiting; nothing goes back to the host.
    return JSONRPCError(jsonrpc="2.0", id=request_id, error=ErrorData(code=INVALID_REQUEST, message=problem))


def oversized(start: bytes) -> JSONRPCError:
    """The answer to a line longer than MAX_LINE_BYTES, of which ``start`` is the beginning."""
    text = start.decode("utf-8", errors="replace")
    return _refusal(_leading_id(text), f"Invalid Request: the message is longer than {MAX_LINE_BYTES} bytes.")


def encode(message: JSONRPCMessage) -> bytes:
    """One message as a line of UTF-8 JSON, as the SDK writes it; lone surrogates become U+FFFD."""
    try:
        text = message.model_dump_json(by_alias=True, exclude_unset=True)
    except PydanticSerializationError:
        data = message.model_dump(mode="json", by_alias=True, exclude_unset=True)
        try:
            text = json.dumps(_repaired(data), ensure_ascii=False, separators=(",", ":"))
        except _TooDeep:
            request_id = data.get("id")
            text = _error(request_id, INTERNAL_ERROR, "The answer could not be encoded.").model_dump_json(
                by_alias=True, exclude_unset=True
            )
    return text.encode("utf-8") + b"\n"


async def serve(server: Server[Any], stdin: BinaryIO, stdout: BinaryIO) -> None:
    """Run ``server``'s session on these byte streams until stdin ends."""
    incoming_sender, incoming = anyio.create_memory_object_stream[SessionMessage | Exception](0)
    outgoing, outgoing_receiver = anyio.create_memory_object_stream[SessionMessage](0)
    async with anyio.create_task_group() as writing:
        writing.start_soon(_write, stdout, outgoing_receiver)
        async with anyio.create_task_group() as reading:
            reading.start_soon(_read, stdin, incoming_sender, outgoing.clone())
            async with outgoing:
                await server.run(incoming, outgoing, server.create_initialization_options())
            # The session can end before stdin does (a fatal error); stop reading then.
            reading.cancel_scope.cancel()


@contextmanager
def stdio() -> Iterator[tuple[BinaryIO, BinaryIO]]:
    """The protocol's own copies of stdin and stdout, as the SDK's ``stdio_server`` claims them.

    Meanwhile fd 0 reads nothing and fd 1 writes to stderr, so nothing else in the process (a
    stray print, a child process) can take a message or corrupt one.
    """
    sys.stdout.flush()
    saved = os.dup(0), os.dup(1)
    # Never closed: a reader thread may still be blocked on it when serving ends.
    wire_in = os.fdopen(os.dup(0), "rb", closefd=False)
    wire_out = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDONLY)
    try:
        os.dup2(null, 0)
        os.dup2(2, 1)
        yield wire_in, wire_out
    finally:
        wire_out.close()
        for fd, original in enumerate(saved):
            os.dup2(original, fd)
            os.close(original)
        os.close(null)


async def _read(
    stdin: BinaryIO,
    messages: MemoryObjectSendStream[SessionMessage | Exception],
    replies: MemoryObjectSendStream[SessionMessage],
) -> None:
    async with messages, replies:
        while line := await anyio.to_thread.run_sync(stdin.readline, MAX_LINE_BYTES + 1, abandon_on_cancel=True):
            if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
                screened: JSONRPCMessage | list[JSONRPCError] = [oversized(line)]
                await anyio.to_thread.run_sync(_skip_line, stdin, abandon_on_cancel=True)
            else:
                screened = screen(line)
            if not isinstance(screened, list):
                await messages.send(SessionMessage(screened))
                continue
            for error in screened:
                logger.warning("stdin: answered %s (id %r): %s", error.error.code, error.id, error.error.message)
                await replies.send(SessionMessage(error))


def _skip_line(stdin: BinaryIO) -> None:
    """Read past the rest of an oversized line, a bounded piece at a time."""
    while (piece := stdin.readline(MAX_LINE_BYTES)) and not piece.endswith(b"\n"):
        pass


async def _write(stdout: BinaryIO, outgoing: MemoryObjectReceiveStream[SessionMessage]) -> None:
    async with outgoing:
        async for item in outgoing:
            await anyio.to_thread.run_sync(_put, stdout, encode(item.message))


def _put(stdout: BinaryIO, line: bytes) -> None:
    stdout.write(line)
    stdout.flush()


def _error(request_id: RequestId | None, code: int, message: str) -> JSONRPCError:
    return JSONRPCError(jsonrpc="2.0", id=request_id, error=ErrorData(code=code, message=message))


def _refusal(request_id: RequestId | None, message: str) -> JSONRPCError:
    return _error(request_id, INVALID_REQUEST, message)


def _usable_id(message: object) -> RequestId | None:
    """The message's id if it may name a request: a string or an integer (MCP allows no null)."""
    found = message.get("id") if isinstance(message, dict) else None
    if isinstance(found, str) or (isinstance(found, int) and not isinstance(found, bool)):
        return found
    return None


def _repaired(value: Any, depth: int = 1) -> Any:
    """``value`` with lone surrogates replaced by U+FFFD; _TooDeep past MAX_DEPTH arrays and objects."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict | list) and depth > MAX_DEPTH:
        raise _TooDeep
    if isinstance(value, dict):
        return {_LONE_SURROGATE.sub("\ufffd", key): _repaired(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_repaired(item, depth + 1) for item in value]
    return value


def _first_problem(exc: ValidationError, data: dict[str, Any]) -> str:
    """The first thing wrong with ``data`` as the kind of message it claims to be."""
    if "method" in data:
        kind = "JSONRPCRequest" if "id" in data else "JSONRPCNotification"
    else:
        kind = "JSONRPCError" if "error" in data else "JSONRPCResponse" if "result" in data else "JSONRPCRequest"
    for problem in exc.errors():
        where = problem["loc"]
        if where and where[0] == kind:
            return f"{'.'.join(str(part) for part in where[1:]) or 'message'}: {problem['msg']}"
    return "not a JSON-RPC 2.0 message"


def _leading_id(text: str) -> RequestId | None:
    """The id of a message too large or too deep to parse whole, when it comes before the part that is.

    Reads the object's members one at a time and stops at the first that cannot be read.
    """
    decoder = json.JSONDecoder()
    at = _after_blanks(text, 0)
    if not text.startswith("{", at):
        return None
    at += 1
    try:
        while True:
            key, at = decoder.raw_decode(text, _after_blanks(text, at))
            at = _after_blanks(text, at)
            if not text.startswith(":", at):
                return None
            value, at = decoder.raw_decode(text, _after_blanks(text, at + 1))
            if key == "id":
                return _usable_id({"id": value})
            at = _after_blanks(text, at)
            if not text.startswith(",", at):
                return None
            at += 1
    except (ValueError, RecursionError):
        return None


def _after_blanks(text: str, at: int) -> int:
    """Where the JSON whitespace starting at ``at`` ends."""
    while text.startswith((" ", "\t", "\r", "\n"), at):
        at += 1
    return at
