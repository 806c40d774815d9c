"""Authentication headers, rate limits and injected faults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx2
import pytest

from copper_mcp.sandbox import Faults, SandboxConfig, create_app
from copper_mcp.sandbox.guards import AnswerLost, ConnectionDropped

from .support import BASE_URL, HEADERS, FakeClock, sandbox


@pytest.mark.parametrize("missing", list(HEADERS))
async def test_each_missing_header_is_401(missing: str) -> None:
    async with sandbox() as client:
        headers = {k: v for k, v in HEADERS.items() if k != missing}
        response = await client.get("/account", headers={missing: ""} | headers)
        assert response.status_code == 401
        assert response.json()["success"] is False
        assert response.json()["status"] == 401


async def test_bad_application_is_401() -> None:
    async with sandbox() as client:
        response = await client.get("/account", headers={"X-PW-Application": "developer"})
        assert response.status_code == 401
        assert "X-PW-Application" in response.json()["message"]


async def test_configured_key_and_email_are_enforced_without_leaking_the_key() -> None:
    async with sandbox(api_key="secret-key", user_email="dana@harborlane.example") as client:
        wrong = await client.get("/account", headers={"X-PW-AccessToken": "guess"})
        assert wrong.status_code == 401
        assert "guess" not in wrong.text and "secret-key" not in wrong.text
        ok = await client.get(
            "/account", headers={"X-PW-AccessToken": "secret-key", "X-PW-UserEmail": "dana@harborlane.example"}
        )
        assert ok.status_code == 200
        mismatched = await client.get("/account", headers={"X-PW-AccessToken": "secret-key"})
        assert mismatched.status_code == 401


async def test_181st_request_in_a_minute_is_429_then_recovers() -> None:
    clock = FakeClock()
    async with sandbox(clock=clock, requests_per_minute=180) as client:
        for _ in range(180):
            assert (await client.get("/account")).status_code == 200
            clock.advance(0.1)
        limited = await client.get("/account")
        assert limited.status_code == 429
        assert limited.json() == {"success": False, "status": 429, "message": limited.json()["message"]}
        assert "retry-after" not in limited.headers
        # Another token has its own allowance.
        assert (await client.get("/account", headers={"X-PW-AccessToken": "other"})).status_code == 200
        clock.advance(60)
        assert (await client.get("/account")).status_code == 200


async def test_fourth_bulk_request_in_a_second_is_429_then_recovers() -> None:
    clock = FakeClock()
    async with sandbox(clock=clock, bulk_requests_per_second=3) as client:
        for _ in range(3):
            response = await client.post("/people/bulk_create", json={"people": []})
            assert response.status_code == 200
        assert (await client.post("/people/bulk_create", json={"people": []})).status_code == 429
        # Non-bulk calls are still fine.
        assert (await client.get("/account")).status_code == 200
        clock.advance(1.0)
        assert (await client.post("/people/bulk_create", json={"people": []})).status_code == 200


async def test_limits_are_configurable() -> None:
    clock = FakeClock()
    async with sandbox(clock=clock, requests_per_minute=2) as client:
        assert (await client.get("/account")).status_code == 200
        assert (await client.get("/account")).status_code == 200
        assert (await client.get("/account")).status_code == 429


async def test_injected_errors_and_429s() -> None:
    async with sandbox(faults=Faults(error_rate=1.0)) as client:
        response = await client.get("/account")
        assert response.status_code in (500, 503)
        assert response.json()["status"] == response.status_code
    async with sandbox(faults=Faults(force_429_rate=1.0)) as client:
        assert (await client.get("/account")).status_code == 429


async def test_injected_drop_raises_instead_of_answering() -> None:
    app = create_app(SandboxConfig(faults=Faults(drop_rate=1.0)))
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url=BASE_URL, headers=HEADERS
    ) as client:
        with pytest.raises(ConnectionDropped):
            await client.get("/account")


def _client(app: Any) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=BASE_URL, headers=HEADERS)


async def _names(db_path: str) -> list[str]:
    """People named "Unknown Outcome" in the sandbox file, read by a sandbox without faults."""
    async with sandbox(db_path=db_path) as client:
        found = await client.post("/people/search", json={"name": "Unknown Outcome"})
        return [person["name"] for person in found.json()]


async def test_a_lost_answer_raises_at_the_client_yet_the_create_is_stored(tmp_path: Path) -> None:
    db_path = str(tmp_path / "sandbox.db")
    async with _client(create_app(SandboxConfig(db_path=db_path, faults=Faults(lost_answer_rate=1.0)))) as client:
        # A read error, as a client sees a connection that drops while it waits for the answer.
        with pytest.raises(httpx2.ReadError) as raised:
            await client.post("/people", json={"name": "Unknown Outcome"})
    assert isinstance(raised.value, AnswerLost)
    assert await _names(db_path) == ["Unknown Outcome"]


async def test_a_drop_before_handling_stores_nothing(tmp_path: Path) -> None:
    db_path = str(tmp_path / "sandbox.db")
    async with _client(create_app(SandboxConfig(db_path=db_path, faults=Faults(drop_rate=1.0)))) as client:
        with pytest.raises(httpx2.ReadError) as raised:
            await client.post("/people", json={"name": "Unknown Outcome"})
    assert not isinstance(raised.value, AnswerLost)
    assert await _names(db_path) == []


async def test_faults_follow_their_seed() -> None:
    async def statuses(seed: int) -> list[int]:
        async with sandbox(faults=Faults(error_rate=0.5, random_seed=seed)) as client:
            return [(await client.get("/account")).status_code for _ in range(20)]

    first = await statuses(7)
    assert first == await statuses(7)
    assert 200 in first and any(s >= 500 for s in first)
