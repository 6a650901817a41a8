"""Prompts (spec/mcp-and-console.md §6.6): the three conversations users start most, written as instructions that
lead the model through the right tools in the right order."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from bkend_mcp.mcp.toolkit import ToolKit


def register(server: MCPServer[Any], kit: ToolKit) -> None:
    @server.prompt()
    def design_backend(
        description: Annotated[str, Field(description="The app in plain words, e.g. 'a recipe blog with comments'")],
    ) -> str:
        """Design tables, fields, indexes and permissions for an app, then create them once the user agrees."""
        return (
            f"Design the backend for this app: {description}\n\n"
            "1. Call get_context to learn the project, its environments and the REST base URL.\n"
            "2. Call list_tables to see what exists; reuse or extend existing tables instead of duplicating them.\n"
            "3. Propose the design as a Markdown table per table: field, type (string, number, integer, boolean, "
            "date, object, array, reference), required, unique, default, notes. Add the indexes the app's queries "
            "need and the permissions (who may create/read/list/update/delete; use self for per-user rows). "
            "Records get id, createdAt, updatedAt and createdBy automatically: do not define them.\n"
            "4. Stop and ask the user to confirm or change the design. Do not create anything before they agree.\n"
            "5. After the go-ahead, call create_table once per table (fields, indexes, permissions), then get_table "
            "on each and summarise the REST endpoints the app will use."
        )

    @server.prompt()
    def seed_data(
        table: Annotated[str, Field(description="The table to fill")],
        count: Annotated[int, Field(description="How many records (1-100)", ge=1, le=100)] = 10,
    ) -> str:
        """Fill a table with realistic sample records that satisfy its schema."""
        return (
            f"Seed the table '{table}' with {count} realistic sample records.\n\n"
            f"1. Call get_table for '{table}' and read every field's type, required flag, enum, bounds, pattern and "
            "unique flag; for reference fields, query the referenced table for existing ids.\n"
            "2. Write varied, plausible values (no 'test1', 'test2'); respect unique fields and required fields.\n"
            f"3. Insert them with insert_data on '{table}' in one call (at most 100 records per call).\n"
            "4. If a record is rejected, read the error's details (field, reason), fix those values and retry only "
            "the failed records.\n"
            "5. Report how many records were created and show three of them."
        )

    @server.prompt()
    def generate_client(
        framework: Annotated[str, Field(description="e.g. nextjs, react, vue, flutter, node, python")],
        table: Annotated[str, Field(description="The table the code works with")],
    ) -> str:
        """Write client code for a framework that reads and writes one table over the REST API."""
        return (
            f"Write {framework} client code for the table '{table}'.\n\n"
            "1. Call get_context: use its REST base URL and a publishable key (pk_) of the right environment. Never "
            "use the MCP URL or a secret key (sk_) in client code.\n"
            f"2. Call get_table for '{table}' to get the fields and the REST endpoints.\n"
            f'3. Call search_docs with "{framework} client" and "andFilters pagination" for the exact request '
            "shapes.\n"
            "4. Write: a small fetch helper sending X-API-Key (and Authorization: Bearer <user access token> when a "
            "user is signed in); a typed model of the record (id, the fields, createdAt, updatedAt); list with "
            "page/limit/sortBy/sortDirection/andFilters reading {items, pagination}; get, create, update (PATCH) and "
            "delete by id; errors read from error.code and error.message.\n"
            "5. Put the base URL and key in environment variables, not in source."
        )
