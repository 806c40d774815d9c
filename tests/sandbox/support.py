"""Helpers for sandbox tests: an in-process client and a fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2

from copper_mcp.sandbox import SandboxConfig, create_app

BASE_URL = "http://sandbox/developer_api/v1"
HEADERS = {
    "X-PW-AccessToken": "test-key",
    "X-PW-Application": "developer_api",
    "X-PW-UserEmail": "priya@harborlane.example",
}


@asynccontextmanager
async def sandbox(config: SandboxConfig | None = None, **options: Any) -> AsyncIterator[httpx2.AsyncClient]:
    """A client talking to a fresh sandbox app in process (use inside the test body).

    Rate limits are lifted unless a test sets them: most tests make many calls.
    """
    options.setdefault("requests_per_minute", 1_000_000)
    options.setdefault("bulk_requests_per_second", 1_000_000)
    app = create_app(config or SandboxConfig(**options))
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url=BASE_URL, headers=HEADERS) as client:
        yield client


class FakeClock:
    """A manual clock for rate-limit windows."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


async def search_all(client: httpx2.AsyncClient, plural: str, **criteria: Any) -> list[dict[str, Any]]:
    """Every match of a search, walking pages of 200."""
    found: list[dict[str, Any]] = []
    page = 1
    while True:
        response = await client.post(f"/{plural}/search", json={**criteria, "page_size": 200, "page_number": page})
        assert response.status_code == 200, response.text
        rows = response.json()
        found += rows
        if len(rows) < 200:
            return found
        page += 1


def invalid_field(response: httpx2.Response, field: str) -> bool:
    """True for a 422 envelope whose message names ``field``."""
    body = response.json()
    return (
        response.status_code == 422
        and body["success"] is False
        and body["status"] == 422
        and body["message"].startswith("Invalid input")
        and field in body["message"]
    )
