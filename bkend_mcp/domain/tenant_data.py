"""Data work a tenant asks for through MCP: name the table, pick who acts, run one bulk pipeline.

The table is a name or `tbl_` id (`project`/`environment` default as in spec/mcp-and-console.md §6.1 rule 3). The
call acts as the environment's admin (like a secret key: no row rules, `createdBy` empty) or, with `as_user` (an
app user's id or e-mail address), as that user with their real role, so the table's permissions, row filters and
column rules apply to them. An unknown or deleted user is `user/not-found`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from bkend_mcp.domain import addressing, aggregate, bulk
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.principal import Principal

Resolver = Callable[..., tuple[dict[str, Any], dict[str, Any]]]


def acting(
    backend: Backend,
    principal: Principal,
    table: str,
    *,
    project: str | None = None,
    environment: str | None = None,
    as_user: str | None = None,
    resolve: Resolver = addressing.resolve_table,
) -> tuple[Caller, str]:
    """The caller and the stored table name a data call works with; writes pass `addressing.writable_table`, which
    refuses them in read-only mode."""
    env, doc = resolve(backend, principal, table, project, environment)
    user = addressing.resolve_app_user(backend, env, as_user) if as_user is not None else None
    return addressing.environment_caller(env, principal, user), doc["tableName"]


def _writing(dry_run: bool) -> Resolver:
    """A dry run writes nothing, so it resolves like a read."""
    return addressing.resolve_table if dry_run else addressing.writable_table


def insert_data(
    backend: Backend, principal: Principal, table: str, records: Any, **where: str | None
) -> dict[str, Any]:
    """One record (an object) or a batch (a list of 1-100), all validated before any is written."""
    caller, name = acting(backend, principal, table, **where, resolve=addressing.writable_table)
    return bulk.insert_many(backend, caller, name, records if isinstance(records, list) else [records])


def query_data(
    backend: Backend,
    principal: Principal,
    table: str,
    *,
    project: str | None = None,
    environment: str | None = None,
    as_user: str | None = None,
    **options: Any,
) -> dict[str, Any]:
    """`bulk.find` options: `record_id`, `filter`, `or_filters`, `search`, `search_type`, `sort_by`,
    `sort_direction`, `page`, `limit`, `select`, `count_only`."""
    caller, name = acting(backend, principal, table, project=project, environment=environment, as_user=as_user)
    return bulk.find(backend, caller, name, **options)


def update_data(
    backend: Backend,
    principal: Principal,
    table: str,
    selection: bulk.Selection,
    data: dict[str, Any] | None,
    unset: Sequence[str] = (),
    *,
    dry_run: bool = False,
    **where: str | None,
) -> dict[str, Any]:
    caller, name = acting(backend, principal, table, **where, resolve=_writing(dry_run))
    return bulk.update_many(backend, caller, name, selection, data, unset, dry_run=dry_run)


def delete_data(
    backend: Backend,
    principal: Principal,
    table: str,
    selection: bulk.Selection,
    *,
    confirm: bool = False,
    dry_run: bool = False,
    **where: str | None,
) -> dict[str, Any]:
    caller, name = acting(backend, principal, table, **where, resolve=_writing(dry_run))
    return bulk.delete_many(backend, caller, name, selection, confirm=confirm, dry_run=dry_run)


def aggregate_data(
    backend: Backend,
    principal: Principal,
    table: str,
    *,
    project: str | None = None,
    environment: str | None = None,
    as_user: str | None = None,
    **options: Any,
) -> dict[str, Any]:
    """`aggregate.aggregate` options: `metrics`, `filter`, `or_filters`, `unwind`, `group_by`, `sort_by`,
    `sort_direction`, `limit`."""
    caller, name = acting(backend, principal, table, project=project, environment=environment, as_user=as_user)
    return aggregate.aggregate(backend, caller, name, **options)
