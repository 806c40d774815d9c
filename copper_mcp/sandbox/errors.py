"""The Copper error envelope and the exception that carries it through the sandbox."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


class ApiError(Exception):
    """An error answered as ``{"success": false, "status": N, "message": "..."}``.

    ``field`` names the offending input field for 422s; bulk endpoints use it to build
    their per-item ``{"field": [{"error": "invalid"}]}`` failures.
    """

    def __init__(self, status: int, message: str, field: str | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.body = body
        """A complete replacement body, for the few errors documented with another shape."""

    def response(self) -> JSONResponse:
        """The HTTP answer for this error."""
        if self.body is not None:
            return JSONResponse(self.body, status_code=self.status)
        return error_response(self.status, self.message)


def error_response(status: int, message: str) -> JSONResponse:
    """Build the standard Copper error envelope."""
    return JSONResponse({"success": False, "status": status, "message": message}, status_code=status)


def invalid(field: str, detail: str) -> ApiError:
    """A 422 naming ``field``, worded like Copper's validation errors."""
    return ApiError(422, f"Invalid input: {field}: {detail}", field=field)


def not_found() -> ApiError:
    """Copper's 404 for unknown ids and unknown paths."""
    return ApiError(404, "Resource not found")
