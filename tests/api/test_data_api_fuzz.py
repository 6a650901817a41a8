"""Schemathesis fuzzing of the data API from our own `/v1/data/{table}/openapi` document (issue 8): whatever a
generated request holds, the in-process app answers without a 5xx and with a status, content type and body its
own document allows. The example count is bounded so the run stays within a few seconds."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from starlette.testclient import TestClient

from bkend_mcp.rest.app import create_app

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.specs.openapi import checks as openapi_checks  # noqa: E402

FIELDS = {
    "title": {"type": "string", "required": True, "maxLength": 50},
    "views": {"type": "number", "minimum": 0},
    "published": {"type": "boolean"},
    "email": {"type": "string", "unique": True},
    "due": {"type": "date"},
    "tags": {"type": "array", "itemType": "string"},
}
EXAMPLES_PER_OPERATION = 25
CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]


def fuzz(operation, headers: dict[str, str], record_id: str, seen: list[str]) -> None:
    @settings(
        max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(case=operation.as_strategy())
    def check(case):
        if "id" in (case.path_parameters or {}) and len(seen) % 2:
            case.path_parameters["id"] = record_id  # half the cases aim at a real record
        seen.append(f"{case.method} {case.formatted_path}")
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()


def test_generated_requests_never_break_the_data_api(env):
    env.create_table("posts", FIELDS)
    app = create_app(env.backend.config, env.backend)
    headers = {"x-api-key": env.sk}
    with TestClient(app, raise_server_exceptions=False) as client:
        seeded = client.post("/v1/data/posts", json={"title": "seed"}, headers=headers)
        assert seeded.status_code == 201
        document = client.get("/v1/data/posts/openapi", headers=headers)
        assert document.status_code == 200, document.text
    schema = schemathesis.openapi.from_dict(document.json())
    schema.app = app
    seen: list[str] = []
    for result in schema.get_all_operations():
        fuzz(result.ok(), headers, seeded.json()["id"], seen)
    assert len({request.split(" ")[0] for request in seen}) >= 4, seen
