"""Dates the way the API shows them: UTC, millisecond precision, ISO-8601 with a `Z`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|z|[+-]\d{2}:?\d{2})?$")


def now() -> datetime:
    """The current UTC time truncated to milliseconds, as stored."""
    return truncate(datetime.now(UTC))


def truncate(value: datetime) -> datetime:
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def parse(text: str) -> datetime | None:
    """An ISO-8601 date-time or date-only string as an aware UTC datetime (ms), or None if it is not one."""
    text = text.strip()
    if _DATE_ONLY.match(text):
        try:
            return datetime.fromisoformat(text).replace(tzinfo=UTC)
        except ValueError:
            return None
    if not _DATE_TIME.match(text):
        return None
    frac = re.search(r"\.(\d+)", text)
    if frac and len(frac.group(1)) > 6:  # fromisoformat takes at most microseconds
        text = text.replace(frac.group(0), "." + frac.group(1)[:6], 1)
    try:
        value = datetime.fromisoformat(text.replace("z", "Z").replace(" ", "T", 1))
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return truncate(value.astimezone(UTC))


def iso(value: datetime | str) -> str:
    """`2026-01-15T10:30:00.000Z`. A string (an engine's stored form) is returned as it is."""
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    # %Y does not pad years before 1000 on glibc; ISO-8601 needs four digits
    return f"{value.year:04d}" + value.strftime("-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def after(seconds: float) -> datetime:
    return now() + timedelta(seconds=seconds)
