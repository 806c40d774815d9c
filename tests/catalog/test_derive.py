"""The derivation rules of scripts/gen_catalog.py, on small hand-made specs."""

from __future__ import annotations

from typing import Any

import pytest

from copper_mcp.catalog.derive import build_catalog, operation_action, snake_case

PERSON_REF = {"$ref": "#/components/schemas/Person"}


def _spec(operation: dict[str, Any], path: str = "/people/{id}", method: str = "put") -> dict[str, Any]:
    return {
        "paths": {path: {method: {"tags": ["People"], **operation}}},
        "components": {
            "schemas": {
                "Person": {
                    "type": "object",
                    "x-copper-record": "people",
                    "properties": {
                        "id": {"type": "integer", "readOnly": True},
                        "name": {"type": "string"},
                        "title": {"type": "string", "nullable": True},
                        "assignee_id": {"type": "integer", "nullable": True, "x-copper-ref": "user"},
                        "date_created": {"type": "integer", "readOnly": True, "x-copper-date": "unix"},
                        "due_date": {"type": "integer", "x-copper-date": "unix"},
                    },
                },
                "PersonCreate": {"allOf": [{"$ref": "#/components/schemas/Person"}, {"required": ["name"]}]},
            },
            "parameters": {"Id": {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}},
        },
    }


def _tool(spec: dict[str, Any]) -> dict[str, Any]:
    tools: list[dict[str, Any]] = build_catalog(spec)["tools"]
    assert len(tools) == 1
    return tools[0]


@pytest.mark.parametrize(
    ("operation_id", "name", "action"),
    [
        ("searchPeople", "search_people", "read"),
        ("getPerson", "get_person", "read"),
        ("listRecordActivities", "list_record_activities", "read"),
        ("fetchPersonByEmail", "fetch_person_by_email", "read"),
        ("createPerson", "create_person", "create"),
        ("bulkCreatePeople", "bulk_create_people", "create"),
        ("addRelatedItem", "add_related_item", "create"),
        ("updatePerson", "update_person", "update"),
        ("bulkUpdateLeads", "bulk_update_leads", "update"),
        ("upsertLead", "upsert_lead", "update"),
        ("deletePerson", "delete_person", "delete"),
        ("removeRelatedItem", "remove_related_item", "delete"),
        ("convertLead", "convert_lead", "convert"),
    ],
)
def test_names_and_actions(operation_id: str, name: str, action: str) -> None:
    assert snake_case(operation_id) == name
    assert operation_action(operation_id) == action


def test_unknown_verb_is_refused() -> None:
    with pytest.raises(ValueError, match="no known verb"):
        operation_action("frobnicatePerson")


def test_update_inputs_put_path_and_body_side_by_side_without_read_only_fields() -> None:
    tool = _tool(
        _spec(
            {
                "operationId": "updatePerson",
                "parameters": [{"$ref": "#/components/parameters/Id"}],
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Person"}}}},
            }
        )
    )
    schema = tool["validation_schema"]
    assert set(schema["properties"]) == {"id", "name", "title", "assignee_id", "due_date"}
    assert schema["required"] == ["id"]
    assert schema["additionalProperties"] is False
    # Hosts read a portable view: one type a node (null clears, but only validation says so).
    assert "additionalProperties" not in tool["input_schema"]
    assert tool["input_schema"]["properties"]["title"] == {"type": "string"}
    assert tool["path_params"] == ["id"]
    assert tool["body_params"] == ["name", "title", "assignee_id", "due_date"]
    assert tool["annotations"] == {"read_only": False, "destructive": True, "idempotent": True, "open_world": True}


def test_nullable_refs_and_dates_become_friendly_json_schema() -> None:
    tool = _tool(
        _spec(
            {
                "operationId": "createPerson",
                "requestBody": {
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PersonCreate"}}}
                },
            },
            path="/people",
            method="post",
        )
    )
    props = tool["validation_schema"]["properties"]
    assert props["title"]["type"] == ["string", "null"]
    assert props["assignee_id"]["type"] == ["integer", "string", "null"]
    assert props["due_date"]["type"] == ["integer", "string"]
    assert tool["validation_schema"]["required"] == ["name"]
    # Published with one type each: a user's id or name is text, and so is an ISO date.
    published = tool["input_schema"]["properties"]
    assert published["title"] == {"type": "string"}
    assert published["assignee_id"] == {"type": "string"}
    assert published["due_date"] == {"type": "string"}
    assert tool["marks"] == {"refs": {"assignee_id": "user"}, "dates": {"due_date": "unix"}}
    assert tool["annotations"]["destructive"] is False


def test_record_schemas_give_their_field_marks_and_answers_name_their_records() -> None:
    spec = _spec(
        {
            "operationId": "getPerson",
            "parameters": [{"$ref": "#/components/parameters/Id"}],
            "responses": {"200": {"content": {"application/json": {"schema": PERSON_REF}}}},
        },
        method="get",
    )
    catalog = build_catalog(spec)
    assert catalog["records"]["people"] == {
        "marks": {"refs": {"assignee_id": "user"}, "dates": {"date_created": "unix", "due_date": "unix"}},
        "fields": ["id", "name", "title", "assignee_id", "date_created", "due_date"],
    }
    (tool,) = catalog["tools"]
    assert tool["answer"] == {"record": "people"}
    assert tool["annotations"]["read_only"] is True
    assert tool["own_params"] == ["raw"]


def test_marks_inside_nested_objects_and_array_items_are_found() -> None:
    body = {
        "type": "object",
        "properties": {
            "people": {"type": "array", "items": {"$ref": "#/components/schemas/PersonCreate"}},
            "details": {"type": "object", "properties": {"owner": {"$ref": "#/components/schemas/Person"}}},
            "kind": {
                "type": "object",
                "x-copper-ref": "activity_type",
                "properties": {"id": {"type": "integer"}, "category": {"type": "string"}},
            },
            "kinds": {"type": "array", "items": {"type": "object", "x-copper-ref": "activity_type"}},
            "custom_fields": {"type": "array", "x-copper-custom-fields": True, "items": {"type": "object"}},
        },
    }
    operation = {"operationId": "bulkCreatePeople", "requestBody": {"content": {"application/json": {"schema": body}}}}
    tool = _tool(_spec(operation, path="/people/bulk_create", method="post"))
    # Nested marks keep read-only fields too: harmless, as Copper ignores them in a body.
    person = {"refs": {"assignee_id": "user"}, "dates": {"date_created": "unix", "due_date": "unix"}}
    assert tool["marks"] == {
        "refs": {"kind": "activity_type", "kinds": "activity_type"},
        "nested": {"people": person, "details": {"nested": {"owner": person}}},
    }
    props = tool["validation_schema"]["properties"]
    # Names are accepted wherever a marked id sits, an activity type's {category, id} included.
    assert props["people"]["items"]["properties"]["assignee_id"]["type"] == ["integer", "string", "null"]
    assert props["kind"]["type"] == ["object", "string"]
    assert props["kinds"]["items"]["type"] == ["object", "string"]
    assert props["custom_fields"] == {"type": ["object", "array"]}


def test_duplicate_tool_names_are_refused() -> None:
    spec = _spec({"operationId": "getPerson"}, method="get")
    spec["paths"]["/people/{id}"]["post"] = {"operationId": "getPerson", "tags": ["People"]}
    with pytest.raises(ValueError, match="duplicate"):
        build_catalog(spec)


def test_record_searches_take_max_records_which_is_ours_not_copper_s() -> None:
    search = {"$ref": "#/components/schemas/Search"}
    people = {"content": {"application/json": {"schema": {"type": "array", "items": PERSON_REF}}}}
    spec = _spec(
        {
            "operationId": "searchPeople",
            "requestBody": {"content": {"application/json": {"schema": search}}},
            "responses": {"200": people},
        },
        path="/people/search",
        method="post",
    )
    spec["components"]["schemas"]["Search"] = {"type": "object", "properties": {"name": {"type": "string"}}}
    tool = _tool(spec)
    assert tool["validation_schema"]["properties"]["max_records"] == {"type": "integer", "minimum": 1, "maximum": 1000}
    assert tool["input_schema"]["properties"]["max_records"] == {"type": "integer", "minimum": 1, "maximum": 1000}
    assert tool["body_params"] == ["name"]
    assert tool["own_params"] == ["raw", "max_records", "fields"]
    users = _spec({"operationId": "searchUsers"}, path="/users/search", method="post")
    assert "max_records" not in _tool(users)["input_schema"]["properties"]


@pytest.mark.parametrize(
    ("items", "expected"), [({"x-copper-ref": "record", "type": "object"}, True), ({"type": "object"}, False)]
)
def test_answers_that_list_record_links_are_marked(items: dict[str, Any], expected: bool) -> None:
    answer = {"content": {"application/json": {"schema": {"type": "array", "items": items}}}}
    tool = _tool(_spec({"operationId": "listRelatedItems", "responses": {"200": answer}}, method="get"))
    assert tool["answer"].get("links", False) is expected


@pytest.mark.parametrize(("items", "expected"), [({"x-copper-layout": True, "type": "object"}, True),
                                                ({"type": "object"}, False)])  # fmt: skip
def test_answers_that_list_layout_fields_are_marked(items: dict[str, Any], expected: bool) -> None:
    answer = {"content": {"application/json": {"schema": {"type": "array", "items": items}}}}
    tool = _tool(_spec({"operationId": "getFieldLayout", "responses": {"200": answer}}, method="get"))
    assert tool["answer"].get("layout", False) is expected


def test_answers_say_what_records_they_hold_wherever_the_path_puts_them() -> None:
    """Bulk results (a record or an error per item) and a lead conversion's parts hold records too."""
    bulk = {"type": "array", "items": {"oneOf": [PERSON_REF, {"type": "object"}]}}
    parts = {"type": "object", "properties": {"person": PERSON_REF, "other": PERSON_REF}}
    paged = {"type": "array", "items": PERSON_REF}
    page_input = {"content": {"application/json": {"schema": {"type": "object", "properties": {
        "page_number": {"type": "integer"}}}}}}  # fmt: skip

    def answer(schema: dict[str, Any], **operation: Any) -> Any:
        spec = _spec({"operationId": "listThings", **operation, "responses": {"200": {"content": {
            "application/json": {"schema": schema}}}}}, path="/{entity}/{id}/things", method="post")  # fmt: skip
        return _tool(spec)["answer"]

    assert answer(bulk) == {"many": True, "record": "people"}
    assert answer(parts) == {"parts": {"person": "people", "other": "people"}}
    assert answer(paged, requestBody=page_input) == {"many": True, "paged": True, "record": "people"}


def _published(schema: dict[str, Any], writing: bool = True) -> tuple[dict[str, Any], dict[str, Any]]:
    """(published, validation) view of one body property ``x``."""
    body = {"type": "object", "properties": {"x": schema}}
    spec = _spec({"operationId": "createThing", "requestBody": {"content": {"application/json": {"schema": body}}}},
                 path="/things", method="post")  # fmt: skip
    tool = _tool(spec)
    return tool["input_schema"]["properties"]["x"], tool["validation_schema"]["properties"]["x"]


@pytest.mark.parametrize(
    ("schema", "published", "accepted"),
    [
        # Copper's numbers published as the words for them; validation takes either.
        ({"type": "integer", "enum": [1, 2], "x-copper-values": {True: 1, False: 2}},
         {"type": "boolean"}, {"enum": [1, 2, True, False]}),
        ({"type": "array", "items": {"type": "integer", "enum": [0, 1], "x-copper-values": {"Open": 0, "Won": 1}}},
         {"type": "array", "items": {"type": "string", "enum": ["Open", "Won"]}},
         {"type": "array", "items": {"enum": [0, 1, "Open", "Won"]}}),
        # An object of strings published as a list of pairs.
        ({"type": "object", "x-copper-pairs": True, "additionalProperties": {"type": "string"}},
         {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"},
          "value": {"type": "string"}}, "required": ["name", "value"]}},
         {"type": ["object", "array"]}),
        # Alternatives: the object form is published; a branch may be chosen instead.
        ({"oneOf": [{"type": "string"}, {"type": "object", "properties": {"value": {"type": "string"}}}]},
         {"type": "object", "properties": {"value": {"type": "string"}}}, None),
        ({"x-copper-publish": 0, "oneOf": [{"type": "string"}, {"type": "object", "properties": {"v": {}}}]},
         {"type": "string"}, None),
        ({"oneOf": [{"type": "integer"}, {"type": "string", "enum": ["me"]}]}, {"type": "string"}, None),
        # Enums say their type; ids of records stay integers, reference data takes names.
        ({"type": "string", "enum": ["a", "b"]}, {"type": "string", "enum": ["a", "b"]}, None),
        ({"type": "integer", "x-copper-ref": "person"}, {"type": "integer"}, {"type": ["integer", "string"]}),
        # A long enum published as text; validation keeps the words (its message lists them).
        ({"type": "string", "enum": ["Phone", "Todo"], "x-copper-publish": "text"},
         {"type": "string"}, {"type": "string", "enum": ["Phone", "Todo"]}),
        # A Connect link's end is an object on both sides: it has no name to look up.
        ({"type": "object", "x-copper-ref": "connect_end", "properties": {"id": {"type": "integer"}}},
         {"type": "object", "properties": {"id": {"type": "integer"}}},
         {"type": "object", "properties": {"id": {"type": "integer"}}}),
        ({"type": "array", "items": {"type": "integer"}, "x-copper-ref": "user"},
         {"type": "array", "items": {"type": "string"}}, {"type": "array", "items": {"type": ["integer", "string"]}}),
    ],
)  # fmt: skip
def test_published_inputs_are_portable_and_validation_accepts_copper_s_forms_too(
    schema: dict[str, Any], published: dict[str, Any], accepted: dict[str, Any] | None
) -> None:
    shown, validated = _published(schema)
    assert shown == published
    if accepted is not None:
        assert validated == accepted


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "additionalProperties": {"type": "string"}},  # free-form: says nothing portable
        {"type": "array"},  # no items
        {"type": "integer", "enum": [1, 2]},  # a number enum with no words
        {"type": ["integer", "string"]},  # no single type
    ],
)
def test_a_schema_that_cannot_be_published_portably_stops_the_build(schema: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="portabl|items|x-copper-values"):
        _published(schema)


def test_a_list_view_names_only_fields_the_record_has() -> None:
    spec = _spec({"operationId": "getPerson"}, method="get")
    spec["components"]["schemas"]["Person"]["x-copper-list"] = ["name", "revenue"]
    with pytest.raises(ValueError, match="revenue"):
        build_catalog(spec)
    spec["components"]["schemas"]["Person"]["x-copper-list"] = ["name", "due_date"]
    assert build_catalog(spec)["records"]["people"]["list"] == ["name", "due_date"]
def _grouped_search(group_by: dict[str, Any]) -> dict[str, Any]:
    people = {"content": {"application/json": {"schema": {"type": "array", "items": PERSON_REF}}}}
    spec = _spec(
        {"operationId": "searchPeople", "responses": {"200": people}}, path="/people/search", method="post"
    )
    spec["components"]["schemas"]["Person"]["x-copper-group-by"] = group_by
    return spec


def test_a_search_whose_record_declares_group_by_takes_group_by_and_top() -> None:
    tool = _tool(_grouped_search({"keys": {"owner": "assignee_id"}}))
    assert tool["own_params"] == ["raw", "max_records", "fields", "group_by", "top"]
    assert tool["group_by"] == {"keys": {"owner": "assignee_id"}}
    assert tool["input_schema"]["properties"]["group_by"] == {
        "type": "array", "items": {"type": "string"}, "maxItems": 2
    }
    assert tool["input_schema"]["properties"]["top"] == {"type": "integer"}
    assert tool["validation_schema"]["properties"]["group_by"]["minItems"] == 1
    assert tool["validation_schema"]["properties"]["top"] == {"type": "integer", "minimum": 1}


@pytest.mark.parametrize(
    "group_by",
    [
        {"keys": {"owner": "owner_id"}},  # no such field on the record
        {"keys": {"owner:month": "assignee_id"}},  # a colon starts a date's period
        {"keys": {}, "sums": {"value": "title"}},  # a value without its currency
        {"keys": {}, "sums": {"value": "title", "currency": "name", "bonus": "name"}},
    ],
)
def test_a_group_by_declaration_that_does_not_fit_its_record_is_refused(group_by: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="x-copper-group-by of people"):
        build_catalog(_grouped_search(group_by))
