"""Mail templates, the outbox and SMTP delivery (spec/auth.md §2.12, P7)."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from dataclasses import replace
from email import message_from_bytes, policy

import pytest

from bkend_mcp.config import SmtpSettings
from bkend_mcp.domain.auth import collections, mailer, templates


def test_variables_render_and_unknown_ones_are_empty():
    rendered = templates.render(
        templates.Template("Hi {{ userName }}{{typo}}", "<p>{{userName}}</p>", "{{userName}} {{nope}}!"),
        {"userName": "<Ada & co>"},
    )
    assert rendered.subject == "Hi <Ada & co>"
    assert rendered.html == "<p>&lt;Ada &amp; co&gt;</p>"
    assert rendered.text == "<Ada & co> !"


@pytest.mark.parametrize("template_id", sorted(templates.DEFAULTS))
def test_every_default_template_uses_its_link(template_id):
    link_var = {
        "signup_confirmation": "verifyLink", "password_reset": "resetLink", "magic_link": "magicLink",
        "email_verification": "verifyLink", "invitation": "invitationLink",
    }[template_id]  # fmt: skip
    rendered = templates.render(templates.DEFAULTS[template_id], {link_var: "https://x.test/l?token=abc"})
    assert "https://x.test/l?token=abc" in rendered.text
    assert "https://x.test/l?token=abc" in rendered.html


def test_customised_templates_apply_only_when_overriding_defaults():
    custom = {"templates": {"magic_link": {"en": {"subject": "Custom {{userName}}", "body": "<b>{{magicLink}}</b>"}}}}
    assert templates.pick(custom, "magic_link", None) is templates.DEFAULTS["magic_link"]
    chosen = templates.pick({**custom, "overrideDefaults": True}, "magic_link", "ko")
    assert chosen.subject == "Custom {{userName}}" and chosen.text == "{{magicLink}}"


def test_without_smtp_mail_goes_to_the_outbox(env):
    mailer.send(env.backend, env.environment_id, "magic_link", "ada@example.com", {"magicLink": "https://x.test/m"})
    [mail] = mailer.recent(env.backend, env.environment_id)
    assert mail["to"] == "ada@example.com" and mail["status"] == "stored" and mail["template"] == "magic_link"
    assert "My app" in mail["subject"] and "https://x.test/m" in mail["text"]
    assert mail["createdAt"].endswith("Z")


class _Sink(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept one message."""

    def handle(self) -> None:
        self.wfile.write(b"220 sink ESMTP\r\n")
        data = False
        body: list[bytes] = []
        for line in self.rfile:
            if data:
                if line == b".\r\n":
                    self.server.received.append(b"".join(body))  # type: ignore[attr-defined]
                    data = False
                    self.wfile.write(b"250 queued\r\n")
                else:
                    body.append(line[1:] if line.startswith(b"..") else line)
                continue
            verb = line[:4].upper()
            if verb == b"EHLO":
                self.wfile.write(b"250-sink\r\n250 AUTH PLAIN\r\n")
            elif verb == b"DATA":
                data = True
                self.wfile.write(b"354 go on\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            elif verb == b"AUTH":
                self.wfile.write(b"235 ok\r\n")
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_sink() -> Iterator[socketserver.ThreadingTCPServer]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Sink)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_with_smtp_mail_is_delivered(env, smtp_sink):
    port = smtp_sink.server_address[1]
    smtp = SmtpSettings(host="127.0.0.1", port=port, user="u", password="p", sender="App <app@example.com>", tls="off")
    env.backend.config = replace(env.backend.config, smtp=smtp)
    mailer.send(env.backend, env.environment_id, "password_reset", "ada@example.com", {"resetLink": "https://x/r"})
    [raw] = smtp_sink.received
    message = message_from_bytes(raw, policy=policy.default)
    assert message["To"] == "ada@example.com" and "password" in message["Subject"]
    assert "https://x/r" in message.get_body(("plain",)).get_content()
    assert env.backend.data(env.environment_id, collections.OUTBOX).count() == 0


def test_a_failed_delivery_is_kept_as_failed(env):
    smtp = SmtpSettings(host="127.0.0.1", port=1, tls="off")
    env.backend.config = replace(env.backend.config, smtp=smtp)
    mailer.send(env.backend, env.environment_id, "magic_link", "ada@example.com", {})
    [mail] = mailer.recent(env.backend, env.environment_id)
    assert mail["status"] == "failed" and mail["error"]
