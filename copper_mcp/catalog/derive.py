"""Derive the tool catalogue from the API description.

`build_catalog(spec)` turns the OpenAPI document (``copper_mcp/spec/copper-api.yml``) into
the plain data that ``catalog.json`` holds: one entry per operation with its tool name,
toolset, HTTP method and path, which inputs go in the path, the query and the body, the
annotations, and a self-contained JSON Schema for the tool's input. It runs once, at
build time (``scripts/gen_catalog.py``), so that server start-up only reads JSON.

Derivation rules (the "why" lives here, once):
- tool name = snake_case(operationId); toolset = first tag, snake_cased;
- inputs = path parameters + query parameters + top-level body properties, side by side;
- ``readOnly`` properties are dropped from inputs (Copper sets them);
- reads answering records also take ``raw`` and record searches ``max_records``: ours, never
  sent to Copper (``own_params``);
- ``x-copper-ref`` ids also accept a name (or a user's email) and ``x-copper-date`` fields
  also accept ISO 8601 text: the shaping layer converts them before the request;
- the answer is described from the 200 response: whether it is a list (and a page), which
  ``x-copper-record`` its records are, the records inside it (a lead conversion's parts), or
  ``{id, type}`` links; the call shapes it from that;
- the action (read, create, update, delete, convert) comes from the verb that starts its
  operationId, and gives the annotations (reads are read-only; creates are not destructive;
  updates and deletes are destructive and idempotent; converting a lead removes it, so it is
  destructive too).
"""

from __future__ import annotations

import copy
import re
from typing import Any

from copper_mcp.core.entities import BY_PLURAL
from copper_mcp.core.marks import Marks

JSON = dict[str, Any]

HTTP_METHODS = ("get", "post", "put", "delete")
# The verb at the start of an operationId decides the operation's action.
_ACTION_BY_VERB = {
    "search": "read",
    "get": "read",
    "list": "read",
    "fetch": "read",
    "create": "create",
    "add": "create",
    "bulkCreate": "create",
    "update": "update",
    "bulkUpdate": "update",
    "upsert": "update",
    "delete": "delete",
    "remove": "delete",
    "convert": "convert",
}

# (read_only, destructive, idempotent) per action; every Copper tool is open-world.
_HINTS = {
    "read": (True, False, True),
    "create": (False, False, False),
    "update": (False, True, True),
    "delete": (False, True, True),
    "convert": (False, True, False),
}

# Schema keys that mean something to OpenAPI or to us, not to a JSON Schema validator.
_DROP_KEYS = {"readOnly", "writeOnly", "example", "examples", "xml", "externalDocs", "discriminator"}
# Custom fields are written by name ({"Deal size": "Large"}); Copper's own list of
# {custom_field_definition_id, value} is still accepted. The shaper converts.
# The shape is explained once, in the server's instructions.
_CUSTOM_FIELDS_INPUT = {"type": ["object", "array"]}
UNIX_RANGE = (-62_135_510_400, 253_402_214_400)
"""Unix seconds of 0001-01-02 and 9999-12-31 (UTC): a day inside the calendar's ends, so the
date exists in every time zone."""
# Not Copper's: a record search may collect several pages in one call, at most this many
# records (five of Copper's largest pages), so what one call costs stays bounded.
_MAX_RECORDS_INPUT = {"type": "integer", "minimum": 1, "maximum": 1000}


def snake_case(name: str) -> str:
    """``bulkCreatePeople`` -> ``bulk_create_people``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def operation_action(operation_id: str) -> str:
    """What an operation does (read, create, update, delete, convert), from its verb."""
    verb = re.match(r"[a-z]+(?:Create|Update)?", operation_id)
    if verb is None or verb.group(0) not in _ACTION_BY_VERB:
        raise ValueError(f"operationId {operation_id!r} starts with no known verb")
    return _ACTION_BY_VERB[verb.group(0)]


class _Resolver:
    """Inlines ``$ref`` and ``allOf`` and turns OpenAPI 3.0 schemas into JSON Schema."""

    def __init__(self, spec: JSON) -> None:
        self._spec = spec

    def ref(self, pointer: str) -> JSON:
        node: Any = self._spec
        for part in pointer.removeprefix("#/").split("/"):
            node = node[part]
        if not isinstance(node, dict):
            raise ValueError(f"{pointer} is not an object")
        return node

    def deref(self, node: JSON) -> JSON:
        """Follow ``$ref`` chains and merge ``allOf`` (shallowly), without converting."""
        while "$ref" in node:
            node = self.ref(node["$ref"])
        if "allOf" in node:
            merged: JSON = {k: v for k, v in node.items() if k != "allOf"}
            for part in node["allOf"]:
                part = self.deref(part)
                for key, value in part.items():
                    if key == "properties":
                        merged.setdefault("properties", {}).update(value)
                    elif key == "required":
                        merged["required"] = sorted({*merged.get("required", []), *value})
                    else:
                        merged.setdefault(key, value)
            node = merged
        return node

    def to_json_schema(self, node: JSON, *, friendly: bool, writing: bool) -> JSON:
        """Convert one (dereferenced) schema; ``writing`` drops read-only properties."""
        node = self.deref(node)
        if friendly and node.get("x-copper-custom-fields"):
            return copy.deepcopy(_CUSTOM_FIELDS_INPUT)
        out: JSON = {}
        for key, value in node.items():
            if key in _DROP_KEYS or key.startswith("x-") or key == "nullable":
                continue
            if key == "format" and value in ("int64", "int32", "double", "float"):
                continue
            if key == "properties":
                props = {}
                for name, sub in value.items():
                    sub = self.deref(sub)
                    if writing and sub.get("readOnly"):
                        continue
                    props[name] = self.to_json_schema(sub, friendly=friendly, writing=writing)
                out["properties"] = props
            elif key == "items":
                out["items"] = self.to_json_schema(value, friendly=friendly, writing=writing)
            elif key in ("oneOf", "anyOf"):
                out[key] = [self.to_json_schema(s, friendly=friendly, writing=writing) for s in value]
            elif key == "additionalProperties" and isinstance(value, dict):
                out[key] = self.to_json_schema(value, friendly=friendly, writing=writing)
            else:
                out[key] = copy.deepcopy(value)
        if "required" in out and "properties" in out:
            out["required"] = [r for r in out["required"] if r in out["properties"]]
            if not out["required"]:
                del out["required"]
        if friendly:
            _make_friendly(node, out)
        if node.get("nullable"):
            _allow_null(out)
        _minify(out)
        return out


def _allow_null(schema: JSON) -> None:
    kind = schema.get("type")
    if isinstance(kind, str):
        schema["type"] = [kind, "null"]
    elif isinstance(kind, list) and "null" not in kind:
        schema["type"] = [*kind, "null"]
    if "enum" in schema and None not in schema["enum"]:
        schema["enum"] = [*schema["enum"], None]


def _make_friendly(source: JSON, schema: JSON) -> None:
    """Let a ref id take a name and a date take ISO text; the presentation layer converts.

    The rule is stated once, in the server's instructions, not on every field: repeating it
    on each of the catalogue's ~130 such fields would cost several KB of every model's context.
    """
    if "x-copper-date" in source:
        # Copper's own form (Unix seconds, M/D/YYYY) is still accepted; ISO is what to publish.
        schema["type"] = ["integer", "string"] if source["x-copper-date"] == "unix" else "string"
        if source["x-copper-date"] == "unix":
            # Seconds no calendar holds would be stored, then break every read of the record.
            schema["minimum"], schema["maximum"] = UNIX_RANGE
        schema.pop("format", None)
        schema.pop("description", None)
    # A link to any record ({id, type}) has no name to look up; only answers name it.
    if source.get("x-copper-ref") not in (None, "record"):
        target = schema["items"] if schema.get("type") == "array" and "items" in schema else schema
        if target.get("type") in ("integer", "object"):  # an id, or an activity type's {category, id}
            target["type"] = [target["type"], "string"]


def _minify(schema: JSON) -> None:
    """Drop what an enum or the context already says (a model reads every byte of this)."""
    if "enum" in schema and schema.get("type") in ("string", "integer"):
        del schema["type"]
    if schema.get("format") == "email":
        del schema["format"]


def _property_marks(resolver: _Resolver, properties: JSON) -> Marks:
    """The ``x-copper-ref`` and ``x-copper-date`` marks of some properties, nested ones included.

    A mark sits on the property, on its array items, or inside the object(s) it holds.
    """
    refs: dict[str, str] = {}
    dates: dict[str, str] = {}
    nested: dict[str, Marks] = {}
    for name, sub in properties.items():
        schema = resolver.deref(sub)
        items = resolver.deref(schema["items"]) if isinstance(schema.get("items"), dict) else {}
        marked = next((node for node in (schema, items) if "x-copper-ref" in node or "x-copper-date" in node), None)
        if marked is not None and "x-copper-ref" in marked:
            refs[name] = marked["x-copper-ref"]
        elif marked is not None:
            dates[name] = marked["x-copper-date"]
        else:
            inner = _property_marks(resolver, schema.get("properties") or items.get("properties") or {})
            if inner:
                nested[name] = inner
    return Marks(refs=refs, dates=dates, nested=nested)


def _record_of(resolver: _Resolver, schema: JSON | None) -> str | None:
    """The ``x-copper-record`` a schema is, directly or as one branch of a bulk result's oneOf."""
    if schema is None:
        return None
    node = resolver.deref(schema)
    for branch in [node, *node.get("oneOf", [])]:
        record = resolver.deref(branch).get("x-copper-record")
        if record is not None:
            return str(record)
    return None


def _answer(resolver: _Resolver, response: JSON | None, paged: bool) -> JSON:
    """What an operation's answer holds, so the call can shape it (see catalog.Answer)."""
    if response is None:
        return {}
    schema = resolver.deref(response)
    items = schema.get("items") if schema.get("type") == "array" else None
    if isinstance(items, dict):
        answer: JSON = {"many": True, "paged": True} if paged else {"many": True}
        record = _record_of(resolver, items)
        if record is not None:
            answer["record"] = record
        if resolver.deref(items).get("x-copper-ref") == "record":
            answer["links"] = True
        return answer
    record = _record_of(resolver, schema)
    if record is not None:
        return {"record": record}
    parts = {name: _record_of(resolver, sub) for name, sub in schema.get("properties", {}).items()}
    if parts and all(parts.values()):
        return {"parts": parts}
    return {}


def _record_schemas(resolver: _Resolver, spec: JSON) -> dict[str, Marks]:
    """The marks of every schema the description names as a record (``x-copper-record``)."""
    found: dict[str, Marks] = {}
    for schema in spec["components"]["schemas"].values():
        name = schema.get("x-copper-record")
        if name is not None:
            found[name] = _property_marks(resolver, resolver.deref(schema).get("properties", {}))
    return found


def _response_schema(operation: JSON) -> JSON | None:
    ok = operation.get("responses", {}).get("200", {})
    schema = ok.get("content", {}).get("application/json", {}).get("schema")
    return schema if isinstance(schema, dict) else None


def _build_tool(resolver: _Resolver, path: str, method: str, operation: JSON) -> JSON:
    op_id: str = operation["operationId"]
    action = operation_action(op_id)
    writing = action != "read"
    properties: JSON = {}
    required: list[str] = []
    path_params: list[str] = []
    query_params: list[str] = []
    marked: JSON = {}
    for param in operation.get("parameters", []):
        param = resolver.deref(param)
        marked[param["name"]] = param.get("schema", {})
        schema = resolver.to_json_schema(param.get("schema", {}), friendly=True, writing=False)
        if "description" in param and "description" not in schema:
            schema["description"] = param["description"]
        properties[param["name"]] = schema
        (path_params if param["in"] == "path" else query_params).append(param["name"])
        if param.get("required") or param["in"] == "path":
            required.append(param["name"])
    body_params: list[str] = []
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if body is not None:
        body_schema = resolver.to_json_schema(body, friendly=True, writing=writing)
        marked.update(resolver.deref(body).get("properties", {}))
        for name, sub in body_schema.get("properties", {}).items():
            if name in properties:
                raise ValueError(f"{op_id}: body property {name!r} collides with a parameter")
            properties[name] = sub
            body_params.append(name)
        required += [r for r in body_schema.get("required", []) if r not in required]
    answer = _answer(resolver, _response_schema(operation), paged="page_number" in properties)
    own_params: list[str] = []
    if action == "read" and answer.get("record") in BY_PLURAL:
        # Not Copper's: records are shaped for a model unless the caller asks for them raw.
        # (The server's instructions explain it once.)
        properties["raw"] = {"type": "boolean"}
        own_params.append("raw")
        if path.endswith("/search"):
            # The call walks the pages itself; Copper never sees it.
            properties["max_records"] = copy.deepcopy(_MAX_RECORDS_INPUT)
            own_params.append("max_records")
    # Marks of inputs that were dropped (read-only fields) would only mislead the translation.
    marks = _property_marks(resolver, marked).only(set(properties))
    input_schema: JSON = {"type": "object", "properties": properties}
    if required:
        input_schema["required"] = required
    input_schema["additionalProperties"] = False
    read_only, destructive, idempotent = _HINTS[action]
    return {
        "name": snake_case(op_id),
        "operation_id": op_id,
        "title": operation.get("summary", snake_case(op_id).replace("_", " ").capitalize()),
        "description": " ".join(str(operation.get("description") or operation.get("summary") or "").split()),
        "toolset": snake_case(operation["tags"][0].replace(" ", "")),
        "method": method.upper(),
        "path": path,
        "action": action,
        "path_params": path_params,
        "query_params": query_params,
        "body_params": body_params,
        "own_params": own_params,
        "changes": list(operation.get("x-copper-changes", [])),
        "annotations": {
            "read_only": read_only,
            "destructive": destructive,
            "idempotent": idempotent,
            "open_world": True,
        },
        "answer": answer,
        "marks": marks,
        "input_schema": input_schema,
    }


def _share_record_fields(tools: list[JSON]) -> None:
    """Publish each record's writable fields once, on its create tool.

    Update, upsert and bulk tools take the same fields; repeating them would double the
    catalogue's largest schemas in every model's context. Their published schema names the
    create tool instead and allows further properties, while ``validation_schema`` keeps the
    full, strict schema that every call is checked against before anything is sent.
    """
    def record(tool: JSON) -> str | None:
        found = tool["answer"].get("record")
        return found if found in BY_PLURAL else None

    creates = {record(t): t["name"] for t in tools if t["action"] == "create" and t["path"] == f"/{record(t)}"}
    for tool in tools:
        create = creates.get(record(tool))
        if create is None or tool["name"] == create or tool["action"] not in ("create", "update"):
            continue
        full = copy.deepcopy(tool["input_schema"])
        props = tool["input_schema"]["properties"]
        if tool["operation_id"].startswith("bulk"):
            (key,) = tool["body_params"]
            props[key]["items"] = {"type": "object"}
            plus = " plus id" if tool["action"] == "update" else ""
            note = f"Items take the fields of {create}{plus}."
        elif "properties" in tool["body_params"]:  # upsert: {properties, match}
            props["properties"] = {"type": "object", "description": f"The fields of {create}."}
            note = ""
        elif tool["action"] == "update" and tool["path_params"] == ["id"]:
            tool["input_schema"]["properties"] = {"id": props["id"]}
            tool["input_schema"]["additionalProperties"] = True
            note = f"Fields as in {create}."
        else:
            continue
        tool["validation_schema"] = full
        tool["description"] = f"{tool['description']} {note}".strip()


def _trim(schema: JSON, *, top: bool = True) -> None:
    """Leave out what a reader infers: ``type: object`` beside ``properties``, defaults
    (Copper applies them whether or not the model knows their values), a page number's
    minimum, and the required keys of nested items (``{email, category}`` plainly needs
    its email). The validator still enforces all of them."""
    schema.pop("default", None)
    if schema.get("minimum") == 1 and schema.get("type") == "integer":
        del schema["minimum"]
    if not top:
        schema.pop("required", None)
    if schema.get("type") == "object" and "properties" in schema:
        del schema["type"]
    for sub in schema.get("properties", {}).values():
        _trim(sub, top=False)
    if isinstance(schema.get("items"), dict):
        _trim(schema["items"], top=False)


def _drop_type(schema: JSON, dropped: str) -> None:
    """Take one type out of a schema's list of types (a single one left stands alone)."""
    kind = schema.get("type")
    if isinstance(kind, list) and dropped in kind:
        rest = [k for k in kind if k != dropped]
        schema["type"] = rest[0] if len(rest) == 1 else rest


def _drop_null(schema: JSON) -> None:
    _drop_type(schema, "null")
    for sub in schema.get("properties", {}).values():
        _drop_null(sub)


def _published(schema: JSON, marks: Marks, *, clearable: bool) -> JSON:
    """The view of an input schema that models read; ``validation_schema`` stays complete.

    Unknown properties are still refused (by the validator, with a message naming them), so
    the published form leaves out ``additionalProperties``; alternatives of different shapes
    (a tag list or a ``{value, option}`` object) are published as a union of types, with the
    property's description saying which shapes. Dates are published as text (ISO 8601),
    and ``null`` only where it can clear something (updates): on a create it means nothing.
    """
    out = copy.deepcopy(schema)
    if out.get("additionalProperties") is False:
        del out["additionalProperties"]
    for name, prop in out["properties"].items():
        if not clearable:
            _drop_null(prop)
        if name in marks.dates:
            _drop_type(prop, "integer")
            prop.pop("minimum", None)
            prop.pop("maximum", None)
        _trim(prop)
        alternatives = prop.get("oneOf") or prop.get("anyOf")
        if alternatives and all("type" in alt for alt in alternatives):
            types: list[str] = []
            for alt in alternatives:
                types += alt["type"] if isinstance(alt["type"], list) else [alt["type"]]
            union: JSON = {"type": list(dict.fromkeys(types))}
            if "description" in prop:
                union["description"] = prop["description"]
            out["properties"][name] = union
    return out


def build_catalog(spec: JSON) -> JSON:
    """Everything the server needs from the API description, as plain JSON data."""
    resolver = _Resolver(spec)
    tools = [
        _build_tool(resolver, path, method, item[method])
        for path, item in spec["paths"].items()
        for method in HTTP_METHODS
        if method in item
    ]
    _share_record_fields(tools)
    for tool in tools:
        tool.setdefault("validation_schema", tool["input_schema"])
        tool["input_schema"] = _published(tool["input_schema"], tool["marks"], clearable=tool["action"] == "update")
        tool["marks"] = tool["marks"].to_json()
    names = [t["name"] for t in tools]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"duplicate tool names: {duplicates}")
    records = {name: marks.to_json() for name, marks in _record_schemas(resolver, spec).items()}
    return {"tools": tools, "records": records}
