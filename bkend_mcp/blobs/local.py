"""The embedded blob store: objects on the local filesystem, moved by browsers through HMAC-signed URLs that this
server's own routes answer (`rest/blob_routes.py`), behaving like S3 (spec/storage.md §7.2).

Layout under the root: `objects/<h[:2]>/<h>` (bytes) and `<h>.json` (key, size, ETag, Content-Type), where `h` is
the SHA-256 of the key, so no key can name a path outside the root; `multipart/<uploadId>/` (`upload.json` and
`00001.part` + `00001.json` per part); `tmp/` for bytes in flight, renamed into place once complete. Bodies are
streamed in chunks and hashed as they pass: memory stays flat whatever the object's size.

A full disk (or file-size limit) and a read-only directory end a write as a storage fault (`store.faults`), and
the bytes in flight are removed: no partial object is ever left behind.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
import shutil
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from bkend_mcp.blobs import signing
from bkend_mcp.blobs.base import MIN_PART_BYTES, BlobError, ObjectInfo, Part, PendingUpload
from bkend_mcp.blobs.signing import Grant
from bkend_mcp.store.faults import StorageFault, StorageFull, StorageReadOnly, StorageUnavailable

CHUNK = 1024 * 1024
UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
DISK_FAULTS: dict[int, tuple[type[StorageFault], str]] = {
    errno.ENOSPC: (StorageFull, "The disk holding the files is full; nothing was stored. Free space and retry."),
    errno.EFBIG: (StorageFull, "The file is larger than the server may write; nothing was stored."),
    errno.EDQUOT: (StorageFull, "The disk quota for the files is used up; nothing was stored."),
    errno.EROFS: (StorageReadOnly, "The storage directory is read-only; nothing was stored."),
    errno.EACCES: (StorageReadOnly, "The storage directory is not writable by the server; nothing was stored."),
}
"""errno of a failed write → the fault it becomes; any other errno is `StorageUnavailable`."""


@contextmanager
def _disk_faults() -> Iterator[None]:
    """A write the filesystem refused, as a storage fault with a safe message (no paths)."""
    try:
        yield
    except OSError as exc:
        kind, message = DISK_FAULTS.get(
            exc.errno or 0, (StorageUnavailable, "The storage directory could not be written; nothing was stored.")
        )
        raise kind(message) from None


def _now() -> datetime:
    return datetime.now(UTC)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    try:
        with _disk_faults():
            tmp.write_bytes(orjson.dumps(data))
            os.replace(tmp, path)
    except StorageFault:
        tmp.unlink(missing_ok=True)
        raise


class Upload:
    """Bytes arriving for one object or part: written to `tmp/`, hashed and counted on the way, then moved into
    place by `commit`. Over `max_bytes` → BlobError `EntityTooLarge` and nothing is kept."""

    def __init__(self, tmp_dir: Path, max_bytes: int | None):
        self.path = tmp_dir / secrets.token_hex(16)
        with _disk_faults():
            self.file: BinaryIO = self.path.open("wb")
        self.md5 = hashlib.md5()
        self.size = 0
        self.max_bytes = max_bytes

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.max_bytes is not None and self.size > self.max_bytes:
            self.discard()
            raise BlobError(
                "EntityTooLarge", f"Your proposed upload exceeds the maximum allowed size ({self.max_bytes})"
            )
        self.md5.update(chunk)
        try:
            with _disk_faults():
                self.file.write(chunk)
        except StorageFault:
            self.discard()
            raise

    def finish(self, destination: Path) -> str:
        try:
            with _disk_faults():
                self.file.flush()
                os.fsync(self.file.fileno())
                self.file.close()
                destination.parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.path, destination)
        except StorageFault:
            self.discard()
            raise
        return self.md5.hexdigest()

    def discard(self) -> None:
        if not self.file.closed:
            try:
                self.file.close()
            except OSError:
                pass  # the flush on close fails again on a full disk; the file is removed either way
        self.path.unlink(missing_ok=True)


class LocalBlobStore:
    redirect_downloads = False

    def __init__(self, root: Path, base_url: str, secret: bytes):
        self.root = root
        self.base_url = base_url.rstrip("/")
        self.secret = secret
        for sub in ("objects", "multipart", "tmp"):
            (root / sub).mkdir(parents=True, exist_ok=True)

    # --- paths ----------------------------------------------------------------------------------------------------

    def _object(self, key: str) -> Path:
        digest = hashlib.sha256(key.encode()).hexdigest()
        return self.root / "objects" / digest[:2] / digest

    def _meta(self, key: str) -> Path:
        return self._object(key).with_suffix(".json")

    def _upload_dir(self, upload_id: str) -> Path:
        if not UPLOAD_ID.match(upload_id):
            raise BlobError("NoSuchUpload", "The specified upload does not exist")
        return self.root / "multipart" / upload_id

    def _open_upload(self, key: str, upload_id: str) -> Path:
        folder = self._upload_dir(upload_id)
        try:
            started = orjson.loads((folder / "upload.json").read_bytes())
        except FileNotFoundError:
            raise BlobError("NoSuchUpload", "The specified upload does not exist") from None
        if started["key"] != key:
            raise BlobError("NoSuchUpload", "The specified upload does not exist")
        return folder

    # --- signed URLs ----------------------------------------------------------------------------------------------

    def presign_put(self, key: str, content_type: str, expires_in: int, max_bytes: int) -> str:
        grant = Grant("put", key, signing.expiry(expires_in), ct=content_type, max=str(max_bytes))
        return signing.sign(self.secret, self.base_url, grant)

    def presign_part(self, key: str, upload_id: str, part_number: int, expires_in: int, max_bytes: int) -> str:
        grant = Grant(
            "part", key, signing.expiry(expires_in), uploadId=upload_id, partNumber=str(part_number), max=str(max_bytes)
        )
        return signing.sign(self.secret, self.base_url, grant)

    def presign_get(self, key: str, expires_in: int, *, content_type: str, disposition: str) -> str:
        grant = Grant("get", key, signing.expiry(expires_in), disp=disposition, rct=content_type)
        return signing.sign(self.secret, self.base_url, grant)

    def object_url(self, key: str) -> str:
        return f"{self.base_url}{signing.OBJECT_ROUTE}{signing.object_path(key)}"

    def verify(self, key: str, params: dict[str, str]) -> Grant:
        return signing.verify(self.secret, key, params)

    # --- writes ---------------------------------------------------------------------------------------------------

    def open_put(self, key: str, max_bytes: int | None) -> Upload:
        return Upload(self.root / "tmp", max_bytes)

    def commit_put(self, key: str, upload: Upload, content_type: str) -> ObjectInfo:
        etag = upload.finish(self._object(key))
        info = ObjectInfo(key, upload.size, etag, content_type or None, _now())
        try:
            self._write_meta(info)
        except StorageFault:
            self._object(key).unlink(missing_ok=True)
            raise
        return info

    def open_part(self, key: str, upload_id: str, max_bytes: int | None) -> Upload:
        self._open_upload(key, upload_id)
        return Upload(self.root / "tmp", max_bytes)

    def commit_part(self, key: str, upload_id: str, number: int, upload: Upload) -> str:
        folder = self._open_upload(key, upload_id)
        etag = upload.finish(folder / f"{number:05d}.part")
        _write_json(folder / f"{number:05d}.json", {"etag": etag, "size": upload.size})
        return etag

    def write(self, key: str, chunks: Iterable[bytes], content_type: str) -> ObjectInfo:
        upload = self.open_put(key, None)
        try:
            for chunk in chunks:
                upload.write(chunk)
        except BaseException:
            upload.discard()
            raise
        return self.commit_put(key, upload, content_type)

    def _write_meta(self, info: ObjectInfo) -> None:
        meta = {"key": info.key, "size": info.size, "etag": info.etag, "contentType": info.content_type}
        _write_json(self._meta(info.key), {**meta, "modified": info.modified.isoformat()})

    # --- multipart ------------------------------------------------------------------------------------------------

    def create_multipart(self, key: str, content_type: str) -> str:
        upload_id = secrets.token_hex(16)
        folder = self._upload_dir(upload_id)
        with _disk_faults():
            folder.mkdir(parents=True)
        _write_json(folder / "upload.json", {"key": key, "contentType": content_type, "initiated": _now().isoformat()})
        return upload_id

    def complete_multipart(self, key: str, upload_id: str, parts: Sequence[Part]) -> ObjectInfo:
        folder = self._open_upload(key, upload_id)
        digests = self._check_parts(folder, parts)
        assembled = Upload(self.root / "tmp", None)
        try:
            for part in parts:
                with (folder / f"{part.number:05d}.part").open("rb") as source:
                    shutil.copyfileobj(source, assembled.file, CHUNK)
                    assembled.size += source.tell()
            assembled.finish(self._object(key))
        except BaseException:
            assembled.discard()
            raise
        etag = hashlib.md5(b"".join(digests)).hexdigest() + f"-{len(parts)}"
        content_type = orjson.loads((folder / "upload.json").read_bytes()).get("contentType")
        info = ObjectInfo(key, assembled.size, etag, content_type, _now())
        self._write_meta(info)
        shutil.rmtree(folder, ignore_errors=True)
        return info

    def _check_parts(self, folder: Path, parts: Sequence[Part]) -> list[bytes]:
        numbers = [p.number for p in parts]
        if not parts or numbers != sorted(set(numbers)):
            raise BlobError("InvalidPartOrder", "The list of parts was not in ascending order")
        digests = []
        for index, part in enumerate(parts):
            try:
                stored = orjson.loads((folder / f"{part.number:05d}.json").read_bytes())
            except FileNotFoundError:
                raise BlobError("InvalidPart", f"Part {part.number} was not uploaded") from None
            if stored["etag"] != part.etag.strip().strip('"').lower():
                raise BlobError("InvalidPart", f"The ETag of part {part.number} does not match")
            if index < len(parts) - 1 and stored["size"] < MIN_PART_BYTES:
                raise BlobError("EntityTooSmall", f"Part {part.number} is smaller than the 5 MiB minimum")
            digests.append(bytes.fromhex(stored["etag"]))
        return digests

    def abort_multipart(self, key: str, upload_id: str) -> None:
        try:
            shutil.rmtree(self._open_upload(key, upload_id), ignore_errors=True)
        except BlobError:
            pass

    def pending_uploads(self, started_before: datetime) -> Iterator[PendingUpload]:
        for folder in (self.root / "multipart").iterdir():
            try:
                started = orjson.loads((folder / "upload.json").read_bytes())
            except (FileNotFoundError, NotADirectoryError):
                continue
            initiated = datetime.fromisoformat(started["initiated"])
            if initiated < started_before:
                yield PendingUpload(started["key"], folder.name, initiated)

    # --- reads ----------------------------------------------------------------------------------------------------

    def head(self, key: str) -> ObjectInfo | None:
        try:
            meta = orjson.loads(self._meta(key).read_bytes())
        except FileNotFoundError:
            return None
        modified = datetime.fromisoformat(meta["modified"])
        return ObjectInfo(key, meta["size"], meta["etag"], meta.get("contentType"), modified)

    def read(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        try:
            source = self._object(key).open("rb")
        except FileNotFoundError:
            raise BlobError("NoSuchKey", "The specified key does not exist") from None
        return self._chunks(source, start, end)

    @staticmethod
    def _chunks(source: BinaryIO, start: int, end: int | None) -> Iterator[bytes]:
        with source:
            source.seek(start)
            left = None if end is None else end - start + 1
            while left is None or left > 0:
                chunk = source.read(CHUNK if left is None else min(CHUNK, left))
                if not chunk:
                    return
                if left is not None:
                    left -= len(chunk)
                yield chunk

    def list_keys(self, prefix: str) -> Iterator[str]:
        for meta in (self.root / "objects").glob("*/*.json"):
            try:
                key = orjson.loads(meta.read_bytes())["key"]
            except FileNotFoundError:
                continue
            if key.startswith(prefix):
                yield key

    def delete(self, key: str) -> None:
        self._meta(key).unlink(missing_ok=True)
        self._object(key).unlink(missing_ok=True)

    def set_public(self, key: str, public: bool) -> None:
        """Nothing to do: the unsigned route asks the file records who may read."""

    def sweep_tmp(self, older_than: datetime) -> int:
        """Remove bytes left in `tmp/` by uploads that died mid-stream."""
        removed = 0
        for path in (self.root / "tmp").iterdir():
            if datetime.fromtimestamp(path.stat().st_mtime, UTC) < older_than:
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def close(self) -> None:
        """Nothing is held open between calls."""
