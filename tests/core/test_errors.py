"""Error mapping: each Copper status becomes one error class with a message a model can act on."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from copper_mcp.client import (
    AuthenticationError,
    BadRequestError,
    CopperConnectionError,
    CopperError,
    CopperStatusError,
    CopperTimeoutError,
    NotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UnprocessableError,
)
from copper_mcp.core.errors import copper_message
from tests.client.fakes import FakeCopper, make_client


def envelope(status: int, message: str) -> dict[str, Any]:
    return {"success": False, "status": status, "message": message}


VALIDATION = "Invalid input: Validation errors: Company Id: Invalid value for Company Id: IDs must be positive integers"

CASES = [
    # method, path, response, error class, phrases the message must contain
    (
        "POST",
        "/people/search",
        httpx2.Response(400, json=envelope(400, "Malformed JSON")),
        BadRequestError,
        ["400", "POST /people/search", "Malformed JSON"],
    ),
    (
        "GET",
        "/account",
        httpx2.Response(401, json=envelope(401, "Unauthorized")),
        AuthenticationError,
        ["COPPER_API_KEY", "COPPER_USER_EMAIL", "belongs to that user"],
    ),
    (
        "POST",
        "/leads/search",
        httpx2.Response(403, json=envelope(403, "Feature not enabled")),
        PermissionDeniedError,
        ["permission", "Leads", "disabled", "Feature not enabled"],
    ),
    (
        "GET",
        "/people/42",
        httpx2.Response(404, json=envelope(404, "Resource not found")),
        NotFoundError,
        ["No such record", "GET /people/42"],
    ),
    (
        "POST",
        "/people",
        httpx2.Response(422, json=envelope(422, VALIDATION)),
        UnprocessableError,
        [VALIDATION],
    ),
    (
        "POST",
        "/people/bulk_create",
        httpx2.Response(422, json={"error": "Request size too large, limit is 10"}),
        UnprocessableError,
        ["Request size too large, limit is 10"],
    ),
    (
        "DELETE",
        "/people/1",
        httpx2.Response(400, text="<html><body>Bad   Request</body></html>"),
        BadRequestError,
        ["<html><body>Bad Request</body></html>"],
    ),
    (
        "POST",
        "/people/search",
        httpx2.Response(500, json=envelope(500, "Internal Server Error")),
        ServerError,
        ["500", "Copper failed", "reads are retried", "Internal Server Error"],
    ),
    (
        "GET",
        "/people/1",
        httpx2.Response(502, text="<html>Bad gateway</html>"),
        ServerError,
        ["502", "Copper failed", "<html>Bad gateway</html>"],
    ),
    (
        "PUT",
        "/webhooks/1",
        httpx2.Response(409, json=envelope(409, "Conflict")),
        CopperStatusError,
        ["409", "PUT /webhooks/1", "Conflict"],
    ),
]


@pytest.mark.parametrize(("method", "path", "response", "error", "phrases"), CASES)
async def test_status_maps_to_error_class_and_message(
    method: str, path: str, response: httpx2.Response, error: type[CopperStatusError], phrases: list[str]
) -> None:
    retries = 5 if response.status_code >= 500 else 1
    copper = FakeCopper(*[response] * retries)
    async with make_client(copper) as client:
        with pytest.raises(error) as caught:
            await client.request(method, path, json={} if method != "GET" else None)
    raised = caught.value
    assert type(raised) is error
    assert raised.status_code == response.status_code
    assert (raised.method, raised.path) == (method, path)
    for phrase in phrases:
        assert phrase in str(raised)
    assert len(str(raised)) < 400  # short enough for a model to read at a glance


async def test_the_parsed_body_and_copper_message_are_attributes() -> None:
    body = envelope(422, VALIDATION)
    copper = FakeCopper(httpx2.Response(422, json=body))
    async with make_client(copper) as client:
        with pytest.raises(UnprocessableError) as caught:
            await client.request("POST", "/people", json={"company_id": "test"})
    assert caught.value.body == body
    assert caught.value.message == VALIDATION


async def test_a_non_json_body_is_kept_as_text() -> None:
    copper = FakeCopper(httpx2.Response(403, text="Forbidden"))
    async with make_client(copper) as client:
        with pytest.raises(PermissionDeniedError) as caught:
            await client.request("GET", "/account")
    assert caught.value.body == "Forbidden"
    assert caught.value.message == "Forbidden"


async def test_a_non_json_success_body_is_a_copper_error() -> None:
    copper = FakeCopper(httpx2.Response(200, text="<html>maintenance</html>"))
    async with make_client(copper) as client:
        with pytest.raises(CopperError, match="not JSON"):
            await client.request("GET", "/account")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (envelope(404, "Resource not found"), "Resource not found"),
        ({"error": "Request size too large, limit is 10"}, "Request size too large, limit is 10"),
        ({"message": {"name": [{"error": "invalid"}]}}, '{"name":[{"error":"invalid"}]}'),
        ({"unexpected": 1}, '{"unexpected":1}'),
        ("  plain\n text ", "plain text"),
        ("x" * 1000, "x" * 300),
        (None, ""),
        ([1, 2], "[1, 2]"),
    ],
)
def test_copper_message(body: Any, expected: str) -> None:
    assert copper_message(body) == expected


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        (CopperConnectionError, CopperError),
        (CopperTimeoutError, CopperConnectionError),
        (OutcomeUnknownError, CopperError),
        (CopperStatusError, CopperError),
        (BadRequestError, CopperStatusError),
        (AuthenticationError, CopperStatusError),
        (PermissionDeniedError, CopperStatusError),
        (NotFoundError, CopperStatusError),
        (UnprocessableError, CopperStatusError),
        (RateLimitError, CopperStatusError),
        (ServerError, CopperStatusError),
    ],
)
def test_error_tree(child: type[Exception], parent: type[Exception]) -> None:
    assert issubclass(child, parent)


def test_outcome_unknown_is_not_a_connection_error() -> None:
    # A caller that retries on connection errors must never catch an unknown-outcome write by accident.
    assert not issubclass(OutcomeUnknownError, CopperConnectionError)
    assert not issubclass(OutcomeUnknownError, CopperStatusError)
