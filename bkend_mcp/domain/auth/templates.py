"""Mail templates (spec/auth.md §2.12): the five built-in ones and `{{variable}}` rendering.

An environment may customise them: the `_auth_config` document `_id: "email"` holds
`{senderEmail, senderName, logoUrl, brandColor, overrideDefaults, templates: {<id>: {<locale>: {subject, body}}}}`.
Customised templates are used only when `overrideDefaults` is true (A18). Locale: the recipient's
`preferences.locale`, else `en`; a locale without a template falls back to `en`, then to the built-in.

Rendering: `{{name}}` (spaces allowed inside the braces) is replaced by the variable's value, HTML-escaped in
HTML bodies; unknown or misspelled variables render as empty strings. The plain-text part of a custom HTML body
is the body with its tags removed.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from bkend_mcp.domain.auth import collections
from bkend_mcp.domain.backend import Backend

EMAIL_CONFIG_ID = "email"
VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
TAG = re.compile(r"<[^>]+>")
VARIABLES = (
    "userName",
    "userEmail",
    "resetLink",
    "verifyLink",
    "magicLink",
    "invitationLink",
    "inviterName",
    "resourceName",
    "projectName",
    "expiresInMinutes",
    "token",
    "logoUrl",
    "brandColor",
)


@dataclass(frozen=True, slots=True)
class Template:
    subject: str
    html: str
    text: str


def _page(title: str, lines: str, action: str, link_var: str) -> str:
    return (
        '<div style="font-family:system-ui,sans-serif;max-width:560px;margin:auto">'
        f"<h2>{title}</h2>{lines}"
        f'<p><a href="{{{{{link_var}}}}}" style="background:#111;color:#fff;padding:10px 16px;'
        f'border-radius:6px;text-decoration:none">{action}</a></p>'
        f'<p style="color:#666;font-size:13px">Or open this link: {{{{{link_var}}}}}</p>'
        '<p style="color:#666;font-size:13px">If you did not ask for this, ignore this email.</p></div>'
    )


DEFAULTS: dict[str, Template] = {
    "signup_confirmation": Template(
        "Confirm your email for {{projectName}}",
        _page("Welcome, {{userName}}", "<p>Confirm your address {{userEmail}} to finish signing up.</p>",
              "Confirm email", "verifyLink"),
        "Welcome, {{userName}}.\n\nConfirm your address {{userEmail}}:\n{{verifyLink}}\n\n"
        "If you did not sign up, ignore this email.\n",
    ),
    "password_reset": Template(
        "Reset your {{projectName}} password",
        _page("Reset your password", "<p>We received a request to reset the password of {{userEmail}}. "
              "The link works once, for {{expiresInMinutes}} minutes.</p><p>Code: <code>{{token}}</code></p>",
              "Choose a new password", "resetLink"),
        "Reset the password of {{userEmail}} (valid {{expiresInMinutes}} minutes, once):\n{{resetLink}}\n\n"
        "Code: {{token}}\n\nIf you did not ask for this, ignore this email.\n",
    ),
    "magic_link": Template(
        "Your {{projectName}} sign-in link",
        _page("Sign in", "<p>Use this link to sign in as {{userEmail}}. "
              "It works once, for {{expiresInMinutes}} minutes.</p>", "Sign in", "magicLink"),
        "Sign in as {{userEmail}} (valid {{expiresInMinutes}} minutes, once):\n{{magicLink}}\n",
    ),
    "email_verification": Template(
        "Verify your email for {{projectName}}",
        _page("Verify your email", "<p>Confirm that {{userEmail}} is your address.</p>"
              "<p>Code: <code>{{token}}</code></p>", "Verify email", "verifyLink"),
        "Confirm that {{userEmail}} is your address:\n{{verifyLink}}\n\nCode: {{token}}\n",
    ),
    "invitation": Template(
        "{{inviterName}} invited you to {{resourceName}}",
        _page("You are invited", "<p>{{inviterName}} invited {{userEmail}} to join {{resourceName}}. "
              "The invitation is valid for 7 days.</p><p>Code: <code>{{token}}</code></p>",
              "Accept invitation", "invitationLink"),
        "{{inviterName}} invited {{userEmail}} to join {{resourceName}} (valid 7 days):\n{{invitationLink}}\n\n"
        "Code: {{token}}\n",
    ),
}  # fmt: skip


def render_text(source: str, variables: dict[str, Any], *, escape: bool) -> str:
    def value(match: re.Match[str]) -> str:
        raw = variables.get(match.group(1))
        text = "" if raw is None else str(raw)
        return html.escape(text) if escape else text

    return VARIABLE.sub(value, source)


def email_config(backend: Backend, environment_id: str) -> dict[str, Any]:
    return backend.data(environment_id, collections.CONFIG).get(EMAIL_CONFIG_ID) or {}


def pick(config: dict[str, Any], template_id: str, locale: str | None) -> Template:
    """The template to send: the environment's customised one when enabled, else the built-in."""
    custom = (config.get("templates") or {}).get(template_id) or {}
    if config.get("overrideDefaults"):
        for candidate in (locale, "en"):
            chosen = custom.get(candidate) if candidate else None
            if chosen and chosen.get("subject") and chosen.get("body"):
                return Template(chosen["subject"], chosen["body"], html.unescape(TAG.sub("", chosen["body"])))
    return DEFAULTS[template_id]


def render(template: Template, variables: dict[str, Any]) -> Template:
    """Subject and text get raw values; the HTML body gets escaped ones."""
    return Template(
        render_text(template.subject, variables, escape=False).replace("\n", " "),
        render_text(template.html, variables, escape=True),
        render_text(template.text, variables, escape=False),
    )
