"""Mail to app users: SMTP when `BKEND_SMTP_HOST` is set, otherwise the environment's outbox (spec/auth.md P7).

Without SMTP every mail is stored in the environment's `_email_outbox` and noted in the server log, so a developer
can follow links with zero set-up (`bkend-mcp outbox`). A failed SMTP delivery is logged and kept in the outbox
with `status: "failed"`; the request that triggered it still succeeds, so a mail failure never reveals whether an
address exists.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
import time
from email.message import EmailMessage
from email.utils import formataddr
from typing import Any

from bkend_mcp.config import SmtpSettings
from bkend_mcp.domain import dates
from bkend_mcp.domain.auth import collections, templates
from bkend_mcp.domain.backend import Backend
from bkend_mcp.store.base import MATCH_ALL, Cond, Query, SortKey

log = logging.getLogger("bkend_mcp.mail")
SMTP_TIMEOUT_SECONDS = 10


def send(
    backend: Backend,
    environment_id: str,
    template_id: str,
    to: str,
    variables: dict[str, Any],
    *,
    locale: str | None = None,
) -> str:
    """Render `template_id` for `to` and deliver it; returns the mail's id."""
    config = templates.email_config(backend, environment_id)
    project = project_name(backend, environment_id)
    context = {
        "projectName": project,
        "userEmail": to,
        "logoUrl": config.get("logoUrl"),
        "brandColor": config.get("brandColor"),
        **variables,
    }
    mail = templates.render(templates.pick(config, template_id, locale), context)
    doc: dict[str, Any] = {
        "_id": f"mail_{time.time_ns():020d}{secrets.token_hex(4)}",  # sorts by creation, to the nanosecond
        "to": to,
        "from": _sender(backend.config.smtp, config, project),
        "subject": mail.subject,
        "text": mail.text,
        "html": mail.html,
        "template": template_id,
        "createdAt": dates.now(),
    }
    if backend.config.smtp is None:
        log.info("mail %s to %s stored in the outbox of %s (no SMTP configured)", template_id, to, environment_id)
        backend.data(environment_id, collections.OUTBOX).insert({**doc, "status": "stored"})
        return doc["_id"]
    try:
        _deliver(backend.config.smtp, doc)
    except (OSError, smtplib.SMTPException) as exc:
        log.error("mail %s to %s failed: %s", template_id, to, exc)
        backend.data(environment_id, collections.OUTBOX).insert({**doc, "status": "failed", "error": str(exc)})
    return doc["_id"]


def recent(backend: Backend, environment_id: str, *, limit: int = 20, to: str | None = None) -> list[dict[str, Any]]:
    """The newest outbox mails first (the dev mailbox)."""
    query = Query(
        Cond("to", "eq", to, scalar=True) if to else MATCH_ALL,
        sort=(SortKey("createdAt", -1, scalar=True), SortKey("_id", -1, scalar=True)),
        limit=limit,
    )
    out = []
    for doc in backend.data(environment_id, collections.OUTBOX).find(query):
        out.append({"id": doc["_id"], **{k: v for k, v in doc.items() if k != "_id"}})
        out[-1]["createdAt"] = dates.iso(doc["createdAt"])
    return out


def project_name(backend: Backend, environment_id: str) -> str:
    env = backend.control("environments").get(environment_id) or {}
    project = backend.control("projects").get(env.get("projectId", "")) or {}
    return project.get("name") or "your app"


def _sender(smtp: SmtpSettings | None, config: dict[str, Any], project: str) -> str:
    if config.get("senderEmail"):
        return formataddr((config.get("senderName") or project, config["senderEmail"]))
    return smtp.sender if smtp else formataddr((project, "no-reply@localhost"))


def _deliver(smtp: SmtpSettings, doc: dict[str, Any]) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = doc["from"], doc["to"], doc["subject"]
    message.set_content(doc["text"])
    message.add_alternative(doc["html"], subtype="html")
    context = ssl.create_default_context()
    if smtp.tls == "ssl":
        connection: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=SMTP_TIMEOUT_SECONDS, context=context)
    else:
        connection = smtplib.SMTP(smtp.host, smtp.port, timeout=SMTP_TIMEOUT_SECONDS)
    with connection:
        if smtp.tls == "starttls":
            connection.starttls(context=context)
        if smtp.user:
            connection.login(smtp.user, smtp.password or "")
        connection.send_message(message)
