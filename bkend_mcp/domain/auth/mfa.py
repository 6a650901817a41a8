"""The second factor at password sign-in (spec/auth.md §2.6, §4.5): TOTP or a backup code.

Enrollment (enable / confirm / disable) writes the `users.mfa` object this module reads:
`{enabled, secretEnc (keyring-encrypted base32 secret), backupCodeHashes (SHA-256 hex of the normalised code),
lastUsedStep}`. TOTP is RFC 6238: SHA-1, 6 digits, 30 s steps, ±1 step accepted, a step never accepted twice.
Backup codes are 8 characters, compared case- and hyphen-insensitively, and single use.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time
from typing import Any

from bkend_mcp.domain.auth import collections
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.secrets import sha256_hex
from bkend_mcp.store.base import Cond, any_of

STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1
BACKUP_CODE = re.compile(r"^[0-9a-f]{8}$")


def is_enabled(user: dict[str, Any]) -> bool:
    return bool((user.get("mfa") or {}).get("enabled"))


def totp(secret_base32: str, step: int) -> str:
    key = base64.b32decode(secret_base32.upper() + "=" * (-len(secret_base32) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**DIGITS).zfill(DIGITS)


def matching_step(secret_base32: str, code: str, last_used: int | None, now: float | None = None) -> int | None:
    """The time step `code` belongs to (±1 around now), unless that step was already used."""
    current = int((now if now is not None else time.time()) // STEP_SECONDS)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if (last_used is None or step > last_used) and hmac.compare_digest(totp(secret_base32, step), code):
            return step
    return None


def normalize_backup_code(code: str) -> str:
    return code.replace("-", "").replace(" ", "").lower()


def require_second_factor(backend: Backend, environment_id: str, user: dict[str, Any], code: Any) -> None:
    """Nothing when MFA is off or `code` is a valid TOTP or unused backup code (consumed here);
    403 `auth/mfa-required` without a code, 401 `auth/invalid-mfa-code` for a wrong one."""
    if not is_enabled(user):
        return
    if not isinstance(code, str) or not code.strip():
        raise BkendError("auth/mfa-required")
    check_code(backend, environment_id, user, code)


def check_code(backend: Backend, environment_id: str, user: dict[str, Any], code: str) -> None:
    """Accept a TOTP code of the user's secret (its step is then spent) or an unused backup code (then
    consumed); else 401 `auth/invalid-mfa-code`, or 400 `auth/mfa-backup-codes-exhausted` when a backup-format
    code arrives and none are left. Both writes are compare-and-set, so two racing uses get one success."""
    mfa = user["mfa"]
    collection = backend.data(environment_id, collections.USERS)
    digits = code.replace(" ", "")
    if digits.isdigit() and len(digits) == DIGITS:
        secret = backend.keyring.decrypt(mfa["secretEnc"])
        step = matching_step(secret, digits, mfa.get("lastUsedStep"))
        unspent = any_of([Cond("mfa.lastUsedStep", "eq", None), Cond("mfa.lastUsedStep", "lt", step or 0)])
        if step is not None and collection.update(user["_id"], {"mfa": {**mfa, "lastUsedStep": step}}, guard=unspent):
            return
        raise BkendError("auth/invalid-mfa-code")
    normalized = normalize_backup_code(code)
    remaining = list(mfa.get("backupCodeHashes") or [])
    if not remaining and BACKUP_CODE.match(normalized):
        raise BkendError("auth/mfa-backup-codes-exhausted")
    hashed = sha256_hex(normalized)
    if any(hmac.compare_digest(hashed, h) for h in remaining):
        remaining.remove(hashed)
        still_there = Cond("mfa.backupCodeHashes", "eq", hashed)
        if collection.update(user["_id"], {"mfa": {**mfa, "backupCodeHashes": remaining}}, guard=still_there):
            return
    raise BkendError("auth/invalid-mfa-code")
