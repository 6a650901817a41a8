"""Linked sign-in accounts (spec/auth.md §2.7 #26-#29).

A signed-in user attaches a Google or GitHub identity by running the same provider exchange as a social sign-in
(`code` + `redirectUri`, `idToken`, or `accessToken`, optionally a server-issued `state`). One identity belongs to
one user, and a user has at most one account per provider (both 409 `auth/account-already-linked`). Unlinking
refuses to leave a user without a way in: an OAuth account always counts, the `email` account only while the
user has a password or magic links are on. Unlinking `email` also forgets the password.
"""

from __future__ import annotations

from typing import Any

from bkend_mcp.domain.auth import emails, inputs, oauth_config, ratelimit, settings, social, users
from bkend_mcp.domain.auth.account import require_user
from bkend_mcp.domain.auth.inputs import Client
from bkend_mcp.domain.auth.settings import AuthSettings
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError


def link(backend: Backend, caller: Caller, body: Any, client: Client) -> dict[str, Any]:
    """#26: attach a provider identity to the caller; **201** with the new Account (a superset of `{}`)."""
    user_id, _ = require_user(caller)
    body = inputs.body_object(body)
    env = caller.environment_id
    config = oauth_config.load(backend, env, inputs.required_text(body, "provider"))
    state = social.claim_state(backend, env, config.name, body.get("state"))
    identity = social.identify(config, body, state)
    if users.find_account(backend, env, config.name, identity.subject) is not None:
        raise BkendError("auth/account-already-linked", f"This {config.name} account is already linked to a user")
    if users.account_of(backend, env, user_id, config.name) is not None:
        raise BkendError("auth/account-already-linked", f"You already have a linked {config.name} account")
    email = identity.email.strip().lower() if identity.email else None
    created = users.add_account(backend, env, user_id, config.name, identity.subject, email)
    return users.public_account(created)


def list_accounts(backend: Backend, caller: Caller, page: Any = None, limit: Any = None) -> dict[str, Any]:
    """#27: the caller's accounts, oldest first."""
    user_id, _ = require_user(caller)
    page_number, size = inputs.page_params(page, limit)
    accounts = users.accounts_of(backend, caller.environment_id, user_id)
    chosen = accounts[(page_number - 1) * size : page_number * size]
    return {
        "items": [users.public_account(a) for a in chosen],
        "pagination": inputs.pagination(page_number, size, len(accounts)),
    }


def unlink(backend: Backend, caller: Caller, provider: str) -> dict[str, Any]:
    """#28: remove the caller's account of `provider` unless it is their last way to sign in."""
    user_id, _ = require_user(caller)
    if provider not in users.PROVIDER_TYPES:
        raise BkendError("auth/unsupported-provider", f"Unsupported provider '{provider}'")
    env = caller.environment_id
    user = users.get(backend, env, user_id)
    target = users.account_of(backend, env, user_id, provider)
    if user is None or target is None:
        raise BkendError("auth/account-not-found", f"No {provider} account is linked")
    current = settings.load(backend, env)
    others = [a for a in users.accounts_of(backend, env, user_id) if a["_id"] != target["_id"]]
    if not any(_signs_in(a, user, current) for a in others):
        raise BkendError("auth/last-auth-method")
    users.remove_account(backend, env, target["_id"])
    if provider == "email":
        users.update(backend, env, user_id, {"passwordHash": None, "passwordChangedAt": None})
    return {"message": f"{provider} account unlinked"}


def _signs_in(account: dict[str, Any], user: dict[str, Any], current: AuthSettings) -> bool:
    if account["provider"] != "email":
        return True
    return bool(user.get("passwordHash")) or current.magic_link_enabled


CHECK_TYPES = {"credentials", "oauth"}


def check(backend: Backend, caller: Caller, body: Any, client: Client) -> dict[str, Any]:
    """#29 (public, rate-limited per IP): whether an account exists, `{exists[, type, provider]}`."""
    body = inputs.body_object(body)
    kind = inputs.required_text(body, "type")
    provider = inputs.required_text(body, "provider")
    account_id = inputs.required_text(body, "providerAccountId").strip()
    if kind not in CHECK_TYPES:
        raise inputs.invalid("type", "enum", "'type' must be 'credentials' or 'oauth'")
    if provider not in users.PROVIDER_TYPES:
        raise BkendError("auth/unsupported-provider", f"Unsupported provider '{provider}'")
    if users.PROVIDER_TYPES[provider] != kind:
        expected = users.PROVIDER_TYPES[provider]
        raise inputs.invalid("type", "mismatch", f"'{provider}' accounts are of type '{expected}'")
    env = caller.environment_id
    ratelimit.hit(backend, env, settings.load(backend, env), "accounts-check-ip", client.ip)
    if provider == "email":
        account_id = emails.normalize(account_id, "providerAccountId")
    account = users.find_account(backend, env, provider, account_id)
    if account is None or not users.is_live(users.get(backend, env, account["userId"])):
        return {"exists": False}
    return {"exists": True, "type": account["type"], "provider": account["provider"]}
