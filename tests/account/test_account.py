"""Account: the account's lists fetched when first needed, kept a while, refetched one by one."""

from __future__ import annotations

import json
from typing import Any

import anyio
import httpx2
import pytest

from copper_mcp.account import LIST_PATHS, Account
from copper_mcp.client import CopperClient, NotFoundError
from tests.shaping import conftest as data
from tests.shaping.conftest import build_reference

BODIES: dict[str, Any] = {
    "/account": data.ACCOUNT,
    "/pipelines": data.PIPELINES,
    "/contact_types": data.CONTACT_TYPES,
    "/customer_sources": data.CUSTOMER_SOURCES,
    "/loss_reasons": data.LOSS_REASONS,
    "/lead_statuses": data.LEAD_STATUSES,
    "/activity_types": data.ACTIVITY_TYPES,
    "/custom_field_definitions": data.CUSTOM_FIELD_DEFINITIONS,
    "/custom_activity_types": data.CUSTOM_ACTIVITY_TYPES,
}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeCopper:
    """Answers the account's list endpoints with the shaping fixtures and records each request."""

    def __init__(self, users: list[dict[str, Any]] = data.USERS, leads_enabled: bool = True) -> None:
        self.users = users
        self.bodies = {**BODIES, "/account": {**data.ACCOUNT, "settings": {"setting_enable_leads": leads_enabled}}}
        self.paths: list[str] = []
        self.user_pages: list[int] = []
        self.gate: anyio.Event | None = None
        self.missing: set[str] = set()

    async def __call__(self, request: httpx2.Request) -> httpx2.Response:
        path = request.url.path.removeprefix("/v1")
        self.paths.append(path)
        if self.gate is not None:
            await self.gate.wait()
        if path in self.missing:
            return httpx2.Response(404, json={"success": False, "status": 404, "message": "Resource not found"})
        if path == "/users/search":
            body = json.loads(request.content)
            size, page = body["page_size"], body["page_number"]
            self.user_pages.append(page)
            return httpx2.Response(200, json=self.users[(page - 1) * size : page * size])
        return httpx2.Response(200, json=self.bodies[path])

    def client(self) -> CopperClient:
        return CopperClient(
            api_key="k", user_email="me@example.com", base_url="https://copper.test/v1",
            transport=httpx2.MockTransport(self),
        )  # fmt: skip


async def test_only_the_lists_a_call_needs_are_fetched() -> None:
    copper = FakeCopper()
    async with copper.client() as client:
        account = Account(client)
        ref = await account.reference({"users"})
        assert sorted(copper.paths) == ["/account", "/users/search"]
        assert ref.name_of("user", 159258) == "Dana Reyes"
        assert ref.name_of("pipeline", 213214) is None  # not needed, not fetched
        await account.reference({"users", "pipelines"})
    assert sorted(copper.paths) == ["/account", "/pipelines", "/users/search"]


async def test_every_list_together_is_the_whole_reference_data() -> None:
    copper = FakeCopper()
    async with copper.client() as client:
        ref = await Account(client).reference(LIST_PATHS)
    assert ref == build_reference(settings={"setting_enable_leads": True})
    assert sorted(copper.paths) == sorted(LIST_PATHS.values())


async def test_concurrent_callers_share_one_fetch_per_list() -> None:
    copper = FakeCopper()
    copper.gate = anyio.Event()
    results: list[Any] = []
    async with copper.client() as client:
        account = Account(client)

        async def use() -> None:
            results.append(await account.reference({"pipelines"}))

        async with anyio.create_task_group() as group:
            for _ in range(10):
                group.start_soon(use)
            await anyio.wait_all_tasks_blocked()
            copper.gate.set()
    assert sorted(copper.paths) == ["/account", "/pipelines"]
    assert len(results) == 10 and all(r is results[0] for r in results)


async def test_a_list_is_kept_for_the_ttl_then_fetched_again() -> None:
    copper, clock = FakeCopper(), FakeClock()
    async with copper.client() as client:
        account = Account(client, ttl=300.0, clock=clock)
        first = await account.reference({"contact_types"})
        clock.now += 299.9
        assert await account.reference({"contact_types"}) is first
        clock.now += 0.1
        assert await account.reference({"contact_types"}) is not first
    assert copper.paths.count("/contact_types") == 2


async def test_a_change_refetches_only_the_list_it_changed() -> None:
    copper = FakeCopper()
    async with copper.client() as client:
        account = Account(client, clock=FakeClock())
        await account.reference(LIST_PATHS)
        copper.paths.clear()
        account.changed("custom_field_definitions")
        copper.bodies["/custom_field_definitions"] = [*data.CUSTOM_FIELD_DEFINITIONS, {
            "id": 1, "name": "Territory", "data_type": "String", "available_on": ["company"]}]  # fmt: skip
        ref = await account.reference(LIST_PATHS)
    assert copper.paths == ["/custom_field_definitions"]
    assert ref.custom_fields[1].name == "Territory"  # the same clock reading, yet the new list is used


async def test_a_fetch_that_started_before_a_change_is_not_kept() -> None:
    copper = FakeCopper()
    async with copper.client() as client:
        account = Account(client, clock=FakeClock())
        await account.list("account")
        copper.gate = anyio.Event()
        async with anyio.create_task_group() as group:
            group.start_soon(account.list, "custom_field_definitions")
            await anyio.wait_all_tasks_blocked()
            account.changed("custom_field_definitions")  # a field was created while the fetch was in flight
            copper.gate.set()
        copper.gate = None
        await account.list("custom_field_definitions")
    assert copper.paths.count("/custom_field_definitions") == 2


async def test_a_failed_fetch_is_not_kept() -> None:
    copper = FakeCopper()
    copper.missing = {"/pipelines"}
    async with copper.client() as client:
        account = Account(client)
        with pytest.raises(NotFoundError):
            await account.reference({"pipelines", "users"})
        copper.missing.clear()
        ref = await account.reference({"pipelines"})
    assert ref.name_of("pipeline", 213214) == "Sales"


async def test_users_are_read_page_by_page() -> None:
    copper = FakeCopper([{"id": n, "name": f"User {n}", "email": f"u{n}@example.com"} for n in range(450)])
    async with copper.client() as client:
        ref = await Account(client).reference({"users"})
    assert len(ref.names["user"]) == 450
    assert copper.user_pages == [1, 2, 3]


async def test_lead_statuses_are_not_asked_for_when_leads_are_off() -> None:
    copper = FakeCopper(leads_enabled=False)
    async with copper.client() as client:
        ref = await Account(client).reference(LIST_PATHS)
    assert "/lead_statuses" not in copper.paths
    assert ref.names["lead_status"] == {}
