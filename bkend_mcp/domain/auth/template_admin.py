"""Managing the mail templates of an environment (spec/auth.md §2.12 #65-#69).

Customised templates live in the `email` config document under `templates: {<id>: {<locale>: {subject, body}}}`.
They are sent only while `overrideDefaults` is on; the built-in ones are used otherwise (and for locales without
a customised one). A preview renders the template as it would be sent (the customised one when it exists for the
locale, even while `overrideDefaults` is off, so it can be checked before switching on) with sample values,
which `sampleData` overrides. Unknown `{{variables}}` render empty and are reported as `unknownVariables`.
"""

from __future__ import annotations

import re
from typing import Any

from bkend_mcp.domain.auth import auth_admin, mailer, templates
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError

LOCALE = re.compile(r"^[a-z]{2}(-[A-Z]{2})?$")
NAMES = {
    "signup_confirmation": "Sign-up confirmation",
    "password_reset": "Password reset",
    "magic_link": "Magic link",
    "email_verification": "Email verification",
    "invitation": "Invitation",
}
MAX_SUBJECT = 300
MAX_BODY = 100_000
SAMPLE = {
    "userName": "Ada Lovelace",
    "userEmail": "ada@example.com",
    "resetLink": "https://app.example.com/reset-password?token=sample&email=ada%40example.com",
    "verifyLink": "https://app.example.com/verify-email?token=sample&email=ada%40example.com",
    "magicLink": "https://app.example.com/auth/callback?token=sample",
    "invitationLink": "https://app.example.com/invitations?token=sample&email=ada%40example.com",
    "inviterName": "Grace Hopper",
    "resourceName": "Analytical Engine Team",
    "expiresInMinutes": 15,
    "token": "0123456789abcdef" * 4,
}


def _template_id(value: Any) -> str:
    if value not in templates.DEFAULTS:
        raise BkendError("auth/template-not-found", f"Unknown template '{value}'; use one of {', '.join(NAMES)}")
    return value


def _locale(value: Any) -> str:
    if value in (None, ""):
        return "en"
    if not isinstance(value, str) or not LOCALE.match(value):
        message = "'locale' must be a language code such as en, ko or en-US"
        details = [{"field": "locale", "reason": "pattern", "message": message}]
        raise BkendError("auth/validation-error", message, details)
    return value


def _custom(backend: Backend, env: str, template_id: str, locale: str) -> dict[str, Any] | None:
    stored = ((templates.email_config(backend, env).get("templates") or {}).get(template_id) or {}).get(locale)
    return stored if stored and stored.get("subject") and stored.get("body") else None


def unknown_variables(*texts: str) -> list[str]:
    known = set(templates.VARIABLES)
    return sorted({name for text in texts for name in templates.VARIABLE.findall(text)} - known)


def _view(backend: Backend, env: str, template_id: str, locale: str) -> dict[str, Any]:
    custom = _custom(backend, env, template_id, locale)
    default = templates.DEFAULTS[template_id]
    return {
        "id": template_id,
        "name": NAMES[template_id],
        "category": template_id,
        "locale": locale,
        "subject": custom["subject"] if custom else default.subject,
        "body": custom["body"] if custom else default.html,
        "customized": custom is not None,
        "variables": list(templates.VARIABLES),
    }


def list_templates(backend: Backend, caller: Caller, locale: Any = None) -> list[dict[str, Any]]:
    """#65: `[{id, name, category, subject, customized, locale}]`."""
    auth_admin.require_manager(caller)
    chosen = _locale(locale)
    keys = ("id", "name", "category", "subject", "customized", "locale")
    return [{k: _view(backend, caller.environment_id, t, chosen)[k] for k in keys} for t in NAMES]


def get_template(backend: Backend, caller: Caller, template_id: Any, locale: Any = None) -> dict[str, Any]:
    """#66: the template with its body (HTML) and the variables it may use."""
    auth_admin.require_manager(caller)
    return _view(backend, caller.environment_id, _template_id(template_id), _locale(locale))


def update_template(backend: Backend, caller: Caller, template_id: Any, body: Any) -> dict[str, Any]:
    """#67: store a customised `{subject, body}` for a locale (+ `unknownVariables`, a warning)."""
    auth_admin.require_manager(caller)
    chosen_id = _template_id(template_id)
    if not isinstance(body, dict):
        raise BkendError("auth/validation-error", "The template must be a JSON object")
    problems = [
        {"field": key, "reason": "invalid", "message": f"'{key}' must be a non-empty string of at most {limit}"}
        for key, limit in (("subject", MAX_SUBJECT), ("body", MAX_BODY))
        if not isinstance(body.get(key), str) or not body[key].strip() or len(body[key]) > limit
    ]
    if problems:
        raise BkendError("auth/validation-error", problems[0]["message"], problems)
    locale = _locale(body.get("locale"))
    env = caller.environment_id
    stored = dict(templates.email_config(backend, env).get("templates") or {})
    stored[chosen_id] = {**(stored.get(chosen_id) or {}), locale: {"subject": body["subject"], "body": body["body"]}}
    auth_admin.save_email_config(backend, env, {"templates": stored})
    unknown = unknown_variables(body["subject"], body["body"])
    return {**_view(backend, env, chosen_id, locale), "unknownVariables": unknown}


def reset_template(backend: Backend, caller: Caller, template_id: Any, locale: Any = None) -> dict[str, Any]:
    """#69: forget the customised template of a locale; answers the built-in one."""
    auth_admin.require_manager(caller)
    chosen_id, chosen_locale = _template_id(template_id), _locale(locale)
    env = caller.environment_id
    stored = dict(templates.email_config(backend, env).get("templates") or {})
    remaining = {k: v for k, v in (stored.get(chosen_id) or {}).items() if k != chosen_locale}
    stored[chosen_id] = remaining
    auth_admin.save_email_config(backend, env, {"templates": stored})
    return _view(backend, env, chosen_id, chosen_locale)


def preview(
    backend: Backend, caller: Caller, template_id: Any, locale: Any = None, sample_data: Any = None
) -> dict[str, Any]:
    """#68: `{subject, htmlBody, textBody}` (+ `html`, `text` and `unknownVariables`, for MCP)."""
    auth_admin.require_manager(caller)
    chosen_id, chosen_locale = _template_id(template_id), _locale(locale)
    if sample_data is not None and not isinstance(sample_data, dict):
        raise BkendError("auth/validation-error", "'sampleData' must be an object of variable values")
    env = caller.environment_id
    custom = _custom(backend, env, chosen_id, chosen_locale)
    source = templates.pick({"overrideDefaults": True, "templates": {chosen_id: {chosen_locale: custom}}},
                            chosen_id, chosen_locale) if custom else templates.DEFAULTS[chosen_id]  # fmt: skip
    config = templates.email_config(backend, env)
    context = {
        **SAMPLE,
        "projectName": mailer.project_name(backend, env),
        "logoUrl": config.get("logoUrl"),
        "brandColor": config.get("brandColor"),
        **{k: v for k, v in (sample_data or {}).items() if isinstance(v, str | int | float)},
    }
    mail = templates.render(source, context)
    unknown = unknown_variables(source.subject, source.html, source.text)
    return {
        "subject": mail.subject,
        "htmlBody": mail.html,
        "textBody": mail.text,
        "html": mail.html,
        "text": mail.text,
        "locale": chosen_locale,
        "unknownVariables": unknown,
    }
