"""rest/security_headers.py: every response carries the security headers, errors and pages included (issue 8)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from bkend_mcp.rest.app import create_app

ROUTES = [
    ("GET", "/health", 200),
    ("GET", "/v1/data/posts", 400),
    ("POST", "/v1/data/posts", 400),
    ("GET", "/v1/nowhere/at/all", 404),
    ("GET", "/console", 200),
]


@pytest.mark.parametrize(("method", "url", "status"), ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES])
def test_every_response_forbids_sniffing_and_referrers(client, method, url, status):
    response = client.request(method, url)
    assert response.status_code == status, response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"]
    if response.headers.get("content-type", "").startswith("text/html"):
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "strict-transport-security" not in response.headers


def test_hsts_only_over_https(backend):
    with TestClient(create_app(backend.config, backend), base_url="https://testserver") as client:
        assert client.get("/health").headers["strict-transport-security"] == "max-age=31536000"
