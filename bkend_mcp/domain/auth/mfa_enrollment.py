"""Turning TOTP MFA on and off (spec/auth.md §2.6 #23-#25, §4.5, P17).

Enable (password re-checked) makes a 160-bit secret and 10 backup codes of 8 hex characters, kept encrypted in
`users.mfa` as a *pending* setup for 10 minutes; calling it again replaces them. Confirm with a current code moves
the secret in place, stores the backup codes as SHA-256 hashes and returns the same codes once more. Disable needs
the password and, when sent, a valid code; it forgets the secret and the codes. Only password sign-in asks for the
second factor (`mfa.require_second_factor`).
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from typing import Any

import pyotp

from bkend_mcp.domain import dates
from bkend_mcp.domain.auth import inputs, mfa, passwords, settings, users
from bkend_mcp.domain.auth.account import require_user
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.secrets import sha256_hex

SETUP_TTL = timedelta(minutes=10)
BACKUP_CODES = 10
SECRET_CHARS = 32
"""32 base32 characters = 160 bits (RFC 4226's recommended key length)."""


def _signed_in_user(backend: Backend, caller: Caller) -> dict[str, Any]:
    user_id, _ = require_user(caller)
    user = users.get(backend, caller.environment_id, user_id)
    if user is None:
        raise BkendError("auth/user-not-found")
    return user


def _check_password(backend: Backend, user: dict[str, Any], body: dict[str, Any]) -> None:
    password = inputs.required_text(body, "password")
    if not passwords.verify(backend.config.argon2, user.get("passwordHash"), password):
        raise BkendError("auth/invalid-credentials", "Password is incorrect")


def enable(backend: Backend, caller: Caller, body: Any) -> dict[str, Any]:
    """#23: `{secret, qrCodeUrl, backupCodes, otpauth, issuer}`; nothing is on until #24 confirms a code."""
    user = _signed_in_user(backend, caller)
    body = inputs.body_object(body)
    if mfa.is_enabled(user):
        raise BkendError("auth/mfa-already-enabled")
    _check_password(backend, user, body)
    secret = pyotp.random_base32(SECRET_CHARS)
    codes = [secrets.token_hex(4) for _ in range(BACKUP_CODES)]
    issuer = settings.load(backend, caller.environment_id).mfa_issuer
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.get("email") or user["_id"], issuer_name=issuer)
    pending = {
        **(user.get("mfa") or {}),
        "enabled": False,
        "pendingSecretEnc": backend.keyring.encrypt(secret),
        "pendingBackupCodesEnc": backend.keyring.encrypt(json.dumps(codes)),
        "pendingExpiresAt": dates.now() + SETUP_TTL,
    }
    users.update(backend, caller.environment_id, user["_id"], {"mfa": pending})
    return {"secret": secret, "qrCodeUrl": uri, "otpauth": uri, "issuer": issuer, "backupCodes": codes}


def confirm(backend: Backend, caller: Caller, body: Any) -> dict[str, Any]:
    """#24: switch MFA on with a code of the pending secret; `{backupCodes}` (the ones #23 showed)."""
    user = _signed_in_user(backend, caller)
    body = inputs.body_object(body)
    code = inputs.required_text(body, "code").replace(" ", "")
    state = user.get("mfa") or {}
    if mfa.is_enabled(user):
        raise BkendError("auth/mfa-already-enabled")
    expires = state.get("pendingExpiresAt")
    expires_at = expires if isinstance(expires, datetime) else dates.parse(expires) if expires else None
    if not state.get("pendingSecretEnc") or expires_at is None or expires_at <= dates.now():
        raise BkendError("auth/mfa-setup-expired")
    secret = backend.keyring.decrypt(state["pendingSecretEnc"])
    step = mfa.matching_step(secret, code, None) if code.isdigit() and len(code) == mfa.DIGITS else None
    if step is None:
        raise BkendError("auth/invalid-mfa-code")
    codes: list[str] = json.loads(backend.keyring.decrypt(state["pendingBackupCodesEnc"]))
    enabled = {
        "enabled": True,
        "secretEnc": state["pendingSecretEnc"],
        "backupCodeHashes": [sha256_hex(mfa.normalize_backup_code(c)) for c in codes],
        "lastUsedStep": step,
        "enabledAt": dates.now(),
    }
    users.update(backend, caller.environment_id, user["_id"], {"mfa": enabled})
    return {"backupCodes": codes}


def disable(backend: Backend, caller: Caller, body: Any) -> dict[str, Any]:
    """#25: switch MFA off (password required; `code`, when sent, must be valid). Answers `{}`."""
    user = _signed_in_user(backend, caller)
    body = inputs.body_object(body)
    if not mfa.is_enabled(user):
        raise BkendError("auth/mfa-not-enabled")
    _check_password(backend, user, body)
    code = inputs.optional_text(body, "code")
    if code is not None:
        mfa.check_code(backend, caller.environment_id, user, code)
    users.update(backend, caller.environment_id, user["_id"], {"mfa": {"enabled": False}})
    return {}
