"""Core storage tools (spec/mcp-and-console.md §6.3 "Storage"): list, read, upload, update and delete files.

Each handler hands its arguments to one function of `domain/files/tenant_files.py`; visibility, limits and
ownership are those of the REST file API (`/v1/files`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations
from pydantic import Field

from bkend_mcp.domain.files import tenant_files
from bkend_mcp.mcp.toolkit import ToolKit
from bkend_mcp.mcp.tools.args import DESTRUCTIVE, READ, WRITE_IDEMPOTENT, Environment, Limit, Page, Project

UPLOAD = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True)
FileId = Annotated[str, Field(min_length=1, max_length=64)]
Visibility = Annotated[
    Literal["public", "private", "protected", "shared"] | None,
    Field(description="public: anyone; private: owner, admins; protected: signed-in users; shared: + sharedWith"),
]
Category = Annotated[
    Literal["images", "documents", "media", "attachments", "exports", "backups", "temp", "avatars", "files"] | None,
    Field(),
]


def register(server: MCPServer[Any], kit: ToolKit) -> None:
    kit = kit.fenced()  # file names and metadata are written by app users: fence them (mcp/fence.py)

    @server.tool(annotations=READ)
    async def list_files(
        category: Category = None,
        visibility: Visibility = None,
        mimeType: Annotated[str | None, Field(description="Exact, or a prefix like image/")] = None,
        search: Annotated[str | None, Field(max_length=100, description="Part of the name")] = None,
        ownerId: Annotated[str | None, Field(description="App user id")] = None,
        page: Page = 1,
        limit: Limit = 20,
        sortBy: Literal["createdAt", "size", "originalName"] = "createdAt",
        sortDirection: Literal["asc", "desc"] = "desc",
        project: Project = None,
        environment: Environment = None,
    ) -> dict[str, Any]:
        """List an environment's files (id, originalName, mimeType, size, visibility, url if public…)."""
        params: dict[str, Any] = {
            "bucket": category, "visibility": visibility, "mimeType": mimeType, "search": search, "ownerId": ownerId,
            "page": page, "limit": limit, "sortBy": sortBy, "sortDirection": sortDirection,
        }  # fmt: skip
        where: dict[str, Any] = {"project": project, "environment": environment}
        return await kit.call("file:read", lambda b, p: tenant_files.list_files(b, p, params, **where))

    @server.tool(annotations=READ)
    async def get_file(
        fileId: FileId,
        includeDownloadUrl: Annotated[bool, Field()] = True,
        expiresIn: Annotated[int, Field(ge=60, le=86400, description="downloadUrl lifetime, seconds")] = 3600,
        project: Project = None,
        environment: Environment = None,
    ) -> dict[str, Any]:
        """One file with a signed downloadUrl (and publicUrl if public)."""
        options: dict[str, Any] = {"include_download_url": includeDownloadUrl, "expires_in": expiresIn}
        where: dict[str, Any] = {"project": project, "environment": environment}
        return await kit.call("file:read", lambda b, p: tenant_files.get_file(b, p, fileId, **options, **where))

    @server.tool(annotations=UPLOAD)
    async def upload_file(
        filename: Annotated[str, Field(min_length=1, max_length=255)],
        contentType: Annotated[str, Field(max_length=100)],
        contentBase64: Annotated[
            str | None, Field(description="Base64 bytes (cap 10 MiB); omit for a presigned upload")
        ] = None,
        sourceUrl: Annotated[str | None, Field(description="Unsupported")] = None,
        visibility: Visibility = None,
        category: Category = None,
        asUser: Annotated[str | None, Field(description="Owner (app user id)")] = None,
        link: Annotated[
            dict[str, Any] | None,
            Field(description="Store in a record: {table, id, field, as: url|id}"),
        ] = None,
        project: Project = None,
        environment: Environment = None,
    ) -> dict[str, Any]:
        """Upload a file (default public). Without contentBase64 you get {fileId, uploadUrl}: PUT the raw bytes
        there with exactly that Content-Type, then get_file(fileId)."""
        fields: dict[str, Any] = {
            "filename": filename,
            "contentType": contentType,
            "visibility": visibility,
            "category": category,
        }
        options: dict[str, Any] = {
            "content_base64": contentBase64,
            "source_url": sourceUrl,
            "link": link,
            "as_user": asUser,
        }
        where: dict[str, Any] = {"project": project, "environment": environment}
        return await kit.call(
            "file:create", lambda b, p: tenant_files.upload_file(b, p, fields=fields, **options, **where)
        )

    @server.tool(annotations=WRITE_IDEMPOTENT)
    async def update_file(
        fileId: FileId,
        visibility: Visibility = None,
        originalName: Annotated[str | None, Field(min_length=1, max_length=255)] = None,
        category: Category = None,
        tags: Annotated[list[str] | None, Field(max_length=50, description="Replaces metadata.tags")] = None,
        metadata: Annotated[
            dict[str, Any] | None,
            Field(description="Merged; null removes a key"),
        ] = None,
        project: Project = None,
        environment: Environment = None,
    ) -> dict[str, Any]:
        """Change a file's visibility, name, category or metadata; private stops its public URL at once."""
        changes: dict[str, Any] = {
            "visibility": visibility, "originalName": originalName, "category": category, "tags": tags,
            "metadata": metadata,
        }  # fmt: skip
        where: dict[str, Any] = {"project": project, "environment": environment}
        return await kit.call("file:update", lambda b, p: tenant_files.update_file(b, p, fileId, changes, **where))

    @server.tool(annotations=DESTRUCTIVE)
    async def delete_file(
        fileId: FileId,
        confirm: Annotated[bool, Field(description="true, once the user agreed")] = False,
        project: Project = None,
        environment: Environment = None,
    ) -> dict[str, Any]:
        """Delete a file and its bytes (irreversible). Records storing its URL or id are not changed."""
        where: dict[str, Any] = {"project": project, "environment": environment}
        return await kit.call(
            "file:delete", lambda b, p: tenant_files.delete_file(b, p, fileId, confirm=confirm, **where)
        )
