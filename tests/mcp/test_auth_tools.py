"""`manage_auth` and `manage_users` over the SDK's in-memory client (spec/mcp-and-console.md §6.3): per-action
validation of the flat input, scopes per action, and the same results as the REST management routes."""

from __future__ import annotations

import pytest

from bkend_mcp.domain.auth import collections, mailer
from bkend_mcp.mcp.listing import effective_annotations
from tests.api.auth_helpers import PASSWORD
from tests.mcp.mcp_client import Tools


@pytest.fixture
def tools(env) -> Tools:
    return Tools(env.backend)


def test_both_tools_are_listed_as_destructive_with_a_flat_schema(tools):
    listed = tools.list()
    for name in ("manage_auth", "manage_users"):
        tool = listed[name]
        hints = effective_annotations(tool.annotations)
        assert hints.destructive_hint is True and hints.read_only_hint is False
        schema = tool.input_schema
        assert schema["required"] == ["action"] and "oneOf" not in str(schema)
    assert "preview_email_template" in str(listed["manage_auth"].input_schema["properties"]["action"])


# --- manage_auth ---------------------------------------------------------------------------------------------


def test_get_and_update_the_email_config(tools):
    config = tools.ok("manage_auth", action="get_config")
    assert config["email"]["passwordPolicy"]["minLength"] == 8
    assert set(config["oauth"]) == {"google", "github"} and config["oauth"]["google"]["enabled"] is False
    updated = tools.ok(
        "manage_auth", action="update_email_config", magicLinkExpirationMinutes=30,
        passwordPolicy={"minLength": 10, "requireUppercase": True, "requireLowercase": True, "requireNumbers": True,
                        "requireSpecialChars": True},
        settings={"requireEmailVerification": True},
    )  # fmt: skip
    assert updated["email"]["magicLinkExpirationMinutes"] == 30
    assert updated["email"]["passwordPolicy"]["minLength"] == 10 and updated["email"]["requireEmailVerification"]


def test_set_and_delete_an_oauth_provider(env, tools):
    result = tools.ok(
        "manage_auth", action="set_oauth_provider", provider="google", clientId="cid", clientSecret="shh-secret",
        scopes=["openid", "email", "profile"], enabled=True,
    )  # fmt: skip
    assert result["clientSecretSet"] is True and "shh-secret" not in str(result)
    stored = env.backend.data(env.environment_id, collections.CONFIG).get("oauth")
    assert "shh-secret" not in str(stored)
    assert tools.ok("manage_auth", action="delete_oauth_provider", provider="google")["deleted"] is True


@pytest.mark.parametrize(
    "arguments, field",
    [
        ({"action": "set_oauth_provider", "clientId": "x"}, "provider"),
        ({"action": "get_config", "provider": "google"}, "provider"),
        ({"action": "get_email_template"}, "category"),
        ({"action": "update_email_template", "category": "magic_link", "subject": "s"}, "body"),
        ({"action": "update_email_settings", "subject": "s"}, "subject"),
    ],
    ids=["missing provider", "irrelevant key", "missing category", "missing body", "key of another action"],
)
def test_per_action_validation(tools, arguments, field):
    error = tools.error("manage_auth", **arguments)
    assert error["code"] == "VALIDATION_ERROR" and error["details"][0]["field"] == field


def test_first_provider_set_needs_the_secret(tools):
    error = tools.error("manage_auth", action="set_oauth_provider", provider="github", clientId="x")
    assert error["restCode"] == "auth/validation-error" and error["details"][0]["field"] == "clientSecret"


def test_mail_settings_and_templates(env, tools):
    settings = tools.ok("manage_auth", action="update_email_settings", senderEmail="hello@myapp.com",
                        senderName="MyApp Team", brandColor="#2563EB", overrideDefaults=True)  # fmt: skip
    assert settings["brandColor"] == "#2563EB" and tools.ok("manage_auth", action="get_email_settings") == settings
    listed = tools.ok("manage_auth", action="list_email_templates")["items"]
    assert {t["category"] for t in listed} == {"signup_confirmation", "password_reset", "magic_link",
                                               "email_verification", "invitation"}  # fmt: skip
    saved = tools.ok("manage_auth", action="update_email_template", category="password_reset", locale="ko",
                     subject="{{projectName}} 비밀번호", body="<p>{{resetLink}} {{oops}}</p>")  # fmt: skip
    assert saved["unknownVariables"] == ["oops"]
    preview = tools.ok("manage_auth", action="preview_email_template", category="password_reset", locale="ko",
                       sampleData={"resetLink": "https://x.test/r"})  # fmt: skip
    assert "https://x.test/r" in preview["html"] and preview["subject"].endswith("비밀번호")
    reset = tools.ok("manage_auth", action="reset_email_template", category="password_reset", locale="ko")
    assert reset["customized"] is False
    missing = tools.error("manage_auth", action="get_email_template", category="magic_link", locale="Korean")
    assert missing["code"] == "VALIDATION_ERROR"


def test_scopes_per_action(env):
    reader = Tools(env.backend, scopes=("auth-config:read", "user:read"))
    assert reader.ok("manage_auth", action="get_config")["email"]
    denied = reader.error("manage_auth", action="update_email_config", magicLinkEnabled=False)
    assert denied["code"] == "FORBIDDEN" and "auth-config:update" in denied["message"]
    assert reader.ok("manage_users", action="list")["items"] == []
    assert reader.error("manage_users", action="create", email="a@example.com")["code"] == "FORBIDDEN"


# --- manage_users ---------------------------------------------------------------------------------------------


def test_user_lifecycle(env, tools):
    created = tools.ok("manage_users", action="create", email="Grace@Example.com", password=PASSWORD, role="editor",
                       emailVerified=True)  # fmt: skip
    assert created["email"] == "grace@example.com" and created["name"] == "grace" and created["role"] == "editor"
    assert created["providers"] == ["email"] and "passwordHash" not in str(created)
    by_email = tools.ok("manage_users", action="get", email="GRACE@example.com")
    assert by_email["id"] == created["id"]
    listed = tools.ok("manage_users", action="list", search="grace")
    assert [u["id"] for u in listed["items"]] == [created["id"]] and listed["pagination"]["total"] == 1
    data = {"name": "Grace H.", "nickname": "amazing"}
    updated = tools.ok("manage_users", action="update", userId=created["id"], data=data)
    assert (updated["name"], updated["nickname"]) == ("Grace H.", "amazing")
    assert tools.ok("manage_users", action="set_role", userId=created["id"], role="admin")["role"] == "admin"
    sent = tools.ok("manage_users", action="send_password_reset", email="grace@example.com",
                    callbackUrl="https://app.example.com/reset")  # fmt: skip
    assert sent == {"sent": True, "email": "grace@example.com"}
    mail = mailer.recent(env.backend, env.environment_id, to="grace@example.com")[0]
    assert mail["template"] == "password_reset" and "https://app.example.com/reset?token=" in mail["text"]
    assert tools.ok("manage_users", action="delete", userId=created["id"]) == {"deleted": True, "id": created["id"]}
    assert tools.error("manage_users", action="get", userId=created["id"])["code"] == "NOT_FOUND"
    again = tools.ok("manage_users", action="create", email="grace@example.com")
    assert again["id"] != created["id"], "a deleted user's address is free again"


@pytest.mark.parametrize(
    "arguments, code, rest_code",
    [
        ({"action": "get"}, "VALIDATION_ERROR", "common/invalid-parameters"),
        ({"action": "get", "userId": "a", "email": "b@example.com"}, "VALIDATION_ERROR", "common/invalid-parameters"),
        ({"action": "get", "email": "nobody@example.com"}, "NOT_FOUND", "user/not-found"),
        ({"action": "create"}, "VALIDATION_ERROR", "common/invalid-parameters"),
        ({"action": "create", "email": "x@example.com", "role": "bad role"}, "VALIDATION_ERROR", "user/invalid-role"),
        ({"action": "create", "email": "x@example.com", "password": "short"}, "VALIDATION_ERROR",
         "auth/invalid-password-format"),
        ({"action": "update", "userId": "nope", "data": {"name": "x"}}, "NOT_FOUND", "user/not-found"),
        ({"action": "set_role", "userId": "nope"}, "VALIDATION_ERROR", "common/invalid-parameters"),
        ({"action": "list", "role": "admin"}, "VALIDATION_ERROR", "common/invalid-parameters"),
        ({"action": "delete", "userId": "nope"}, "NOT_FOUND", "user/not-found"),
    ],
    ids=["get without who", "get with both", "unknown email", "create without email", "bad role", "weak password",
         "update unknown", "set_role without role", "irrelevant key", "delete unknown"],
)  # fmt: skip
def test_manage_users_errors(tools, arguments, code, rest_code):
    error = tools.error("manage_users", **arguments)
    assert (error["code"], error["restCode"]) == (code, rest_code)


def test_a_duplicate_address_is_a_conflict(tools):
    tools.ok("manage_users", action="create", email="dup@example.com")
    error = tools.error("manage_users", action="create", email="dup@example.com")
    assert (error["code"], error["restCode"]) == ("CONFLICT", "auth/email-already-exists")


def test_a_user_created_by_the_tool_signs_in_over_rest(client, env, tools):
    tools.ok("manage_users", action="create", email="rest@example.com", password=PASSWORD)
    body = {"email": "rest@example.com", "password": PASSWORD}
    assert client.post("/v1/auth/email/signin", json=body, headers={"x-api-key": env.pk}).status_code == 200
