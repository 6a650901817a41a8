"""`bkend-mcp token create|list|revoke`: MCP personal access tokens from the shell."""

from __future__ import annotations

import re

import pytest

from bkend_mcp.cli import main
from bkend_mcp.config import Config
from bkend_mcp.domain.backend import open_backend
from bkend_mcp.domain.mcp_auth import pats


def test_token_create_prints_one_usable_token(tmp_path, capsys):
    data_dir = tmp_path / "data"
    main(
        [
            "token",
            "create",
            "--scope",
            "*:read",
            "--scope",
            "table:data:create,table:data:update",
            "--data-dir",
            str(data_dir),
        ]
    )
    token = capsys.readouterr().out.strip()
    assert re.fullmatch(r"mcp_[0-9a-f]{64}", token)
    backend = open_backend(Config(data_dir=data_dir))
    try:
        principal = pats.principal_of_pat(backend, token)
        assert principal.scopes == ("*:read", "table:data:create", "table:data:update") and principal.organization_id
    finally:
        backend.close()


def test_token_list_then_revoke(tmp_path, capsys):
    data_dir = str(tmp_path / "data")
    main(["token", "create", "--expires-days", "7", "--name", "ci", "--data-dir", data_dir])
    capsys.readouterr()
    main(["token", "list", "--data-dir", data_dir])
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 1 and "active" in listed[0] and "*:*" in listed[0]
    main(["token", "revoke", listed[0].split()[0], "--data-dir", data_dir])
    capsys.readouterr()
    main(["token", "list", "--data-dir", data_dir])
    assert "revoked" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["token", "create", "--scope", "bogus:x"], "Unknown scope 'bogus:x'"),
        (["token", "create", "--expires-days", "0"], "expiresDays"),
        (["token", "create", "--organization", "nope"], "no organization 'nope'"),
        (["token", "revoke"], "needs the token id"),
    ],
)
def test_token_command_errors_exit_with_a_message(tmp_path, argv, message):
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--data-dir", str(tmp_path / "data")])
    assert message in str(exited.value)
