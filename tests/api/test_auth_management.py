"""Auth management over HTTP with a secret key: providers, mail settings, templates (spec/auth.md §2.12)."""

from __future__ import annotations

import pytest

from tests.api.auth_helpers import bearer, configure, key, mails, signup
from tests.api.scenario import Scenario, assert_error, run


def _sk(env):
    return {"x-api-key": env.sk}


def test_providers_overview(client, env):
    body = client.get("/v1/auth/providers", headers=_sk(env)).json()
    assert body["email"]["passwordPolicy"]["minLength"] == 8 and body["email"]["magicLinkEnabled"] is True
    google = next(p for p in body["oauth"] if p["provider"] == "google")
    assert google == {"provider": "google", "clientId": None,
                      "redirectUri": f"{env.backend.config.base_url}/v1/auth/google/callback",
                      "scopes": ["openid", "email", "profile"], "enabled": False, "clientSecretSet": False,
                      "additionalClientIds": [], "endpoints": {}}  # fmt: skip


@pytest.mark.parametrize(
    "method, path",
    [("GET", "/v1/auth/providers"), ("GET", "/v1/auth/providers/email"), ("PUT", "/v1/auth/providers/email"),
     ("GET", "/v1/auth/providers/oauth"), ("PUT", "/v1/auth/providers/oauth/google"),
     ("DELETE", "/v1/auth/providers/oauth/google"), ("GET", "/v1/auth/email-templates/config"),
     ("PUT", "/v1/auth/email-templates/config"), ("GET", "/v1/auth/email-templates"),
     ("GET", "/v1/auth/email-templates/magic_link"), ("PUT", "/v1/auth/email-templates/magic_link"),
     ("DELETE", "/v1/auth/email-templates/magic_link"), ("GET", "/v1/auth/email-templates/preview/magic_link")],
)  # fmt: skip
def test_management_needs_the_secret_key(client, env, method, path):
    for headers in (key(env), bearer(env, env.user_token("boss", role="admin"))):
        response = client.request(method, path, json={} if method == "PUT" else None, headers=headers)
        assert response.status_code == 403, response.text
        assert_error(response.json(), 403, "auth/forbidden")


def test_set_update_and_delete_an_oauth_provider(client, env):
    url = "/v1/auth/providers/oauth/google"
    first = client.put(url, json={"clientId": "cid", "clientSecret": "top-secret", "scopes": ["openid", "email"]},
                       headers=_sk(env))  # fmt: skip
    assert first.status_code == 200, first.text
    assert first.json()["clientSecretSet"] is True and first.json()["enabled"] is True
    assert "top-secret" not in first.text
    partial = client.put(url, json={"clientId": "cid-2", "enabled": False}, headers=_sk(env)).json()
    assert partial["clientId"] == "cid-2" and partial["clientSecretSet"] is True and partial["enabled"] is False
    listed = client.get("/v1/auth/providers/oauth", headers=_sk(env)).json()
    assert [p["provider"] for p in listed] == ["google", "github"]
    assert client.delete(url, headers=_sk(env)).json()["deleted"] is True
    assert client.get(url, headers=_sk(env)).json()["clientSecretSet"] is False


PROVIDER_ERRORS = [
    Scenario("first set without secret", "PUT", "/v1/auth/providers/oauth/github", _sk, {"clientId": "x"},
             status=400, error_code="auth/validation-error", detail_fields=("clientSecret",)),
    Scenario("bad fields", "PUT", "/v1/auth/providers/oauth/github", _sk,
             {"clientId": "", "clientSecret": "s", "redirectUri": "nope", "scopes": "openid", "enabled": "yes",
              "endpoints": {"token": "ftp://x"}},
             status=400, error_code="auth/validation-error",
             detail_fields=("clientId", "redirectUri", "scopes", "enabled", "endpoints")),
    Scenario("unknown endpoint name", "PUT", "/v1/auth/providers/oauth/github", _sk,
             {"clientId": "x", "clientSecret": "s", "endpoints": {"graphql": "https://x"}},
             status=400, error_code="auth/validation-error", detail_fields=("endpoints",)),
    Scenario("unsupported", "PUT", "/v1/auth/providers/oauth/apple", _sk, {"clientId": "x"}, status=400,
             error_code="auth/unsupported-provider"),
    Scenario("unsupported get", "GET", "/v1/auth/providers/oauth/email", _sk, status=400,
             error_code="auth/unsupported-provider"),
    Scenario("not an object", "PUT", "/v1/auth/providers/oauth/github", _sk, [1], status=400,
             error_code="auth/validation-error"),
]  # fmt: skip


@pytest.mark.parametrize("scenario", PROVIDER_ERRORS, ids=lambda s: s.name)
def test_provider_errors(client, env, scenario):
    run(client, env, scenario)


def test_email_provider_settings(client, env):
    url = "/v1/auth/providers/email"
    changed = client.put(url, json={"passwordPolicy": {"minLength": 10}, "magicLinkExpirationMinutes": 30},
                         headers=_sk(env))  # fmt: skip
    assert changed.status_code == 200
    assert changed.json()["passwordPolicy"]["minLength"] == 10 and changed.json()["magicLinkExpirationMinutes"] == 30
    bad = client.put(url, json={"passwordPolicy": {"minLength": 3}, "magicLinkExpirationMinutes": 0}, headers=_sk(env))
    assert_error(bad.json(), 400, "auth/validation-error")
    assert [d["field"] for d in bad.json()["error"]["details"]] == ["passwordPolicy.minLength",
                                                                    "magicLinkExpirationMinutes"]  # fmt: skip
    assert client.get(url, headers=_sk(env)).json()["passwordPolicy"]["minLength"] == 10


def test_mail_settings(client, env):
    url = "/v1/auth/email-templates/config"
    assert client.get(url, headers=_sk(env)).json() == {"senderEmail": None, "senderName": None, "logoUrl": None,
                                                        "brandColor": None, "overrideDefaults": False}  # fmt: skip
    body = {"senderEmail": "Hello@MyApp.com", "senderName": "MyApp Team", "brandColor": "#2563EB",
            "overrideDefaults": True}  # fmt: skip
    assert client.put(url, json=body, headers=_sk(env)).json() == {**body, "senderEmail": "hello@myapp.com",
                                                                    "logoUrl": None}  # fmt: skip
    bad = client.put(url, json={"brandColor": "blue", "senderEmail": "nope", "overrideDefaults": 1}, headers=_sk(env))
    assert [d["field"] for d in bad.json()["error"]["details"]] == ["senderEmail", "brandColor", "overrideDefaults"]
    client.post("/v1/auth/password/reset/request", json={"email": signup(client, env)["user"]["email"]},
                headers=key(env))  # fmt: skip
    assert mails(env, "ada@example.com")[0]["from"] == "MyApp Team <hello@myapp.com>"


def test_templates_list_get_update_preview_reset(client, env):
    listed = client.get("/v1/auth/email-templates", headers=_sk(env)).json()
    assert [t["id"] for t in listed] == ["signup_confirmation", "password_reset", "magic_link", "email_verification",
                                         "invitation"]  # fmt: skip
    assert all(t["customized"] is False and t["locale"] == "en" for t in listed)
    url = "/v1/auth/email-templates/password_reset"
    default = client.get(url, headers=_sk(env)).json()
    assert "{{resetLink}}" in default["body"] and "resetLink" in default["variables"]
    body = {"subject": "비밀번호 재설정 {{userName}}", "body": "<p>{{resetLink}} {{resetLnk}}</p>", "locale": "ko"}
    saved = client.put(url, json=body, headers=_sk(env)).json()
    assert saved["customized"] is True and saved["locale"] == "ko" and saved["unknownVariables"] == ["resetLnk"]
    assert client.get(url, headers=_sk(env)).json()["customized"] is False, "en is still the default"
    preview = client.get("/v1/auth/email-templates/preview/password_reset?locale=ko", headers=_sk(env)).json()
    assert preview["subject"] == "비밀번호 재설정 Ada Lovelace" and "https://app.example.com/reset-password" in preview[
        "htmlBody"] and preview["unknownVariables"] == ["resetLnk"]  # fmt: skip
    assert preview["textBody"].strip().startswith("https://")
    reset = client.delete(f"{url}?locale=ko", headers=_sk(env)).json()
    assert reset["customized"] is False and reset["subject"] == default["subject"]


def test_a_customised_template_is_sent_only_with_override_on(client, env):
    signup(client, env)
    body = {"subject": "Custom reset for {{userName}}", "body": "<p>Go: {{resetLink}}</p>"}
    client.put("/v1/auth/email-templates/password_reset", json=body, headers=_sk(env))
    client.post("/v1/auth/password/reset/request", json={"email": "ada@example.com"}, headers=key(env))
    assert mails(env, "ada@example.com")[0]["subject"] != "Custom reset for Ada"
    client.put("/v1/auth/email-templates/config", json={"overrideDefaults": True}, headers=_sk(env))
    configure(env, rateLimits={"enabled": False})
    client.post("/v1/auth/password/reset/request", json={"email": "ada@example.com"}, headers=key(env))
    assert mails(env, "ada@example.com")[0]["subject"] == "Custom reset for Ada"


TEMPLATE_ERRORS = [
    Scenario("unknown template", "GET", "/v1/auth/email-templates/welcome", _sk, status=404,
             error_code="auth/template-not-found"),
    Scenario("unknown preview", "GET", "/v1/auth/email-templates/preview/welcome", _sk, status=404,
             error_code="auth/template-not-found"),
    Scenario("missing body", "PUT", "/v1/auth/email-templates/magic_link", _sk, {"subject": "x"}, status=400,
             error_code="auth/validation-error", detail_fields=("body",)),
    Scenario("bad locale", "GET", "/v1/auth/email-templates?locale=korean", _sk, status=400,
             error_code="auth/validation-error"),
]  # fmt: skip


@pytest.mark.parametrize("scenario", TEMPLATE_ERRORS, ids=lambda s: s.name)
def test_template_errors(client, env, scenario):
    run(client, env, scenario)
