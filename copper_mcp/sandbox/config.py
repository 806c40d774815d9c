"""Configuration value objects for the sandbox."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx2

API_PATH = "/developer_api/v1"
"""Where the sandbox serves the API, as Copper does under https://api.copper.com."""


@dataclass(frozen=True)
class Faults:
    """Injected misbehaviour, all off by default. Rates are shares of requests in [0, 1]."""

    latency: float = 0.0
    """Seconds added to every request."""
    error_rate: float = 0.0
    """Share of requests answered with 500 or 503 in the error envelope."""
    timeout_rate: float = 0.0
    """Share of requests that hang for ``timeout_seconds`` before answering."""
    timeout_seconds: float = 60.0
    drop_rate: float = 0.0
    """Share of requests whose connection is dropped before they are handled (nothing is stored)."""
    lost_answer_rate: float = 0.0
    """Share of requests handled in full (a create is stored, webhooks fire) whose connection is
    then dropped before the answer arrives: the client sees a read error, not the outcome."""
    force_429_rate: float = 0.0
    """Share of requests answered 429 regardless of the real rate limit."""
    random_seed: int = 0


@dataclass(frozen=True)
class SandboxConfig:
    """How a sandbox app behaves; see ``create_app``."""

    db_path: str | None = None
    """None keeps data in memory; a path keeps it across restarts (demo data only goes into a new file)."""
    seed: int = 0
    demo_data: bool = True
    api_key: str | None = None
    """None accepts any non-empty X-PW-AccessToken."""
    user_email: str | None = None
    """None accepts any non-empty X-PW-UserEmail."""
    requests_per_minute: int = 180
    bulk_requests_per_second: int = 3
    clock: Callable[[], float] = time.monotonic
    """Time source for rate-limit windows (injectable so tests can run a fake clock)."""
    faults: Faults = field(default_factory=Faults)
    allow_http_webhooks: bool = False
    webhook_transport: httpx2.AsyncBaseTransport | None = None
