"""Callback and redirect URLs (spec/auth.md P4) and the links mailed to users.

A URL is accepted when it is absolute http(s). If the environment lists `allowedRedirectUrls`, its origin must be
one of theirs, or a loopback host (local development). Links add their parameters with `?` or `&` as the URL
needs.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from bkend_mcp.domain.auth.inputs import invalid
from bkend_mcp.domain.auth.settings import AuthSettings

LOOPBACK = ("localhost", "127.0.0.1", "::1")


def is_absolute_http(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in url and len(url) <= 2048


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"


def is_allowed(settings: AuthSettings, url: str) -> bool:
    if not is_absolute_http(url):
        return False
    if not settings.allowed_redirect_urls or urlsplit(url).hostname in LOOPBACK:
        return True
    return _origin(url) in {_origin(allowed) for allowed in settings.allowed_redirect_urls}


def check(settings: AuthSettings, value: Any, field: str = "callbackUrl") -> str:
    """`value` if it is an acceptable callback URL, else 400 `auth/invalid-url`."""
    if not isinstance(value, str) or not is_allowed(settings, value.strip()):
        raise invalid(field, "url", f"'{field}' must be an allowed absolute http(s) URL", "auth/invalid-url")
    return value.strip()


def check_optional(settings: AuthSettings, value: Any, field: str = "callbackUrl") -> str | None:
    return None if value is None or value == "" else check(settings, value, field)


def with_params(base: str, **params: str) -> str:
    """`base` plus query parameters after any it already has (spec §2.1: `callbackUrl?token=…`, or `&token=…`)."""
    parts = urlsplit(base)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit(parts._replace(query=query))
