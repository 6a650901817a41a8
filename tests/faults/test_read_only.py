"""A data dir the server may not write (issue #8), with real processes that obey file modes (see
`privileges.py`). One scenario, observed by the tests below: files turning read-only while the server runs
refuse uploads with 503 `storage/read-only` and leave nothing partial while reads keep working; starting on the
read-only dir is a one-line CLI error, not a traceback; once the modes are restored the data is intact and the
server writes again."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.faults.privileges import as_file_mode_bound, read_only
from tests.faults.serving import ROOT, free_port, seed, serve_command, server_env, serving

TIMEOUT = 10.0
START_TIMEOUT = 60.0
TABLE = {"tableName": "notes", "schema": {"title": {"bsonType": "string"}}}


def start_and_exit(data_dir: Path) -> subprocess.CompletedProcess[str]:
    """`bkend-mcp serve` expected to refuse to start: its exit status and output."""
    return subprocess.run(
        serve_command(data_dir, free_port()),
        cwd=ROOT,
        env=server_env(),
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT,
        preexec_fn=as_file_mode_bound(),
    )


@dataclass
class Observed:
    data_dir: Path
    upload: httpx.Response
    reads: list[int]
    tmp_left: list[Path]
    refused_start: subprocess.CompletedProcess[str]
    after_restore: httpx.Response
    write_after_restore: int


@pytest.fixture(scope="module")
def observed(tmp_path_factory) -> Observed:
    seeded = seed(tmp_path_factory.mktemp("ro") / "data")
    with serving(seeded.data_dir, preexec_fn=as_file_mode_bound()) as base:
        assert httpx.post(f"{base}/v1/tables", json=TABLE, headers=seeded.sk, timeout=TIMEOUT).status_code == 201
        created = httpx.post(f"{base}/v1/data/notes", json={"title": "kept"}, headers=seeded.sk, timeout=TIMEOUT)
        record_url = f"{base}/v1/data/notes/{created.json()['id']}"
        body = {"filename": "notes.txt", "contentType": "text/plain"}
        issued = httpx.post(f"{base}/v1/files/presigned-url", json=body, headers=seeded.sk, timeout=TIMEOUT)
        with read_only(seeded.data_dir):
            upload = httpx.put(
                issued.json()["url"], content=b"hello " * 1000, headers={"Content-Type": "text/plain"}, timeout=TIMEOUT
            )
            reads = [httpx.get(record_url, headers=seeded.sk, timeout=TIMEOUT).status_code for _ in range(5)]
        tmp_left = list((seeded.data_dir / "blobs" / "tmp").iterdir())
    with read_only(seeded.data_dir):
        refused = start_and_exit(seeded.data_dir)
    with serving(seeded.data_dir) as base:
        record_url = record_url.replace(record_url.split("/v1/")[0], base)
        after = httpx.get(record_url, headers=seeded.sk, timeout=TIMEOUT)
        write = httpx.post(f"{base}/v1/data/notes", json={"title": "more"}, headers=seeded.sk, timeout=TIMEOUT)
    return Observed(seeded.data_dir, upload, reads, tmp_left, refused, after, write.status_code)


def test_an_upload_to_a_read_only_storage_dir_answers_read_only_and_keeps_nothing(observed):
    assert observed.upload.status_code == 503, observed.upload.text  # a signed upload: S3's XML error
    assert "<Code>ServiceUnavailable</Code>" in observed.upload.text
    assert "not writable" in observed.upload.text and str(observed.data_dir) not in observed.upload.text
    assert observed.tmp_left == []


def test_reads_keep_working_while_the_data_dir_is_read_only(observed):
    assert observed.reads == [200] * 5


def test_serve_on_a_read_only_data_dir_exits_with_one_clear_line(observed):
    ran = observed.refused_start
    assert ran.returncode != 0
    assert "Traceback" not in ran.stderr
    assert ran.stderr.strip().splitlines() == [
        f"bkend-mcp: cannot start on the data dir {observed.data_dir}: The data directory is read-only; nothing was "
        "written. Make it writable by the server's user."
    ]


def test_the_data_is_intact_and_writable_after_the_modes_are_restored(observed):
    assert observed.after_restore.status_code == 200
    assert observed.after_restore.json()["title"] == "kept"
    assert observed.write_after_restore == 201


def test_serve_where_the_data_dir_cannot_be_created_exits_with_one_clear_line(tmp_path):
    parent = tmp_path / "locked"
    parent.mkdir()
    with read_only(parent):
        ran = start_and_exit(parent / "data")
    assert ran.returncode != 0
    assert "Traceback" not in ran.stderr
    assert ran.stderr.startswith(f"bkend-mcp: cannot start on the data dir {parent / 'data'}: ")
    assert "Permission denied" in ran.stderr
