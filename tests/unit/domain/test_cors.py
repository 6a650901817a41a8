"""CORS origins of a project: the accepted form, canonicalisation, and the allow rule for the HTTP layer."""

from __future__ import annotations

import pytest

from bkend_mcp.domain.cors import check_origin, check_origins, origin_allowed
from bkend_mcp.domain.errors import BkendError


@pytest.mark.parametrize(
    ("given", "stored"),
    [("https://app.example.com", "https://app.example.com"), ("HTTP://LocalHost:3000/", "http://localhost:3000"),
     ("http://[::1]:8080", "http://[::1]:8080"), ("https://a-b.c-d.io", "https://a-b.c-d.io")],
)  # fmt: skip
def test_valid_origins_are_stored_lower_case_without_a_trailing_slash(given, stored):
    assert check_origin(given) == stored


@pytest.mark.parametrize(
    "given",
    ["", "example.com", "*", "https://*.example.com", "https://example.com/path", "https://example.com?q=1",
     "ws://example.com", "https://user:pw@example.com", "https://example.com:0", "https://-bad.com"],
)  # fmt: skip
def test_invalid_origins_name_the_origin_field(given):
    with pytest.raises(BkendError) as raised:
        check_origin(given)
    assert raised.value.code == "common/invalid-parameters" and raised.value.details[0]["field"] == "origin"


def test_a_settings_list_is_deduplicated_and_capped():
    assert check_origins(["https://a.com", "https://A.com/"]) == ["https://a.com"]
    with pytest.raises(BkendError) as raised:
        check_origins([f"https://{n}.example.com" for n in "abcd"])
    assert raised.value.code == "common/limit-exceeded"


def test_an_empty_list_allows_any_origin_in_dev_only():
    assert origin_allowed([], "dev", "https://x.com") and not origin_allowed([], "prod", "https://x.com")
    assert origin_allowed(["https://x.com"], "prod", "https://x.com/") and not origin_allowed(
        ["https://x.com"], "dev", "https://y.com"
    )
