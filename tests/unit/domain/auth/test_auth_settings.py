"""Per-environment auth settings (spec/auth.md §2.12 EmailConfig, §3.2, §4)."""

from __future__ import annotations

import pytest

from bkend_mcp.domain.auth import sessions, settings
from bkend_mcp.domain.errors import BkendError


def test_defaults_follow_the_spec(env):
    current = settings.load(env.backend, env.environment_id)
    assert (current.password_policy.min_length, current.password_policy.max_length) == (8, 128)
    assert current.refresh_token_ttl == 7 * 86400 and current.session_max_age == 30 * 86400
    assert current.magic_link_minutes == 15 and current.refresh_grace_seconds == 30
    assert current.default_role == "user" and current.rate_limits_enabled


def test_update_merges_and_describe_shows_the_effective_values(env):
    settings.update(env.backend, env.environment_id, {"passwordPolicy": {"minLength": 12}})
    described = settings.update(env.backend, env.environment_id, {"passwordPolicy": {"requireNumbers": True}})
    assert described["passwordPolicy"]["minLength"] == 12 and described["passwordPolicy"]["requireNumbers"] is True
    assert described["magicLinkExpirationMinutes"] == 15 and described["rateLimits"] == {"enabled": True}


def test_every_invalid_field_is_reported_at_once(env):
    with pytest.raises(BkendError) as caught:
        settings.update(
            env.backend,
            env.environment_id,
            {"passwordPolicy": {"minLength": 3, "colour": 1}, "magicLinkExpirationMinutes": 0,
             "allowedRedirectUrls": ["not a url"], "defaultRole": "9bad"},
        )  # fmt: skip
    fields = [d["field"] for d in caught.value.details]
    assert fields == [
        "passwordPolicy.minLength", "passwordPolicy.colour", "magicLinkExpirationMinutes", "allowedRedirectUrls",
        "defaultRole",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("agent", "device"),
    [
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
         "Chrome on macOS"),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 "
         "Safari/604.1", "Safari on iOS"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36 Edg/126.0",
         "Edge on Windows"),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0", "Firefox on Linux"),
        ("Dart/3.4 (dart:io)", "Dart"),
        ("", "Unknown device"),
    ],
)  # fmt: skip
def test_device_info_names_browser_and_system(agent, device):
    assert sessions.device_info(agent) == device
