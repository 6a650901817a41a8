"""Per-user settings objects (spec/auth.md §2.11 #48-#55): preferences, notifications, onboarding, public
settings. Each is one object on the user record with defaults; a PATCH is partial, checked field by field against
the section's rules (every failure reported at once, 400 `user/validation-error`), and answers the whole object.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bkend_mcp.domain import dates
from bkend_mcp.domain.errors import BkendError

LOCALE = re.compile(r"^[a-z]{2}(-[A-Z]{2})?$")
TIMEZONE = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,2}$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$")
THEMES = ("light", "dark", "system")
ONBOARDING_STATUSES = ("pending", "in_progress", "completed", "skipped")
Check = Callable[[Any], str | None]


def _nullable(check: Check) -> Check:
    return lambda value: None if value is None else check(value)


def _locale(value: Any) -> str | None:
    return None if isinstance(value, str) and LOCALE.match(value) else "must be a locale such as en, ko or en-US"


def _timezone(value: Any) -> str | None:
    if isinstance(value, str) and TIMEZONE.match(value):
        try:
            zoneinfo.ZoneInfo(value)
            return None
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return "must be an IANA time zone such as Asia/Seoul"


def _enum(*allowed: str) -> Check:
    return lambda value: None if value in allowed else f"must be one of {', '.join(allowed)}"


def _bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _step(value: Any) -> str | None:
    return None if isinstance(value, str) and 0 < len(value) <= 100 else "must be 1-100 characters"


def _steps(value: Any) -> str | None:
    ok = isinstance(value, list) and len(value) <= 100 and all(_step(v) is None for v in value)
    return None if ok else "must be a list of at most 100 step names (1-100 characters each)"


def _slug(value: Any) -> str | None:
    ok = isinstance(value, str) and SLUG.match(value)
    return None if ok else "must be 3-50 characters of a-z, 0-9 and '-', not starting or ending with '-'"


@dataclass(frozen=True, slots=True)
class Section:
    field: str
    """The user record's field holding the object."""
    defaults: dict[str, Any]
    rules: dict[str, Check]


NOTIFICATION_DEFAULTS = {
    "service": True, "marketing": False, "push": True, "email": True, "sms": False, "nightTime": False,
    "securityAlerts": True,
}  # fmt: skip
SECTIONS: dict[str, Section] = {
    "preferences": Section(
        "preferences",
        {"locale": None, "timezone": None, "theme": None},
        {"locale": _nullable(_locale), "timezone": _nullable(_timezone), "theme": _nullable(_enum(*THEMES))},
    ),
    "notifications": Section("notifications", NOTIFICATION_DEFAULTS, {k: _bool for k in NOTIFICATION_DEFAULTS}),
    "onboarding": Section(
        "onboarding",
        {"status": "pending", "currentStep": None, "completedSteps": [], "completedAt": None},
        {"status": _enum(*ONBOARDING_STATUSES), "currentStep": _nullable(_step), "completedSteps": _steps},
    ),
    "public-settings": Section(
        "publicSettings", {"slug": None, "isPublic": False}, {"slug": _nullable(_slug), "isPublic": _bool}
    ),
}


def view(section: Section, user: dict[str, Any]) -> dict[str, Any]:
    stored = user.get(section.field) or {}
    out = {key: stored.get(key, default) for key, default in section.defaults.items()}
    return {k: dates.iso(v) if k == "completedAt" and v is not None else v for k, v in out.items()}


def merged(section: Section, user: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """The section's object after applying `body`, as stored (a cleared slug is left out, never null)."""
    problems = [
        {"field": key, "reason": "invalid", "message": f"'{key}' {reason}"}
        for key, check in section.rules.items()
        if key in body and (reason := check(body[key]))
    ]
    if problems:
        raise BkendError("user/validation-error", problems[0]["message"], problems)
    stored = {**section.defaults, **(user.get(section.field) or {})}
    stored.update({key: body[key] for key in section.rules if key in body})
    if section.field == "onboarding":
        completed = stored["status"] == "completed"
        stored["completedAt"] = (stored.get("completedAt") or dates.now()) if completed else None
    if section.field == "publicSettings" and stored.get("slug") is None:
        stored.pop("slug", None)
    return stored
