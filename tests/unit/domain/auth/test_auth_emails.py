"""Address normalisation (spec/auth.md §4.2)."""

from __future__ import annotations

import pytest

from bkend_mcp.domain.auth import emails
from bkend_mcp.domain.errors import BkendError


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("  Ada@Example.COM ", "ada@example.com"),
        ("first.last+tag@sub.example.co.uk", "first.last+tag@sub.example.co.uk"),
        ("user@bücher.de", "user@bücher.de"),
        ("o'brien@example.ie", "o'brien@example.ie"),
    ],
)
def test_normalize_trims_and_lowercases(raw, stored):
    assert emails.normalize(raw) == stored


@pytest.mark.parametrize(
    "raw",
    ["plain", "a@b", "a..b@example.com", ".a@example.com", "a@-example.com", "a@example..com", "a b@example.com",
     "a@example.123", "x" * 65 + "@example.com", "a@" + "b" * 250 + ".com", "a@@example.com"],
)  # fmt: skip
def test_normalize_rejects_invalid_addresses(raw):
    with pytest.raises(BkendError) as caught:
        emails.normalize(raw)
    assert caught.value.code == "auth/invalid-email" and caught.value.status == 400


@pytest.mark.parametrize("raw", [None, "", 42])
def test_missing_or_ill_typed_is_a_validation_error(raw):
    with pytest.raises(BkendError) as caught:
        emails.normalize(raw)
    assert caught.value.code == "auth/validation-error"
