"""The console's data browser: one table's rows, read and written as the environment's admin through the data
API's own pipelines (`records`), so filters, paging and field-level validation errors are exactly the REST ones.

The tenant acts like a secret key (no row rules, `createdBy` empty unless given); the table's schema, unique
indexes and system-table protections still apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bkend_mcp.domain import addressing, records, tenant_data
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.principal import Principal


def _reading(backend: Backend, principal: Principal, table: str, where: Mapping[str, str | None]) -> tuple[Caller, str]:
    return tenant_data.acting(
        backend, principal, table, project=where.get("project"), environment=where.get("environment")
    )


def _writing(backend: Backend, principal: Principal, table: str, where: Mapping[str, str | None]) -> tuple[Caller, str]:
    return tenant_data.acting(
        backend,
        principal,
        table,
        project=where.get("project"),
        environment=where.get("environment"),
        resolve=addressing.writable_table,
    )


def list_rows(
    backend: Backend, principal: Principal, table: str, params: Mapping[str, list[str]], **where: str | None
) -> dict[str, Any]:
    """`params` are the data API's list parameters (page, limit, sortBy, sortDirection, andFilters, orFilters…)."""
    caller, name = _reading(backend, principal, table, where)
    return records.list_records(backend, caller, name, params)


def get_row(backend: Backend, principal: Principal, table: str, row_id: str, **where: str | None) -> dict[str, Any]:
    caller, name = _reading(backend, principal, table, where)
    return records.get_record(backend, caller, name, row_id)


def create_row(backend: Backend, principal: Principal, table: str, body: Any, **where: str | None) -> dict[str, Any]:
    caller, name = _writing(backend, principal, table, where)
    return records.create_record(backend, caller, name, body)


def update_row(
    backend: Backend, principal: Principal, table: str, row_id: str, body: Any, **where: str | None
) -> dict[str, Any]:
    caller, name = _writing(backend, principal, table, where)
    return records.update_record(backend, caller, name, row_id, body)


def delete_row(backend: Backend, principal: Principal, table: str, row_id: str, **where: str | None) -> dict[str, Any]:
    caller, name = _writing(backend, principal, table, where)
    return records.delete_record(backend, caller, name, row_id)
