"""Where the deployment is reached: the MCP resource URL and the hosts and origins the MCP endpoints accept."""

from __future__ import annotations

import pytest

from bkend_mcp.config import Config
from bkend_mcp.domain.deployment import allowed_hosts, mcp_url, origin_allowed

LOCAL = Config(host="127.0.0.1", port=8000)
PUBLIC = Config(host="0.0.0.0", port=8000, public_url="https://bkend.example.com/")


def test_the_mcp_url_is_the_base_url_plus_mcp():
    assert mcp_url(LOCAL) == "http://127.0.0.1:8000/mcp"
    assert mcp_url(PUBLIC) == "https://bkend.example.com/mcp"


def test_allowed_hosts_follow_the_bind_address_and_public_url():
    assert {"127.0.0.1:8000", "localhost:*", "[::1]:*"} <= set(allowed_hosts(LOCAL))
    assert allowed_hosts(PUBLIC) == ["bkend.example.com"]
    assert "*" in allowed_hosts(Config(host="0.0.0.0", mcp_allowed_hosts=("*",)))


@pytest.mark.parametrize(
    "config, origin, allowed",
    [
        (LOCAL, None, True),
        (LOCAL, "http://localhost:3000", True),
        (LOCAL, "http://127.0.0.1:8000", True),
        (LOCAL, "http://127.0.0.1:80.evil.example", False),
        (LOCAL, "https://evil.example", False),
        (LOCAL, "null", False),
        (PUBLIC, "https://bkend.example.com", True),
        (PUBLIC, "http://localhost:3000", False),
    ],
)
def test_origin_allowed(config, origin, allowed):
    assert origin_allowed(config, origin) is allowed
