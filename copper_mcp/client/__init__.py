"""The one I/O seam: a Copper API client with auth headers, a shared rate limiter, safe retries and
an error tree whose messages a model can act on."""

from ._client import DEFAULT_BASE_URL, CopperClient, CopperResponse
from ._errors import (
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
from ._limiter import RateLimiter, RateLimits
from ._retry import is_read

__all__ = [
    "DEFAULT_BASE_URL",
    "AuthenticationError",
    "BadRequestError",
    "CopperClient",
    "CopperConnectionError",
    "CopperError",
    "CopperResponse",
    "CopperStatusError",
    "CopperTimeoutError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PermissionDeniedError",
    "RateLimitError",
    "RateLimiter",
    "RateLimits",
    "ServerError",
    "UnprocessableError",
    "is_read",
]
