"""A full disk under a real server (issue #8): the server runs with `RLIMIT_FSIZE` just above the seeded database
(SIGXFSZ ignored, so a write past it gets EFBIG as on a full disk). Writes past the limit answer 507
`storage/disk-full`, reads keep working, and after a restart without the limit every acknowledged write is there,
`PRAGMA integrity_check` is ok and the unique index agrees with the data. An upload too big for the limit leaves
no partial file."""

from __future__ import annotations

import resource
import signal
import sqlite3
from collections.abc import Callable

import httpx
import pytest

from tests.faults.serving import Seeded, seed, serving

TIMEOUT = 10.0
TABLE = {
    "tableName": "fill",
    "schema": {"title": {"bsonType": "string"}, "email": {"bsonType": "string", "unique": True}},
}
HEADROOM = 200_000
"""Bytes any one file may grow past the seeded database: room for the table and a few dozen records."""
MAX_INSERTS = 300


def file_size_limit(limit: int) -> Callable[[], None]:
    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limited


def fill(base: str, seeded: Seeded) -> tuple[list[tuple[str, str]], httpx.Response]:
    """Insert ~4 KB records until one is refused: the acknowledged (id, email) pairs and the refusal."""
    acked: list[tuple[str, str]] = []
    for n in range(MAX_INSERTS):
        body = {"title": "x" * 4000, "email": f"fill{n}@disk.test"}
        response = httpx.post(f"{base}/v1/data/fill", json=body, headers=seeded.sk, timeout=TIMEOUT)
        if response.status_code != 201:
            return acked, response
        acked.append((response.json()["id"], body["email"]))
    pytest.fail(f"{MAX_INSERTS} inserts fitted under the file-size limit")


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """The server under the limit, filled until it refused; what it acknowledged and answered."""
    seeded = seed(tmp_path_factory.mktemp("disk") / "data")
    limit = (seeded.data_dir / "bkend.db").stat().st_size + HEADROOM
    with serving(seeded.data_dir, preexec_fn=file_size_limit(limit)) as base:
        assert httpx.post(f"{base}/v1/tables", json=TABLE, headers=seeded.sk, timeout=TIMEOUT).status_code == 201
        upload_url = _upload_url(base, seeded)  # issuing writes an intent: done while there is room
        acked, refusal = fill(base, seeded)
        params = {"limit": 1, "andFilters": '{"title": {"$ne": "y"}}'}  # a first filter on a field: no write needed
        listed = httpx.get(f"{base}/v1/data/fill", params=params, headers=seeded.sk, timeout=TIMEOUT)
        data = b"z" * (limit + 1)
        upload = httpx.put(upload_url, content=data, headers={"Content-Type": "text/plain"}, timeout=TIMEOUT)
    return seeded, acked, refusal, listed, upload


def _upload_url(base: str, seeded: Seeded) -> str:
    body = {"filename": "big.txt", "contentType": "text/plain"}
    issued = httpx.post(f"{base}/v1/files/presigned-url", json=body, headers=seeded.sk, timeout=TIMEOUT)
    assert issued.status_code == 200, issued.text
    return issued.json()["url"]


def test_a_write_past_the_disk_limit_answers_disk_full(filled):
    _, acked, refusal, _, _ = filled
    assert acked, "not even one record fitted"
    assert refusal.status_code == 507, refusal.text
    error = refusal.json()["error"]
    assert error["code"] == "storage/disk-full"
    assert "disk" in error["message"] and "full" in error["message"]
    assert "sqlite" not in refusal.text.lower() and "bkend.db" not in refusal.text


def test_reads_keep_working_on_a_full_disk(filled):
    _, acked, _, listed, _ = filled
    assert listed.status_code == 200, listed.text
    assert listed.json()["pagination"]["total"] == len(acked)


def test_an_upload_past_the_disk_limit_is_refused_and_leaves_no_partial_file(filled):
    seeded, _, _, _, upload = filled
    assert upload.status_code == 507, upload.text  # a signed upload answers like an S3 endpoint: XML
    assert upload.headers["content-type"].startswith("application/xml")
    assert "<Code>StorageFull</Code>" in upload.text and "nothing was stored" in upload.text
    blobs = seeded.data_dir / "blobs"
    assert [p for p in (blobs / "tmp").iterdir()] == []
    assert [p for p in (blobs / "objects").rglob("*") if p.is_file()] == []


def test_after_the_limit_is_lifted_every_acknowledged_write_is_there_and_intact(filled):
    seeded, acked, _, _, _ = filled
    with serving(seeded.data_dir) as base:
        for record_id, email in acked:
            got = httpx.get(f"{base}/v1/data/fill/{record_id}", headers=seeded.sk, timeout=TIMEOUT)
            assert got.status_code == 200 and got.json()["email"] == email
        for _, email in acked[-5:]:
            again = httpx.post(f"{base}/v1/data/fill", json={"title": "a", "email": email}, headers=seeded.sk)
            assert again.status_code == 409, again.text
        fresh = httpx.post(f"{base}/v1/data/fill", json={"title": "b", "email": "after@disk.test"}, headers=seeded.sk)
        assert fresh.status_code == 201, fresh.text
        listed = httpx.get(f"{base}/v1/data/fill", params={"limit": 100}, headers=seeded.sk, timeout=TIMEOUT).json()
    assert sorted(item["email"] for item in listed["items"]) == sorted([*(e for _, e in acked), "after@disk.test"])
    with sqlite3.connect(seeded.data_dir / "bkend.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
