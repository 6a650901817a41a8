"""Who may do what to a table's records: spec/data.md §5.3-§5.7 as code.

`authorize` answers ALLOW, DENY or (for a list) a filter that scopes the rows; `can_ever` is the fast deny that
runs before a record is loaded; column permissions hide fields on output and forbid them on input; row filters
narrow lists. Admin is always fully allowed and never filtered. Every rule table is checked at configuration
time by `validate_permissions`, and anything malformed that still reaches a request denies (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from typing import Any

from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.expressions import Value, fold, holds, parse_expression
from bkend_mcp.domain.filters import SYSTEM_PATHS, mentions_user_id, parse_filter
from bkend_mcp.store.base import MATCH_ALL, MATCH_NONE, Cond, Filter, any_of

OPERATIONS = ("create", "read", "list", "update", "delete")
ROLES = ("admin", "user", "guest", "self")
COLUMN_DIRECTIONS = ("read", "write")
ROW_FILTER_KEYS = ("expression", "filter")
SYSTEM_FIELDS = frozenset({"id", *SYSTEM_PATHS})

DEFAULT_PERMISSIONS: dict[str, dict[str, bool]] = {
    "admin": {"create": True, "read": True, "list": True, "update": True, "delete": True},
    "user": {"create": True, "read": True, "list": True, "update": False, "delete": False},
    "guest": {"create": False, "read": True, "list": True, "update": False, "delete": False},
    "self": {"create": False, "read": False, "list": False, "update": False, "delete": False},
}
"""§5.3 defaults, used only when a table has no permissions object at all. Copy it before storing or changing it."""


class Verdict(Enum):
    ALLOW = "allow"
    DENY = "deny"


ALLOW = Verdict.ALLOW
DENY = Verdict.DENY
Decision = Verdict | Filter
"""ALLOW, DENY, or for `list` the filter the caller's rows must match (`self` → `createdBy == uid`)."""


# --- table-level permissions (§5.4, §5.5) ----------------------------------------------------------------------------


def evaluate(tree: Any, caller: Caller, op: str, record: Mapping[str, Any] | None = None) -> Value:
    """An expression (tree or text) for `op`: TRUE, FALSE, or for `list` possibly a filter."""
    return fold(parse_expression(tree) if isinstance(tree, str) else tree, caller, _self_for(op, caller, record))


def authorize(op: str, table: Mapping[str, Any], caller: Caller, record: Mapping[str, Any] | None = None) -> Decision:
    """§5.4: admin → ALLOW; an expression for `op` (list falls back to read) decides alone; else the boolean rows.

    For read/update/delete a `self` grant needs the stored `record`; without it `self` does not match.
    """
    if caller.group == "admin":
        return ALLOW
    expression = _expression_for(table, op)
    if expression is not None:
        try:
            value = evaluate(expression, caller, op, record)
        except ValueError:
            return DENY
        if value is True:
            return ALLOW
        return DENY if value is False or op != "list" else value
    perms = _boolean_permissions(table)
    if _granted(perms.get(caller.group), op):
        return ALLOW
    if op == "create" or not caller.uid or not _granted(perms.get("self"), op):
        return DENY
    if op == "list":
        return _own_rows(caller)
    return ALLOW if record is not None and _owns(caller, record) else DENY


def can_ever(op: str, table: Mapping[str, Any], caller: Caller) -> bool:
    """Could `op` be allowed on some record? False lets read/update/delete answer 403 before loading (§3.5 step 2)."""
    if caller.group == "admin":
        return True
    expression = _expression_for(table, op)
    if expression is not None:
        try:
            tree = parse_expression(expression)
        except ValueError:
            return False
        return fold(tree, caller, _own_rows(caller) if caller.uid else False) is not False
    perms = _boolean_permissions(table)
    if _granted(perms.get(caller.group), op):
        return True
    return op != "create" and bool(caller.uid) and _granted(perms.get("self"), op)


def _expression_for(table: Mapping[str, Any], op: str) -> str | None:
    expressions = table.get("expressionPermissions")
    if not isinstance(expressions, Mapping):
        return None
    for key in (op, "read") if op == "list" else (op,):
        if isinstance(expressions.get(key), str) and expressions[key].strip():
            return str(expressions[key])
    return None


def _boolean_permissions(table: Mapping[str, Any]) -> Mapping[str, Any]:
    """The table's permissions object; the defaults only when there is none at all (§11 C8)."""
    perms = table.get("permissions")
    return perms if isinstance(perms, Mapping) else DEFAULT_PERMISSIONS


def _granted(row: Any, op: str) -> bool:
    """One role's value for `op`: a missing `list` falls back to `read`; anything but `true` is false."""
    if not isinstance(row, Mapping):
        return False
    if op == "list" and "list" not in row:
        return row.get("read") is True
    return row.get(op) is True


def _self_for(op: str, caller: Caller, record: Mapping[str, Any] | None) -> Value:
    """What `self` means for an operation: on create the caller is signed in (and becomes the owner), on list
    a filter to the caller's rows, on read/update/delete the record's owner is the caller."""
    if op == "create":
        return caller.authenticated
    if op == "list":
        return _own_rows(caller) if caller.uid else False
    return record is not None and _owns(caller, record)


def _own_rows(caller: Caller) -> Filter:
    return Cond("createdBy", "eq", caller.uid, scalar=True)


def _owns(caller: Caller, record: Mapping[str, Any]) -> bool:
    """Guests' rows are owned by "" and a caller without uid owns nothing: "" never matches "" (§9.2)."""
    return bool(caller.uid) and record.get("createdBy") == caller.uid


# --- column permissions (§5.6) ---------------------------------------------------------------------------------------


def readable_fields(
    table: Mapping[str, Any], caller: Caller, record: Mapping[str, Any] | None = None
) -> Callable[[str], bool]:
    """Whether the caller may read a (top-level) field of `record`, or with no record, of every record: then
    `self` does not match, so a caller cannot filter or sort on a column only owners may read."""
    owner = record is not None and _owns(caller, record)
    return _column_check(table, caller, "read", owner)


def selectable_fields(table: Mapping[str, Any], caller: Caller) -> Callable[[str], bool]:
    """Whether the caller may read a field on at least one record (`self` columns count when signed in)."""
    return _column_check(table, caller, "read", caller.authenticated)


def filter_record(table: Mapping[str, Any], caller: Caller, record: Mapping[str, Any]) -> dict[str, Any]:
    """The record without the top-level fields the caller may not read; system fields always stay."""
    if caller.group == "admin" or not table.get("columnPermissions"):
        return dict(record)
    readable = readable_fields(table, caller, record)
    return {key: value for key, value in record.items() if readable(key)}


def check_column_write(table: Mapping[str, Any], caller: Caller, keys: Iterable[str], owner_uid: str | None) -> None:
    """403 naming the first field the caller may not write. `owner_uid` is None on create (then `self` means
    "signed in", the future owner) and the stored `createdBy` on update."""
    if caller.group == "admin":
        return
    owner = caller.authenticated if owner_uid is None else bool(caller.uid) and owner_uid == caller.uid
    writable = _column_check(table, caller, "write", owner)
    for key in keys:
        if key in SYSTEM_FIELDS or not writable(key):
            raise BkendError("data/permission-denied", f"Permission denied: you may not write the field '{key}'")


def _column_check(table: Mapping[str, Any], caller: Caller, direction: str, owner: bool) -> Callable[[str], bool]:
    columns = table.get("columnPermissions")
    columns = columns if isinstance(columns, Mapping) else {}

    def allowed(field: str) -> bool:
        top = field.split(".", 1)[0]
        if caller.group == "admin" or (top in SYSTEM_FIELDS and direction == "read"):
            return True
        rule = columns.get(top)
        expression = rule.get(direction) if isinstance(rule, Mapping) else None
        if expression is None:
            return True
        return isinstance(expression, str) and holds(expression, caller, owner)

    return allowed


# --- row filters (§5.7) ----------------------------------------------------------------------------------------------


def row_filter(table: Mapping[str, Any], caller: Caller) -> Filter:
    """The OR of the filters of every row-filter entry whose expression holds (`self` = signed in).

    MATCH_ALL for admin or when none are configured; MATCH_NONE when some are configured but none applies.
    Entries using `"$userId"` are skipped for a caller without uid; an entry that no longer parses is skipped.
    """
    entries = table.get("rowFilters")
    if caller.group == "admin" or not entries or not isinstance(entries, list):
        return MATCH_ALL
    matched: list[Filter] = []
    for entry in entries:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("expression"), str):
            continue
        raw = entry.get("filter")
        if not holds(entry["expression"], caller, caller.authenticated) or (mentions_user_id(raw) and not caller.uid):
            continue
        try:
            matched.append(parse_filter(raw, table.get("schema"), caller, param="rowFilters"))
        except BkendError:
            continue
    return any_of(matched) if matched else MATCH_NONE


# --- configuration checks --------------------------------------------------------------------------------------------


def validate_permissions(
    permissions: Any = None,
    expression_permissions: Any = None,
    column_permissions: Any = None,
    row_filters: Any = None,
    schema: Mapping[str, Any] | None = None,
) -> None:
    """400 `table/invalid-permissions` listing every bad entry of the four rule objects (None = not configured)."""
    details = [
        *_check_boolean(permissions),
        *_check_expressions(expression_permissions),
        *_check_columns(column_permissions),
        *_check_row_filters(row_filters, schema),
    ]
    if details:
        raise BkendError("table/invalid-permissions", f"Invalid permissions: {details[0]['message']}", details)


def _issue(field: str, reason: str, message: str) -> dict[str, str]:
    return {"field": field, "reason": reason, "message": message}


def _check_boolean(perms: Any) -> list[dict[str, str]]:
    if perms is None:
        return []
    if not isinstance(perms, Mapping):
        return [_issue("permissions", "type", "'permissions' must be an object of roles")]
    issues = []
    for role, row in perms.items():
        where = f"permissions.{role}"
        if role not in ROLES:
            issues.append(_issue(where, "invalid-role", f"'{role}' is not a role (use {', '.join(ROLES)})"))
        elif not isinstance(row, Mapping):
            issues.append(_issue(where, "type", f"'{where}' must be an object of operations"))
        else:
            for op, value in row.items():
                if op not in OPERATIONS:
                    issues.append(
                        _issue(
                            f"{where}.{op}",
                            "invalid-operation",
                            f"'{op}' is not an operation (use {', '.join(OPERATIONS)})",
                        )
                    )
                elif not isinstance(value, bool):
                    issues.append(_issue(f"{where}.{op}", "type", f"'{where}.{op}' must be true or false"))
    return issues


def _check_expressions(expressions: Any) -> list[dict[str, str]]:
    if expressions is None:
        return []
    if not isinstance(expressions, Mapping):
        return [_issue("expressionPermissions", "type", "'expressionPermissions' must be an object of operations")]
    issues = []
    for op, text in expressions.items():
        where = f"expressionPermissions.{op}"
        if op not in OPERATIONS:
            issues.append(
                _issue(where, "invalid-operation", f"'{op}' is not an operation (use {', '.join(OPERATIONS)})")
            )
        elif text is not None:
            issues += _check_expression(where, text)
    return issues


def _check_expression(where: str, text: Any) -> list[dict[str, str]]:
    try:
        parse_expression(text)
    except ValueError as exc:
        return [_issue(where, "invalid-expression", f"'{where}': {exc}")]
    return []


def _check_columns(columns: Any) -> list[dict[str, str]]:
    if columns is None:
        return []
    if not isinstance(columns, Mapping):
        return [_issue("columnPermissions", "type", "'columnPermissions' must be an object of columns")]
    issues = []
    for column, rule in columns.items():
        where = f"columnPermissions.{column}"
        if column in SYSTEM_FIELDS:
            issues.append(
                _issue(where, "system-field", f"'{column}' is a system field: always readable, never writable")
            )
        elif not isinstance(rule, Mapping):
            issues.append(_issue(where, "type", f"'{where}' must be an object with 'read' and/or 'write'"))
        else:
            for direction, text in rule.items():
                if direction not in COLUMN_DIRECTIONS:
                    issues.append(
                        _issue(
                            f"{where}.{direction}",
                            "invalid-operation",
                            f"'{direction}' is not allowed here (use read or write)",
                        )
                    )
                elif text is not None:
                    issues += _check_expression(f"{where}.{direction}", text)
    return issues


def _check_row_filters(entries: Any, schema: Mapping[str, Any] | None) -> list[dict[str, str]]:
    if entries is None:
        return []
    if not isinstance(entries, list):
        return [_issue("rowFilters", "type", "'rowFilters' must be an array of {expression, filter}")]
    issues = []
    for i, entry in enumerate(entries):
        where = f"rowFilters[{i}]"
        if not isinstance(entry, Mapping) or set(entry) != set(ROW_FILTER_KEYS):
            issues.append(_issue(where, "type", f"'{where}' must be an object with exactly 'expression' and 'filter'"))
            continue
        issues += _check_expression(f"{where}.expression", entry["expression"])
        try:
            parse_filter(entry["filter"], schema, param=f"{where}.filter")
        except BkendError as exc:
            issues += [{**d, "reason": d.get("reason", "invalid-filter")} for d in exc.details or []]
    return issues
