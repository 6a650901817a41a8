"""domain/dates.py: the one date format on the wire."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bkend_mcp.domain import dates


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 3, 1, 8, 0, 0, 123456, tzinfo=UTC), "2026-03-01T08:00:00.123Z"),
        (datetime(107, 4, 30, 7, 9, 21, 41000, tzinfo=UTC), "0107-04-30T07:09:21.041Z"),
        (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01T00:00:00.000Z"),
    ],
)
def test_iso_always_writes_four_digit_years(moment, text):
    assert dates.iso(moment) == text
    assert dates.parse(text) == dates.truncate(moment)
