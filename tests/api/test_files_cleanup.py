"""The storage sweep (spec/storage.md §7.4, compat C18): completed uploads nobody registered become files,
abandoned ones are cleaned up after `BKEND_STORAGE_PENDING_TTL`, failed deletes are retried; the CLI hook and
the server task that run it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import anyio
import pytest

from bkend_mcp import cli
from bkend_mcp.config_storage import DEFAULT_LIMITS
from bkend_mcp.domain import dates
from bkend_mcp.domain.files import cleanup
from bkend_mcp.rest.storage_tasks import storage_sweeper
from tests.api.files_helpers import issue, who
from tests.api.scenario import assert_error
from tests.blobs_testing import png

LATER = dates.now() + timedelta(days=2)


def intents(env) -> int:
    return env.count("_file_uploads")


def arrived_unseen(env, issued, data: bytes | None = None) -> None:
    """The bytes land in the store without the server hearing of it (as with S3)."""
    env.backend.blobs.write(issued["key"], [png() if data is None else data], issued["contentType"])


def test_an_upload_that_completed_unseen_is_registered_by_the_sweep(client, env):
    issued = issue(client, who(env, "owner"))
    arrived_unseen(env, issued)
    assert env.count("files") == 0
    assert cleanup.sweep(env.backend)["registered"] == 1
    file = client.get(f"/v1/files/{issued['fileId']}", headers=who(env, "owner")).json()
    assert (file["ownerId"], file["size"]) == ("owner-1", len(png()))


def test_an_upload_that_completed_unseen_is_registered_when_first_asked_for(client, env):
    issued = issue(client, who(env, "owner"))
    arrived_unseen(env, issued)
    assert client.get(f"/v1/files/{issued['fileId']}", headers=who(env, "owner")).status_code == 200
    assert client.get(issued["url"].split("?")[0]).content == png()


def test_an_upload_that_never_arrived_is_cleaned_up_after_the_ttl(client, env):
    issue(client, who(env, "owner"))
    assert cleanup.sweep(env.backend).get("expired", 0) == 0
    assert intents(env) == 1
    assert cleanup.sweep(env.backend, now=LATER)["expired"] == 1
    assert intents(env) == 0 and env.count("files") == 0


def test_an_abandoned_multipart_upload_is_aborted(client, env):
    owner = who(env, "owner")
    body = {"filename": "a.mp4", "contentType": "video/mp4", "fileSize": 6 * 1024 * 1024}
    started = client.post("/v1/files/multipart/init", json=body, headers=owner).json()
    part = {"key": started["key"], "uploadId": started["uploadId"], "partNumber": 1}
    url = client.post("/v1/files/multipart/presigned-url", json=part, headers=owner).json()["url"]
    assert client.put(url, content=b"part").status_code == 200
    report = cleanup.sweep(env.backend, now=LATER)
    assert (report["aborted"], report["expired"]) == (1, 1)
    assert "NoSuchUpload" in client.put(url, content=b"part").text
    assert list(env.backend.blobs.pending_uploads(LATER)) == []


def test_a_multipart_upload_with_no_intent_is_aborted(env):
    upload_id = env.backend.blobs.create_multipart(f"{env.project_id}/dev/media/file_x/a.mp4", "video/mp4")
    assert cleanup.sweep(env.backend, now=LATER)["aborted"] == 1
    assert upload_id not in {p.upload_id for p in env.backend.blobs.pending_uploads(LATER)}


def test_an_unseen_object_over_the_limit_is_removed_not_registered(client, env, backend):
    issued = issue(client, who(env, "owner"))
    arrived_unseen(env, issued, b"x" * 2000)
    backend.config = replace(backend.config, storage=replace(backend.config.storage,
                                                             limits=dict.fromkeys(DEFAULT_LIMITS, 1000)))  # fmt: skip
    body = {"s3Key": issued["key"], "originalName": "photo.png", "mimeType": "image/png", "size": 10}
    response = client.post("/v1/files", json=body, headers=who(env, "owner"))
    assert_error(response.json(), 400, "file/file-too-large")
    assert env.backend.blobs.head(issued["key"]) is None
    assert env.count("files") == 0


def test_failed_object_deletes_are_retried(client, env):
    outbox = env.backend.data(env.environment_id, "_file_deletions")
    key = f"{env.project_id}/dev/images/file_gone/a.png"
    env.backend.blobs.write(key, [b"x"], "image/png")
    outbox.insert({"_id": "d1", "key": key, "attempts": 1, "createdAt": dates.now()})
    assert cleanup.sweep(env.backend)["deleted"] == 1
    assert env.backend.blobs.head(key) is None and outbox.count() == 0


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_cli_runs_one_sweep(client, env, backend, capsys):
    issue(client, who(env, "owner"))
    arrived = issue(client, who(env, "owner"))
    arrived_unseen(env, arrived)
    cli.main(["storage", "sweep", "--data-dir", str(backend.config.data_dir)])
    assert "registered: 1" in capsys.readouterr().out
    assert env.count("files") == 1


@pytest.mark.parametrize("every", [0, 3600])
def test_the_server_task_starts_and_stops_with_the_app(backend, every):
    backend.config = replace(backend.config, storage=replace(backend.config.storage, sweep_seconds=every))

    async def lifespan() -> None:
        async with storage_sweeper(backend):
            await anyio.lowlevel.checkpoint()

    anyio.run(lifespan)
