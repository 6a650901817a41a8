"""Mail to tenants (team invitations): SMTP when `BKEND_SMTP_HOST` is set, else the organization's console outbox.

Kept apart from app-user mail (`auth.mailer`, per environment): a tenant is not an app user and an invitation
belongs to an organization, not an environment. Without SMTP the mail is stored and logged, and the inviter sees
the link; a failed SMTP delivery is logged and kept with `status: "failed"`.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import time
from html import escape
from typing import Any

from bkend_mcp.domain import dates
from bkend_mcp.domain.auth.mailer import _deliver
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.console.console_collections import OUTBOX
from bkend_mcp.store.base import Cond, Query, SortKey

log = logging.getLogger("bkend_mcp.mail")
DEFAULT_SENDER = "bkend console <no-reply@localhost>"


def invitation_text(org_name: str, inviter: str, role: str, link: str) -> tuple[str, str, str]:
    """(subject, text, html) of a team invitation."""
    subject = f"{inviter} invited you to {org_name} on bkend"
    text = (
        f"{inviter} invited you to join the organization {org_name} as {role}.\n\n"
        f"Accept the invitation (valid 7 days): {link}\n\nIf you did not expect this, ignore this mail."
    )
    html = (
        f"<p>{escape(inviter)} invited you to join the organization <strong>{escape(org_name)}</strong> as "
        f'{escape(role)}.</p><p><a href="{escape(link)}">Accept the invitation</a> (valid 7 days).</p>'
        "<p>If you did not expect this, ignore this mail.</p>"
    )
    return subject, text, html


def send(backend: Backend, organization_id: str, to: str, mail: tuple[str, str, str], kind: str) -> str:
    """Deliver (or keep) one mail; returns its id."""
    subject, text, html = mail
    mail_id = f"cmail_{time.time_ns():020d}{secrets.token_hex(4)}"
    sender = backend.config.smtp.sender if backend.config.smtp else DEFAULT_SENDER
    doc: dict[str, Any] = {
        "_id": mail_id,
        "organizationId": organization_id,
        "to": to,
        "from": sender,
        "subject": subject,
        "text": text,
        "html": html,
        "kind": kind,
        "createdAt": dates.now(),
    }
    if backend.config.smtp is None:
        log.info("console mail %s to %s stored in the console outbox (no SMTP configured)", kind, to)
        backend.control(OUTBOX).insert({**doc, "status": "stored"})
        return mail_id
    try:
        _deliver(backend.config.smtp, doc)
        backend.control(OUTBOX).insert({**doc, "status": "sent"})
    except (OSError, smtplib.SMTPException) as exc:
        log.error("console mail %s to %s failed: %s", kind, to, exc)
        backend.control(OUTBOX).insert({**doc, "status": "failed", "error": str(exc)})
    return mail_id


def recent(backend: Backend, organization_id: str, limit: int = 20) -> list[dict[str, Any]]:
    query = Query(
        Cond("organizationId", "eq", organization_id, scalar=True),
        sort=(SortKey("createdAt", -1, scalar=True), SortKey("_id", -1, scalar=True)),
        limit=max(1, min(limit, 100)),
    )
    out = []
    for doc in backend.control(OUTBOX).find(query):
        out.append({"id": doc["_id"], **{k: v for k, v in doc.items() if k not in ("_id", "organizationId")}})
        out[-1]["createdAt"] = dates.iso(doc["createdAt"])
    return out
