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
FileId = Annotated[str, Field(description="The file id (file_…)", min_length=1, max_length=64)]
Visibility = Annotated[
    Literal["public", "private", "protected", "shared"] | None,
    Field(
        description="public: anyone with the URL (permanent URL, image transforms); private: owner and admins; "
        "protected: any signed-in user; shared: owner + sharedWith users"
    ),
]
Category = Annotated[
    Literal["images", "documents", "media", "attachments", "exports", "backups", "temp", "avatars", "files"] | None,
    Field(description="Bucket the file is filed under (default attachments)"),
]


def register(server: MCPServer[Any], kit: ToolKit) -> None:
    kit = kit.fenced()  # file names and metadata are written by app users: fence them (mcp/fence.py)

    @server.tool(annotations=READ)
    async def list_files(
        category: Category = None,
        visibility: Visibility = None,
        mimeType: Annotated[str | None, Field(description="Exact type, or a prefix such as image/ or image/*")] = None,
        search: Annotated[str | None, Field(max_length=100, description="Case-insensitive part of the name")] = None,
        ownerId: Annotated[str | None, Field(description="Only files of this app user")] = None,
        page: Page = 1,
        limit: Limit = 20,
        sortBy: Literal["createdAt", "size", "originalName"] = "createdAt",
        sortDirection: Literal["asc", "desc"] = "desc",
        project: Project = None,
        environment: Environment = None,
    ) -> dict[str, Any]:
        """List the environment's files, newest first: {items: [file], pagination}. A file has id, originalName,
        key, mimeType, size, category, visibility, ownerId, tags, metadata, url (public files), createdAt."""
        params: dict[str, Any] = {
            "bucket": category, "visibility": visibility, "mimeType": mimeType, "search": search, "ownerId": ownerId,
            "page": page, "limit": limit, "sortBy": sortBy, "sortDirection": sortDirection,
        }  # fmt: skip
        where: dict[str, Any] = {"project": project, "environment": environment}
        return await kit.call("file:read", lambda b, p: tenant_files.list_files(b, p, params, **where))

    @server.tool(annotations=READ)
    async def get_file(
        fileId: FileId,
        includeDownloadUrl: Annotated[bool, Field(description="Add a signed downloadUrl")] = True,
        expiresIn: Annotated[int, Field(ge=60, le=86400, description="downloadUrl lifetime in seconds")] = 3600,
        project: Project = None,
        environment: Environment = None,
    ) -> dict[str, Any]:
        """One file with a signed downloadUrl and, for public files, the permanent publicUrl. A presigned upload
        becomes a file here once its bytes have been PUT."""
        options: dict[str, Any] = {"include_download_url": includeDownloadUrl, "expires_in": expiresIn}
        where: dict[str, Any] = {"project": project, "environment": environment}
        return await kit.call("file:read", lambda b, p: tenant_files.get_file(b, p, fileId, **options, **where))

    @server.tool(annotations=UPLOAD)
    async def upload_file(
        filename: Annotated[str, Field(min_length=1, max_length=255, description="File name, e.g. cover.png")],
        contentType: Annotated[str, Field(max_length=100, description="MIME type, e.g. image/png")],
        contentBase64: Annotated[
            str | None, Field(description="The bytes, base64 (default cap 10 MiB). Omit for a presigned upload URL")
        ] = None,
        sourceUrl: Annotated[str | None, Field(description="Not supported: use contentBase64 or presigned")] = None,
        visibility: Visibility = None,
        category: Category = None,
        asUser: Annotated[str | None, Field(description="App user id who will own the file")] = None,
        link: Annotated[
            dict[str, Any] | None,
            Field(description='Store the result in a record: {"table", "id", "field", "as": "url"|"id"}'),
        ] = None,
        project: Project = None,
        environment: Environment = None,
    ) -> dict[str, Any]:
        """Upload a file. With contentBase64: stored and registered now → {file, url}. Without: a presigned
        upload → {fileId, uploadUrl, method: PUT, headers: {Content-Type}, expiresAt}; PUT the raw bytes there
        with exactly that Content-Type (no other auth), then get_file(fileId). Default visibility: public."""
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
            Field(description="Merged into metadata (a key set to null is removed): alt, description, custom…"),
        ] = None,
        project: Project = None,
        environment: Environment = None,
    ) -> dict[str, Any]:
        """Change a file's visibility, name, category or metadata; returns the file. Making a public file
        private stops its permanent URL and image transforms at once."""
        changes: dict[str, Any] = {
            "visibility": visibility, "originalName": originalName, "category": category, "tags": tags,
            "metadata": metadata,
        }  # fmt: skip
        where: dict[str, Any] = {"project": project, "environment": environment}
        return await kit.call("file:update", lambda b, p: tenant_files.update_file(b, p, fileId, changes, **where))

    @server.tool(annotations=DESTRUCTIVE)
    async def delete_file(
        fileId: FileId,
        confirm: Annotated[bool, Field(description="Must be true, after the user agreed; irreversible")] = False,
        project: Project = None,
        environment: Environment = None,
    ) -> dict[str, Any]:
        """Delete a file: its record, its bytes and cached transforms. Records that store its URL or id are not
        changed. Returns {deleted, warning}."""
        where: dict[str, Any] = {"project": project, "environment": environment}
        return await kit.call(
            "file:delete", lambda b, p: tenant_files.delete_file(b, p, fileId, confirm=confirm, **where)
        )
