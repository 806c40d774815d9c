"""CopperClient end to end over httpx2.MockTransport: headers, parsing, retries, limits, lifecycle."""

from __future__ import annotations

import json

import anyio
import httpx2
import pytest

from copper_mcp.client import (
    DEFAULT_BASE_URL,
    CopperClient,
    CopperConnectionError,
    CopperResponse,
    CopperTimeoutError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitError,
    RateLimits,
    ServerError,
)
from copper_mcp.client._limiter import SAFETY_MARGIN
from copper_mcp.core.errors import ConfigError

from .fakes import BASE_URL, EMAIL, KEY, FakeClock, FakeCopper, make_client, max_in_window, ok

# --- requests and responses ---------------------------------------------------------------------------


async def test_sends_auth_headers_body_and_query() -> None:
    copper = FakeCopper(ok([{"id": 1}]))
    async with make_client(copper) as client:
        await client.request(
            "post",
            "/people/search",
            json={"page_size": 5},
            params={"custom_field_computed_values": True, "ids": [1, 2], "skip": None},
        )
    (request,) = copper.requests
    assert request.method == "POST"
    assert request.headers["X-PW-AccessToken"] == KEY
    assert request.headers["X-PW-Application"] == "developer_api"
    assert request.headers["X-PW-UserEmail"] == EMAIL
    assert request.headers["Content-Type"] == "application/json"
    assert request.url.copy_with(query=None) == httpx2.URL(f"{BASE_URL}/people/search")
    assert request.url.params.multi_items() == [
        ("custom_field_computed_values", "true"),
        ("ids", "1"),
        ("ids", "2"),
    ]
    assert json.loads(request.content) == {"page_size": 5}


def test_default_base_url_is_copper_v1() -> None:
    assert DEFAULT_BASE_URL == "https://api.copper.com/developer_api/v1"


async def test_headers_are_sent_on_a_get_too() -> None:
    copper = FakeCopper(ok({"id": 1}))
    async with make_client(copper) as client:
        await client.request("GET", "/account")
    assert copper.requests[0].headers["X-PW-AccessToken"] == KEY
    assert copper.requests[0].url == httpx2.URL(f"{BASE_URL}/account")


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({"X-PW-TOTAL": "775"}, 775), ({"x-pw-total": " 3 "}, 3), ({}, None), ({"X-PW-TOTAL": "lots"}, None)],
)
async def test_parses_the_total_header(headers: dict[str, str], expected: int | None) -> None:
    copper = FakeCopper(ok([{"id": 1}], headers=headers))
    async with make_client(copper) as client:
        response = await client.request("POST", "/people/search", json={})
    assert response == CopperResponse(data=[{"id": 1}], total=expected, status_code=200)


async def test_empty_body_is_none() -> None:
    copper = FakeCopper(httpx2.Response(200, content=b""))
    async with make_client(copper) as client:
        response = await client.request("DELETE", "/webhooks/1")
    assert response.data is None


# --- lifecycle ----------------------------------------------------------------------------------------


async def test_can_be_entered_again_after_exit() -> None:
    copper = FakeCopper(ok({"n": 1}), ok({"n": 2}), ok({"n": 3}))
    client = make_client(copper)
    for expected in (1, 2, 3):
        async with client:
            assert (await client.request("GET", "/account")).data == {"n": expected}
    assert "closed" in repr(client)


async def test_request_outside_the_context_manager_is_a_clear_error() -> None:
    client = make_client(FakeCopper())
    with pytest.raises(RuntimeError, match="async with"):
        await client.request("GET", "/account")
    async with client:
        pass
    with pytest.raises(RuntimeError, match="not open"):
        await client.request("GET", "/account")


async def test_entering_twice_at_once_is_refused() -> None:
    client = make_client(FakeCopper())
    async with client:
        with pytest.raises(RuntimeError, match="already open"):
            await client.__aenter__()


@pytest.mark.parametrize(("field", "variable"), [("api_key", "COPPER_API_KEY"), ("user_email", "COPPER_USER_EMAIL")])
def test_missing_credentials_name_the_variable(field: str, variable: str) -> None:
    credentials = {"api_key": KEY, "user_email": EMAIL, field: " "}
    with pytest.raises(ConfigError, match=variable):
        CopperClient(api_key=credentials["api_key"], user_email=credentials["user_email"])


# --- retries: writes ------------------------------------------------------------------------------------

WRITES = [
    ("POST", "/people"),
    ("PUT", "/people/42"),
    ("DELETE", "/people/42"),
    ("POST", "/people/bulk_create"),
    ("POST", "/leads/5/convert"),
    ("PUT", "/leads/upsert"),
]
UNKNOWN_FATE = [
    httpx2.ReadTimeout,
    httpx2.WriteTimeout,
    httpx2.RemoteProtocolError,
    httpx2.ReadError,
    httpx2.WriteError,
    httpx2.Response(500, json={"success": False, "status": 500, "message": "Internal error"}),
    httpx2.Response(503, text="Service Unavailable"),
]


@pytest.mark.parametrize(("method", "path"), WRITES)
@pytest.mark.parametrize("outcome", UNKNOWN_FATE, ids=repr)
async def test_a_write_with_unknown_fate_is_sent_once(
    method: str, path: str, outcome: httpx2.Response | type[httpx2.RequestError]
) -> None:
    copper = FakeCopper(outcome, ok())
    clock = FakeClock()
    async with make_client(copper, clock) as client:
        with pytest.raises(OutcomeUnknownError) as caught:
            await client.request(method, path, json={"name": "Ada"})
    assert copper.sends == 1
    assert clock.sleeps == []
    message = str(caught.value)
    assert f"{method} {path}" in message
    assert "may or may not have been applied" in message
    assert "search" in message
    assert caught.value.method == method
    expected_status = outcome.status_code if isinstance(outcome, httpx2.Response) else None
    assert caught.value.status_code == expected_status


@pytest.mark.parametrize("error", [httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.PoolTimeout])
async def test_a_write_that_was_never_sent_is_retried(error: type[httpx2.RequestError]) -> None:
    copper = FakeCopper(error, error, ok({"id": 7}))
    clock = FakeClock()
    async with make_client(copper, clock) as client:
        response = await client.request("POST", "/people", json={"name": "Ada"})
    assert response.data == {"id": 7}
    assert copper.sends == 3
    assert clock.sleeps == [0.5, 1.0]


async def test_a_429_is_retried_for_a_write_after_exactly_retry_after() -> None:
    copper = FakeCopper(httpx2.Response(429, headers={"Retry-After": "7"}), ok({"id": 9}))
    clock = FakeClock()
    async with make_client(copper, clock) as client:
        response = await client.request("POST", "/people", json={"name": "Ada"})
    assert response.data == {"id": 9}
    assert copper.sends == 2
    assert clock.sleeps == [7.0]


async def test_a_429_without_retry_after_backs_off_exponentially() -> None:
    copper = FakeCopper(*[httpx2.Response(429)] * 3, ok())
    clock = FakeClock()
    async with make_client(copper, clock, random=lambda: 0.5) as client:
        await client.request("PUT", "/people/1", json={})
    assert clock.sleeps == [0.4375, 0.875, 1.75]  # 0.5, 1, 2 scaled by 1 - 0.25 * 0.5


@pytest.mark.parametrize(
    ("headers", "retry_after", "hint"),
    [({}, None, "try again in 60 seconds"), ({"Retry-After": "12"}, 12.0, "try again in 12 seconds")],
)
async def test_429_after_all_retries_raises_rate_limit_error_with_a_hint(
    headers: dict[str, str], retry_after: float | None, hint: str
) -> None:
    refusal = httpx2.Response(429, json={"success": False, "status": 429, "message": "Rate limit"}, headers=headers)
    copper = FakeCopper(*[refusal] * 5)
    async with make_client(copper) as client:
        with pytest.raises(RateLimitError) as caught:
            await client.request("POST", "/people", json={})
    assert copper.sends == 5  # first send plus MAX_RETRIES
    assert hint in str(caught.value)
    assert caught.value.retry_after == retry_after
    assert caught.value.status_code == 429


# --- retries: reads ---------------------------------------------------------------------------------------

READS = [
    ("GET", "/people/42"),
    ("POST", "/people/search"),
    ("POST", "/people/fetch_by_email"),
    ("POST", "/leads/3/activities"),
]
TRANSIENT = [
    httpx2.Response(500),
    httpx2.Response(502, text="<html>Bad gateway</html>"),
    httpx2.Response(503),
    httpx2.ReadTimeout,
    httpx2.WriteTimeout,
    httpx2.PoolTimeout,
    httpx2.ConnectError,
    httpx2.RemoteProtocolError,
    httpx2.ReadError,
]


@pytest.mark.parametrize(("method", "path"), READS)
@pytest.mark.parametrize("outcome", TRANSIENT, ids=repr)
async def test_a_read_is_retried_on_transient_failures_then_succeeds(
    method: str, path: str, outcome: httpx2.Response | type[httpx2.RequestError]
) -> None:
    copper = FakeCopper(outcome, outcome, ok({"ok": True}))
    clock = FakeClock()
    async with make_client(copper, clock) as client:
        response = await client.request(method, path, json={} if method == "POST" else None)
    assert response.data == {"ok": True}
    assert copper.sends == 3
    assert clock.sleeps == [0.5, 1.0]


async def test_a_read_that_keeps_failing_raises_server_error_after_retries() -> None:
    copper = FakeCopper(*[httpx2.Response(500, json={"success": False, "status": 500, "message": "boom"})] * 5)
    async with make_client(copper) as client:
        with pytest.raises(ServerError) as caught:
            await client.request("POST", "/people/search", json={})
    assert copper.sends == 5
    assert "reads are retried" in str(caught.value)
    assert "boom" in str(caught.value)


async def test_a_read_that_keeps_timing_out_raises_timeout_error() -> None:
    copper = FakeCopper(*[httpx2.ReadTimeout] * 3)
    async with make_client(copper, max_retries=2) as client:
        with pytest.raises(CopperTimeoutError, match="GET /account") as caught:
            await client.request("GET", "/account")
    assert copper.sends == 3
    assert "after 3 attempts" in str(caught.value)


async def test_an_unreachable_copper_names_the_base_url() -> None:
    copper = FakeCopper(*[httpx2.ConnectError] * 5)
    async with make_client(copper) as client:
        with pytest.raises(CopperConnectionError, match="Cannot reach Copper at https://api.copper.com") as caught:
            await client.request("POST", "/people", json={})
    assert not isinstance(caught.value, CopperTimeoutError)
    assert copper.sends == 5


async def test_a_misconfiguration_is_not_retried() -> None:
    copper = FakeCopper(httpx2.UnsupportedProtocol)
    async with make_client(copper) as client:
        with pytest.raises(CopperConnectionError, match="UnsupportedProtocol"):
            await client.request("GET", "/account")
    assert copper.sends == 1


async def test_a_4xx_is_not_retried() -> None:
    copper = FakeCopper(httpx2.Response(404, json={"success": False, "status": 404, "message": "Resource not found"}))
    clock = FakeClock()
    async with make_client(copper, clock) as client:
        with pytest.raises(NotFoundError):
            await client.request("GET", "/people/1")
    assert copper.sends == 1
    assert clock.sleeps == []


# --- rate limiting through the client ------------------------------------------------------------------


async def test_200_concurrent_requests_never_exceed_180_in_any_rolling_minute() -> None:
    clock = FakeClock()
    copper = FakeCopper(*[ok([])] * 200, clock=clock)
    client = make_client(copper, clock, limits=RateLimits(per_minute=180))
    async with client, anyio.create_task_group() as group:
        for _ in range(200):
            group.start_soon(client.request, "POST", "/people/search")
    assert copper.sends == 200
    assert max_in_window(copper.arrivals, 60.0) == 180
    # The 181st waits until the first has left the window (plus the safety margin), not longer.
    assert copper.arrivals[179] == copper.arrivals[0]
    assert copper.arrivals[180] == pytest.approx(copper.arrivals[0] + 60.0 * (1 + SAFETY_MARGIN))


async def test_steady_traffic_with_latency_stays_under_the_limit() -> None:
    clock = FakeClock()
    arrivals: list[float] = []

    def slow_copper(request: httpx2.Request) -> httpx2.Response:
        arrivals.append(clock.now)
        clock.now += 0.05  # each call takes a little time
        return ok([])

    client = make_client(slow_copper, clock, limits=RateLimits(per_minute=180))
    async with client, anyio.create_task_group() as group:
        for _ in range(500):
            group.start_soon(client.request, "GET", "/tags")
    assert len(arrivals) == 500
    assert max_in_window(arrivals, 60.0) <= 180


async def test_the_window_counts_a_slow_request_from_its_answer() -> None:
    """Copper counts a request on arrival, which may be as late as its answer (a full connection pool,
    a slow network): the next request waits a whole window from then, not from when the first left."""
    clock = FakeClock(start=0.0)
    arrivals: list[float] = []

    def slow_copper(request: httpx2.Request) -> httpx2.Response:
        if not arrivals:
            clock.now += 3.0  # the first spends three seconds on the way in; the second none
        arrivals.append(clock.now)
        return ok([])

    client = make_client(slow_copper, clock, limits=RateLimits(per_minute=1, window=10.0))
    async with client:
        await client.request("GET", "/tags")
        await client.request("GET", "/tags")
    assert arrivals[1] - arrivals[0] >= 10.0


async def test_bulk_calls_are_held_to_three_per_second_while_ordinary_calls_flow() -> None:
    clock = FakeClock()
    copper = FakeCopper(*[ok([])] * 12, clock=clock)
    client = make_client(copper, clock)
    async with client, anyio.create_task_group() as group:
        for index in range(12):
            path = "/people/bulk_create" if index % 2 else "/people/search"
            group.start_soon(client.request, "POST", path)
    bulk = [t for r, t in zip(copper.requests, copper.arrivals, strict=True) if r.url.path.endswith("bulk_create")]
    ordinary = [t for r, t in zip(copper.requests, copper.arrivals, strict=True) if r.url.path.endswith("search")]
    assert len(bulk) == len(ordinary) == 6
    assert max_in_window(bulk, 1.0) == 3
    assert bulk[3] == pytest.approx(bulk[0] + 1.0 * (1 + SAFETY_MARGIN))
    assert clock.sleeps == [pytest.approx(1.0 * (1 + SAFETY_MARGIN))]  # only the fourth bulk call waited
