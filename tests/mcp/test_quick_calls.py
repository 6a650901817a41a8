"""Where a tool's domain work runs (`ToolKit.call`): a quick call (a page of records, an insert) of an HTTP or
stdio request that is the only one in flight runs on the event loop; with company, over SSE (nobody says it is
alone), or when not quick, it runs in the worker pool. Errors read the same either way."""

from __future__ import annotations

import threading

import anyio
import pytest
from mcp.server.mcpserver import MCPServer

from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.mcp_access import local_owner_principal
from bkend_mcp.mcp import stdio_pipes, toolkit
from bkend_mcp.mcp.server import Counted, build_server
from bkend_mcp.mcp.toolkit import ToolKit, serving
from bkend_mcp.rest.http import InFlight

CASES = [
    # quick, what the transport says about the request (None: it says nothing), runs on the loop
    (True, True, True),
    (True, False, False),
    (True, None, False),
    (False, True, False),
]


@pytest.fixture
def kit(backend, env) -> ToolKit:
    owner = local_owner_principal(backend)
    return ToolKit(backend, lambda: owner, anyio.CapacityLimiter(2))


async def _thread_of_work(kit: ToolKit, quick: bool, alone: bool | None) -> bool:
    loop_thread = threading.get_ident()

    async def call() -> object:
        return await kit.call(None, lambda backend, principal: {"thread": threading.get_ident()}, quick=quick)

    if alone is None:
        result = await call()
    else:
        with serving(lambda: alone):
            result = await call()
    assert isinstance(result, dict)
    return result["thread"] == loop_thread


@pytest.mark.parametrize(("quick", "alone", "on_loop"), CASES, ids=["lone-quick", "company", "no-word", "not-quick"])
def test_only_a_quick_call_of_a_lone_http_request_runs_on_the_event_loop(kit, quick, alone, on_loop):
    assert anyio.run(_thread_of_work, kit, quick, alone) is on_loop


@pytest.mark.parametrize("alone", [True, False], ids=["on-loop", "in-pool"])
def test_a_refusal_reads_the_same_on_the_loop_and_in_the_pool(kit, alone):
    def refuse(backend, principal):
        raise BkendError("data/table-not-found", "Table 'ghost' not found")

    async def call() -> object:
        with serving(lambda: alone):
            return await kit.call(None, refuse, quick=True)

    result = anyio.run(call)
    assert result.is_error
    assert result.structured_content["error"]["restCode"] == "data/table-not-found"
    assert "ghost" in result.content[0].text


def test_a_stdio_request_is_alone_only_while_no_other_is_in_flight():
    """`Counted` (a server middleware) counts the requests being handled; stdio asks it whether a quick call may
    run on the event loop."""
    in_flight = InFlight()
    counted = Counted(in_flight)
    seen: list[tuple[str, bool]] = []

    async def scenario() -> None:
        release = anyio.Event()

        async def first(ctx: object) -> dict:
            seen.append(("first", in_flight.alone()))
            await release.wait()
            seen.append(("first, after the second", in_flight.alone()))
            return {}

        async def second(ctx: object) -> dict:
            seen.append(("second", in_flight.alone()))
            release.set()
            return {}

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(counted, None, first)
            await anyio.wait_all_tasks_blocked()
            await counted(None, second)

    anyio.run(scenario)
    assert seen == [("first", True), ("second", False), ("first, after the second", True)]
    assert in_flight.count == 0


def test_stdio_serves_with_the_servers_own_count(backend, env, monkeypatch):
    owner = local_owner_principal(backend)
    server = build_server(backend, lambda: owner)
    asked: list[object] = []

    async def sdk_stdio(self: object) -> None:
        asked.append(toolkit._alone.get())

    monkeypatch.setattr(stdio_pipes, "usable", lambda: False)
    monkeypatch.setattr(MCPServer, "run_stdio_async", sdk_stdio)
    anyio.run(server.run_stdio_async)
    assert asked == [server.in_flight.alone]
