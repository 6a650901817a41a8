"""The no-credential storage routes (spec/storage.md §5.6, §7.2): the local store's signed object URLs that
browsers PUT and GET directly, the permanent URL of public files (`/cdn/{key}`) and the image transforms
(`/img/{options}/{key}`). Not under `/v1`: no API key, no token; a signature or the file's public visibility is the
credential. CORS preflights are answered by the app's CORS middleware (`PUT` + `Content-Type`, `ETag` exposed).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bkend_mcp.blobs.base import BlobError
from bkend_mcp.blobs.local import LocalBlobStore, Upload
from bkend_mcp.blobs.signing import Grant
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.files import images, public, uploads
from bkend_mcp.domain.files.image_options import parse
from bkend_mcp.rest.blob_http import pump, query, s3_errors, seconds_left, serve_object
from bkend_mcp.rest.http import backend_of, run

PUBLIC_CACHE = "public, max-age=3600"
IMAGE_CACHE = "public, max-age=86400"


def routes() -> list[BaseRoute]:
    return [
        Route("/_storage/o/{key:path}", s3_errors(put_object), methods=["PUT"]),
        Route("/_storage/o/{key:path}", s3_errors(get_object), methods=["GET", "HEAD"]),
        Route("/cdn/{key:path}", cdn_object, methods=["GET", "HEAD"]),
        Route("/img/{path:path}", transformed_image, methods=["GET", "HEAD"]),
    ]


def local_store(request: Request) -> LocalBlobStore:
    store = backend_of(request).blobs
    if not isinstance(store, LocalBlobStore):
        raise BlobError("NoSuchKey", "Objects are served by the configured object store, not by this server")
    return store


def _check_request(request: Request, grant: Grant) -> None:
    """§7.2 PUT rules: no second credential, an upload URL, the signed Content-Type byte for byte, not too large."""
    if request.headers.get("authorization"):
        raise BlobError("InvalidArgument", "Only one auth mechanism allowed; remove the Authorization header")
    if grant.op == "get":
        raise BlobError("AccessDenied", "This URL does not allow uploads")
    if grant.op == "put" and request.headers.get("content-type", "").strip() != grant.ct:
        raise BlobError("SignatureDoesNotMatch", "Content-Type differs from the one the URL was signed for")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and grant.max_bytes is not None and int(declared) > grant.max_bytes:
        raise BlobError("EntityTooLarge", f"Your proposed upload exceeds the maximum allowed size ({grant.max_bytes})")


async def _receive(request: Request, store: LocalBlobStore, grant: Grant) -> Upload:
    if grant.op == "part":
        upload = await run(request, lambda b: store.open_part(grant.key, grant.uploadId, grant.max_bytes))
    else:
        upload = await run(request, lambda b: store.open_put(grant.key, grant.max_bytes))
    try:
        await pump(request, upload.write)
    except BaseException:
        upload.discard()
        raise
    return upload


async def put_object(request: Request) -> Response:
    """A signed single or part upload: stream, hash, move into place; a single upload is then registered (C18)."""
    store, key = local_store(request), request.path_params["key"]
    grant = store.verify(key, query(request))
    _check_request(request, grant)
    upload = await _receive(request, store, grant)
    if grant.op == "part":
        etag = await run(request, lambda b: store.commit_part(key, grant.uploadId, grant.part_number, upload))
        return Response(status_code=200, headers={"ETag": f'"{etag}"'})
    content_type = request.headers.get("content-type", grant.ct)
    info = await run(request, lambda b: store.commit_put(key, upload, content_type))
    await run(request, lambda b: uploads.object_stored(b, info))
    return Response(status_code=200, headers={"ETag": f'"{info.etag}"'})


async def get_object(request: Request) -> Response:
    """Signed download, or the unsigned URL of a public file (compat C19; else 403 `AccessDenied`)."""
    store, key, params = local_store(request), request.path_params["key"], query(request)
    if "sig" not in params:
        return await _public_object(request, key, missing="AccessDenied")
    grant = store.verify(key, params)
    if grant.op != "get":
        raise BlobError("AccessDenied", "This URL does not allow downloads")
    info = await run(request, lambda b: store.head(key))
    if info is None:
        raise BlobError("NoSuchKey", "The specified key does not exist")
    cache = f"private, max-age={seconds_left(grant.exp)}"
    content_type = grant.rct or info.content_type or ""
    return await serve_object(request, store, info, content_type=content_type, disposition=grant.disp, cache=cache)


async def _public_object(request: Request, key: str, missing: str | None = None) -> Response:
    try:
        found = await run(request, lambda b: public.public_object(b, key))
    except BkendError:
        if missing is None:
            raise
        raise BlobError(missing, "Access Denied") from None
    if found.redirect is not None:
        return RedirectResponse(found.redirect, status_code=302, headers={"Cache-Control": "public, max-age=60"})
    store, mime = backend_of(request).blobs, found.record["mimeType"]
    return await serve_object(request, store, found.info, content_type=mime, disposition=None, cache=PUBLIC_CACHE)


async def cdn_object(request: Request) -> Response:
    """The permanent URL of a public file; 404 unless it is registered and public."""
    return await _public_object(request, request.path_params["key"])


async def transformed_image(request: Request) -> Response:
    """`/img/{options}/{key}`: a resized / re-encoded public image, or the original when no option is given."""
    path, accept = request.path_params["path"], request.headers.get("accept", "")
    rendered = await run(request, lambda b: images.render(b, path, accept))
    if rendered is None:
        return await _public_object(request, parse(path)[1])
    headers = {"ETag": f'"{rendered.etag}"', "Cache-Control": IMAGE_CACHE, "X-Content-Type-Options": "nosniff"}
    if rendered.varies_by_accept:
        headers["Vary"] = "Accept"
    if request.headers.get("if-none-match", "").strip() == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    return FileResponse(rendered.path, media_type=rendered.media_type, headers=headers)
