"""The management API's access matrix (issue #8): console accounts of each organization role, a tenant of another
organization, a read-only personal token and nobody × `/v1/console` operations, per spec/mcp-and-console.md §4.3
and §7 #14; and every app credential (keys, user tokens, revoked or forged ones) × the same operations, which must
never get through. A refused write must leave the deployment as it was. Both engines."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.access_matrix.console import (
    APP_CREDENTIAL_HEADERS,
    APP_CREDENTIALS,
    CONSOLE_COLUMNS,
    CONSOLE_EXPECTED,
    CONSOLE_OPERATIONS,
    CONSOLE_REQUESTERS,
    app_credential_outcome,
)
from tests.api.access_matrix.world import World
from tests.api.access_matrix.worlds import open_world
from tests.api.scenario import assert_error

REQUESTERS = {**CONSOLE_REQUESTERS, **APP_CREDENTIALS}
CELLS = [
    *((op, who, outcome) for op, row in CONSOLE_EXPECTED.items() for who, outcome in zip(CONSOLE_COLUMNS, row)),
    *((op, who, None) for op in CONSOLE_OPERATIONS for who in APP_CREDENTIALS),
]


@pytest.fixture(scope="module", params=["sqlite", "mongomock"])
def world(request, tmp_path_factory) -> Iterator[World]:
    yield from open_world(request.param, tmp_path_factory)


def test_the_matrix_covers_every_console_operation():
    assert set(CONSOLE_EXPECTED) == set(CONSOLE_OPERATIONS)
    assert all(len(row) == len(CONSOLE_COLUMNS) for row in CONSOLE_EXPECTED.values())


@pytest.mark.parametrize(("op", "who", "outcome"), CELLS, ids=[f"{op} | {who}" for op, who, _ in CELLS])
def test_console_access(world: World, op: str, who: str, outcome: str | None) -> None:
    outcome = outcome or app_credential_outcome(op, APP_CREDENTIAL_HEADERS[who](world))
    operation = CONSOLE_OPERATIONS[op]
    request = REQUESTERS[who](world)
    target = operation.prepare(world)
    before = operation.state(world, target) if operation.state else None
    response = operation.send(request, world, target)
    after = operation.state(world, target) if operation.state else None
    operation.cleanup(world, target)
    status, _, code = outcome.partition(" ")
    assert response.status_code == int(status), response.text
    if code:
        assert_error(response.json(), int(status), code)
        assert after == before, "a refused management request changed something"
    elif operation.state:
        assert after != before, "an allowed write changed nothing"
