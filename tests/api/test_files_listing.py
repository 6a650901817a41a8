"""`GET /v1/files` filters, search, sort and pagination (spec/storage.md §2.2.8, compat C10/C11), `stats`,
`buckets`."""

from __future__ import annotations

import pytest

from tests.api.files_helpers import stored_file, who
from tests.api.scenario import Scenario, assert_error, run
from tests.blobs_testing import png

SK = lambda env: who(env, "secret")  # noqa: E731


@pytest.fixture
def files(client, env):
    """Four files: two images (public, private), a PDF document, a CSV export; created oldest first."""
    made = [
        stored_file(client, env, filename="Beach (1).png", visibility="public", category="images"),
        stored_file(client, env, filename="a+b.png", visibility="private", category="images"),
        stored_file(client, env, "secret", filename="Report.pdf", contentType="application/pdf",
                    category="documents"),
        stored_file(client, env, "other", filename="export.csv", contentType="text/csv", category="exports"),
    ]  # fmt: skip
    return {f["originalName"]: f["id"] for f in made}


def names(response) -> list[str]:
    return [f["originalName"] for f in response.json()["items"]]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", ["export.csv", "Report.pdf", "a+b.png", "Beach (1).png"]),
        ("?sortDirection=asc", ["Beach (1).png", "a+b.png", "Report.pdf", "export.csv"]),
        ("?sortBy=originalName&sortDirection=asc", ["Beach (1).png", "Report.pdf", "a+b.png", "export.csv"]),
        ("?visibility=private", ["a+b.png"]),
        ("?bucket=images", ["a+b.png", "Beach (1).png"]),
        ("?category=documents", ["Report.pdf"]),
        ("?mimeType=image/*", ["a+b.png", "Beach (1).png"]),
        ("?mimeType=application/pdf", ["Report.pdf"]),
        ("?ownerType=service", ["Report.pdf"]),
        ("?ownerId=other-1", ["export.csv"]),
        ("?search=BEACH", ["Beach (1).png"]),
        ("?search=(1)", ["Beach (1).png"]),
        ("?search=a%2Bb", ["a+b.png"]),
        ("?search=.*", []),
    ],
)
def test_filters_search_and_sort(client, env, files, query, expected):
    assert names(client.get(f"/v1/files{query}", headers=who(env, "secret"))) == expected


def test_pagination_carries_both_flag_spellings(client, env, files):
    page = client.get("/v1/files?page=2&limit=3", headers=who(env, "secret")).json()
    assert page["pagination"] == {"total": 4, "page": 2, "limit": 3, "totalPages": 2, "hasNext": False,
                                  "hasPrev": True, "hasNextPage": False, "hasPrevPage": True}  # fmt: skip
    assert len(page["items"]) == 1
    beyond = client.get("/v1/files?page=9", headers=who(env, "secret")).json()
    assert beyond["items"] == [] and beyond["pagination"]["total"] == 4


def test_limit_over_100_is_clamped(client, env, files):
    assert client.get("/v1/files?limit=500", headers=who(env, "secret")).json()["pagination"]["limit"] == 100


BAD = [
    Scenario("page 0", "GET", "/v1/files?page=0", SK, status=400, error_code="common/invalid-parameters"),
    Scenario("limit not a number", "GET", "/v1/files?limit=ten", SK, status=400,
             error_code="common/invalid-parameters", detail_fields=("limit",)),
    Scenario("unknown sort field", "GET", "/v1/files?sortBy=s3Key", SK, status=400,
             error_code="common/invalid-parameters", detail_fields=("sortBy",)),
    Scenario("bad direction", "GET", "/v1/files?sortDirection=up", SK, status=400,
             error_code="common/invalid-parameters"),
    Scenario("unknown visibility", "GET", "/v1/files?visibility=hidden", SK, status=400,
             error_code="common/invalid-parameters", detail_fields=("visibility",)),
    Scenario("search too long", "GET", "/v1/files?search=" + "a" * 101, SK, status=400,
             error_code="common/invalid-parameters"),
    Scenario("no key", "GET", "/v1/files", status=400, error_code="data/invalid-header"),
    Scenario("guest list is fine", "GET", "/v1/files", lambda env: who(env, "guest"),
             expect={"items": [], "pagination": {"total": 0}}),
]  # fmt: skip


@pytest.mark.parametrize("scenario", BAD, ids=lambda s: s.name)
def test_list_parameters(client, env, scenario):
    run(client, env, scenario)


def test_stats_total_what_the_caller_can_see(client, env, files):
    everything = client.get("/v1/files/stats", headers=who(env, "secret")).json()
    assert everything["totalFiles"] == 4
    assert everything["byBucket"]["images"] == {"count": 2, "size": 2 * len(png())}
    guest = client.get("/v1/files/stats", headers=who(env, "guest")).json()
    assert guest["totalFiles"] == 3  # all but the private image (uploads are public by default, D6)


def test_buckets_lists_the_accepted_names(client, env):
    items = client.get("/v1/files/buckets", headers=who(env, "guest")).json()["items"]
    assert {"images", "documents", "attachments", "avatars"} <= {b["name"] for b in items}


def test_another_environment_sees_none_of_these_files(client, env, files):
    from bkend_mcp.domain import keys, tenancy

    prod = tenancy.create_environment(env.backend, tenancy.LOCAL_OWNER_ID, project_id=env.project_id, name="prod")
    made = keys.create_key(env.backend, project_id=env.project_id, environment_id=prod["id"],
                           organization_id=env.organization_id, key_type="secret", name="t",
                           created_by="t")  # fmt: skip
    listed = client.get("/v1/files", headers={"x-api-key": made["key"]}).json()
    assert listed["items"] == []
    response = client.get(f"/v1/files/{files['Report.pdf']}", headers={"x-api-key": made["key"]})
    assert_error(response.json(), 404, "file/not-found")
