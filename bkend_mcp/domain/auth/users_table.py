"""The built-in `users` table as the data API shows it (spec/data.md §5.8): readable and listable by admins only,
through the ordinary record pipeline (filters, search, sort, paging, `select`), never its secret columns.

Writes, and any access by non-admins, are refused before this is reached (`records.resolve_table`); users are
changed through `/v1/auth` and `/v1/users`, where the rules about them live.
"""

from __future__ import annotations

import functools
from typing import Any

from bkend_mcp.domain import schema
from bkend_mcp.domain.auth import collections, users

TEXT = ("email", "name", "nickname", "image", "mobile", "gender", "bio", "role", "status")
DATES = ("emailVerified", "lastLoginAt", "passwordChangedAt", "deletedAt")
OBJECTS = ("socialLinks", "preferences", "notifications", "onboarding", "publicSettings", "agreements")
ADMIN_ONLY = {
    group: {op: group == "admin" for op in ("create", "read", "list", "update", "delete")}
    for group in ("admin", "user", "guest", "self")
}


@functools.cache
def _schema() -> dict[str, Any]:
    fields = {
        **{name: {"type": "string"} for name in TEXT},
        **{name: {"type": "date"} for name in DATES},
        **{name: {"type": "object"} for name in OBJECTS},
    }
    return schema.normalize_schema(fields)


def table_view(name: str) -> dict[str, Any] | None:
    """Table metadata standing in for the built-in `name` (only `users` has a data-API view), else None."""
    if name != collections.USERS:
        return None
    return {
        "_id": "builtin_users",
        "tableName": collections.USERS,
        "status": "deployed",
        "schema": _schema(),
        "permissions": ADMIN_ONLY,
        "hiddenFields": users.SECRET_FIELDS,
    }
