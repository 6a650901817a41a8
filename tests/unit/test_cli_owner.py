"""`bkend-mcp owner set-password|setup-link` and the setup link `serve` prints at start."""

from __future__ import annotations

import io

import pytest

from bkend_mcp.cli import _print_setup_link, main
from bkend_mcp.config import Config
from bkend_mcp.domain.auth.inputs import Client
from bkend_mcp.domain.backend import open_backend
from bkend_mcp.domain.team import owner_setup, tenants
from tests.conftest import TEST_ARGON2

PASSWORD = "correct horse battery"


def _backend(data_dir):
    return open_backend(Config(data_dir=data_dir, argon2=TEST_ARGON2))


def test_set_password_from_stdin_then_sign_in(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    main(["owner", "set-password", "--email", "Me@Example.com", "--password-stdin", "--data-dir", str(tmp_path)])
    assert "console password set for me@example.com" in capsys.readouterr().out
    backend = _backend(tmp_path)
    try:
        assert tenants.verify_sign_in(backend, "me@example.com", PASSWORD, Client())["kind"] == "local-owner"
        assert owner_setup.link_at_start(backend) is None
    finally:
        backend.close()


def test_set_password_needs_an_address_the_first_time(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    with pytest.raises(SystemExit, match="--email"):
        main(["owner", "set-password", "--password-stdin", "--data-dir", str(tmp_path)])


def test_a_weak_password_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("password\n"))
    with pytest.raises(SystemExit, match="too common"):
        main(["owner", "set-password", "--email", "me@example.com", "--password-stdin", "--data-dir", str(tmp_path)])


def test_setup_link_prints_a_fresh_link(tmp_path, capsys):
    main(["owner", "setup-link", "--data-dir", str(tmp_path)])
    link = capsys.readouterr().out.strip()
    assert link.startswith("http://127.0.0.1:8000/console/setup?token=")
    backend = _backend(tmp_path)
    try:
        assert owner_setup.status(backend, link.split("token=")[1])["valid"] is True
    finally:
        backend.close()


def test_serve_prints_the_setup_link_only_while_the_owner_has_no_password(tmp_path, capsys):
    backend = _backend(tmp_path)
    try:
        _print_setup_link(backend)
        assert "/console/setup?token=" in capsys.readouterr().out
        tenants.set_owner_credentials(backend, "me@example.com", PASSWORD)
        _print_setup_link(backend)
        assert capsys.readouterr().out == ""
    finally:
        backend.close()
