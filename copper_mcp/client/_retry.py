"""Retry policy: which requests may be sent again, and how long to wait first.

Pure functions and constants only, so the whole policy is a table you can test.

The rule that matters: a Copper write (create, update, delete, convert, bulk) has no idempotency key,
so a write whose fate is unknown is never sent twice. Only three failures are safe for every method:
429 (Copper refused the request) and a failure to connect or to get a pooled connection (nothing was
sent). Reads are retried on everything transient.
"""

from __future__ import annotations

import email.utils
import enum
import re
import time
from collections.abc import Callable

import httpx2

__all__ = [
    "INITIAL_DELAY",
    "JITTER",
    "MAX_DELAY",
    "MAX_RETRIES",
    "MAX_RETRY_AFTER",
    "Failure",
    "classify_exception",
    "classify_status",
    "is_bulk",
    "is_outcome_unknown",
    "is_read",
    "parse_retry_after",
    "retry_delay",
    "should_retry",
]

MAX_RETRIES = 4
"""Retries after the first attempt (so up to 5 sends)."""
INITIAL_DELAY = 0.5
"""Backoff before the first retry, in seconds; doubles each retry."""
MAX_DELAY = 30.0
"""Cap on the exponential backoff, in seconds."""
MAX_RETRY_AFTER = 120.0
"""Cap on a server-directed Retry-After, in seconds, so one tool call cannot hang for hours."""
JITTER = 0.25
"""Backoff is scaled by a random factor in (1 - JITTER, 1] so concurrent retries spread out."""

_READ_POST_SUFFIXES = ("/search", "/fetch_by_email")
# POST /{entity}/{id}/activities lists a record's activities; POST /activities creates one.
_RECORD_ACTIVITIES = re.compile(r"^/[^/]+/[^/]+/activities$")
_BULK_SUFFIXES = ("/bulk_create", "/bulk_update")


class Failure(enum.Enum):
    """What went wrong with one attempt, as far as retrying is concerned."""

    RATE_LIMITED = "rate limited"
    """429: Copper refused the request, so nothing was applied."""
    NOT_SENT = "not sent"
    """Connect error, connect timeout or pool timeout: the request never left."""
    SERVER_ERROR = "server error"
    """5xx: Copper received the request and failed; a write may be half done."""
    MAYBE_SENT = "no answer"
    """Read/write timeout or dropped connection: the request may have been processed."""
    FATAL = "fatal"
    """A misconfiguration (bad URL scheme, proxy, redirects): retrying cannot help."""


def _normalise(path: str) -> str:
    return "/" + path.split("?", 1)[0].strip("/")


def is_read(method: str, path: str) -> bool:
    """Whether a request only reads, so sending it twice is harmless.

    GET is a read, and so are Copper's POST reads: ``…/search``, ``/people/fetch_by_email`` and
    ``/{entity}/{id}/activities``. Everything else is a write.
    """
    verb = method.upper()
    if verb in ("GET", "HEAD", "OPTIONS"):
        return True
    if verb != "POST":
        return False
    normal = _normalise(path)
    return normal.endswith(_READ_POST_SUFFIXES) or _RECORD_ACTIVITIES.match(normal) is not None


def is_bulk(path: str) -> bool:
    """Whether a path is a bulk endpoint, which Copper limits to a few requests per second."""
    return _normalise(path).endswith(_BULK_SUFFIXES)


def classify_status(status_code: int) -> Failure | None:
    """The retry-relevant failure for a status, or None when the status is final (2xx, most 4xx)."""
    if status_code == 429:
        return Failure.RATE_LIMITED
    if status_code >= 500:
        return Failure.SERVER_ERROR
    return None


def classify_exception(exc: httpx2.HTTPError) -> Failure:
    """The retry-relevant failure for an httpx2 exception raised while sending."""
    # Order matters: ConnectTimeout is a TimeoutException, ConnectError a NetworkError.
    if isinstance(exc, httpx2.ConnectError | httpx2.ConnectTimeout | httpx2.PoolTimeout):
        return Failure.NOT_SENT
    if isinstance(
        exc,
        httpx2.TimeoutException
        | httpx2.NetworkError
        | httpx2.RemoteProtocolError
        | httpx2.DecodingError,
    ):
        return Failure.MAYBE_SENT
    return Failure.FATAL


def should_retry(failure: Failure, *, read: bool, attempt: int, max_retries: int = MAX_RETRIES) -> bool:
    """Whether to send a request again after ``failure``.

    Args:
        failure: What went wrong with the attempt just made.
        read: Whether the request is a read (see ``is_read``).
        attempt: Retries made so far (0 after the first send).
        max_retries: Retries allowed in total.
    """
    if attempt >= max_retries:
        return False
    if failure in (Failure.RATE_LIMITED, Failure.NOT_SENT):
        return True
    if failure in (Failure.SERVER_ERROR, Failure.MAYBE_SENT):
        return read
    return False


def is_outcome_unknown(failure: Failure, *, read: bool) -> bool:
    """Whether a failed request was a write that Copper may or may not have applied."""
    return not read and failure in (Failure.SERVER_ERROR, Failure.MAYBE_SENT)


def parse_retry_after(header: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), capped.

    Returns None when the header is absent or unparseable. ``now`` is the wall-clock time (Unix
    seconds) an HTTP date is measured from; it defaults to ``time.time()``.
    """
    if header is None or not header.strip():
        return None
    text = header.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:  # an HTTP date is always GMT
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    else:
        if seconds != seconds or seconds < 0:  # NaN or negative: not a valid delta
            return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def retry_delay(
    attempt: int,
    retry_after_header: str | None,
    random: Callable[[], float],
    *,
    now: float | None = None,
) -> float:
    """Seconds to wait before retry number ``attempt + 1``.

    Honours Retry-After when present (capped at ``MAX_RETRY_AFTER``); otherwise exponential backoff from
    ``INITIAL_DELAY``, capped at ``MAX_DELAY``, scaled by a jitter factor in (1 - JITTER, 1].

    Args:
        attempt: Retries made so far (0 before the first retry).
        retry_after_header: The response's Retry-After header, if any.
        random: Source of floats in [0, 1), for the jitter.
        now: Wall-clock Unix time for an HTTP-date Retry-After; defaults to ``time.time()``.
    """
    server_directed = parse_retry_after(retry_after_header, now=now)
    if server_directed is not None:
        return server_directed
    # Clamp the exponent: 2.0 ** 1100 overflows, and the cap is reached long before.
    backoff = min(INITIAL_DELAY * 2.0 ** min(max(attempt, 0), 32), MAX_DELAY)
    return backoff * (1.0 - JITTER * random())
