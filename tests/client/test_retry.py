"""The retry policy as pure functions: read/write classification, delays, and the decision table."""

from __future__ import annotations

import email.utils

import httpx2
import pytest

from copper_mcp.client._retry import (
    INITIAL_DELAY,
    JITTER,
    MAX_DELAY,
    MAX_RETRIES,
    MAX_RETRY_AFTER,
    Failure,
    classify_exception,
    classify_status,
    is_bulk,
    is_outcome_unknown,
    is_read,
    parse_retry_after,
    retry_delay,
    should_retry,
)

NOW = 1_700_000_000.0


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/people/42", True),
        ("get", "/account", True),
        ("GET", "/users/me", True),
        ("GET", "/people/1/related/opportunities", True),
        ("POST", "/people/search", True),
        ("POST", "/leads/search", True),
        ("post", "/activities/search", True),
        ("POST", "/users/search", True),
        ("POST", "people/search", True),
        ("POST", "/people/search/", True),
        ("POST", "/people/search?custom_field_computed_values=true", True),
        ("POST", "/people/fetch_by_email", True),
        ("POST", "/people/42/activities", True),
        ("POST", "/leads/7/activities", True),
        ("POST", "/companies/9/activities", True),
        ("POST", "/opportunities/3/activities", True),
        ("POST", "/people", False),
        ("POST", "/activities", False),
        ("POST", "/people/bulk_create", False),
        ("POST", "/people/bulk_update", False),
        ("POST", "/activities/bulk_create", False),
        ("POST", "/leads/5/convert", False),
        ("POST", "/people/1/related", False),
        ("POST", "/webhooks", False),
        ("POST", "/custom_field_definitions", False),
        ("POST", "/searches", False),
        ("POST", "/people/research_notes", False),
        ("PUT", "/people/42", False),
        ("PUT", "/leads/upsert", False),
        ("PUT", "/people/search", False),
        ("DELETE", "/people/42", False),
        ("DELETE", "/people/1/related", False),
        ("PATCH", "/people/42", False),
    ],
)
def test_is_read(method: str, path: str, expected: bool) -> None:
    assert is_read(method, path) is expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/people/bulk_create", True),
        ("/leads/bulk_update", True),
        ("/activities/bulk_create/", True),
        ("/people", False),
        ("/people/search", False),
        ("/bulk_create_notes", False),
    ],
)
def test_is_bulk(path: str, expected: bool) -> None:
    assert is_bulk(path) is expected


def http_date(offset: float) -> str:
    return email.utils.formatdate(NOW + offset, usegmt=True)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("soon", None),
        ("-5", None),
        ("nan", None),
        ("0", 0.0),
        ("7", 7.0),
        (" 2.5 ", 2.5),
        ("3600", MAX_RETRY_AFTER),
        (http_date(30), 30.0),
        (http_date(-30), 0.0),
        (http_date(10_000), MAX_RETRY_AFTER),
        ("Wed, 21 Oct 2015 07:28:00", None),  # no zone: not an HTTP date
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("7", 7.0),
        (http_date(45), 45.0),
        ("999", MAX_RETRY_AFTER),
    ],
)
def test_retry_delay_honours_retry_after_without_jitter(header: str, expected: float) -> None:
    assert retry_delay(3, header, lambda: 0.99, now=NOW) == expected


@pytest.mark.parametrize(
    ("attempt", "expected"),
    [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (5, 16.0), (6, MAX_DELAY), (50, MAX_DELAY), (5000, MAX_DELAY)],
)
def test_retry_delay_backoff_grows_then_caps(attempt: int, expected: float) -> None:
    assert retry_delay(attempt, None, lambda: 0.0) == expected


@pytest.mark.parametrize("header", [None, "not a date"])
def test_retry_delay_jitter_shrinks_at_most_by_jitter(header: str | None) -> None:
    low = retry_delay(0, header, lambda: 0.999999)
    assert INITIAL_DELAY * (1 - JITTER) < low < INITIAL_DELAY
    assert retry_delay(0, header, lambda: 0.0) == INITIAL_DELAY


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (200, None),
        (400, None),
        (401, None),
        (404, None),
        (422, None),
        (429, Failure.RATE_LIMITED),
        (500, Failure.SERVER_ERROR),
        (502, Failure.SERVER_ERROR),
        (503, Failure.SERVER_ERROR),
    ],
)
def test_classify_status(status: int, expected: Failure | None) -> None:
    assert classify_status(status) is expected


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (httpx2.ConnectError, Failure.NOT_SENT),
        (httpx2.ConnectTimeout, Failure.NOT_SENT),
        (httpx2.PoolTimeout, Failure.NOT_SENT),
        (httpx2.ReadTimeout, Failure.MAYBE_SENT),
        (httpx2.WriteTimeout, Failure.MAYBE_SENT),
        (httpx2.ReadError, Failure.MAYBE_SENT),
        (httpx2.WriteError, Failure.MAYBE_SENT),
        (httpx2.CloseError, Failure.MAYBE_SENT),
        (httpx2.RemoteProtocolError, Failure.MAYBE_SENT),
        (httpx2.DecodingError, Failure.MAYBE_SENT),
        (httpx2.LocalProtocolError, Failure.FATAL),
        (httpx2.UnsupportedProtocol, Failure.FATAL),
        (httpx2.ProxyError, Failure.FATAL),
    ],
)
def test_classify_exception(error: type[httpx2.RequestError], expected: Failure) -> None:
    assert classify_exception(error("x")) is expected


# (failure, read, retried?, outcome unknown when not retried?)
DECISIONS = [
    (Failure.RATE_LIMITED, True, True, False),
    (Failure.RATE_LIMITED, False, True, False),
    (Failure.NOT_SENT, True, True, False),
    (Failure.NOT_SENT, False, True, False),
    (Failure.SERVER_ERROR, True, True, False),
    (Failure.SERVER_ERROR, False, False, True),
    (Failure.MAYBE_SENT, True, True, False),
    (Failure.MAYBE_SENT, False, False, True),
    (Failure.FATAL, True, False, False),
    (Failure.FATAL, False, False, False),
]


@pytest.mark.parametrize(("failure", "read", "retried", "unknown"), DECISIONS)
def test_should_retry_decision_table(failure: Failure, read: bool, retried: bool, unknown: bool) -> None:
    assert should_retry(failure, read=read, attempt=0) is retried
    assert is_outcome_unknown(failure, read=read) is unknown


@pytest.mark.parametrize(("failure", "read", "retried", "unknown"), DECISIONS)
def test_should_retry_stops_when_retries_run_out(
    failure: Failure, read: bool, retried: bool, unknown: bool
) -> None:
    assert should_retry(failure, read=read, attempt=MAX_RETRIES - 1) is retried
    assert should_retry(failure, read=read, attempt=MAX_RETRIES) is False
    assert should_retry(failure, read=read, attempt=0, max_retries=0) is False
