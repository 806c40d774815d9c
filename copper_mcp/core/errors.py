"""Every failure the package anticipates, in one tree.

Every message is short and says what to do next, because the reader is usually an AI model
that has to decide its next call. None of them ever contains the API key. The MCP adapters
pass these messages on to the model; any other exception is a bug, answered with a bare
"Error executing tool" and logged with its traceback.

The hierarchy::

    ConfigError                      a setting (an environment variable, a command-line option)
                                     cannot be used; nothing was started
    InputError                       a tool's arguments cannot become a Copper request;
    │                                nothing was sent
    └── UnknownNameError             a name no kept list holds (the list is fetched again once)
    CopperError                      what Copper did: raised by the client (copper_mcp.client),
                                     NotCreatedError by copper_mcp.recover
    ├── CopperConnectionError        network failure before any answer
    │   └── CopperTimeoutError
    ├── OutcomeUnknownError          a write may or may not have been applied (for a create,
    │                                even after a search for what it made: candidates)
    ├── NotCreatedError              a create got no clear answer and a search found nothing
    │                                it made: safe to send again
    ├── WaitTooLongError             the rate limit would hold the request longer than the call
    │                                may wait; nothing was sent
    └── CopperStatusError            Copper answered with an error status
        ├── BadRequestError          400
        ├── AuthenticationError      401
        ├── PermissionDeniedError    403
        ├── NotFoundError            404
        ├── UnprocessableError       422
        ├── RateLimitError           429 (retry_after)
        └── ServerError              5xx
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "ConfigError",
    "CopperConnectionError",
    "CopperError",
    "CopperStatusError",
    "CopperTimeoutError",
    "InputError",
    "NotCreatedError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    
    "UnknownNameError",
    "UnprocessableError",
    "WaitTooLongError",
    "copper_message",
    "error_for_status",
]

# Copper's messages are short; anything longer is an HTML error page or similar noise.
_MAX_MESSAGE_CHARS = 300


class ConfigError(Exception):
    """A setting that cannot be used (e.g. the server exposed to the network without a token);
    the message names what to change and never shows a secret value.

    Attributes:
        variable: The environment variable to fix (``COPPER_API_KEY``), when one is to blame.
    """

    def __init__(self, message: str, *, variable: str | None = None) -> None:
        super().__init__(message)
        self.variable = variable


class InputError(Exception):
    """A tool argument that cannot be sent to Copper; the message says how to fix the call.

    Attributes:
        field: Where the argument sits (``opportunities.1.pipeline_stage_id``), when one is to blame.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    def within(self, key: str) -> InputError:
        """The same error, said of the object at ``key`` that holds the argument (a bulk item)."""
        moved = type(self).__new__(type(self))
        moved.__dict__.update(self.__dict__)  # what a subclass adds (an unknown name's need) goes along
        Exception.__init__(moved, f"{key}.{self}")
        moved.field = f"{key}.{self.field}" if self.field else key
        return moved


class UnknownNameError(InputError):
    """A name the account's kept lists do not hold; fetching the list again may find it (a colleague
    just added it).

    Attributes:
        need: What the name is of, as ``shaping.reference.SOURCES`` keys it (``user``, ``custom_fields``).
    """

    def __init__(self, message: str, *, need: str, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.need = need


class CopperError(Exception):
    """Base class of every error the Copper client raises."""


class CopperConnectionError(CopperError):
    """The request got no answer from Copper (DNS, refused connection, TLS, dropped link)."""


class CopperTimeoutError(CopperConnectionError):
    """Copper did not answer in time."""


class OutcomeUnknownError(CopperError):
    """A write was sent but its fate is unknown, so it was deliberately not sent again.

    Attributes:
        method: HTTP method of the write.
        path: Path of the write, relative to the base URL.
        status_code: The 5xx status if Copper answered with one, else None (timeout, dropped link).
        candidates: Ids of records a search found that could be what a create made (see
            ``copper_mcp.recover``); empty when none was looked for.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str,
        path: str,
        status_code: int | None = None,
        candidates: tuple[Any, ...] = (),
    ) -> None:
        super().__init__(message)
        self.method = method
        self.path = path
        self.status_code = status_code
        self.candidates = candidates


class NotCreatedError(CopperError):
    """A create got no clear answer, and a search for what it would have made found nothing: it was
    not created, so sending it again makes one record, not two.

    Attributes:
        method: HTTP method of the create.
        path: Path of the create, relative to the base URL.
    """

    def __init__(self, message: str, *, method: str, path: str) -> None:
        super().__init__(message)
        self.method = method
        self.path = path


class WaitTooLongError(CopperError):
    """The client's own rate limiter would hold a request longer than the call may wait; nothing was sent.

    Attributes:
        wait: Seconds the request would have waited: when to try again.
    """

    def __init__(self, *, wait: float, patience: float, per_minute: int) -> None:
        seconds = math.ceil(wait)
        super().__init__(
            f"Copper allows {per_minute} requests a minute and this server's recent calls have used them: this "
            f"call would wait {seconds} s before Copper is asked, longer than the {math.floor(patience)} s left "
            f"to it. Nothing was sent; try again in {seconds} s, or ask for less at once (fewer pages)."
        )
        self.wait = wait


class CopperStatusError(CopperError):
    """Copper answered with an error status.

    Attributes:
        status_code: The HTTP status.
        message: Copper's own message, extracted from the body (may be empty).
        body: The parsed JSON body, or the raw text when it was not JSON.
        method: HTTP method of the request.
        path: Path of the request, relative to the base URL.
    """

    def __init__(
        self, text: str, *, status_code: int, message: str, body: Any, method: str, path: str
    ) -> None:
        super().__init__(text)
        self.status_code = status_code
        self.message = message
        self.body = body
        self.method = method
        self.path = path


class BadRequestError(CopperStatusError):
    """400: Copper could not understand the request."""


class AuthenticationError(CopperStatusError):
    """401: the API key or user email was rejected."""


class PermissionDeniedError(CopperStatusError):
    """403: the user may not do this, or the feature is disabled on the account."""


class NotFoundError(CopperStatusError):
    """404: no such record (or no such path)."""

    def saying(self, text: str) -> NotFoundError:
        """The same 404 with a message of what it means for the call that got it."""
        return NotFoundError(
            text, status_code=self.status_code, message=self.message, body=self.body, method=self.method, path=self.path
        )


class UnprocessableError(CopperStatusError):
    """422: Copper rejected the input; its message names the field."""


class RateLimitError(CopperStatusError):
    """429 that persisted through every retry.

    Attributes:
        retry_after: Seconds Copper asked us to wait (Retry-After), or None when it did not say.
    """

    def __init__(
        self,
        text: str,
        *,
        status_code: int,
        message: str,
        body: Any,
        method: str,
        path: str,
        retry_after: float | None,
    ) -> None:
        super().__init__(text, status_code=status_code, message=message, body=body, method=method, path=path)
        self.retry_after = retry_after


class ServerError(CopperStatusError):
    """5xx: Copper failed."""


def copper_message(body: Any) -> str:
    """Extract Copper's human message from an error body.

    Copper uses ``{"success": false, "status": N, "message": "..."}``; the bulk endpoints' size check uses
    ``{"error": "..."}``. Anything else (HTML, plain text) is returned trimmed.
    """
    if isinstance(body, dict):
        for key in ("message", "error"):
            value = body.get(key)
            if isinstance(value, str):
                return value
            if value is not None:
                return json.dumps(value, separators=(",", ":"))[:_MAX_MESSAGE_CHARS]
        return json.dumps(body, separators=(",", ":"))[:_MAX_MESSAGE_CHARS]
    if body is None:
        return ""
    text = body if isinstance(body, str) else json.dumps(body)
    return " ".join(text.split())[:_MAX_MESSAGE_CHARS]


def _suffix(message: str) -> str:
    return f" Copper said: {message}" if message else ""


def error_for_status(
    status_code: int,
    body: Any,
    *,
    method: str,
    path: str,
    attempts: int = 1,
    retry_after: float | None = None,
    retry_hint: float = 60.0,
) -> CopperStatusError:
    """Build the error for an error status, with a message a model can act on.

    Args:
        status_code: The HTTP status (4xx or 5xx).
        body: The parsed JSON body, or the raw text when it was not JSON.
        method: HTTP method, for the message.
        path: Path relative to the base URL, for the message.
        attempts: How many times the request was sent (for 429 and 5xx messages).
        retry_after: The Retry-After Copper sent with a 429, in seconds, if any.
        retry_hint: Seconds to suggest waiting after a 429 when Copper gave no Retry-After.
    """
    message = copper_message(body)
    where = f"{method} {path}"
    fields: dict[str, Any] = {
        "status_code": status_code,
        "message": message,
        "body": body,
        "method": method,
        "path": path,
    }
    if status_code == 400:
        return BadRequestError(
            f"Copper could not parse {where} (400).{_suffix(message)} Check argument names and types.",
            **fields,
        )
    if status_code == 401:
        return AuthenticationError(
            "Copper rejected the credentials (401): check COPPER_API_KEY and COPPER_USER_EMAIL, "
            "and that the key belongs to that user.",
            **fields,
        )
    if status_code == 403:
        return PermissionDeniedError(
            f"Copper refused {where} (403): the user lacks permission, or the feature "
            f"(e.g. Leads) is disabled on this account.{_suffix(message)}",
            **fields,
        )
    if status_code == 404:
        return NotFoundError(
            f"No such record: {where} returned 404. Check the id, or search for the record.",
            **fields,
        )
    if status_code == 422:
        return UnprocessableError(
            f"Copper rejected the input of {where} (422): {message or 'no details given'}",
            **fields,
        )
    if status_code == 429:
        wait = math.ceil(retry_after if retry_after is not None else retry_hint)
        return RateLimitError(
            f"Rate limited by Copper (429) on {where} after {attempts} attempts: "
            f"try again in {wait} seconds.",
            retry_after=retry_after,
            **fields,
        )
    if status_code >= 500:
        retried = f"it was sent {attempts} times (reads are retried)" if attempts > 1 else "it was sent once"
        return ServerError(
            f"Copper failed on {where} ({status_code}); {retried}. Try again later.{_suffix(message)}",
            **fields,
        )
    return CopperStatusError(f"Copper returned {status_code} for {where}.{_suffix(message)}", **fields)
