"""The user API `/v1/users` (spec/auth.md §2.10 #37-#42, §2.11 #43-#55) and who may use it.

Every route needs a signed-in user or an admin (an `sk_` key, or a user whose role is `admin`); otherwise 401
`user/unauthorized`. Routes about one user are for that user or an admin (403 `user/forbidden`); creating users,
changing roles and banning are for admins only. Others see the public view of a user. Deleted users are gone:
404 `user/not-found`, never listed. A role change or ban is effective on the user's next request (the role is
read from the user record on every request; a ban also revokes every session).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from bkend_mcp.domain import dates
from bkend_mcp.domain.auth import (
    collections,
    deletion,
    emails,
    inputs,
    passwords,
    profile,
    sessions,
    settings,
    user_settings,
    users,
)
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.store.base import Cond, Filter, Query, Regex, SortKey, all_of, any_of

SORTS = ("createdAt", "updatedAt", "name", "email", "role")
ADMIN_SORTS = ("email", "role")
"""Fields the public view hides: their order would tell a non-admin who is an admin, or whose address is whose."""
SEARCH_TYPES = ("name", "nickname", "email")
ADMIN_STATUSES = ("active", "banned")
MAX_SEARCH = 100


# --- who may ---------------------------------------------------------------------------------------------------


def require_signed_in(caller: Caller) -> None:
    if not caller.uid and not caller.is_admin:
        raise BkendError("user/unauthorized")


def require_admin(caller: Caller) -> None:
    require_signed_in(caller)
    if not caller.is_admin:
        raise BkendError("user/forbidden", "Only an admin may do this")


def require_self_or_admin(caller: Caller, user_id: str) -> None:
    require_signed_in(caller)
    if not caller.is_admin and caller.uid != user_id:
        raise BkendError("user/forbidden")


def live_user(backend: Backend, environment_id: str, user_id: str) -> dict[str, Any]:
    user = users.get(backend, environment_id, user_id) if 0 < len(user_id) <= 64 else None
    if not users.is_live(user) or user is None:
        raise BkendError("user/not-found", f"User '{user_id}' not found")
    return user


def full_user(backend: Backend, environment_id: str, user: dict[str, Any], *, accounts: bool = False) -> dict:
    expiration = settings.load(backend, environment_id).password_policy.expiration_days
    out = users.public_user(user, expiration_days=expiration)
    if accounts:
        linked = users.accounts_of(backend, environment_id, user["_id"])
        out["accounts"] = [
            {k: users.public_account(a)[k] for k in ("provider", "type", "providerAccountId", "connectedAt")}
            for a in linked
        ]
        out["providers"] = [a["provider"] for a in linked]
    return out


# --- #37 list ----------------------------------------------------------------------------------------------------


def list_users(backend: Backend, caller: Caller, params: Mapping[str, Any]) -> dict[str, Any]:
    """Search (case-insensitive substring), sort, page. Non-admins get public views of active users and cannot
    search by e-mail or sort by e-mail or role, so the list never tells them which addresses exist or who is an
    admin."""
    require_signed_in(caller)
    env = caller.environment_id
    page, limit = _paging(params)
    sort_by = _choice(params, "sortBy", SORTS, "createdAt")
    direction: Literal[1, -1] = -1 if _choice(params, "sortDirection", ("asc", "desc"), "desc") == "desc" else 1
    search_type = _choice(params, "searchType", SEARCH_TYPES, None)
    if search_type == "email" and not caller.is_admin:
        raise BkendError("user/forbidden", "Only an admin may search users by email")
    if sort_by in ADMIN_SORTS and not caller.is_admin:
        raise BkendError("user/forbidden", f"Only an admin may sort users by {sort_by}")
    statuses = ADMIN_STATUSES if caller.is_admin else ("active",)
    where = all_of([Cond("status", "in", statuses, scalar=True), _search(params, search_type, caller.is_admin)])
    order = (SortKey(sort_by, direction, scalar=True), SortKey("_id", 1, scalar=True))
    collection = backend.data(env, collections.USERS)
    found, total = collection.page(Query(where, sort=order, skip=(page - 1) * limit, limit=limit))
    with_accounts = caller.is_admin and str(params.get("includeAccounts", "")).lower() in ("true", "1")
    items = [
        full_user(backend, env, u, accounts=with_accounts) if caller.is_admin else users.public_view(u) for u in found
    ]
    return {"items": items, "pagination": inputs.pagination(page, limit, total)}


def _paging(params: Mapping[str, Any]) -> tuple[int, int]:
    try:
        page = max(1, int(params.get("page") or 1))
        limit = min(100, max(1, int(params.get("limit") or 20)))
    except (TypeError, ValueError):
        raise _invalid("page", "'page' and 'limit' must be integers") from None
    return page, limit


def _choice(params: Mapping[str, Any], key: str, allowed: tuple[str, ...], default: str | None) -> Any:
    value = params.get(key)
    if value in (None, ""):
        return default
    if value not in allowed:
        raise _invalid(key, f"'{key}' must be one of {', '.join(allowed)}")
    return value


def _search(params: Mapping[str, Any], search_type: str | None, admin: bool) -> Filter:
    text = params.get("search")
    if not isinstance(text, str) or not text.strip():
        return all_of([])
    if len(text) > MAX_SEARCH:
        raise _invalid("search", f"'search' must be at most {MAX_SEARCH} characters")
    pattern = Regex(re.escape(text.strip()), ignore_case=True)
    fields = (search_type,) if search_type else SEARCH_TYPES if admin else ("name", "nickname")
    return any_of([Cond(field, "regex", pattern, scalar=True) for field in fields])


def _invalid(field: str, message: str) -> BkendError:
    return BkendError("user/validation-error", message, [{"field": field, "reason": "invalid", "message": message}])


# --- #38 create, #39 get, #40 update, #41 delete, #42 role --------------------------------------------------------


def create(backend: Backend, caller: Caller, body: Any) -> dict[str, Any]:
    """#38 (admin): a user with an optional password; without one they sign in by magic link or a reset."""
    require_admin(caller)
    body = _object(body)
    env = caller.environment_id
    current = settings.load(backend, env)
    name = profile.check_changes({"name": body.get("name")}, ("name",))["name"]
    email = emails.normalize(body.get("email"))
    role = check_role(body.get("role", current.default_role))
    extra = profile.check_changes(body, ("nickname",))
    password = body.get("password")
    password_hash = None
    if password is not None:
        password = passwords.check_policy(current.password_policy, password)
        password_hash = passwords.hash_password(backend.config.argon2, password)
    verified = body.get("emailVerified", False)
    if not isinstance(verified, bool):
        raise _invalid("emailVerified", "'emailVerified' must be true or false")
    if users.find_by_email(backend, env, email) is not None:
        raise BkendError("auth/email-already-exists")
    user = users.create_user(
        backend, env, email=email, name=name, role=role, password_hash=password_hash,
        email_verified_at=dates.now() if verified else None, profile=extra,
    )  # fmt: skip
    return full_user(backend, env, user, accounts=True)


def get_user(backend: Backend, caller: Caller, user_id: str) -> dict[str, Any]:
    """#39: the full user for self or admin, the public view for others."""
    require_signed_in(caller)
    user = live_user(backend, caller.environment_id, user_id)
    if caller.is_admin or caller.uid == user_id:
        return full_user(backend, caller.environment_id, user)
    if user.get("status") != "active":
        raise BkendError("user/not-found", f"User '{user_id}' not found")
    return users.public_view(user)


def update_user(backend: Backend, caller: Caller, user_id: str, body: Any) -> dict[str, Any]:
    """#40: profile fields (self or admin) and, admin only, `status` (`banned` revokes every session)."""
    require_self_or_admin(caller, user_id)
    body = _object(body)
    env = caller.environment_id
    user = live_user(backend, env, user_id)
    changes = profile.check_changes(body)
    status = body.get("status")
    if status is not None:
        if not caller.is_admin:
            raise BkendError("user/forbidden", "Only an admin may change a user's status")
        if status not in ADMIN_STATUSES:
            raise _invalid("status", "'status' must be active or banned")
        changes["status"] = status
    if changes:
        user = users.update(backend, env, user_id, changes)
    if status == "banned":
        sessions.revoke_all(backend, env, user_id, "banned")
    return full_user(backend, env, user)


def delete(backend: Backend, caller: Caller, user_id: str) -> dict[str, Any]:
    """#41: self (= withdraw, compat C23) or admin; the last admin user may not delete themselves."""
    require_self_or_admin(caller, user_id)
    user = live_user(backend, caller.environment_id, user_id)
    if caller.uid == user_id:
        _keep_an_admin(backend, caller.environment_id, user, None)
    deletion.delete_user(backend, caller.environment_id, user_id, "withdraw" if caller.uid == user_id else "admin")
    return {"message": deletion.DELETED, "deleted": True}


def set_role(backend: Backend, caller: Caller, user_id: str, body: Any) -> dict[str, Any]:
    """#42 (admin): effective on the user's next request."""
    require_admin(caller)
    body = _object(body)
    role = check_role(body.get("role"))
    user = live_user(backend, caller.environment_id, user_id)
    if caller.uid == user_id:
        _keep_an_admin(backend, caller.environment_id, user, role)
    updated = users.update(backend, caller.environment_id, user_id, {"role": role})
    return full_user(backend, caller.environment_id, updated)


def check_role(value: Any) -> str:
    if not isinstance(value, str) or not users.ROLE.match(value):
        message = "'role' must be admin, user, guest or a custom name (a letter, then up to 31 of a-z 0-9 _ -)"
        raise BkendError("user/invalid-role", message, [{"field": "role", "reason": "invalid", "message": message}])
    return value


def _keep_an_admin(backend: Backend, env: str, user: dict[str, Any], new_role: str | None) -> None:
    """The safety net of §2.10: the last admin user cannot demote or delete themselves."""
    if user.get("role") != "admin" or new_role == "admin":
        return
    admins = Cond("role", "eq", "admin", scalar=True)
    live = Cond("status", "in", ADMIN_STATUSES, scalar=True)
    if backend.data(env, collections.USERS).count(all_of([admins, live])) <= 1:
        raise BkendError("user/invalid-role", "You are the last admin user; make someone else admin first")


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise _invalid("body", "The request body must be a JSON object")
    return body


# --- #43-#55 profile and settings --------------------------------------------------------------------------------


def get_profile(backend: Backend, caller: Caller, user_id: str) -> dict[str, Any]:
    """#43: self or admin; anyone (even a guest) when the user made their profile public, then the public view."""
    user = live_user(backend, caller.environment_id, user_id)
    if caller.is_admin or (caller.uid and caller.uid == user_id):
        return profile.profile_of(user)
    if user.get("status") == "active" and (user.get("publicSettings") or {}).get("isPublic"):
        return users.public_view(user)
    require_signed_in(caller)
    raise BkendError("user/forbidden", "This profile is not public")


def update_profile(backend: Backend, caller: Caller, user_id: str, body: Any) -> dict[str, Any]:
    """#44: partial profile (with `image`, compat C21); answers the full user."""
    require_self_or_admin(caller, user_id)
    body = _object(body)
    env = caller.environment_id
    user = live_user(backend, env, user_id)
    changes = profile.check_changes(body)
    if changes:
        user = users.update(backend, env, user_id, changes)
    return full_user(backend, env, user)


def get_section(backend: Backend, caller: Caller, user_id: str, name: str) -> dict[str, Any]:
    """#48, #50, #52, #54: `preferences`, `notifications`, `onboarding` or `public-settings`."""
    require_self_or_admin(caller, user_id)
    section = user_settings.SECTIONS[name]
    return user_settings.view(section, live_user(backend, caller.environment_id, user_id))


def update_section(backend: Backend, caller: Caller, user_id: str, name: str, body: Any) -> dict[str, Any]:
    """#49, #51, #53, #55: a partial change; answers the whole object."""
    require_self_or_admin(caller, user_id)
    body = _object(body)
    section = user_settings.SECTIONS[name]
    env = caller.environment_id
    user = live_user(backend, env, user_id)
    if section.field == "publicSettings":
        collections.prepare_environment(backend, env)  # the slug index, for environments older than it
    stored = user_settings.merged(section, user, body)
    return user_settings.view(section, users.update(backend, env, user_id, {section.field: stored}))
