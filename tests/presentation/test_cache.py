"""ReferenceCache and load_reference_data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import anyio
import pytest

from copper_mcp.presentation import ReferenceCache, ReferenceData, load_reference_data

from . import conftest
from .conftest import build_reference


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingLoader:
    """A loader that counts calls and, when gated, waits until released."""

    def __init__(self) -> None:
        self.calls = 0
        self.gate: anyio.Event | None = None

    async def __call__(self) -> ReferenceData:
        self.calls += 1
        if self.gate is not None:
            await self.gate.wait()
        return build_reference()


async def test_concurrent_callers_share_one_load() -> None:
    loader = CountingLoader()
    loader.gate = anyio.Event()
    cache = ReferenceCache(loader)
    results: list[ReferenceData] = []

    async def get() -> None:
        results.append(await cache.get())

    async with anyio.create_task_group() as group:
        for _ in range(10):
            group.start_soon(get)
        await anyio.wait_all_tasks_blocked()
        loader.gate.set()
    assert loader.calls == 1
    assert len(results) == 10
    assert all(r is results[0] for r in results)


async def test_ttl_expiry_with_a_fake_clock() -> None:
    loader, clock = CountingLoader(), FakeClock()
    cache = ReferenceCache(loader, ttl=300.0, clock=clock)
    first = await cache.get()
    clock.now += 299.9
    assert await cache.get() is first
    assert loader.calls == 1
    clock.now += 0.1
    assert await cache.get() is not first
    assert loader.calls == 2


async def test_invalidate_forces_a_reload() -> None:
    loader = CountingLoader()
    cache = ReferenceCache(loader, clock=FakeClock())
    await cache.get()
    cache.invalidate()
    await cache.get()
    await cache.get()
    assert loader.calls == 2


async def test_a_load_that_started_before_invalidate_is_not_kept() -> None:
    loader = CountingLoader()
    loader.gate = anyio.Event()
    cache = ReferenceCache(loader, clock=FakeClock())
    async with anyio.create_task_group() as group:
        group.start_soon(cache.get)
        await anyio.wait_all_tasks_blocked()
        cache.invalidate()  # e.g. a custom field was created while the load was in flight
        loader.gate.set()
    loader.gate = None
    await cache.get()
    assert loader.calls == 2


async def test_a_failed_load_is_not_cached() -> None:
    calls = 0

    async def flaky() -> ReferenceData:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("Copper is down")
        return build_reference()

    cache = ReferenceCache(flaky, clock=FakeClock())
    with pytest.raises(RuntimeError):
        await cache.get()
    assert (await cache.get()).timezone == "America/New_York"


# -- load_reference_data -----------------------------------------------------------------------


@dataclass
class Response:
    data: Any


class FakeCopper:
    """Answers the reference calls with the conftest JSON and records what was asked."""

    def __init__(self, users: list[dict[str, Any]], leads_enabled: bool = True) -> None:
        self.users = users
        self.account = {**conftest.ACCOUNT, "settings": {"setting_enable_leads": leads_enabled}}
        self.calls: list[tuple[str, str, dict[str, Any] | None]] = []

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> Response:
        self.calls.append((method, path, json))
        if path == "/users/search":
            assert json is not None
            size, page = json["page_size"], json["page_number"]
            return Response(self.users[(page - 1) * size : page * size])
        bodies: dict[str, Any] = {
            "/account": self.account,
            "/pipelines": conftest.PIPELINES,
            "/contact_types": conftest.CONTACT_TYPES,
            "/customer_sources": conftest.CUSTOMER_SOURCES,
            "/loss_reasons": conftest.LOSS_REASONS,
            "/lead_statuses": conftest.LEAD_STATUSES,
            "/activity_types": conftest.ACTIVITY_TYPES,
            "/custom_field_definitions": conftest.CUSTOM_FIELD_DEFINITIONS,
        }
        assert method == "GET"
        return Response(bodies[path])


async def test_load_reference_data_makes_the_copper_calls() -> None:
    client = FakeCopper(conftest.USERS)
    ref = await load_reference_data(client)
    assert ref == build_reference(settings={"setting_enable_leads": True})
    assert sorted(path for _, path, _ in client.calls) == [
        "/account",
        "/activity_types",
        "/contact_types",
        "/custom_field_definitions",
        "/customer_sources",
        "/lead_statuses",
        "/loss_reasons",
        "/pipelines",
        "/users/search",
    ]


async def test_load_reference_data_pages_through_users() -> None:
    users = [{"id": n, "name": f"User {n}", "email": f"u{n}@example.com"} for n in range(450)]
    client = FakeCopper(users)
    ref = await load_reference_data(client)
    assert len(ref.names["user"]) == 450
    pages = [body["page_number"] for _, path, body in client.calls if path == "/users/search" and body]
    assert pages == [1, 2, 3]


async def test_load_reference_data_skips_lead_statuses_when_leads_are_off() -> None:
    client = FakeCopper(conftest.USERS, leads_enabled=False)
    ref = await load_reference_data(client)
    assert "/lead_statuses" not in [path for _, path, _ in client.calls]
    assert ref.names["lead_status"] == {}
