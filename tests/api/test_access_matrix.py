"""The generated access-control matrix of issue #8 over HTTP, on both engines: every requester (guest, the
record's owner, another user, an admin user, the secret key, scoped keys, credentials of another environment or
project, revoked, expired and forged ones, and the seed's legacy header style) × every app operation family (data,
tables, auth, users, storage, MCP access, and a public auth endpoint), each cell checked against the outcome written
out in `access_matrix/expected.py`; a refused write (and any write by another environment's key) must leave the
`dev` environment exactly as it was, and an allowed write must have changed it.

The management API's own matrix (console roles and app credentials × `/v1/console`) is in
`test_access_matrix_console.py`; revocation events in `test_access_matrix_revocation.py`; self-granted privileges
in `test_access_matrix_escalation.py`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.access_matrix import expected
from tests.api.access_matrix.operations import APP_OPERATIONS, PUBLIC
from tests.api.access_matrix.requesters import APP_REQUESTERS, ELSEWHERE
from tests.api.access_matrix.world import World
from tests.api.access_matrix.worlds import open_world
from tests.api.scenario import assert_error

CELLS = [
    *((op, who, outcome) for op, row in expected.EXPECTED.items() for who, outcome in zip(expected.COLUMNS, row)),
    *((op, who, outcome) for op in expected.EXPECTED for who, outcome in expected.REFUSED_EVERYWHERE.items()),
    *(
        (op, who, expected.EXPECTED[op][expected.COLUMNS.index(twin)])
        for op in expected.LEGACY_OPERATIONS
        for who, twin in expected.LEGACY_TWINS.items()
    ),
    *((op, who, outcome) for op in expected.LEGACY_OPERATIONS for who, outcome in expected.LEGACY_REFUSED.items()),
    *((op, who, outcome) for op, row in expected.PUBLIC_EXPECTED.items() for who, outcome in row.items()),
]
OPERATIONS = {**APP_OPERATIONS, **PUBLIC}


@pytest.fixture(scope="module", params=["sqlite", "mongomock"])
def world(request, tmp_path_factory) -> Iterator[World]:
    yield from open_world(request.param, tmp_path_factory)


def test_the_matrix_covers_every_requester_and_operation():
    assert set(expected.EXPECTED) == set(APP_OPERATIONS)
    assert all(set(row) == set(APP_REQUESTERS) for row in expected.PUBLIC_EXPECTED.values())
    assert {who for _, who, _ in CELLS} == set(APP_REQUESTERS)
    assert all(len(row) == len(expected.COLUMNS) for row in expected.EXPECTED.values())


@pytest.mark.parametrize(("op", "who", "outcome"), CELLS, ids=[f"{op} | {who}" for op, who, _ in CELLS])
def test_access(world: World, op: str, who: str, outcome: str) -> None:
    operation = OPERATIONS[op]
    target = world.spare.pop(op, None) or operation.prepare(world)
    before = operation.state(world, target) if operation.state else None
    response = operation.send(world.client, world, target, APP_REQUESTERS[who](world))
    after = operation.state(world, target) if operation.state else None
    operation.cleanup(world, target)
    if response.status_code >= 400 and after == before:
        world.spare[op] = target  # untouched: as good as a fresh one for the next cell
    status, _, code = outcome.partition(" ")
    assert response.status_code == int(status), response.text
    if code:
        assert_error(response.json(), int(status), code)
    if code or who in ELSEWHERE:
        assert after == before, "a refused request (or another environment's key) changed this environment"
    elif operation.state:
        assert after != before, "an allowed write changed nothing"
