"""Derive the tool catalogue from the API description.

`build_catalog(spec)` turns the OpenAPI document (``copper_mcp/spec/copper-api.yml``) into
the plain data that ``catalog.json`` holds: one entry per operation with its tool name,
toolset, HTTP method and path, which inputs go in the path, the query and the body, the
annotations, what the answer holds, and two JSON Schemas for the tool's input. It runs once,
at build time (``scripts/gen_catalog.py``), so that server start-up only reads JSON.

Two schemas, because hosts and validators want different things:

- ``input_schema`` is published to hosts. Every host converts it into its model provider's
  dialect (Gemini's OpenAPI subset, OpenAI's function calling), and one schema a host cannot
  read can cost the user every tool, so it is portable: one ``type`` on every node, enums of
  strings only, every object with ``properties``, every array with ``items``, no ``oneOf``
  or ``anyOf``, no ``{}``, no ``additionalProperties``. It is self-contained: update and bulk
  tools list their own fields.
- ``validation_schema`` is what every call is checked against before anything is sent:
  complete and strict (unknown properties refused), and it accepts Copper's own forms beside
  the published ones (an int id or a name, Unix seconds or ISO text, status 1 or "Won").

Derivation rules (the "why" lives here, once):
- tool name = snake_case(operationId); toolset = first tag, snake_cased;
- inputs = path parameters + query parameters + top-level body properties, side by side;
- ``readOnly`` properties are dropped from inputs (Copper sets them);
- reads answering records also take ``raw`` and record searches ``max_records``: ours, never
  sent to Copper (``own_params``); so do ``group_by`` and ``top``, on the searches whose record
  schema says what its records can be grouped by (``x-copper-group-by``, checked against the
  record's fields and copied to the tool's ``group_by``);
- ``x-copper-ref`` ids of reference data are published as text: an id or a name (a user also
  by email); ids of records stay integers. ``x-copper-date`` fields are published as ISO text.
  ``x-copper-values`` publishes the words for Copper's numbers (``Won`` for 1, ``true`` for
  1); ``x-copper-pairs`` publishes an object of strings as a list of ``{name, value}``;
  custom fields are published as a list of ``{field, value}``. The shaping layer converts;
- where the description gives alternatives (``oneOf``), the object form is published, or the
  one ``x-copper-publish`` points at; all of them are accepted. ``x-copper-publish: text`` on a
  long enum publishes plain text; validation keeps the enum, and its message lists the words;
- the answer is described from the 200 response: whether it is a list (and a page), which
  ``x-copper-record`` its records are, the records inside it (a lead conversion's parts),
  ``{id, type}`` links, or the fields of a layout (``x-copper-layout``); the call shapes it from that;
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
from copper_mcp.core.marks import LINK_REFS, RECORD_REFS, Marks

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
# Custom fields: validation takes every form (Copper's list, {"Field name": value}, the published
# list) and leaves the entries to the shaping layer, whose messages name the field and its options.
_CUSTOM_FIELDS_ANY = {"type": ["object", "array"]}
# What hosts see: one list shape for every data type. A value is text: a number, an ISO date,
# true/false, an option name, or several option names separated by commas. Explained once, in
# the server's instructions.
_CUSTOM_FIELD_ITEM: JSON = {
    "type": "object",
    "properties": {"field": {"type": "string"}, "value": {"type": "string"}},
    "required": ["field"],
}
_CUSTOM_FIELD_FILTER_PARTS: JSON = {
    "minimum_value": {"type": "string"},
    "maximum_value": {"type": "string"},
    "option": {"type": "string", "enum": ["ANY", "ALL", "NONE"]},
    "allow_empty": {"type": "boolean"},
}
# An object of strings (webhook headers) as hosts see it: a list of pairs.
_PAIR = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "value": {"type": "string"}},
    "required": ["name", "value"],
}
UNIX_RANGE = (-62_135_510_400, 253_402_214_400)
"""Unix seconds of 0001-01-02 and 9999-12-31 (UTC): a day inside the calendar's ends, so the
date exists in every time zone."""
# Not Copper's: a record search may collect several pages in one call, at most this many
# records (five of Copper's largest pages), so what one call costs stays bounded.
_MAX_RECORDS_INPUT = {"type": "integer", "minimum": 1, "maximum": 1000}
# Not Copper's either: the fields a search shows of each record (its list view when left out).
_FIELDS_INPUT = {"type": "array", "items": {"type": "string"}}
# Not Copper's either: group_by names one or two keys (which ones is the shaping layer's to check,
# against the account's custom fields too, and its message lists them), top how many groups to keep.
# Published lean: seven searches carry them, and the key forms are explained once, in the instructions.
_GROUP_BY_INPUT = {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1, "maxItems": 2}
_GROUP_BY_PUBLISHED = {"type": "array", "items": {"type": "string"}, "maxItems": 2}
_TOP_INPUT = {"type": "integer", "minimum": 1}
_TOP_PUBLISHED = {"type": "integer"}
# What x-copper-group-by may say a record's sums come from.
_SUM_ROLES = frozenset({"value", "currency", "weight"})


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

    def to_json_schema(self, node: JSON, *, writing: bool) -> JSON:
        """The validation view of one schema; ``writing`` drops read-only properties."""
        node = self.deref(node)
        if node.get("x-copper-custom-fields"):
            return copy.deepcopy(_CUSTOM_FIELDS_ANY)
        if node.get("x-copper-pairs"):
            return {"type": ["object", "array"]}  # the shaping layer reads either form
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
                    props[name] = self.to_json_schema(sub, writing=writing)
                out["properties"] = props
            elif key == "items":
                out["items"] = self.to_json_schema(value, writing=writing)
            elif key in ("oneOf", "anyOf"):
                out[key] = [self.to_json_schema(s, writing=writing) for s in value]
            elif key == "additionalProperties" and isinstance(value, dict):
                out[key] = self.to_json_schema(value, writing=writing)
            else:
                out[key] = copy.deepcopy(value)
        if "required" in out and "properties" in out:
            out["required"] = [r for r in out["required"] if r in out["properties"]]
            if not out["required"]:
                del out["required"]
        _accept_friendly(node, out)
        if node.get("nullable"):
            _allow_null(out)
        return out

    def portable(self, node: JSON, *, writing: bool) -> JSON:
        """The published view of one schema: portable to every host's dialect (see the module docstring)."""
        node = self.deref(node)
        if node.get("x-copper-custom-fields"):
            return _custom_fields_published(self.deref(node["items"]))
        if node.get("x-copper-pairs"):
            return {"type": "array", "items": copy.deepcopy(_PAIR)}
        alternatives = [self.deref(a) for a in node.get("oneOf") or node.get("anyOf") or []]
        if alternatives:
            chosen = alternatives[node["x-copper-publish"]] if "x-copper-publish" in node else _preferred(alternatives)
            out = self.portable({**chosen, **{k: v for k, v in node.items() if k == "description"}}, writing=writing)
            if chosen.get("type") == "string":
                out.pop("enum", None)  # text carries every alternative: an id's digits, or "me"
            return out
        out = self._portable_node(node, writing=writing)
        if "description" in node and "x-copper-date" not in node:
            out["description"] = node["description"]
        return out

    def _portable_node(self, node: JSON, *, writing: bool) -> JSON:
        if node.get("x-copper-publish") == "text":
            return {"type": "string"}
        ref = node.get("x-copper-ref")
        named = ref is not None and ref not in RECORD_REFS  # reference data: an id or a name
        kind = node.get("type", "object" if "properties" in node else None)
        if "x-copper-values" in node:
            words = list(node["x-copper-values"])
            if all(isinstance(word, bool) for word in words):
                return {"type": "boolean"}
            return {"type": "string", "enum": [str(word) for word in words]}
        if "x-copper-date" in node or (named and kind != "array"):
            return {"type": "string"}
        if kind == "array":
            if "items" not in node:
                raise ValueError(f"an array without items: {node}")
            items = {"type": "string"} if named else self.portable(node["items"], writing=writing)
            return {"type": "array", "items": items, **_bounds(node, "minItems", "maxItems")}
        if kind == "object":
            props = {
                name: self.portable(sub, writing=writing)
                for name, sub in node.get("properties", {}).items()
                if not (writing and self.deref(sub).get("readOnly"))
            }
            if not props:
                raise ValueError(f"an object that names no properties cannot be published portably: {node}")
            out: JSON = {"type": "object", "properties": props}
            required = [name for name in node.get("required", []) if name in props]
            # {email, category}, {url, category}, {field, value} plainly need their first member:
            # saying so on every copy costs the catalogue kilobytes. Validation still requires it.
            if required and not (len(props) <= 2 and required == list(props)[:1]):
                out["required"] = required
            return out
        if kind not in _SCALARS:
            raise ValueError(f"a schema with no single type cannot be published portably: {node}")
        out = {"type": kind, **_bounds(node, "minimum", "maximum", "minLength", "maxLength")}
        if "enum" in node:
            if kind != "string":
                raise ValueError(f"an enum of {kind} needs x-copper-values to be published: {node}")
            out["enum"] = list(node["enum"])
        return out


_SCALARS = ("string", "integer", "number", "boolean")


def _preferred(alternatives: list[JSON]) -> JSON:
    """The alternative to publish: an object says most; else text, which can carry any of them."""
    for kind in ("object", "string"):
        found = next((a for a in alternatives if a.get("type") == kind), None)
        if found is not None:
            return found
    return alternatives[0]


def _bounds(node: JSON, *keys: str) -> JSON:
    return {key: node[key] for key in keys if key in node}


def _custom_fields_published(item: JSON) -> JSON:
    """The published list of custom fields: ``{field, value}`` items, with filter parts for searches."""
    published = copy.deepcopy(_CUSTOM_FIELD_ITEM)
    if "minimum_value" in item.get("properties", {}):  # Copper's filter entries: a search's custom_fields
        published["properties"].update(copy.deepcopy(_CUSTOM_FIELD_FILTER_PARTS))
    return {"type": "array", "items": published}


def _allow_null(schema: JSON) -> None:
    types = schema.get("type")
    if isinstance(types, str):
        schema["type"] = [types, "null"]
    elif isinstance(types, list) and "null" not in types:
        schema["type"] = [*types, "null"]
    if "enum" in schema and None not in schema["enum"]:
        schema["enum"] = [*schema["enum"], None]


def _accept_friendly(source: JSON, schema: JSON) -> None:
    """Let validation take what the published view offers beside Copper's own form."""
    if "x-copper-date" in source:
        schema["type"] = ["integer", "string"] if source["x-copper-date"] == "unix" else "string"
        if source["x-copper-date"] == "unix":
            # Seconds no calendar holds would be stored, then break every read of the record.
            schema["minimum"], schema["maximum"] = UNIX_RANGE
        schema.pop("format", None)
        schema.pop("description", None)
    if "x-copper-values" in source:
        schema.pop("type", None)
        schema["enum"] = [*schema.get("enum", []), *source["x-copper-values"]]
    # A link to any record ({id, type}) has no name to look up; only answers name it.
    if source.get("x-copper-ref") not in (None, *LINK_REFS):
        target = schema["items"] if schema.get("type") == "array" and "items" in schema else schema
        if target.get("type") in ("integer", "object"):  # an id, or an activity type's {category, id}
            target["type"] = [target["type"], "string"]


def _property_marks(resolver: _Resolver, properties: JSON) -> Marks:
    """The ``x-copper-ref`` and ``x-copper-date`` marks of some properties, nested ones included.

    A mark sits on the property, on its array items, or inside the object(s) it holds.
    """
    refs: dict[str, str] = {}
    dates: dict[str, str] = {}
    nested: dict[str, Marks] = {}
    values: dict[str, tuple[tuple[Any, Any], ...]] = {}
    pairs: set[str] = set()
    for name, sub in properties.items():
        schema = resolver.deref(sub)
        items = resolver.deref(schema["items"]) if isinstance(schema.get("items"), dict) else {}
        marked = next((node for node in (schema, items) if _MARKS & node.keys()), None)
        if marked is not None and "x-copper-ref" in marked:
            refs[name] = marked["x-copper-ref"]
        elif marked is not None and "x-copper-date" in marked:
            dates[name] = marked["x-copper-date"]
        elif marked is not None and "x-copper-values" in marked:
            values[name] = tuple(marked["x-copper-values"].items())
        elif marked is not None:
            pairs.add(name)
        else:
            inner = _property_marks(resolver, schema.get("properties") or items.get("properties") or {})
            if inner:
                nested[name] = inner
    return Marks(refs=refs, dates=dates, nested=nested, values=values, pairs=frozenset(pairs))


_MARKS = frozenset({"x-copper-ref", "x-copper-date", "x-copper-values", "x-copper-pairs"})


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
        if resolver.deref(items).get("x-copper-layout"):
            answer["layout"] = True
        return answer
    record = _record_of(resolver, schema)
    if record is not None:
        return {"record": record}
    parts = {name: _record_of(resolver, sub) for name, sub in schema.get("properties", {}).items()}
    if parts and all(parts.values()):
        return {"parts": parts}
    return {}


def _record_schemas(resolver: _Resolver, spec: JSON) -> dict[str, JSON]:
    """Every schema the description names as a record (``x-copper-record``): its field marks, its
    fields, and those a list view shows (``x-copper-list``)."""
    found: dict[str, JSON] = {}
    for schema in spec["components"]["schemas"].values():
        name = schema.get("x-copper-record")
        if name is None:
            continue
        properties = resolver.deref(schema).get("properties", {})
        listed = list(schema.get("x-copper-list", []))
        unknown = sorted(set(listed) - set(properties))
        if unknown:
            raise ValueError(f"x-copper-list of {name} names fields it does not have: {unknown}")
        found[name] = {"marks": _property_marks(resolver, properties).to_json(), "fields": list(properties)}
        if listed:
            found[name]["list"] = listed
    return found


def _name_filter(resolver: _Resolver, inputs: JSON) -> JSON:
    """How a search's ``name`` filter matches: a part of the name (Copper's usual), or the whole."""
    if "name" not in inputs or not inputs["name"]:
        return {}
    return {"name_filter": resolver.deref(inputs["name"]).get("x-copper-match", "part")}


def _not_found(operation: JSON) -> JSON:
    """What a 404 means for this operation, when it says more than "no such record" (which
    presumes an id was given)."""
    gone = operation.get("responses", {}).get("404", {})
    return {"not_found": gone["description"]} if "$ref" not in gone and "description" in gone else {}


def _response_schema(operation: JSON) -> JSON | None:
    ok = operation.get("responses", {}).get("200", {})
    schema = ok.get("content", {}).get("application/json", {}).get("schema")
    return schema if isinstance(schema, dict) else None


def _groupings(resolver: _Resolver, spec: JSON) -> dict[str, JSON]:
    """``x-copper-group-by`` of every record schema that has one, by record name, checked against its fields.

    ``keys`` maps a key to the field it groups by; ``sums`` names the fields of a value to add up
    (``value``), its currency (``currency``) and, optionally, the percentage that weights it (``weight``).
    """
    found: dict[str, JSON] = {}
    for schema in spec["components"]["schemas"].values():
        declared = schema.get("x-copper-group-by")
        if declared is None:
            continue
        record = schema["x-copper-record"]
        fields = resolver.deref(schema).get("properties", {})
        keys, sums = dict(declared.get("keys", {})), dict(declared.get("sums", {}))
        unknown = sorted({f for f in [*keys.values(), *sums.values()] if f not in fields})
        if unknown or set(sums) - _SUM_ROLES or (sums and not {"value", "currency"} <= set(sums)):
            raise ValueError(f"x-copper-group-by of {record}: unknown fields {unknown} or sums {sorted(sums)}")
        if any(":" in key for key in keys):
            raise ValueError(f"x-copper-group-by of {record}: a key cannot hold ':' (it starts a date's period)")
        found[record] = {"keys": keys, **({"sums": sums} if sums else {})}
    return found


def _build_tool(resolver: _Resolver, path: str, method: str, operation: JSON, groupings: JSON) -> JSON:
    op_id: str = operation["operationId"]
    action = operation_action(op_id)
    writing = action != "read"
    properties: JSON = {}
    required: list[str] = []
    path_params: list[str] = []
    query_params: list[str] = []
    marked: JSON = {}
    published: JSON = {}
    for param in operation.get("parameters", []):
        param = resolver.deref(param)
        described = {"description": param["description"]} if "description" in param else {}
        source = {**param.get("schema", {}), **described}
        marked[param["name"]] = source
        properties[param["name"]] = resolver.to_json_schema(source, writing=False)
        published[param["name"]] = resolver.portable(source, writing=False)
        (path_params if param["in"] == "path" else query_params).append(param["name"])
        if param.get("required") or param["in"] == "path":
            required.append(param["name"])
    body_params: list[str] = []
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if body is not None:
        body_schema = resolver.to_json_schema(body, writing=writing)
        body_published = resolver.portable(body, writing=writing)
        marked.update(resolver.deref(body).get("properties", {}))
        for name, sub in body_schema.get("properties", {}).items():
            if name in properties:
                raise ValueError(f"{op_id}: body property {name!r} collides with a parameter")
            properties[name] = sub
            published[name] = body_published["properties"][name]
            body_params.append(name)
        required += [r for r in body_schema.get("required", []) if r not in required]
    answer = _answer(resolver, _response_schema(operation), paged="page_number" in properties)
    own_params: list[str] = []
    if action == "read" and answer.get("record") in BY_PLURAL:
        # Not Copper's: records are shaped for a model unless the caller asks for them raw.
        # (The server's instructions explain it once.)
        published["raw"] = properties["raw"] = {"type": "boolean"}
        own_params.append("raw")
        if path.endswith("/search"):
            # The call walks the pages itself, and picks the fields shown; Copper never sees either.
            for name, schema in (("max_records", _MAX_RECORDS_INPUT), ("fields", _FIELDS_INPUT)):
                properties[name] = copy.deepcopy(schema)
                published[name] = copy.deepcopy(schema)
                own_params.append(name)
            if answer["record"] in groupings:
                properties["group_by"] = copy.deepcopy(_GROUP_BY_INPUT)
                published["group_by"] = copy.deepcopy(_GROUP_BY_PUBLISHED)
                properties["top"] = copy.deepcopy(_TOP_INPUT)
                published["top"] = copy.deepcopy(_TOP_PUBLISHED)
                own_params += ["group_by", "top"]
    # Marks of inputs that were dropped (read-only fields) would only mislead the translation.
    marks = _property_marks(resolver, marked).only(set(properties))
    validation_schema: JSON = {"type": "object", "properties": properties}
    input_schema: JSON = {"type": "object", "properties": published}
    if required:
        validation_schema["required"] = input_schema["required"] = required
    validation_schema["additionalProperties"] = False
    read_only, destructive, idempotent = _HINTS[action]
    tool: JSON = {
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
        **(_name_filter(resolver, marked) if path.endswith("/search") else {}),
        **_not_found(operation),
        "annotations": {
            "read_only": read_only,
            "destructive": destructive,
            "idempotent": idempotent,
            "open_world": True,
        },
        "answer": answer,
        "marks": marks.to_json(),
        "input_schema": input_schema,
        "validation_schema": validation_schema,
    }
    if "group_by" in own_params:
        tool["group_by"] = copy.deepcopy(groupings[answer["record"]])
    return tool


def build_catalog(spec: JSON) -> JSON:
    """Everything the server needs from the API description, as plain JSON data."""
    resolver = _Resolver(spec)
    groupings = _groupings(resolver, spec)
    tools = [
        _build_tool(resolver, path, method, item[method], groupings)
        for path, item in spec["paths"].items()
        for method in HTTP_METHODS
        if method in item
    ]
    names = [t["name"] for t in tools]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"duplicate tool names: {duplicates}")
    return {"tools": tools, "records": _record_schemas(resolver, spec)}
