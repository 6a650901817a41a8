"""Records as the API shows them (spec/data.md §0.5): `id` first, then user fields, then the system fields;
dates as ISO-8601 UTC with milliseconds; integral numbers without a fraction (compat C8)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bkend_mcp.domain import dates

SYSTEM_TAIL = ("createdBy", "createdAt", "updatedAt")


_AS_IS = frozenset({str, int, bool, type(None)})


def plain(value: Any) -> Any:
    """A JSON-ready copy: datetimes → ISO strings, integral floats → ints, at any depth. (Strings, ints, booleans
    and None, most of any record, are recognised by their exact type first: a list page walks every value.)"""
    if type(value) in _AS_IS:
        return value
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return dates.iso(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def record(doc: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": doc["_id"]}
    for key, value in doc.items():
        if key != "_id" and key not in SYSTEM_TAIL:
            out[key] = plain(value)
    for key in SYSTEM_TAIL:
        if key in doc:
            out[key] = plain(doc[key])
    return out
