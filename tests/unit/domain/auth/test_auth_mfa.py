"""The TOTP / backup-code challenge at password sign-in (spec/auth.md §2.6, §4.5)."""

from __future__ import annotations

import time

import pytest

from bkend_mcp.domain.auth import mfa, password_auth, users
from bkend_mcp.domain.auth.inputs import Client
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.identity import resolve_key_caller
from bkend_mcp.domain.secrets import sha256_hex

RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # "12345678901234567890", RFC 6238 appendix B


def test_totp_matches_the_rfc_6238_vectors():
    assert mfa.totp(RFC_SECRET, 59 // 30) == "287082"
    assert mfa.totp(RFC_SECRET, 1111111109 // 30) == "081804"


def test_a_step_is_accepted_once_and_neighbours_are_allowed():
    now = 1111111109.0
    code = mfa.totp(RFC_SECRET, int(now // 30) - 1)
    step = mfa.matching_step(RFC_SECRET, code, None, now)
    assert step == int(now // 30) - 1
    assert mfa.matching_step(RFC_SECRET, code, step, now) is None


def _user_with_mfa(env):
    caller = resolve_key_caller(env.backend, {"x-api-key": env.pk})
    body = {"email": "ada@example.com", "password": "Passw0rd!", "name": "Ada"}
    user_id = password_auth.email_signup(env.backend, caller, body, Client())["user"]["id"]
    state = {"enabled": True, "secretEnc": env.backend.keyring.encrypt(RFC_SECRET),
             "backupCodeHashes": [sha256_hex("a1b2c3d4")], "lastUsedStep": None}  # fmt: skip
    users.update(env.backend, env.environment_id, user_id, {"mfa": state})
    return caller


def _signin(env, caller, code=None):
    body = {"email": "ada@example.com", "password": "Passw0rd!", **({"mfaCode": code} if code else {})}
    return password_auth.email_signin(env.backend, caller, body, Client())


@pytest.mark.parametrize(("code", "error"), [(None, "auth/mfa-required"), ("000000", "auth/invalid-mfa-code")])
def test_signin_needs_a_valid_code(env, code, error):
    caller = _user_with_mfa(env)
    with pytest.raises(BkendError) as caught:
        _signin(env, caller, code)
    assert caught.value.code == error


def test_signin_with_totp_then_backup_code(env):
    caller = _user_with_mfa(env)
    assert _signin(env, caller, mfa.totp(RFC_SECRET, int(time.time() // 30)))["accessToken"]
    assert _signin(env, caller, "A1B2-C3D4")["user"]["mfaEnabled"] is True
    with pytest.raises(BkendError):
        _signin(env, caller, "a1b2c3d4")  # backup codes are single use
