"""The API key never shows up in a repr, an error message, a traceback or a log line."""

from __future__ import annotations

import logging
import traceback

import httpx2
import pytest

from copper_mcp.client import CopperError

from .fakes import KEY, FakeCopper, make_client


def leaky(error: type[httpx2.RequestError]) -> FakeCopper:
    """A fake Copper whose transport error message embeds the request headers, key included."""

    class Leaky(FakeCopper):
        def __call__(self, request: httpx2.Request) -> httpx2.Response:
            self.requests.append(request)
            raise error(f"failed sending {dict(request.headers)}", request=request)

    return Leaky()


def everything_printed(error: BaseException) -> str:
    return repr(error) + str(error) + "".join(traceback.format_exception(error))


async def test_repr_and_str_of_the_client_hide_the_key() -> None:
    client = make_client(FakeCopper())
    for text in (repr(client), str(client)):
        assert KEY not in text
        assert "owner@example.com" in text
    async with client:
        assert KEY not in repr(client)


@pytest.mark.parametrize(
    ("method", "error"),
    [
        ("GET", httpx2.ConnectError),  # retried, then CopperConnectionError
        ("GET", httpx2.ReadTimeout),  # retried, then CopperTimeoutError
        ("POST", httpx2.ReadTimeout),  # a write: OutcomeUnknownError
        ("POST", httpx2.RemoteProtocolError),
        ("GET", httpx2.UnsupportedProtocol),
    ],
)
async def test_httpx_errors_that_embed_headers_do_not_leak_the_key(
    method: str, error: type[httpx2.RequestError], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    copper = leaky(error)
    async with make_client(copper) as client:
        with pytest.raises(CopperError) as caught:
            await client.request(method, "/people" if method == "POST" else "/people/1", json={})
    raised = caught.value
    assert "***" in str(raised)  # the cause is still described, with the key masked
    assert KEY not in everything_printed(raised)
    assert raised.__cause__ is None
    assert raised.__context__ is None  # nothing chains back to httpx2's request and its headers
    assert KEY not in caplog.text


@pytest.mark.parametrize("status", [400, 401, 422, 500])
async def test_an_error_body_echoing_the_key_is_masked(status: int, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    echo = {"success": False, "status": status, "message": f"bad token {KEY}"}
    copper = FakeCopper(*[httpx2.Response(status, json=echo)] * 5)
    async with make_client(copper) as client:
        with pytest.raises(CopperError) as caught:
            await client.request("GET", "/account")
    assert KEY not in everything_printed(caught.value)
    assert KEY not in str(getattr(caught.value, "body", ""))
    assert KEY not in caplog.text


async def test_logs_name_method_path_status_and_attempt(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="copper_mcp.client")
    copper = FakeCopper(httpx2.Response(503), httpx2.Response(200, json={}))
    async with make_client(copper) as client:
        await client.request("GET", "/account")
    messages = [record.getMessage() for record in caplog.records if record.name == "copper_mcp.client"]
    assert any("GET /account -> 503 (attempt 1)" in message for message in messages)
    assert any("retry 1 of 4 in 0.50 s" in message for message in messages)
    assert any("GET /account -> 200 (attempt 2)" in message for message in messages)
    assert KEY not in caplog.text
