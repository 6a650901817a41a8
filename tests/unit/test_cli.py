"""The command line: key management from the shell on a data dir."""

from __future__ import annotations

from bkend_mcp.cli import main


def test_keys_list_then_create(tmp_path, capsys):
    data_dir = str(tmp_path / "data")
    main(["keys", "list", "--data-dir", data_dir])
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 2 and any("publishable" in line and "pk_" in line for line in listed)
    main(["keys", "create", "--type", "secret", "--name", "ci", "--data-dir", data_dir])
    created = capsys.readouterr().out.strip()
    assert created.startswith("sk_") and len(created) == 67
    main(["keys", "list", "--data-dir", data_dir])
    assert len(capsys.readouterr().out.splitlines()) == 3


def test_keys_for_unknown_project_exit_with_a_message(tmp_path):
    import pytest

    with pytest.raises(SystemExit) as exited:
        main(["keys", "list", "--project", "nope", "--data-dir", str(tmp_path / "d")])
    assert "no environment 'dev' in project 'nope'" in str(exited.value)


def test_serve_writes_no_access_log_unless_asked_and_lets_uvicorn_pick_uvloop_and_httptools(tmp_path, monkeypatch):
    import uvicorn

    seen: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.append(options))
    data_dir = str(tmp_path / "data")
    main(["serve", "--data-dir", data_dir, "--port", "0", "--log-level", "warning"])
    main(["serve", "--data-dir", data_dir, "--port", "0", "--access-log"])
    assert [o["access_log"] for o in seen] == [False, True]
    assert all(o["loop"] == "auto" and o["http"] == "auto" for o in seen)
