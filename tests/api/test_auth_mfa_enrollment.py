"""TOTP MFA over HTTP: enable, confirm, the sign-in challenge, backup codes, disable (spec/auth.md §2.6, §4.5).
Codes are computed with pyotp, as an authenticator app would."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import pytest

from bkend_mcp.domain import dates
from bkend_mcp.domain.auth import users
from tests.api.auth_helpers import PASSWORD, bearer, signin, signup
from tests.api.scenario import assert_error


def _post(client, env, token, path, **body):
    return client.post(f"/v1/auth/mfa/{path}", json=body, headers=bearer(env, token))


def _code_after(secret: str, code: str) -> str:
    """A valid code other than `code` (the next time step), since a step is never accepted twice."""
    totp = pyotp.TOTP(secret)
    for offset in (30, -30):
        other = totp.at(dates.now().timestamp() + offset)
        if other != code:
            return other
    raise AssertionError("no other code")


def _enrolled(client, env):
    token = signup(client, env)["accessToken"]
    setup = _post(client, env, token, "enable", password=PASSWORD).json()
    code = pyotp.TOTP(setup["secret"]).now()
    confirmed = _post(client, env, token, "confirm", code=code)
    assert confirmed.status_code == 200, confirmed.text
    return token, setup, code


def test_enable_returns_secret_uri_and_backup_codes(client, env):
    token = signup(client, env)["accessToken"]
    response = _post(client, env, token, "enable", password=PASSWORD)
    assert response.status_code == 200
    body = response.json()
    assert len(body["secret"]) == 32 and body["qrCodeUrl"] == body["otpauth"]
    uri = urlsplit(body["qrCodeUrl"])
    assert uri.scheme == "otpauth" and uri.netloc == "totp" and unquote(uri.path) == "/bkend:ada@example.com"
    assert parse_qs(uri.query)["secret"] == [body["secret"]] and parse_qs(uri.query)["issuer"] == ["bkend"]
    assert len(body["backupCodes"]) == 10 and all(len(c) == 8 for c in body["backupCodes"])
    me = client.get("/v1/auth/me", headers=bearer(env, token)).json()
    assert me["mfaEnabled"] is False, "nothing is on before confirm"


def test_confirm_switches_mfa_on_and_repeats_the_codes(client, env):
    token = signup(client, env)["accessToken"]
    setup = _post(client, env, token, "enable", password=PASSWORD).json()
    wrong = _post(
        client, env, token, "confirm", code="000000" if pyotp.TOTP(setup["secret"]).now() != "000000" else "111111"
    )
    assert_error(wrong.json(), 401, "auth/invalid-mfa-code")
    confirmed = _post(client, env, token, "confirm", code=pyotp.TOTP(setup["secret"]).now()).json()
    assert confirmed["backupCodes"] == setup["backupCodes"]
    assert client.get("/v1/auth/me", headers=bearer(env, token)).json()["mfaEnabled"] is True
    stored = users.find_by_email(env.backend, env.environment_id, "ada@example.com")["mfa"]
    assert setup["secret"] not in str(stored) and setup["backupCodes"][0] not in str(stored)
    assert_error(_post(client, env, token, "enable", password=PASSWORD).json(), 409, "auth/mfa-already-enabled")
    assert_error(_post(client, env, token, "confirm", code="123456").json(), 409, "auth/mfa-already-enabled")


def test_sign_in_asks_for_the_second_factor(client, env):
    _, setup, used = _enrolled(client, env)
    missing = signin(client, env)
    assert missing.status_code == 403
    assert_error(missing.json(), 403, "auth/mfa-required")
    body = {"email": "ada@example.com", "password": PASSWORD, "mfaCode": used}
    reused = client.post("/v1/auth/email/signin", json=body, headers={"x-api-key": env.pk})
    assert_error(reused.json(), 401, "auth/invalid-mfa-code")
    body["mfaCode"] = _code_after(setup["secret"], used)
    assert client.post("/v1/auth/email/signin", json=body, headers={"x-api-key": env.pk}).status_code == 200


def test_backup_codes_work_once_then_run_out(client, env):
    _, setup, _ = _enrolled(client, env)
    headers = {"x-api-key": env.pk}
    first = setup["backupCodes"][0]
    body = {"email": "ada@example.com", "password": PASSWORD, "mfaCode": first.upper()[:4] + "-" + first[4:]}
    assert client.post("/v1/auth/email/signin", json=body, headers=headers).status_code == 200
    assert_error(client.post("/v1/auth/email/signin", json=body, headers=headers).json(), 401, "auth/invalid-mfa-code")
    for code in setup["backupCodes"][1:]:
        body["mfaCode"] = code
        assert client.post("/v1/auth/email/signin", json=body, headers=headers).status_code == 200
    body["mfaCode"] = "abcdef12"
    exhausted = client.post("/v1/auth/email/signin", json=body, headers=headers)
    assert_error(exhausted.json(), 400, "auth/mfa-backup-codes-exhausted")


def test_magic_link_sign_in_is_not_challenged(client, env):
    from tests.api.auth_helpers import last_link, token_in

    _enrolled(client, env)
    link = {"method": "magiclink", "email": "ada@example.com", "callbackUrl": "https://app.test/cb"}
    client.post("/v1/auth/email/signin", headers={"x-api-key": env.pk}, json=link)
    token = token_in(last_link(env, "ada@example.com"))
    assert (
        client.post("/v1/auth/email/callback", json={"token": token}, headers={"x-api-key": env.pk}).status_code == 200
    )


def test_disable(client, env):
    token, setup, used = _enrolled(client, env)
    assert_error(_post(client, env, token, "disable", password="Wrong-pass1").json(), 401, "auth/invalid-credentials")
    assert_error(
        _post(client, env, token, "disable", password=PASSWORD, code=used).json(), 401, "auth/invalid-mfa-code"
    )
    response = _post(client, env, token, "disable", password=PASSWORD, code=setup["backupCodes"][3])
    assert response.status_code == 200 and response.json() == {}
    assert signin(client, env).status_code == 200
    assert_error(_post(client, env, token, "disable", password=PASSWORD).json(), 400, "auth/mfa-not-enabled")


def test_confirm_without_a_live_setup(client, env):
    token = signup(client, env)["accessToken"]
    assert_error(_post(client, env, token, "confirm", code="123456").json(), 400, "auth/mfa-setup-expired")
    setup = _post(client, env, token, "enable", password=PASSWORD).json()
    user = users.find_by_email(env.backend, env.environment_id, "ada@example.com")
    old = {**user["mfa"], "pendingExpiresAt": dates.now() - timedelta(seconds=1)}
    users.update(env.backend, env.environment_id, user["_id"], {"mfa": old})
    late = _post(client, env, token, "confirm", code=pyotp.TOTP(setup["secret"]).now())
    assert_error(late.json(), 400, "auth/mfa-setup-expired")


def test_enable_again_replaces_the_pending_setup(client, env):
    token = signup(client, env)["accessToken"]
    first = _post(client, env, token, "enable", password=PASSWORD).json()
    second = _post(client, env, token, "enable", password=PASSWORD).json()
    assert first["secret"] != second["secret"]
    confirmed = _post(client, env, token, "confirm", code=pyotp.TOTP(second["secret"]).now()).json()
    assert confirmed["backupCodes"] == second["backupCodes"]


@pytest.mark.parametrize(
    "path, body, status, code",
    [
        ("enable", {}, 400, "auth/validation-error"),
        ("enable", {"password": "Wrong-pass1"}, 401, "auth/invalid-credentials"),
        ("confirm", {}, 400, "auth/validation-error"),
        ("disable", {"password": PASSWORD}, 400, "auth/mfa-not-enabled"),
    ],
    ids=["enable without password", "enable wrong password", "confirm without code", "disable when off"],
)
def test_mfa_errors(client, env, path, body, status, code):
    token = signup(client, env)["accessToken"]
    assert_error(_post(client, env, token, path, **body).json(), status, code)


def test_mfa_needs_a_user_token(client, env):
    response = client.post("/v1/auth/mfa/enable", json={"password": PASSWORD}, headers={"x-api-key": env.pk})
    assert_error(response.json(), 401, "auth/unauthorized")
