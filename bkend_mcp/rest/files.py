"""The file API (spec/storage.md §2.1, the aliases of §2.8): presigned single and multipart uploads, registration,
list, metadata, download URLs, delete; and the storage-backed avatar routes of Appendix C (compat C20, C22). Each
handler parses, calls one domain function as the caller, renders.

Literal paths (`presigned-url`, `multipart/*`, `buckets`, `stats`, `settings`) come before `/v1/files/{fileId}`;
the whole table is mounted before the data API's `/v1/{table}` shorthand.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bkend_mcp.domain.files import avatars, catalog, manage, multipart, registration, settings, uploads
from bkend_mcp.rest.http import as_caller, read_json, respond


def routes() -> list[BaseRoute]:
    table = [
        ("/v1/files/presigned-url", "POST", issue_upload_url),
        ("/v1/files/multipart/init", "POST", multipart_init),
        ("/v1/files/multipart/initiate", "POST", multipart_init),
        ("/v1/files/multipart/presigned-url", "POST", multipart_part_url),
        ("/v1/files/multipart/complete", "POST", multipart_complete),
        ("/v1/files/multipart/abort", "POST", multipart_abort),
        ("/v1/files/multipart/{upload_id}/part-url", "POST", multipart_part_url),
        ("/v1/files/multipart/{upload_id}/complete", "POST", multipart_complete),
        ("/v1/files/multipart/{upload_id}/abort", "POST", multipart_abort),
        ("/v1/files/buckets", "GET", list_buckets),
        ("/v1/files/stats", "GET", file_stats),
        ("/v1/files/settings", "GET", get_settings),
        ("/v1/files/settings", "PATCH", update_settings),
        ("/v1/files", "GET", list_files),
        ("/v1/files", "POST", register_file),
        ("/v1/files/{file_id}", "GET", get_file),
        ("/v1/files/{file_id}", "PATCH", update_file),
        ("/v1/files/{file_id}", "DELETE", delete_file),
        ("/v1/files/{file_id}/visibility", "PATCH", update_file),
        ("/v1/files/{file_id}/download-url", "POST", download_url),
        ("/v1/files/{file_id}/download-url", "GET", download_url),
        ("/v1/files/{file_id}/download", "GET", download_redirect),
        ("/v1/files/{file_id}/complete", "POST", complete_by_id),
        ("/v1/users/{user_id}/avatar/upload-url", "POST", avatar_upload_url),
        ("/v1/users/{user_id}/avatar", "PATCH", set_avatar),
        ("/v1/users/{user_id}/avatar", "DELETE", delete_avatar),
    ]
    return [Route(path, endpoint, methods=[method]) for path, method, endpoint in table]


async def issue_upload_url(request: Request) -> Response:
    body = await read_json(request)
    return respond(request, await as_caller(request, lambda b, c: uploads.issue_upload_url(b, c, body)))


async def multipart_init(request: Request) -> Response:
    body = await read_json(request)
    return respond(request, await as_caller(request, lambda b, c: multipart.init_multipart(b, c, body)))


async def multipart_part_url(request: Request) -> Response:
    body, upload_id = await read_json(request), request.path_params.get("upload_id")
    return respond(request, await as_caller(request, lambda b, c: multipart.part_url(b, c, body, upload_id)))


async def multipart_complete(request: Request) -> Response:
    body, upload_id = await read_json(request), request.path_params.get("upload_id")
    return respond(request, await as_caller(request, lambda b, c: multipart.complete(b, c, body, upload_id)))


async def multipart_abort(request: Request) -> Response:
    body, upload_id = await read_json(request), request.path_params.get("upload_id")
    return respond(request, await as_caller(request, lambda b, c: multipart.abort(b, c, body, upload_id)))


async def list_buckets(request: Request) -> Response:
    return respond(request, await as_caller(request, lambda b, c: catalog.buckets()))


async def file_stats(request: Request) -> Response:
    return respond(request, await as_caller(request, catalog.stats))


async def get_settings(request: Request) -> Response:
    return respond(request, await as_caller(request, settings.get_settings))


async def update_settings(request: Request) -> Response:
    body = await read_json(request)
    return respond(request, await as_caller(request, lambda b, c: settings.update_settings(b, c, body)))


async def list_files(request: Request) -> Response:
    params: dict[str, Any] = dict(request.query_params)
    return respond(request, await as_caller(request, lambda b, c: catalog.list_files(b, c, params)))


async def register_file(request: Request) -> Response:
    body = await read_json(request)
    return respond(request, await as_caller(request, lambda b, c: registration.register(b, c, body)), 201)


async def get_file(request: Request) -> Response:
    file_id = request.path_params["file_id"]
    await read_json(request)  # an empty body with Content-Type: application/json is fine (C7)
    return respond(request, await as_caller(request, lambda b, c: manage.get_file(b, c, file_id)))


async def update_file(request: Request) -> Response:
    file_id, body = request.path_params["file_id"], await read_json(request)
    return respond(request, await as_caller(request, lambda b, c: manage.update_file(b, c, file_id, body)))


async def delete_file(request: Request) -> Response:
    file_id = request.path_params["file_id"]
    await read_json(request)
    return respond(request, await as_caller(request, lambda b, c: manage.delete_file(b, c, file_id)))


async def download_url(request: Request) -> Response:
    file_id, body = request.path_params["file_id"], await read_json(request)
    return respond(request, await as_caller(request, lambda b, c: manage.download_url(b, c, file_id, body)))


async def download_redirect(request: Request) -> Response:
    file_id = request.path_params["file_id"]
    found = await as_caller(request, lambda b, c: manage.download_url(b, c, file_id))
    return RedirectResponse(found["url"], status_code=302)


async def complete_by_id(request: Request) -> Response:
    file_id, body = request.path_params["file_id"], await read_json(request)
    found, created = await as_caller(request, lambda b, c: registration.complete_by_id(b, c, file_id, body))
    return respond(request, found, 201 if created else 200)


async def avatar_upload_url(request: Request) -> Response:
    user_id, body = request.path_params["user_id"], await read_json(request)
    return respond(request, await as_caller(request, lambda b, c: avatars.upload_url(b, c, user_id, body)))


async def set_avatar(request: Request) -> Response:
    user_id, body = request.path_params["user_id"], await read_json(request)
    return respond(request, await as_caller(request, lambda b, c: avatars.set_avatar(b, c, user_id, body)))


async def delete_avatar(request: Request) -> Response:
    user_id = request.path_params["user_id"]
    await read_json(request)
    return respond(request, await as_caller(request, lambda b, c: avatars.delete_avatar(b, c, user_id)))
