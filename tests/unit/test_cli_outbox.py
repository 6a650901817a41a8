"""`bkend-mcp outbox`: the dev mailbox from the shell."""

from __future__ import annotations

import pytest

from bkend_mcp.cli import main
from bkend_mcp.config import Config
from bkend_mcp.domain.auth import mailer
from bkend_mcp.domain.backend import open_backend
from bkend_mcp.domain.bootstrap import first_start


def test_outbox_lists_the_newest_mails_with_their_links(tmp_path, capsys):
    data_dir = tmp_path / "data"
    backend = open_backend(Config(data_dir=data_dir))
    env_id = first_start(backend)["environmentId"]
    mailer.send(backend, env_id, "magic_link", "ada@example.com", {"magicLink": "http://localhost:3000/cb?token=abc"})
    mailer.send(backend, env_id, "password_reset", "bob@example.com", {"resetLink": "http://localhost/r"})
    backend.close()
    main(["outbox", "--data-dir", str(data_dir)])
    out = capsys.readouterr().out
    assert out.index("bob@example.com") < out.index("ada@example.com")
    assert "http://localhost:3000/cb?token=abc" in out and "[magic_link]" in out
    main(["outbox", "--data-dir", str(data_dir), "--to", "ADA@example.com", "--limit", "5"])
    assert "bob@example.com" not in capsys.readouterr().out


def test_outbox_of_an_unknown_environment_exits_with_a_message(tmp_path):
    with pytest.raises(SystemExit) as exited:
        main(["outbox", "--environment", "prod", "--data-dir", str(tmp_path / "d")])
    assert "no environment 'prod'" in str(exited.value)
