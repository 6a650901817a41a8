"""Profile and per-user settings over HTTP (spec/auth.md §2.11 #43-#44, #48-#55; compat C21)."""

from __future__ import annotations

import pytest

from tests.api.auth_helpers import bearer, key, signup
from tests.api.scenario import Scenario, assert_error, run


@pytest.fixture
def ada(client, env):
    return signup(client, env)


@pytest.fixture
def bob(client, env):
    return signup(client, env, "bob@example.com", name="Bob")


def _url(user, suffix=""):
    return f"/v1/users/{user['user']['id']}{suffix}"


def test_profile_patch_accepts_image_and_returns_the_full_user(client, env, ada):
    """compat C21."""
    body = {"image": "https://cdn.example.com/a.png", "nickname": "ada", "mobile": "+821012345678",
            "gender": "female", "socialLinks": {"github": "https://github.com/ada"}}  # fmt: skip
    response = client.patch(_url(ada, "/profile"), json=body, headers=bearer(env, ada["accessToken"]))
    assert response.status_code == 200, response.text
    user = response.json()
    assert user["image"] == "https://cdn.example.com/a.png" and user["email"] == "ada@example.com"
    assert user["socialLinks"] == {"github": "https://github.com/ada", "twitter": None, "linkedin": None}
    assert {"role", "createdAt", "emailVerified", "mfaEnabled"} <= set(user)
    profile = client.get(_url(ada, "/profile"), headers=bearer(env, ada["accessToken"])).json()
    assert profile == {"id": ada["user"]["id"], "name": "Ada", "nickname": "ada", "email": "ada@example.com",
                       "mobile": "+821012345678", "gender": "female", "bio": None, "socialLinks": user["socialLinks"],
                       "image": "https://cdn.example.com/a.png"}  # fmt: skip


def test_null_clears_and_every_failure_is_reported(client, env, ada):
    headers = bearer(env, ada["accessToken"])
    client.patch(_url(ada, "/profile"), json={"nickname": "ada", "bio": "hi"}, headers=headers)
    cleared = client.patch(_url(ada, "/profile"), json={"nickname": None, "bio": None}, headers=headers).json()
    assert cleared["nickname"] is None and cleared["bio"] is None
    wrong = {"name": "x" * 101, "mobile": "010-1234", "gender": "robot", "image": "ftp://x"}
    bad = client.patch(_url(ada, "/profile"), headers=headers, json=wrong)
    assert bad.status_code == 400
    body = bad.json()
    assert_error(body, 400, "user/invalid-name")
    assert [d["field"] for d in body["error"]["details"]] == ["name", "mobile", "gender", "image"]
    nickname = client.patch(_url(ada, "/profile"), json={"nickname": ""}, headers=headers)
    assert_error(nickname.json(), 400, "user/invalid-nickname")
    assert client.get("/v1/auth/me", headers=headers).json()["name"] == "Ada", "a rejected patch changes nothing"


def test_profiles_are_private_unless_public(client, env, ada, bob):
    other = bearer(env, bob["accessToken"])
    assert_error(client.get(_url(ada, "/profile"), headers=other).json(), 403, "user/forbidden")
    assert_error(client.get(_url(ada, "/profile"), headers=key(env)).json(), 401, "user/unauthorized")
    client.patch(_url(ada, "/profile"), json={"bio": "Poet of science"}, headers=bearer(env, ada["accessToken"]))
    client.patch(_url(ada, "/public-settings"), json={"isPublic": True, "slug": "ada"},
                 headers=bearer(env, ada["accessToken"]))  # fmt: skip
    public = client.get(_url(ada, "/profile"), headers=key(env)).json()
    assert public["bio"] == "Poet of science" and public["slug"] == "ada" and "email" not in public
    assert client.get(_url(ada, "/profile"), headers={"x-api-key": env.sk}).json()["email"] == "ada@example.com"


def test_preferences(client, env, ada):
    headers = bearer(env, ada["accessToken"])
    assert client.get(_url(ada, "/preferences"), headers=headers).json() == {"locale": None, "timezone": None,
                                                                             "theme": None}  # fmt: skip
    changed = client.patch(_url(ada, "/preferences"), json={"theme": "dark", "timezone": "Asia/Seoul", "locale": "ko"},
                           headers=headers)  # fmt: skip
    assert changed.json() == {"locale": "ko", "timezone": "Asia/Seoul", "theme": "dark"}
    partial = client.patch(_url(ada, "/preferences"), json={"theme": None}, headers=headers).json()
    assert partial == {"locale": "ko", "timezone": "Asia/Seoul", "theme": None}
    bad = client.patch(
        _url(ada, "/preferences"), json={"timezone": "Mars/Olympus", "locale": "korean"}, headers=headers
    )
    assert_error(bad.json(), 400, "user/validation-error")
    assert [d["field"] for d in bad.json()["error"]["details"]] == ["locale", "timezone"]


def test_notifications(client, env, ada):
    headers = bearer(env, ada["accessToken"])
    defaults = client.get(_url(ada, "/notifications"), headers=headers).json()
    assert defaults == {"service": True, "marketing": False, "push": True, "email": True, "sms": False,
                        "nightTime": False, "securityAlerts": True}  # fmt: skip
    changed = client.patch(_url(ada, "/notifications"), json={"marketing": True, "push": False}, headers=headers)
    assert changed.json() == {**defaults, "marketing": True, "push": False}
    assert_error(client.patch(_url(ada, "/notifications"), json={"sms": "yes"}, headers=headers).json(), 400,
                 "user/validation-error")  # fmt: skip


def test_onboarding(client, env, ada):
    headers = bearer(env, ada["accessToken"])
    assert client.get(_url(ada, "/onboarding"), headers=headers).json() == {
        "status": "pending", "currentStep": None, "completedSteps": [], "completedAt": None}  # fmt: skip
    step = client.patch(_url(ada, "/onboarding"), json={"status": "in_progress", "currentStep": "profile",
                                                        "completedSteps": ["welcome"]}, headers=headers)  # fmt: skip
    assert step.json()["currentStep"] == "profile" and step.json()["completedAt"] is None
    done = client.patch(_url(ada, "/onboarding"), json={"status": "completed"}, headers=headers).json()
    assert done["completedAt"] is not None and done["completedSteps"] == ["welcome"]
    assert client.get("/v1/auth/me", headers=headers).json()["onboardingStatus"] == "completed"
    assert_error(client.patch(_url(ada, "/onboarding"), json={"status": "done"}, headers=headers).json(), 400,
                 "user/validation-error")  # fmt: skip


def test_public_settings_slugs_are_unique(client, env, ada, bob):
    mine, theirs = bearer(env, ada["accessToken"]), bearer(env, bob["accessToken"])
    assert client.get(_url(ada, "/public-settings"), headers=mine).json() == {"slug": None, "isPublic": False}
    assert client.patch(_url(ada, "/public-settings"), json={"slug": "ada-l"}, headers=mine).json() == {
        "slug": "ada-l", "isPublic": False}  # fmt: skip
    taken = client.patch(_url(bob, "/public-settings"), json={"slug": "ada-l"}, headers=theirs)
    assert_error(taken.json(), 409, "user/slug-already-exists")
    client.patch(_url(ada, "/public-settings"), json={"slug": None}, headers=mine)
    client.patch(_url(bob, "/public-settings"), json={"slug": None}, headers=theirs)
    assert client.patch(_url(bob, "/public-settings"), json={"slug": "ada-l"}, headers=theirs).status_code == 200
    assert_error(client.patch(_url(ada, "/public-settings"), json={"slug": "-x"}, headers=mine).json(), 400,
                 "user/validation-error")  # fmt: skip


SECTIONS = ["profile", "preferences", "notifications", "onboarding", "public-settings"]


@pytest.mark.parametrize("section", SECTIONS)
def test_sections_are_self_or_admin(client, env, ada, bob, section):
    url = _url(ada, f"/{section}")
    assert client.patch(url, json={}, headers=bearer(env, bob["accessToken"])).status_code == 403
    assert client.patch(url, json={}, headers={"x-api-key": env.sk}).status_code == 200
    assert client.get(url, headers={"x-api-key": env.sk}).status_code == 200
    missing = client.get(f"/v1/users/nobody/{section}", headers={"x-api-key": env.sk})
    assert_error(missing.json(), 404, "user/not-found")


SECTION_ERRORS = [
    Scenario("body not an object", "PATCH", "/v1/users/u1/preferences", lambda env: bearer(env, env.user_token("u1")),
             body=[1], status=400, error_code="user/validation-error"),
    Scenario("no user token", "PATCH", "/v1/users/u1/notifications", key, body={}, status=401,
             error_code="user/unauthorized"),
]  # fmt: skip


@pytest.mark.parametrize("scenario", SECTION_ERRORS, ids=lambda s: s.name)
def test_section_errors(client, env, scenario):
    run(client, env, scenario)
