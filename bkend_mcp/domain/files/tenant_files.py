"""File work a tenant asks for through MCP (spec/mcp-and-console.md §6.3 "Storage"): the environment is named
as for data tools, the call acts as the environment's admin or, with `as_user`, as that app user (who then owns
what they upload and sees what the visibility rules let them see). The rules are those of the REST file API.

`sourceUrl` uploads (the server fetching a URL) are not offered: doing it safely needs DNS pinning against
rebinding as well as the https / private-address / size checks, so the tool answers with an error naming the
two modes that work (content and presigned).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from typing import Any

from bkend_mcp.domain import addressing, bulk, dates, tenant_data
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.files import catalog, manage, records, rules, uploads
from bkend_mcp.domain.principal import Principal

MAX_EXPIRES_IN = 86400
DELETE_WARNING = "records referencing it are not changed"
LINK_VALUES = ("url", "id")


Resolver = Callable[[Backend, Principal, str | None, str | None], dict[str, Any]]


def acting(
    backend: Backend,
    principal: Principal,
    project: str | None,
    environment: str | None,
    as_user: str | None = None,
    resolve: Resolver = addressing.resolve_environment,
) -> Caller:
    """The environment's admin, or with `as_user` (an app user id or e-mail) that user; writes pass
    `addressing.writable_environment`, which refuses them on read-only connections."""
    env = resolve(backend, principal, project, environment)
    user = addressing.resolve_app_user(backend, env, as_user) if as_user is not None else None
    return addressing.environment_caller(env, principal, user)


def tool_view(file: dict[str, Any]) -> dict[str, Any]:
    """The REST file object plus the MCP names: `category` (= bucket), `tags`, `status`."""
    tags = (file.get("metadata") or {}).get("tags") or []
    return {**file, "category": file.get("bucket"), "tags": tags, "status": "uploaded"}


def list_files(
    backend: Backend, principal: Principal, params: Mapping[str, Any], *, project: str | None, environment: str | None
) -> dict[str, Any]:
    listed = catalog.list_files(backend, acting(backend, principal, project, environment), params)
    return {**listed, "items": [tool_view(f) for f in listed["items"]]}


def get_file(
    backend: Backend,
    principal: Principal,
    file_id: str,
    *,
    include_download_url: bool = True,
    expires_in: int = 3600,
    project: str | None = None,
    environment: str | None = None,
) -> dict[str, Any]:
    """The file (registering an upload that completed since it was issued), with a signed `downloadUrl` and, for
    public files, the permanent `publicUrl`."""
    if not 60 <= expires_in <= MAX_EXPIRES_IN:
        raise rules.invalid("expiresIn", "range", f"'expiresIn' must be 60-{MAX_EXPIRES_IN} seconds")
    caller = acting(backend, principal, project, environment)
    doc = manage.readable(backend, caller, file_id)
    out = tool_view(records.view(backend, caller, doc))
    if include_download_url:
        out["downloadUrl"] = manage.signed_download(backend, doc, expires_in)
        out["downloadUrlExpiresAt"] = dates.iso(dates.after(expires_in))
    if doc["visibility"] == "public":
        out["publicUrl"] = records.public_url(backend, doc["s3Key"])
    return out


def _decoded(content_base64: str, limit: int) -> bytes:
    if len(content_base64) > (limit + 2) // 3 * 4 + 4:
        raise rules.invalid("contentBase64", "maxLength", f"The decoded content must be at most {limit} bytes")
    try:
        return base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise rules.invalid("contentBase64", "type", "'contentBase64' is not valid base64") from None


def upload_file(
    backend: Backend,
    principal: Principal,
    *,
    fields: dict[str, Any],
    content_base64: str | None = None,
    source_url: str | None = None,
    link: dict[str, Any] | None = None,
    as_user: str | None = None,
    project: str | None = None,
    environment: str | None = None,
) -> dict[str, Any]:
    """Content mode → `{file, url}`; presigned mode (no content) → `{fileId, uploadUrl, method, headers,
    expiresAt, key}`, the file registered once the bytes arrive. `fields`: filename, contentType, visibility,
    category as for `POST /v1/files/presigned-url`."""
    if source_url is not None:
        message = "sourceUrl uploads are not supported; send contentBase64 (≤ the upload cap) or use presigned mode"
        raise rules.invalid("sourceUrl", "unsupported", message)
    caller = acting(backend, principal, project, environment, as_user, addressing.writable_environment)
    body = {k: v for k, v in fields.items() if v is not None}
    if content_base64 is None:
        issued = uploads.issue_upload_url(backend, caller, body)
        keep = ("fileId", "method", "headers", "expiresAt", "key")
        return {"uploadUrl": issued["url"], **{k: issued[k] for k in keep}}
    data = _decoded(content_base64, backend.config.storage.mcp_max_upload_bytes)
    file = uploads.upload_bytes(backend, caller, body, [data])
    if link is not None:
        _link(backend, principal, file, link, project, environment)
    return {"file": tool_view(file), "url": file["url"] or manage.download_url(backend, caller, file["id"])["url"]}


def _link(
    backend: Backend,
    principal: Principal,
    file: dict[str, Any],
    link: dict[str, Any],
    project: str | None,
    environment: str | None,
) -> None:
    """Store the new file's URL (public files) or id in `link.field` of the record `link.id` of `link.table`."""
    table, record_id, field = link.get("table"), link.get("id"), link.get("field")
    if not all(isinstance(v, str) and v for v in (table, record_id, field)):
        raise rules.invalid("link", "type", "'link' needs table, id and field")
    kind = rules.choice(link.get("as"), "link.as", LINK_VALUES, "url" if file["url"] else "id")
    value = file["url"] if kind == "url" and file["url"] else file["id"]
    selection = bulk.Selection(record_id=record_id)
    tenant_data.update_data(
        backend, principal, str(table), selection, {str(field): value}, project=project, environment=environment
    )


def update_file(
    backend: Backend,
    principal: Principal,
    file_id: str,
    changes: dict[str, Any],
    *,
    project: str | None = None,
    environment: str | None = None,
) -> dict[str, Any]:
    """`changes`: visibility, originalName, category, tags, metadata (merged as PATCH merges it)."""
    caller = acting(backend, principal, project, environment, resolve=addressing.writable_environment)
    body = {k: v for k, v in changes.items() if v is not None and k != "tags"}
    if changes.get("tags") is not None:
        body["metadata"] = {**(body.get("metadata") or {}), "tags": changes["tags"]}
    return tool_view(manage.update_file(backend, caller, file_id, body))


def delete_file(
    backend: Backend,
    principal: Principal,
    file_id: str,
    *,
    confirm: bool = False,
    project: str | None = None,
    environment: str | None = None,
) -> dict[str, Any]:
    if confirm is not True:
        message = f"Deleting file '{file_id}' is irreversible ({DELETE_WARNING}); pass confirm=true to proceed"
        detail = [{"field": "confirm", "reason": "confirm", "message": message}]
        raise BkendError("common/confirmation-required", message, detail)
    caller = acting(backend, principal, project, environment, resolve=addressing.writable_environment)
    manage.delete_file(backend, caller, file_id)
    return {"deleted": True, "warning": DELETE_WARNING}
