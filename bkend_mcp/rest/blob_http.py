"""HTTP plumbing of the object routes: S3-style XML errors, streaming a request body into the store without holding
it in memory, and streaming an object out with `Range`, `If-None-Match` and `HEAD` (spec/storage.md §7.2)."""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape

import anyio.to_thread
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response, StreamingResponse

from bkend_mcp.blobs.base import BlobError, BlobStore, ObjectInfo
from bkend_mcp.domain.errors import BkendError, known_failure
from bkend_mcp.domain.files.rules import UNSAFE_INLINE, normalize_mime
from bkend_mcp.store.faults import StorageFault

Handler = Callable[[Request], Awaitable[Response]]
BUFFER = 1024 * 1024
S3_STATUS = {
    "AccessDenied": 403,
    "SignatureDoesNotMatch": 403,
    "InvalidArgument": 400,
    "EntityTooLarge": 413,
    "EntityTooSmall": 400,
    "NoSuchUpload": 404,
    "NoSuchKey": 404,
    "InvalidRange": 416,
    "MethodNotAllowed": 405,
    "ServiceUnavailable": 503,
    "StorageFull": 507,
}
FROM_BKEND = {
    "file/file-too-large": "EntityTooLarge",
    "file/file-too-small": "EntityTooSmall",
    "file/not-found": "NoSuchKey",
    "storage/disk-full": "StorageFull",  # S3 never fills up; MinIO says XMinioStorageFull, also 507
    "storage/read-only": "ServiceUnavailable",
    "storage/unavailable": "ServiceUnavailable",
}
"""A domain error met while answering an object request → the S3 code it is reported as."""
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def s3_error(code: str, message: str, status: int | None = None, headers: dict[str, str] | None = None) -> Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
    )
    status = status or S3_STATUS.get(code, 400)
    return Response(body, status_code=status, headers=headers, media_type="application/xml")


def s3_errors(handler: Handler) -> Handler:
    """Object routes answer like S3 does: an XML `<Error>`, whatever went wrong."""

    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request)
        except ClientDisconnect:
            return Response(status_code=400)  # the browser went away mid-upload; nothing was kept
        except BlobError as exc:
            return s3_error(exc.code, exc.message)
        except StorageFault as exc:  # the disk or directory under the files: the same words as the JSON APIs
            return _from_bkend(known_failure(exc) or BkendError("common/internal-error"))
        except BkendError as exc:
            return _from_bkend(exc)

    return endpoint


def _from_bkend(exc: BkendError) -> Response:
    code = FROM_BKEND.get(exc.code, "InternalError" if exc.status >= 500 else "InvalidArgument")
    return s3_error(code, exc.message, 500 if code == "InternalError" else None, exc.headers)


async def pump(request: Request, sink: Callable[[bytes], None]) -> None:
    """Feed the request body to `sink` in ~1 MiB pieces, each written off the event loop."""
    buffer = bytearray()
    async for chunk in request.stream():
        buffer += chunk
        if len(buffer) >= BUFFER:
            piece = bytes(buffer)
            buffer.clear()
            await anyio.to_thread.run_sync(sink, piece)
    if buffer:
        await anyio.to_thread.run_sync(sink, bytes(buffer))


def _range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) of a single `bytes=` range, None for the whole object; BlobError `InvalidRange` when it
    cannot be satisfied."""
    match = RANGE.match(header.strip()) if header else None
    if match is None or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":
        start, end = max(size - int(last), 0), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        raise BlobError("InvalidRange", "The requested range is not satisfiable")
    return start, end


def object_headers(info: ObjectInfo, content_type: str, disposition: str | None, cache: str) -> dict[str, str]:
    headers = {
        "ETag": f'"{info.etag}"',
        "Accept-Ranges": "bytes",
        "Last-Modified": format_datetime(info.modified, usegmt=True),
        "Cache-Control": cache,
        "X-Content-Type-Options": "nosniff",
        "Content-Type": content_type,
    }
    if disposition:
        headers["Content-Disposition"] = disposition
    if normalize_mime(content_type) in UNSAFE_INLINE or content_type.startswith("text/"):
        headers["Content-Security-Policy"] = "sandbox"
    return headers


async def serve_object(
    request: Request, store: BlobStore, info: ObjectInfo, *, content_type: str, disposition: str | None, cache: str
) -> Response:
    headers = object_headers(info, content_type or "application/octet-stream", disposition, cache)
    if request.headers.get("if-none-match", "").strip() in (headers["ETag"], info.etag, "*"):
        return Response(status_code=304, headers={k: v for k, v in headers.items() if k != "Content-Type"})
    try:
        span = _range(request.headers.get("range"), info.size)
    except BlobError:
        return Response(status_code=416, headers={"Content-Range": f"bytes */{info.size}"})
    start, end = span or (0, info.size - 1)
    status = 206 if span else 200
    if span:
        headers["Content-Range"] = f"bytes {start}-{end}/{info.size}"
    headers["Content-Length"] = str(max(end - start + 1, 0))
    if request.method == "HEAD" or info.size == 0:
        return Response(status_code=status, headers=headers)
    chunks = await anyio.to_thread.run_sync(store.read, info.key, start, end)
    return StreamingResponse(chunks, status_code=status, headers=headers)


def seconds_left(expires: int) -> int:
    return max(int(expires - time.time()), 0)


def query(request: Request) -> dict[str, Any]:
    return dict(request.query_params)
