"""Every published input schema is portable: every host, and every model provider behind it, takes it whole.

The rules are the intersection of Gemini's function-declaration schema (the OpenAPI 3.0 subset:
one type per node, enums of strings on strings only, objects with properties, arrays with
items) and the MCP Inspector's portability warnings (no type arrays, no schema that constrains
nothing). Google's own SDK judges the same schemas, as its MCP adapter and its converter do.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from google.genai import _mcp_utils, types
from mcp import Client
from mcp.types import Tool

from tests.conftest import shaped_server

ALLOWED_KEYS = {
    "type", "description", "properties", "required", "items", "enum",
    "minimum", "maximum", "minItems", "maxItems", "minLength", "maxLength",
}  # fmt: skip
TYPES = {"object", "array", "string", "integer", "number", "boolean"}


def problems(schema: Any, where: str = "") -> Iterator[str]:
    """Every way a schema node breaks the portability rules, with where it is."""
    if not isinstance(schema, dict) or not schema:
        yield f"{where}: a schema that constrains nothing"
        return
    for key in schema.keys() - ALLOWED_KEYS:
        yield f"{where}: {key} is not portable"
    kind = schema.get("type")
    if not isinstance(kind, str) or kind not in TYPES:
        yield f"{where}: type {kind!r} is not one of the single types"
        return
    if "enum" in schema and (kind != "string" or not all(isinstance(v, str) for v in schema["enum"])):
        yield f"{where}: an enum must hold strings on a string"
    if ("properties" in schema or "required" in schema) and kind != "object":
        yield f"{where}: properties or required on a {kind}"
    if kind == "object":
        properties = schema.get("properties")
        # A tool that takes no arguments says so with empty properties; nested, an object must name its parts.
        if not isinstance(properties, dict) or (not properties and "." in where):
            yield f"{where}: an object without properties"
            return
        for missing in set(schema.get("required", [])) - set(properties):
            yield f"{where}: requires {missing}, which it does not list"
        for name, sub in properties.items():
            yield from problems(sub, f"{where}.{name}")
    if kind == "array":
        if "items" not in schema:
            yield f"{where}: an array without items"
        else:
            yield from problems(schema["items"], f"{where}[]")


async def _tools() -> list[Tool]:
    async with Client(shaped_server()) as client:
        return list((await client.list_tools()).tools)


async def test_every_published_schema_keeps_the_rules() -> None:
    found = [problem for tool in await _tools() for problem in problems(tool.input_schema, tool.name)]
    assert found == []


async def test_every_argument_is_published() -> None:
    """A host that loads one tool alone sees every field it takes: none points to another tool."""
    for tool in await _tools():
        for where, node in _walk(tool.input_schema):
            assert "fields of" not in str(node.get("description", "")), (tool.name, where)
        assert "Fields as in" not in (tool.description or ""), tool.name


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        ({"type": "object", "properties": {"x": {}}}, "constrains nothing"),
        ({"type": ["integer", "string"]}, "single types"),
        ({"type": "object", "properties": {"x": {"type": "integer", "enum": [1, 2]}}}, "enum"),
        ({"type": "object", "additionalProperties": True, "properties": {"x": {"type": "string"}}}, "not portable"),
        ({"type": "object", "properties": {"x": {"type": "object"}}}, "without properties"),
        ({"type": "array"}, "without items"),
        ({"type": "object", "properties": {"x": {"oneOf": [{"type": "string"}]}}}, "not portable"),
    ],
)
def test_the_checker_catches_what_hosts_refuse(schema: dict[str, Any], problem: str) -> None:
    assert any(problem in found for found in problems(schema))


async def test_google_genai_s_mcp_adapter_takes_the_whole_tools_list() -> None:
    """What ``generate_content(tools=[session])`` runs: one failure loses every tool."""
    converted = _mcp_utils.mcp_to_gemini_tools(await _tools())
    assert len(converted) == len(await _tools())


def _walk(schema: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(schema, dict):
        yield where, schema
        for name, sub in (schema.get("properties") or {}).items():
            yield from _walk(sub, f"{where}.{name}")
        if schema.get("items") is not None:
            yield from _walk(schema["items"], f"{where}[]")


def _gemini(node: types.Schema) -> dict[str, Any]:
    dumped: dict[str, Any] = json.loads(node.model_dump_json(exclude_none=True))
    return dumped


async def test_every_schema_converts_to_gemini_losing_nothing() -> None:
    """The Gemini API's own conversion, refusing unsupported fields, keeps every type, enum, bound,
    property, item and required list."""
    for tool in await _tools():
        converted = types.Schema.from_json_schema(
            json_schema=types.JSONSchema.model_validate(tool.input_schema),
            api_option="GEMINI_API",
            raise_error_on_unsupported_field=True,
        )
        types.Schema.model_validate(tool.input_schema)  # what FunctionDeclaration.parameters takes as it is
        mine = dict(_walk(tool.input_schema))
        theirs = dict(_walk(_gemini(converted)))
        assert mine.keys() == theirs.keys(), tool.name
        for where, node in mine.items():
            other = theirs[where]
            assert str(other["type"]).lower() == node["type"], (tool.name, where)
            for key in ("enum", "required", "minimum", "maximum", "minItems", "maxItems"):
                if key in node:
                    assert _same(other.get(_SNAKE.get(key, key), other.get(key)), node[key]), (tool.name, where, key)


# google-genai's Schema names the array bounds in snake case.
_SNAKE = {"minItems": "min_items", "maxItems": "max_items"}


def _same(got: Any, expected: Any) -> bool:
    """Equal, with bounds compared as numbers (Gemini keeps them as floats) and lists in order."""
    if isinstance(expected, list):
        return isinstance(got, list) and [str(v) for v in got] == [str(v) for v in expected]
    return got is not None and float(got) == float(expected)
