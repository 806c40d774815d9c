"""Property-based fuzzing of the sandbox, with requests generated from the API description.

For each operation in ``copper_mcp/spec/copper-api.yml`` Hypothesis draws requests whose
path, query and JSON body follow the operation's schemas, or break them: a path or query
value of the wrong kind, a body wrong in exactly one spot (an object or array where a
scalar goes, any other JSON value, an unknown key), or a body that is not a JSON object at
all. Ids are drawn from the demo data, so requests get past "no such record" to the checks
behind it, and one wrong spot in an otherwise right body reaches the check of that spot.

Hypothesis is used directly rather than through schemathesis: for this description
schemathesis spent about 40 ms generating each request, several times the CI budget for
this suite, and its negative mode rarely put a wrong value deep in an otherwise valid body.

The property: the sandbox never answers 5xx, and every error comes in Copper's envelope.
Used by ``tests/sandbox/test_fuzz.py`` (bounded, for CI) and ``scripts/fuzz_sandbox.py``
(long runs). Webhook deliveries go to an ``httpx2.MockTransport``: nothing leaves the process.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx2
import hypothesis
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copper_mcp.sandbox import SandboxConfig, create_app
from copper_mcp.sandbox.entities import REF_KINDS
from copper_mcp.sandbox.recordtypes import BY_PLURAL, RECORD_TYPES

from . import apispec
from .apispec import spec
from .support import BASE_URL, HEADERS

Strategy = st.SearchStrategy[Any]

_BOUND = 10**12  # integers beyond any id, timestamp or money amount the sandbox keeps

# Any JSON value: what replaces a value of the right shape.
ANY_JSON: Strategy = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)
# What replaces a value in a wrong spot: containers most of all, as they break lookups by value.
WRONG_SHAPES: Strategy = st.sampled_from([{}, [], {"id": 0}, [{}], ["x"]]) | ANY_JSON
# Bodies a client should never send: not JSON, not UTF-8, lone surrogates, NaN, too deep, not an object.
MALFORMED_BODIES: Strategy = st.one_of(
    st.binary(max_size=12),
    st.sampled_from(
        [
            b"{",
            b'{"name": "\\ud800"}',
            b'{"name": NaN}',
            b"\xff\xfe{}",
            b"[" * 5000 + b"]" * 5000,
            b"[]",
            b'"text"',
            b"42",
            b"null",
        ]
    ),
)


@dataclass(frozen=True)
class Operation:
    """One method on one path of the API description."""

    method: str
    path: str
    spec: dict[str, Any]

    @property
    def name(self) -> str:
        """The operationId, for test ids and reports."""
        return str(self.spec["operationId"])

    def parameters(self, where: str) -> list[dict[str, Any]]:
        """The resolved parameters that sit ``where`` (path or query)."""
        found = [resolve(p) for p in self.spec.get("parameters", [])]
        return [p for p in found if p["in"] == where]

    def body_schema(self) -> dict[str, Any] | None:
        """The JSON body's schema, or None when the operation takes no body."""
        body = self.spec.get("requestBody")
        if body is None:
            return None
        found: dict[str, Any] = resolve(body["content"]["application/json"]["schema"])
        return found


# Routes the sandbox serves that the API description does not list yet (Copper documents them;
# see the sandbox's activitytypes.py, layouts.py and connect.py). Each one drops out of this
# list as soon as the description lists its method and path.
UNDESCRIBED: dict[str, Any] = yaml.safe_load(
    """
/custom_activity_types:
  get: {operationId: listCustomActivityTypes}
  post:
    operationId: createCustomActivityType
    requestBody: {content: {application/json: {schema: {$ref: '#/x-undescribed/CustomActivityType'}}}}
/custom_activity_types/{id}:
  get: {operationId: getCustomActivityType, parameters: [{$ref: '#/components/parameters/Id'}]}
  put:
    operationId: updateCustomActivityType
    parameters: [{$ref: '#/components/parameters/Id'}]
    requestBody: {content: {application/json: {schema: {$ref: '#/x-undescribed/CustomActivityType'}}}}
/field_layouts/by_entity/{entity}:
  get:
    operationId: getFieldLayout
    parameters:
      - name: entity
        in: path
        schema: {type: string, enum: [leads, people, companies, opportunities, projects, tasks]}
      - {name: pipeline_id, in: query, schema: {type: integer, x-copper-ref: pipeline}}
/related_links:
  get:
    operationId: listRelatedLinks
    parameters:
      - {name: source_type, in: query, schema: {$ref: '#/x-undescribed/LinkEntityType'}}
      - {name: source_id, in: query, schema: {type: integer, x-copper-ref: person}}
      - {name: custom_field_definition_id, in: query, schema: {type: integer, x-copper-ref: connect_fields}}
  post:
    operationId: createRelatedLink
    requestBody:
      content:
        application/json:
          schema:
            type: object
            required: [custom_field_definition_id, source, target]
            properties:
              custom_field_definition_id: {type: integer, x-copper-ref: connect_fields}
              source: {$ref: '#/x-undescribed/LinkEnd'}
              target: {$ref: '#/x-undescribed/LinkEnd'}
/related_links/{id}:
  delete: {operationId: deleteRelatedLink, parameters: [{$ref: '#/components/parameters/Id'}]}
"""
)
UNDESCRIBED_SCHEMAS: dict[str, Any] = yaml.safe_load(
    """
CustomActivityType:
  type: object
  required: [name, icon_type]
  properties: {name: {type: string}, icon_type: {type: string, enum: [Phone, Event, Todo, Room]}}
# People first and most: the demo's Connect field links people, so most drawn links can exist.
LinkEntityType: {type: string, enum: [people, person, people, organization, user]}
LinkEnd:
  type: object
  required: [id, entity_type]
  properties: {id: {type: integer, x-copper-ref: person}, entity_type: {$ref: '#/x-undescribed/LinkEntityType'}}
"""
)


_UNDESCRIBED_REF = "#/x-undescribed/"


def resolve(node: Any) -> Any:
    """``apispec.resolve``, which also follows refs into ``UNDESCRIBED_SCHEMAS``."""
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if ref.startswith(_UNDESCRIBED_REF):
            node = UNDESCRIBED_SCHEMAS[ref.removeprefix(_UNDESCRIBED_REF)]
        else:
            node = apispec.resolve({"$ref": ref})
    return node


def operations() -> list[Operation]:
    """Every operation of the API description, in its order, then the routes it does not list yet."""
    methods = ("get", "post", "put", "delete")
    described = [
        Operation(method.upper(), path, details)
        for path, item in spec()["paths"].items()
        for method, details in item.items()
        if method in methods
    ]
    known = {(op.method, op.path) for op in described}
    extra = [
        Operation(method.upper(), path, details)
        for path, item in UNDESCRIBED.items()
        for method, details in item.items()
        if (method.upper(), path) not in known
    ]
    return described + extra


Send = Callable[[str, str, dict[str, str], bytes | None], httpx2.Response]


def _with_value(pair: tuple[dict[str, Any], Any], *, key: str) -> dict[str, Any]:
    """A right object with one value made wrong."""
    return {**pair[0], key: pair[1]}


@contextmanager
def running_sandbox() -> Iterator[Send]:
    """A fresh demo sandbox in process; yields ``send(method, path, query, body)``.

    Hypothesis drives synchronous functions, so each call runs the request to its answer on
    an event loop kept for the sandbox's life (webhook deliveries go on in the background there).
    """
    with asyncio.Runner() as runner:
        webhooks_go_nowhere = httpx2.MockTransport(lambda _request: httpx2.Response(204))
        unlimited = SandboxConfig(
            webhook_transport=webhooks_go_nowhere, requests_per_minute=10**9, bulk_requests_per_second=10**9
        )
        app = create_app(unlimited)
        client = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=BASE_URL, headers=HEADERS)

        def send(method: str, path: str, query: dict[str, str], body: bytes | None) -> httpx2.Response:
            headers = {"Content-Type": "application/json"} if body is not None else {}
            return runner.run(client.request(method, path, params=query, content=body, headers=headers))

        try:
            yield send
        finally:
            runner.run(client.aclose())


# -- ids the demo data holds ----------------------------------------------------------------------


@dataclass(frozen=True)
class DemoIds:
    """Ids a fresh demo sandbox holds (always the same ones), read once through the API."""

    by_kind: dict[str, tuple[int, ...]]
    """Ids by store kind: ``people``, ``users``, ``custom_field_definitions``, ``custom_field_options``..."""
    activity_types: tuple[dict[str, Any], ...]
    """Every ``{"category", "id"}`` pair."""


@functools.cache
def demo_ids() -> DemoIds:
    """The ids of a fresh demo sandbox; one look serves every fuzzed sandbox."""
    by_kind: dict[str, tuple[int, ...]] = {}
    with running_sandbox() as send:

        def listed(method: str, path: str, body: Any = None) -> Any:
            answer = send(method, path, {}, None if body is None else json.dumps(body).encode())
            assert answer.status_code == 200, answer.text
            return answer.json()

        for plural in BY_PLURAL:
            by_kind[plural] = tuple(d["id"] for d in listed("POST", f"/{plural}/search", {"page_size": 200}))
        by_kind["users"] = tuple(u["id"] for u in listed("POST", "/users/search", {"page_size": 200}))
        for kind in sorted(set(REF_KINDS.values()) - set(by_kind) - {"activity_types"}):
            by_kind[kind] = tuple(d["id"] for d in listed("GET", f"/{kind}"))
        definitions = listed("GET", "/custom_field_definitions")
        by_kind["custom_field_definitions"] = tuple(d["id"] for d in definitions)
        by_kind["custom_field_options"] = tuple(o["id"] for d in definitions for o in d.get("options", []))
        by_kind["custom_activity_types"] = tuple(t["id"] for t in listed("GET", "/custom_activity_types"))
        by_kind["connect_fields"] = tuple(d["id"] for d in definitions if d["data_type"] == "Connect")
        grouped = listed("GET", "/activity_types")
    kinds = tuple({"category": t["category"], "id": t["id"]} for group in grouped.values() for t in group)
    return DemoIds(by_kind, kinds)


@functools.cache
def _some_id(kind: str | None) -> Strategy:
    """An id of ``kind`` (now and then a small number that may not exist), or with no kind any known id."""
    by_kind = demo_ids().by_kind
    if kind is not None and by_kind.get(kind):
        return st.sampled_from(by_kind[kind]) | st.integers(-3, 3)
    every = sorted({i for ids in by_kind.values() for i in ids})
    return st.sampled_from(every) | st.integers(-_BOUND, _BOUND)


# -- values from schemas ---------------------------------------------------------------------------


def right_values(schema: Any, name: str = "") -> Strategy:
    """Values that follow ``schema`` (ids drawn from the demo data)."""
    resolved = resolve(schema)
    shaped = _shape(resolved, name)
    return shaped | st.none() if resolved.get("nullable") else shaped


def wrong_values(schema: Any) -> Strategy:
    """Values that follow ``schema`` but for one spot: the whole value, one property or one item
    holds a value of another shape (an object or array where a scalar goes, or any JSON value),
    or an object carries an unknown key."""
    resolved = resolve(schema)
    spots = [WRONG_SHAPES]
    properties = _writable(resolved)
    if properties:
        right = _object(resolved)
        spots += [
            st.tuples(right, wrong_values(properties[key])).map(functools.partial(_with_value, key=key))
            for key in properties
        ]
        # Copper ignores unknown keys; they must be harmless here too.
        unknown = st.text(max_size=6).filter(lambda key: key not in properties)
        spots.append(st.tuples(right, unknown, ANY_JSON).map(lambda t: {**t[0], t[1]: t[2]}))
    elif resolved.get("type") == "array" and "items" in resolved:
        items = resolved["items"]
        spots.append(
            st.tuples(st.lists(right_values(items), max_size=3), wrong_values(items)).map(
                lambda pair: [*pair[0], pair[1]]
            )
        )
    return st.one_of(spots)


def _shape(schema: dict[str, Any], name: str) -> Strategy:
    for combined in ("oneOf", "anyOf"):
        if combined in schema:
            return st.one_of([right_values(option, name) for option in schema[combined]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    ref = schema.get("x-copper-ref")
    if ref == "record":
        return _record_link() | _object(schema)
    if ref == "activity_type":
        return st.sampled_from(demo_ids().activity_types) | _object(schema)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return _object(schema)
    if kind == "array":
        items = resolve(schema.get("items", {}))
        if ref and "x-copper-ref" not in items:  # id lists carry the ref on the array
            items = {**items, "x-copper-ref": ref}
        return st.lists(right_values(items, name), max_size=min(int(schema.get("maxItems", 4)), 4))
    if kind == "integer":
        if "minimum" in schema or "maximum" in schema:
            return st.integers(schema.get("minimum", -_BOUND), schema.get("maximum", _BOUND))
        if name == "custom_field_definition_id" and ref is None:
            return _some_id("custom_field_definitions")
        # A ref names a record or reference kind, or (in UNDESCRIBED) a pool of demo_ids directly.
        return _some_id(REF_KINDS.get(str(ref), ref))
    if kind == "number":
        return st.integers(-_BOUND, _BOUND) | st.floats(-1e12, 1e12, allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "string":
        return _text(schema)
    return ANY_JSON


def _text(schema: dict[str, Any]) -> Strategy:
    if schema.get("x-copper-date") == "mdy":
        return st.builds(lambda m, d, y: f"{m}/{d}/{y}", st.integers(0, 13), st.integers(0, 32), st.integers(1, 9999))
    if schema.get("format") == "email":
        return st.from_regex(r"\A[a-z]{1,6}@[a-z]{1,6}\.example\Z") | st.text(max_size=6)
    if schema.get("format") == "uri":
        return st.sampled_from(["https://hooks.example/in", "http://localhost/x", "https://[::1", "ftp://x"])
    return st.text(max_size=12)


def _writable(schema: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = schema.get("properties", {})
    return {key: value for key, value in properties.items() if not resolve(value).get("readOnly")}


def _object(schema: dict[str, Any]) -> Strategy:
    properties = {key: right_values(value, key) for key, value in _writable(schema).items()}
    required = [key for key in schema.get("required", []) if key in properties]
    optional = {key: value for key, value in properties.items() if key not in required}
    return st.fixed_dictionaries({key: properties[key] for key in required}, optional=optional)


def _record_link() -> Strategy:
    by_kind = demo_ids().by_kind
    links = [{"id": i, "type": singular} for singular, plural in RECORD_TYPES.items() for i in by_kind[plural][:20]]
    return st.sampled_from(links)


# -- requests ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One generated request."""

    method: str
    path: str
    query: dict[str, str]
    body: bytes | None

    def __str__(self) -> str:
        shown = "" if self.body is None else " " + self.body[:300].decode("utf-8", "replace")
        return f"{self.method} {self.path} {self.query}{shown}"


def requests(operation: Operation) -> Strategy:
    """Requests for ``operation``: right ones; ones with a wrong path or query value; ones whose
    body is wrong in one spot; ones whose body is not a JSON object at all."""
    schema = operation.body_schema()
    if schema is None:
        return _request(operation, False, st.none()) | _request(operation, True, st.none())
    right = right_values(schema).map(_encode)
    return st.one_of(
        _request(operation, False, right),
        _request(operation, True, right),
        _request(operation, False, wrong_values(schema).map(_encode)),
        _request(operation, False, MALFORMED_BODIES),
    )


def _encode(value: Any) -> bytes:
    return json.dumps(value).encode()


def _request(operation: Operation, wrong: bool, body: Strategy) -> Strategy:
    query_params = {p["name"]: _query_value(p["schema"], wrong) for p in operation.parameters("query")}
    # Record routes honour it, whatever the description lists.
    query_params["custom_field_computed_values"] = _query_value({"type": "boolean"}, wrong)
    return st.builds(
        lambda path, query, content: Request(operation.method, _fill(operation.path, path), query, content),
        _path_params(operation, wrong),
        st.fixed_dictionaries({}, optional=query_params),
        body,
    )


def _path_params(operation: Operation, wrong: bool) -> Strategy:
    """Path values; an ``id`` is drawn from the ids of the type the path names (``/{entity}/{id}`` too)."""
    parameters = {p["name"]: resolve(p["schema"]) for p in operation.parameters("path")}
    if "entity" not in parameters:
        return _path_dict(parameters, operation.path.strip("/").split("/")[0], wrong, {})
    entities = parameters["entity"]["enum"]
    by_entity = {entity: _path_dict(parameters, entity, wrong, {"entity": st.just(entity)}) for entity in entities}
    drawn = st.sampled_from(entities).flatmap(by_entity.__getitem__)
    if wrong:
        return drawn | _path_dict(parameters, "", wrong, {"entity": st.text(max_size=8)})
    return drawn


def _path_dict(parameters: dict[str, Any], owner: str, wrong: bool, fixed: dict[str, Strategy]) -> Strategy:
    drawn = dict(fixed)
    for name, schema in parameters.items():
        if name in fixed:
            continue
        if name == "id":
            right = _some_id(owner if owner in demo_ids().by_kind else None)
            if "oneOf" in schema:  # /users/{id} also takes "me"
                right = right | st.just("me")
        else:
            right = right_values(schema, name)
        drawn[name] = (right | st.text(max_size=8) | st.integers(-_BOUND, -1) | st.just(10**30)) if wrong else right
    return st.fixed_dictionaries(drawn)


def _query_value(schema: dict[str, Any], wrong: bool) -> Strategy:
    schema = resolve(schema)
    if "enum" in schema:
        right: Strategy = st.sampled_from([str(v) for v in schema["enum"]])
    elif schema.get("type") == "boolean":
        right = st.sampled_from(["true", "false"])
    elif schema.get("type") == "integer":
        ref = schema.get("x-copper-ref")
        right = _some_id(REF_KINDS.get(str(ref), ref)).map(str)
    else:
        right = st.text(max_size=8)
    return (right | st.text(max_size=8)) if wrong else right


def _fill(template: str, params: dict[str, Any]) -> str:
    path = template
    for name, value in params.items():
        path = path.replace("{" + name + "}", quote(str(value), safe=""))
    return path


# -- the property ---------------------------------------------------------------------------------------


def check_answer(request: Request, answer: httpx2.Response) -> None:
    """No 5xx, JSON always, and every error in Copper's envelope (the bulk limit has its own shape)."""
    assert answer.status_code < 500, f"{request} -> {answer.status_code} {answer.text[:300]}"
    try:
        body = answer.json()
    except ValueError:
        raise AssertionError(f"{request} -> {answer.status_code} answered with no JSON: {answer.text[:300]}") from None
    if answer.status_code >= 400:
        if isinstance(body, dict) and set(body) == {"error"}:
            assert answer.status_code == 422 and isinstance(body["error"], str), f"{request} -> {body}"
            return
        assert isinstance(body, dict), f"{request} -> {body}"
        assert body.get("success") is False and body.get("status") == answer.status_code, f"{request} -> {body}"
        assert isinstance(body.get("message"), str) and body["message"], f"{request} -> {body}"


def fuzz(operation: Operation, examples: int, seed: int | None = None) -> None:
    """Send ``examples`` generated requests for ``operation`` to a fresh sandbox; raise on the first bad answer.

    Without ``seed`` the run is derandomized (the same requests every time); Hypothesis
    shrinks a failure to a small request before reporting it.
    """
    with running_sandbox() as send:

        @settings(
            max_examples=examples,
            derandomize=seed is None,
            database=None,
            deadline=None,
            print_blob=False,
            suppress_health_check=list(HealthCheck),
        )
        @given(request=requests(operation))
        def answers_well(request: Request) -> None:
            check_answer(request, send(request.method, request.path, request.query, request.body))

        (answers_well if seed is None else hypothesis.seed(seed)(answers_well))()
