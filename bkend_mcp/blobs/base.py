"""The BlobStore port: what the domain may ask of an object store (S3 semantics), and what it answers.

Keys are opaque strings the domain has validated (no `..` segment, no leading `/`, no control characters). Browsers
move the bytes themselves through presigned URLs; the server only issues URLs, assembles multipart uploads, reads
object heads and, for image transforms and server-side uploads, streams bytes. ETags are bare (unquoted) hex: the
MD5 of a single upload, `md5(part digests)-N` of a multipart one, as S3 gives them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

MIN_PART_BYTES = 5 * 1024 * 1024
"""Every part of a multipart upload but the last must be at least this large (S3's rule; local emulates it)."""
MAX_PART_NUMBER = 10000


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    key: str
    size: int
    etag: str
    content_type: str | None
    modified: datetime


@dataclass(frozen=True, slots=True)
class Part:
    number: int
    etag: str


@dataclass(frozen=True, slots=True)
class PendingUpload:
    """A multipart upload that was started and neither completed nor aborted (for cleanup)."""

    key: str
    upload_id: str
    initiated: datetime


class BlobError(Exception):
    """An object-store failure named by its S3 error code (`NoSuchKey`, `NoSuchUpload`, `InvalidPart`,
    `InvalidPartOrder`, `EntityTooSmall`, `EntityTooLarge`, `AccessDenied`, `SignatureDoesNotMatch`,
    `InvalidArgument`, `InvalidRange`, `ServiceUnavailable`)."""

    def __init__(self, code: str, message: str = ""):
        self.code = code
        self.message = message or code
        super().__init__(f"{code}: {self.message}")


class BlobStore(Protocol):
    redirect_downloads: bool
    """True when public downloads are a redirect to a short-lived signed URL (S3); False when this server streams
    them itself (local)."""

    def presign_put(self, key: str, content_type: str, expires_in: int, max_bytes: int) -> str:
        """A URL a client PUTs the object to, with exactly `Content-Type: content_type`. `max_bytes` is enforced
        while the bytes stream where the store can (local); otherwise only at completion."""

    def create_multipart(self, key: str, content_type: str) -> str:
        """Start a multipart upload; returns its upload id."""

    def presign_part(self, key: str, upload_id: str, part_number: int, expires_in: int, max_bytes: int) -> str:
        """A URL a client PUTs one part to (no headers needed); `max_bytes` bounds the part where the store can."""

    def complete_multipart(self, key: str, upload_id: str, parts: Sequence[Part]) -> ObjectInfo:
        """Assemble the listed parts (ascending numbers) into the object. Raises BlobError `NoSuchUpload`,
        `InvalidPart`, `InvalidPartOrder` or `EntityTooSmall`."""

    def abort_multipart(self, key: str, upload_id: str) -> None:
        """Discard the upload's parts. Unknown uploads are ignored."""

    def presign_get(self, key: str, expires_in: int, *, content_type: str, disposition: str) -> str: ...

    def object_url(self, key: str) -> str:
        """The object's unsigned URL: an upload URL without its query string."""

    def head(self, key: str) -> ObjectInfo | None: ...

    def read(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The bytes `start..end` (inclusive; None = to the end) in chunks. Raises BlobError `NoSuchKey`."""

    def write(self, key: str, chunks: Iterable[bytes], content_type: str) -> ObjectInfo:
        """Store an object from the server side (uploads that arrive through the API, e.g. MCP)."""

    def delete(self, key: str) -> None:
        """Remove the object; a missing object is not an error."""

    def set_public(self, key: str, public: bool) -> None:
        """Mark the object anonymously readable or not, where the store supports it (best effort)."""

    def pending_uploads(self, started_before: datetime) -> Iterator[PendingUpload]:
        """Multipart uploads started before the given time and still open (for cleanup)."""

    def list_keys(self, prefix: str) -> Iterator[str]:
        """Keys of the stored objects that start with `prefix` (for cleanup)."""

    def close(self) -> None: ...
