"""A user's profile fields and their rules (spec/auth.md §2.11 #43-#44, §4.6; compat C21).

`check_changes` reads a partial profile body against `RULES` in spec order, collects every failure and raises one
error: its code is that of the first failing field (`user/invalid-name`, `user/invalid-nickname`, else
`user/validation-error`) and `details` lists them all. `null` clears a nullable field; unknown fields are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bkend_mcp.domain.auth import urls
from bkend_mcp.domain.errors import BkendError

MOBILE = re.compile(r"^\+[1-9]\d{1,14}$")
GENDERS = ("none", "male", "female", "etc")
SOCIAL_KEYS = ("github", "twitter", "linkedin")
PROFILE_VIEW = ("name", "nickname", "email", "mobile", "gender", "bio", "socialLinks", "image")


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    check: Callable[[Any], str | None]
    """None when the value is fine, else what is wrong ("must be …")."""
    nullable: bool = True


def _text(low: int, high: int) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        ok = isinstance(value, str) and low <= len(value.strip()) <= high
        return None if ok else f"must be {low}-{high} characters" if low else f"must be at most {high} characters"

    return check


def _mobile(value: Any) -> str | None:
    return None if isinstance(value, str) and MOBILE.match(value) else "must be an E.164 number such as +821012345678"


def _gender(value: Any) -> str | None:
    return None if value in GENDERS else f"must be one of {', '.join(GENDERS)}"


def _url(value: Any) -> str | None:
    return None if isinstance(value, str) and urls.is_absolute_http(value) else "must be an absolute http(s) URL"


def _social_links(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "must be an object with github, twitter and linkedin URLs"
    unknown = [k for k in value if k not in SOCIAL_KEYS]
    if unknown:
        return f"has unknown key '{unknown[0]}' (allowed: {', '.join(SOCIAL_KEYS)})"
    bad = [k for k, v in value.items() if v is not None and _url(v)]
    return f"'{bad[0]}' must be an absolute http(s) URL or null" if bad else None


RULES: dict[str, Rule] = {
    "name": Rule("user/invalid-name", _text(1, 100), nullable=False),
    "nickname": Rule("user/invalid-nickname", _text(1, 50)),
    "mobile": Rule("user/validation-error", _mobile),
    "gender": Rule("user/validation-error", _gender),
    "bio": Rule("user/validation-error", _text(0, 500)),
    "socialLinks": Rule("user/validation-error", _social_links),
    "image": Rule("user/validation-error", _url),
}


def check_changes(body: dict[str, Any], fields: tuple[str, ...] = tuple(RULES)) -> dict[str, Any]:
    """The changes to store for the profile fields of `body` among `fields`, or one error naming every failure."""
    changes: dict[str, Any] = {}
    problems: list[tuple[str, dict[str, str]]] = []
    for field in fields:
        if field not in body:
            continue
        rule, value = RULES[field], body[field]
        reason = ("must not be null" if not rule.nullable else None) if value is None else rule.check(value)
        if reason:
            problems.append((rule.code, {"field": field, "reason": "invalid", "message": f"'{field}' {reason}"}))
        else:
            changes[field] = _stored(field, value)
    if problems:
        details = [detail for _, detail in problems]
        raise BkendError(problems[0][0], details[0]["message"], details)
    return changes


def _stored(field: str, value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if field == "socialLinks" and isinstance(value, dict):
        return {key: value.get(key) for key in SOCIAL_KEYS}
    return value


def profile_of(user: dict[str, Any]) -> dict[str, Any]:
    """#43's body: `{id, name, nickname, email, mobile, gender, bio, socialLinks, image}`."""
    return {"id": user["_id"], **{field: user.get(field) for field in PROFILE_VIEW}}
