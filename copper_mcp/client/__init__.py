"""The one I/O seam: a Copper API client with auth headers, a shared rate limiter, safe retries and
the error tree (``copper_mcp.core.errors``) whose messages a model can act on."""

from copper_mcp.core.errors import (
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
    WaitTooLongError,
)
from copper_mcp.core.requester import CopperResponse
from copper_mcp.core.settings import DEFAULT_BASE_URL

from ._client import CopperClient
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
    "WaitTooLongError",
    "is_read",
]
