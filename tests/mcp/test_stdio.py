"""Every line a host writes on stdin is answered: the reader's rules, then the installed server over real stdio."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from mcp.types import INTERNAL_ERROR, INVALID_REQUEST, PARSE_ERROR, JSONRPCError, JSONRPCRequest, JSONRPCResponse

from copper_mcp.mcp.stdio import MAX_DEPTH, MAX_LINE_BYTES, encode, oversized, screen
from tests.test_cli import EXE

CUT_EMOJI = r'"ab\ud83d"'
"""A JSON string holding a lone surrogate: what a JavaScript host sends when it cuts a string inside an emoji."""


def call(request_id: object, tool: str, arguments: str) -> str:
    """A tools/call line, with the arguments as raw JSON text."""
    return (
        f'{{"jsonrpc":"2.0","id":{json.dumps(request_id)},"method":"tools/call",'
        f'"params":{{"name":"{tool}","arguments":{arguments}}}}}'
    )


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# -- the reader's rules -----------------------------------------------------------------------------


def refusals(line: str | bytes) -> list[tuple[object, int]]:
    screened = screen(line if isinstance(line, bytes) else line.encode())
    assert isinstance(screened, list), screened
    return [(error.id, error.error.code) for error in screened]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"jsonrpc":"2.0","id":4,"meth', [(None, PARSE_ERROR)]),  # cut short
        ("hello", [(None, PARSE_ERROR)]),
        (b"\xff\xfe\xfd", [(None, PARSE_ERROR)]),  # no UTF-8 at all
        ("42", [(None, INVALID_REQUEST)]),
        ('"ping"', [(None, INVALID_REQUEST)]),
        ("[]", [(None, INVALID_REQUEST)]),
        ('[{"jsonrpc":"2.0","id":9,"method":"ping"},{"jsonrpc":"2.0","id":"b","method":"ping"},3]',
         [(9, INVALID_REQUEST), ("b", INVALID_REQUEST)]),
        ('{"jsonrpc":"2.0","id":4}', [(4, INVALID_REQUEST)]),
        ('{"jsonrpc":"2.0","id":"x","method":7}', [("x", INVALID_REQUEST)]),
        ('{"jsonrpc":"1.0","id":3,"method":"ping"}', [(3, INVALID_REQUEST)]),
        ('{"jsonrpc":"2.0","id":3,"method":"ping","params":[1]}', [(3, INVALID_REQUEST)]),
        ('{"jsonrpc":"2.0","id":1.5,"method":"ping"}', [(None, INVALID_REQUEST)]),
        ('{"jsonrpc":"2.0","id":true,"method":"ping"}', [(None, INVALID_REQUEST)]),
        ('{"jsonrpc":"2.0","id":null,"method":"ping"}', [(None, INVALID_REQUEST)]),
        ('{"jsonrpc":"2.0","method":5}', [(None, INVALID_REQUEST)]),  # a broken notification
        (call(6, "x", f'{{"a":{nested(MAX_DEPTH)}}}'), [(6, INVALID_REQUEST)]),  # the SDK's parser still copes
        (call(7, "x", f'{{"a":{nested(300)}}}'), [(7, INVALID_REQUEST)]),  # the SDK's parser gives up
        (call(8, "x", f'{{"a":{nested(100_000)}}}'), [(8, INVALID_REQUEST)]),  # Python's parser gives up
        ('{"params":' + nested(100_000) + ',"id":8}', [(None, INVALID_REQUEST)]),  # the id comes too late
        ("", []),
        ("  \r\n", []),
    ],
)
def test_lines_that_are_no_message_are_answered(line: str | bytes, expected: list[tuple[object, int]]) -> None:
    assert refusals(line) == expected


def test_a_message_just_within_the_depth_limit_is_served() -> None:
    envelope = 3  # the message, params, arguments
    message = screen(call(1, "x", f'{{"a":{nested(MAX_DEPTH - envelope - 1)}}}').encode())
    assert isinstance(message, JSONRPCRequest) and message.id == 1


def test_lone_surrogates_and_stray_bytes_become_replacement_characters() -> None:
    message = screen(call(1, "create_project", f'{{"name":{CUT_EMOJI},"\\udc00key":"ok"}}').encode())
    assert isinstance(message, JSONRPCRequest)
    assert message.params is not None
    assert message.params["arguments"] == {"name": "ab\ufffd", "\ufffdkey": "ok"}
    whole = screen(call(2, "x", '{"name":"\\ud83d\\ude00"}').encode())  # a whole pair is one emoji
    assert isinstance(whole, JSONRPCRequest) and whole.params is not None
    assert whole.params["arguments"]["name"] == "\U0001f600"
    raw = screen(call(3, "x", '{"name":"cafX"}').encode().replace(b"X", b"\xe9"))  # Latin-1, not UTF-8
    assert isinstance(raw, JSONRPCRequest) and raw.params is not None
    assert raw.params["arguments"]["name"] == "caf\ufffd"


def test_a_malformed_answer_fails_the_request_it_answers_and_is_not_answered_back() -> None:
    failed = screen(b'{"jsonrpc":"2.0","id":12,"error":{"code":"x"}}')
    assert isinstance(failed, JSONRPCError) and failed.id == 12 and failed.error.code == INVALID_REQUEST
    assert screen(b'{"jsonrpc":"2.0","id":null,"error":{"code":"x"}}') == []
    answered = screen(b'{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"?"}}')
    assert isinstance(answered, JSONRPCError) and answered.id is None  # passed on: the session drops it


def test_an_oversized_line_is_answered_with_its_id_when_the_id_comes_first() -> None:
    start = call(8, "x", '{"a":"' + "x" * MAX_LINE_BYTES).encode()[:MAX_LINE_BYTES + 1]
    assert (oversized(start).id, oversized(start).error.code) == (8, INVALID_REQUEST)
    assert oversized(b'{"params":{"a":"xxxx').id is None


def test_an_answer_holding_a_lone_surrogate_is_written_with_a_replacement_character() -> None:
    answer = JSONRPCResponse(jsonrpc="2.0", id=3, result={"content": [{"type": "text", "text": "ab\ud83d"}]})
    line = encode(answer)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert json.loads(line)["result"] == {"content": [{"type": "text", "text": "ab\ufffd"}]}


def test_an_answer_that_cannot_be_encoded_at_all_becomes_an_error_with_its_id() -> None:
    deep: object = "ab\ud83d"
    for _ in range(MAX_DEPTH):
        deep = [deep]
    line = encode(JSONRPCResponse(jsonrpc="2.0", id=5, result={"value": deep}))
    assert json.loads(line)["id"] == 5 and json.loads(line)["error"]["code"] == INTERNAL_ERROR


# -- the installed server over real stdio ------------------------------------------------------------


class Host:
    """The installed ``copper-mcp --sandbox`` with raw lines written to its stdin, one answer read per line."""

    def __init__(self, tmp_path: Path) -> None:
        self.process = subprocess.Popen(
            [EXE, "--sandbox", "--sandbox-db", str(tmp_path / "s.sqlite3")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)},
        )
        self.lines: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(b"")

    def write(self, line: str | bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write((line if isinstance(line, bytes) else line.encode()) + b"\n")
        self.process.stdin.flush()

    def ask(self, line: str | bytes) -> dict[str, Any]:
        """Write a line and read the next answer (the timeout only stops a hung test from hanging CI)."""
        self.write(line)
        answer = self.lines.get(timeout=120)
        assert answer, "the server closed stdout"
        parsed: dict[str, Any] = json.loads(answer)
        return parsed

    def close(self) -> tuple[int, str]:
        assert self.process.stdin is not None and self.process.stderr is not None
        self.process.stdin.close()
        code = self.process.wait(timeout=120)
        return code, self.process.stderr.read().decode()


def tool_text(answer: dict[str, Any]) -> str:
    assert "result" in answer, answer
    text: str = answer["result"]["content"][0]["text"]
    return text


def test_every_raw_line_gets_an_answer_over_real_stdio_and_the_server_keeps_serving(tmp_path: Path) -> None:
    host = Host(tmp_path)
    try:
        hello = host.ask(
            '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18",'
            '"capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}'
        )
        assert hello["id"] == 0 and "result" in hello
        host.write('{"jsonrpc":"2.0","method":"notifications/initialized"}')

        created = host.ask(call(1, "create_project", f'{{"name":{CUT_EMOJI}}}'))
        assert created["id"] == 1 and json.loads(tool_text(created))["name"] == "ab\ufffd"

        raw_lines: list[tuple[str | bytes, object, int]] = [
            ('{"jsonrpc":"2.0","id":4}', 4, INVALID_REQUEST),
            (call(5, "search_people", f'{{"name":{nested(300)}}}'), 5, INVALID_REQUEST),
            (call(6, "search_people", '{"name":"' + "x" * MAX_LINE_BYTES + '"}'), 6, INVALID_REQUEST),
            ('{"jsonrpc":"2.0","id":7,"method":"tools/ca', None, PARSE_ERROR),
            ("this is not JSON", None, PARSE_ERROR),
            (b"\xc3\x28\xff", None, PARSE_ERROR),
            ('[{"jsonrpc":"2.0","id":8,"method":"ping"}]', 8, INVALID_REQUEST),
            ("[]", None, INVALID_REQUEST),
            ("42", None, INVALID_REQUEST),
        ]
        for line, request_id, code in raw_lines:
            answer = host.ask(line)
            assert (answer["id"], answer["error"]["code"]) == (request_id, code), (line[:60], answer)

        final = host.ask(call(9, "get_project", json.dumps({"id": json.loads(tool_text(created))["id"]})))
        assert final["id"] == 9 and json.loads(tool_text(final))["name"] == "ab\ufffd"
    finally:
        code, stderr = host.close()
    assert code == 0, stderr
    assert "Traceback" not in stderr
