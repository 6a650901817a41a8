"""rest/http.py `run`: where domain code runs. A quick call (one record by id) runs on the event loop when its
request is the only one in flight, and in the worker pool as soon as another request is being served; any other
call always goes to the pool."""

from __future__ import annotations

import threading

import anyio
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from bkend_mcp.config import Config
from bkend_mcp.rest.app import create_app
from bkend_mcp.rest.http import CountRequests, InFlight, run


def probe_app(*, others_in_flight: int = 0, inline: bool = True) -> Starlette:
    """One route answering whether its `run(...)` ran on the event loop's thread; `others_in_flight` pretends
    that many other requests are being served."""

    async def probe(request: Request) -> Response:
        loop_thread = threading.get_ident()
        quick = request.query_params.get("quick") == "1"
        request.app.state.in_flight.count += others_in_flight
        try:
            ran_on = await run(request, lambda backend: (backend, threading.get_ident()), quick=quick)
        finally:
            request.app.state.in_flight.count -= others_in_flight
        return JSONResponse({"backend": ran_on[0], "onLoop": ran_on[1] == loop_thread})

    in_flight = InFlight(inline=inline)
    app = Starlette(routes=[Route("/probe", probe)], middleware=[Middleware(CountRequests, in_flight=in_flight)])
    app.state.backend, app.state.in_flight, app.state.limiter = "the-backend", in_flight, anyio.CapacityLimiter(2)
    return app


@pytest.mark.parametrize(
    ("quick", "others", "on_loop"),
    [(True, 0, True), (True, 1, False), (False, 0, False), (False, 3, False)],
    ids=["quick-and-alone", "quick-with-company", "slow-alone", "slow-with-company"],
)
def test_only_a_quick_call_of_a_lone_request_runs_on_the_event_loop(quick, others, on_loop):
    with TestClient(probe_app(others_in_flight=others)) as client:
        body = client.get("/probe", params={"quick": "1" if quick else "0"}).json()
    assert body == {"backend": "the-backend", "onLoop": on_loop}


def test_a_network_engine_keeps_even_a_lone_quick_call_in_the_pool():
    with TestClient(probe_app(inline=False)) as client:
        assert client.get("/probe", params={"quick": "1"}).json() == {"backend": "the-backend", "onLoop": False}


def test_the_app_runs_quick_calls_inline_only_on_the_embedded_engine(tmp_path):
    embedded = create_app(Config(data_dir=tmp_path), backend=None)
    networked = create_app(Config(data_dir=tmp_path, mongodb_uri="mongodb://127.0.0.1:1/"), backend=None)
    assert embedded.state.in_flight.inline and not networked.state.in_flight.inline


def test_in_flight_counts_requests_being_served_and_drops_back_after_errors():
    seen: list[int] = []

    async def inner(request: Request) -> Response:
        seen.append(request.app.state.in_flight.count)
        if request.query_params.get("fail"):
            raise RuntimeError("boom")
        return Response("ok")

    in_flight = InFlight()
    app = Starlette(routes=[Route("/", inner)], middleware=[Middleware(CountRequests, in_flight=in_flight)])
    app.state.in_flight = in_flight
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/").status_code == 200
        assert client.get("/", params={"fail": "1"}).status_code == 500
        assert client.get("/").status_code == 200
    assert seen == [1, 1, 1] and in_flight.count == 0
