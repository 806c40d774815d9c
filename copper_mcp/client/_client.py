"""The Copper HTTP client: auth headers, rate limiting, retries and error mapping in one place."""

from __future__ import annotations

import json as jsonlib
import logging
import random as _random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import anyio
import httpx2

from copper_mcp.core.errors import (
    CopperConnectionError,
    CopperError,
    CopperTimeoutError,
    OutcomeUnknownError,
    error_for_status,
)
from copper_mcp.core.requester import PATIENCE, CopperResponse
from copper_mcp.core.settings import DEFAULT_BASE_URL, check_credential

from ._limiter import ANNOUNCED_WAIT, RateLimiter, RateLimits
from ._redact import Redactor
from ._retry import (
    MAX_RETRIES,
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

__all__ = ["DEFAULT_LIMITS", "DEFAULT_TIMEOUT", "CopperClient"]

logger = logging.getLogger("copper_mcp.client")

DEFAULT_TIMEOUT = 30.0
DEFAULT_LIMITS = RateLimits()
_APPLICATION = "developer_api"
_TOTAL_HEADER = "X-PW-TOTAL"


@dataclass
class _Attempt:
    """How one send ended, when it did not end in a usable answer."""

    failure: Failure
    status_code: int | None = None
    body: Any = None
    retry_after: str | None = None
    cause: str = ""
    timed_out: bool = False


class CopperClient:
    """Async client for the Copper Developer API.

    Use it as an async context manager; it holds one connection pool while open and can be opened
    again after it is closed::

        client = CopperClient(api_key=key, user_email="me@example.com")
        async with client:
            found = await client.request("POST", "/people/search", json={"page_size": 5})

    Every request passes the shared rate limiter, then is sent and, when safe, retried (see
    ``copper_mcp.client._retry``). Failures raise the ``CopperError`` tree drawn in
    ``copper_mcp.core.errors``.

    Args:
        api_key: The Copper API key (X-PW-AccessToken). Never logged or shown, however spelt.
        user_email: Email of the user who owns the key (X-PW-UserEmail).
        (Both must be printable ASCII without spaces: ``check_credential`` raises ``ConfigError``.)
        base_url: API root; paths passed to ``request`` are relative to it.
        transport: httpx2 transport to send through (tests pass ``httpx2.MockTransport``).
        timeout: Seconds allowed for connecting, each read and each write.
        limits: Request rate limits, shared by all concurrent requests of this client.
        max_retries: Retries after the first send, for failures that are safe to retry.
        clock: Monotonic clock for the rate limiter.
        sleep: Async sleep used for every wait (rate limit and retry backoff).
        random: Source of floats in [0, 1) for backoff jitter.
    """

    def __init__(
        self,
        *,
        api_key: str,
        user_email: str,
        base_url: str = DEFAULT_BASE_URL,
        transport: httpx2.AsyncBaseTransport | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        limits: RateLimits = DEFAULT_LIMITS,
        max_retries: int = MAX_RETRIES,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        random: Callable[[], float] = _random.random,
    ) -> None:
        check_credential("COPPER_API_KEY", api_key)
        check_credential("COPPER_USER_EMAIL", user_email)
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        self._api_key = api_key
        self._redact = Redactor(api_key)
        self.user_email = user_email
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_retries = max_retries
        self.limiter = RateLimiter(limits, clock=clock, sleep=sleep)
        self._transport = transport
        self._sleep = sleep
        self._random = random
        self._http: httpx2.AsyncClient | None = None

    def __repr__(self) -> str:
        state = "open" if self._http is not None else "closed"
        return self._redact(f"CopperClient(base_url={self.base_url!r}, user_email={self.user_email!r}, {state})")

    async def __aenter__(self) -> CopperClient:
        if self._http is not None:
            raise RuntimeError("CopperClient is already open; leave the first 'async with' before reentering")
        self._http = httpx2.AsyncClient(
            base_url=self.base_url,
            headers={
                "X-PW-AccessToken": self._api_key,
                "X-PW-Application": _APPLICATION,
                "X-PW-UserEmail": self.user_email,
                "Content-Type": "application/json",
            },
            transport=self._transport,
            timeout=self.timeout,
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        http, self._http = self._http, None
        if http is not None:
            await http.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: object = None,
        params: Mapping[str, object] | None = None,
    ) -> CopperResponse:
        """Send one Copper API call, rate limited and retried when that is safe.

        Args:
            method: HTTP method (GET, POST, PUT, DELETE).
            path: Path relative to the base URL, e.g. ``"/people/search"``.
            json: JSON body, or None for none.
            params: Query parameters; booleans are sent as ``true``/``false``, None values are dropped.

        Returns:
            The parsed answer.

        Raises:
            CopperStatusError: Copper answered with an error status (a subclass per status).
            OutcomeUnknownError: A write got no clear answer; it was not sent again.
            WaitTooLongError: The rate limit would hold it longer than the call's patience; not sent.
            CopperConnectionError: Copper could not be reached (``CopperTimeoutError`` for timeouts).
            RuntimeError: The client is not open.
        """
        http = self._http
        if http is None:
            raise RuntimeError("CopperClient is not open: use it inside 'async with client:'")
        verb = method.upper()
        read = is_read(verb, path)
        bulk = is_bulk(path)
        query = _query_params(params)
        attempt = 0
        while True:
            moment = await self.limiter.acquire(bulk=bulk)
            try:
                outcome = await self._send_once(http, verb, path, json, query, attempt)
            finally:
                self.limiter.settle(moment, bulk=bulk)
            if isinstance(outcome, CopperResponse):
                return outcome
            wait = retry_delay(attempt, outcome.retry_after, self._random)
            patience = PATIENCE.get()
            retrying = should_retry(outcome.failure, read=read, attempt=attempt, max_retries=self.max_retries)
            # A backoff longer than the call may still wait would hold it silently: answer now instead.
            if not retrying or (patience is not None and wait > patience.seconds):
                raise self._final_error(outcome, verb, path, read=read, attempts=attempt + 1)
            if patience is not None:
                patience.seconds -= wait
                if wait >= ANNOUNCED_WAIT and patience.on_wait is not None:
                    await patience.on_wait(wait)
            attempt += 1
            logger.warning(
                "%s %s: %s; retry %d of %d in %.2f s",
                verb,
                path,
                outcome.status_code or outcome.failure.value,
                attempt,
                self.max_retries,
                wait,
            )
            await self._sleep(wait)

    async def _send_once(
        self,
        http: httpx2.AsyncClient,
        method: str,
        path: str,
        body: object,
        query: httpx2.QueryParams | None,
        attempt: int,
    ) -> CopperResponse | _Attempt:
        """Send one attempt: the answer, a final error raised, or an _Attempt for the retry policy."""
        # The except block only records what happened: raising our error inside it would chain httpx2's
        # exception (whose request carries the auth headers) to ours as __context__.
        try:
            response = await http.request(method, path, json=body, params=query)
        except httpx2.HTTPError as exc:
            logger.warning("%s %s: %s (attempt %d)", method, path, type(exc).__name__, attempt + 1)
            return _Attempt(
                classify_exception(exc),
                cause=self._redact(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__),
                timed_out=isinstance(exc, httpx2.TimeoutException),
            )
        logger.debug("%s %s -> %d (attempt %d)", method, path, response.status_code, attempt + 1)
        if response.is_success:
            return self._parse_success(response, method, path)
        error_body = self._parse_error_body(response)
        failure = classify_status(response.status_code)
        if failure is None:
            raise error_for_status(response.status_code, error_body, method=method, path=path)
        return _Attempt(
            failure,
            status_code=response.status_code,
            body=error_body,
            retry_after=response.headers.get("Retry-After"),
        )

    def _final_error(self, outcome: _Attempt, method: str, path: str, *, read: bool, attempts: int) -> CopperError:
        where = f"{method} {path}"
        if is_outcome_unknown(outcome.failure, read=read):
            what = f"Copper answered {outcome.status_code}" if outcome.status_code else outcome.cause
            return OutcomeUnknownError(
                f"{where} may or may not have been applied ({what}). It was not sent again: search for "
                "the record to check before retrying.",
                method=method,
                path=path,
                status_code=outcome.status_code,
            )
        if outcome.status_code is not None:
            return error_for_status(
                outcome.status_code,
                outcome.body,
                method=method,
                path=path,
                attempts=attempts,
                retry_after=parse_retry_after(outcome.retry_after),
                retry_hint=self.limiter.limits.window,
            )
        tries = f"after {attempts} attempts" if attempts > 1 else "on the first attempt"
        if outcome.timed_out:
            return CopperTimeoutError(
                self._redact(
                    f"Copper at {self.base_url} did not answer {where} within {self.timeout:g} s, {tries} "
                    f"({outcome.cause}). Try again later."
                )
            )
        return CopperConnectionError(
            self._redact(
                f"Cannot reach Copper at {self.base_url} for {where}, {tries} ({outcome.cause}). "
                "Check the network and the base URL."
            )
        )

    def _parse_success(self, response: httpx2.Response, method: str, path: str) -> CopperResponse:
        data: Any = None
        if response.content.strip():
            try:
                data = response.json()
            except ValueError:
                raise CopperError(
                    f"Copper answered {method} {path} with {response.status_code} but the body is not JSON."
                ) from None
        return CopperResponse(data=data, total=_parse_total(response), status_code=response.status_code)

    def _parse_error_body(self, response: httpx2.Response) -> Any:
        """The error body as JSON, or as text when it is not JSON (an HTML error page, say), with every
        spelling of the key masked: not even a key Copper echoes reaches an error."""
        text = response.text
        try:
            return self._redact.within(jsonlib.loads(text))
        except (ValueError, RecursionError):
            return self._redact(text)


def _parse_total(response: httpx2.Response) -> int | None:
    raw = response.headers.get(_TOTAL_HEADER)
    if raw is None:
        return None
    try:
        return int(raw.strip())
    except ValueError:
        return None


def _query_params(params: Mapping[str, object] | None) -> httpx2.QueryParams | None:
    """Encode query parameters the way Copper expects (lower-case booleans, repeated keys for lists)."""
    if not params:
        return None
    pairs: list[tuple[str, str | int | float | bool | None]] = []
    for key, value in params.items():
        values = value if isinstance(value, list | tuple) else [value]
        pairs.extend((key, _query_value(item)) for item in values if item is not None)
    return httpx2.QueryParams(pairs)


def _query_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
