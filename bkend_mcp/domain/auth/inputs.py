"""What arrives with an auth request: the client it came from, and the body fields read the auth way
(a missing or ill-typed field is 400 `auth/validation-error` naming it, spec/auth.md §2.0)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bkend_mcp.domain.errors import BkendError


@dataclass(frozen=True, slots=True)
class Client:
    """The requesting device: what sessions record and what per-IP limits count."""

    ip: str = ""
    user_agent: str = ""


def invalid(field: str, reason: str, message: str, code: str = "auth/validation-error") -> BkendError:
    return BkendError(code, message, [{"field": field, "reason": reason, "message": message}])


def body_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise invalid("body", "type", "The request body must be a JSON object")
    return body


def required_text(body: dict[str, Any], field: str) -> str:
    value = body.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise invalid(field, "required", f"'{field}' is required")
    if not isinstance(value, str):
        raise invalid(field, "type", f"'{field}' must be a string")
    return value


def optional_text(body: dict[str, Any], field: str) -> str | None:
    value = body.get(field)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise invalid(field, "type", f"'{field}' must be a string")
    return value


def method(body: dict[str, Any]) -> str:
    """`password` (also when absent, compat C6) or `magiclink`."""
    value = body.get("method", "password")
    if value not in ("password", "magiclink"):
        raise invalid("method", "enum", "'method' must be 'password' or 'magiclink'")
    return value


def page_params(page: Any, limit: Any, default_limit: int = 10) -> tuple[int, int]:
    """`page` ≥ 1 and `limit` clamped to 1-100 (spec/auth.md §2.0)."""
    try:
        page_number = max(1, int(page)) if page is not None else 1
        size = min(100, max(1, int(limit))) if limit is not None else default_limit
    except (TypeError, ValueError):
        raise invalid("page" if page is not None else "limit", "type", "'page' and 'limit' must be integers") from None
    return page_number, size


def pagination(page: int, limit: int, total: int) -> dict[str, Any]:
    pages = (total + limit - 1) // limit
    return {
        "page": page,
        "limit": limit,
        "total": total,
        "totalPages": pages,
        "hasNext": page < pages,
        "hasPrev": page > 1,
    }
