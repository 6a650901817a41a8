"""domain/permissions.py and domain/expressions.py: spec/data.md §5.3-§5.7."""

from __future__ import annotations

from typing import Any

import pytest

from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.expressions import AllOf, AnyOf, Term, parse_expression
from bkend_mcp.domain.permissions import (
    ALLOW,
    DEFAULT_PERMISSIONS,
    DENY,
    OPERATIONS,
    authorize,
    can_ever,
    check_column_write,
    evaluate,
    filter_record,
    readable_fields,
    row_filter,
    selectable_fields,
    validate_permissions,
)
from bkend_mcp.store.base import MATCH_ALL, MATCH_NONE, And, Cond, Or

SCHEMA: dict[str, Any] = {
    "bsonType": "object",
    "properties": {"status": {"bsonType": "string"}, "due": {"bsonType": "date"}},
}


def caller(group: str, uid: str = "", role: str | None = None) -> Caller:
    return Caller("proj", "env", group, uid=uid, role=role)  # type: ignore[arg-type]


CALLERS = {
    "admin-key": caller("admin"),
    "admin-user": caller("admin", "a1", "admin"),
    "user": caller("user", "u1", "user"),
    "user-without-uid": caller("user"),
    "guest": caller("guest"),
    "guest-with-uid": caller("guest", "g1", "guest"),
}
OWNERS = ("own", "other", "guest-owned")


def record_for(who: Caller, owner: str) -> dict[str, Any]:
    created_by = {"own": who.uid, "other": "someone-else", "guest-owned": ""}[owner]
    return {"_id": "data_1", "title": "t", "createdBy": created_by}


def own_rows(who: Caller) -> Cond:
    return Cond("createdBy", "eq", who.uid, scalar=True)


ALL_TRUE = dict.fromkeys(OPERATIONS, True)
SELF_ONLY = {
    "admin": ALL_TRUE,
    "user": {"create": True, "read": False, "list": False, "update": False, "delete": False},
    "guest": {},
    "self": {"read": True, "list": True, "update": True, "delete": True},
}
TABLES = {"default": {"tableName": "t"}, "self-only": {"tableName": "t", "permissions": SELF_ONLY}}

# Expected outcome per table, caller and operation. create/list: one letter; read/update/delete: one letter per
# record owner (own, other, guest-owned). A = ALLOW, D = DENY, F = filter to the caller's own rows.
MATRIX: dict[str, dict[str, dict[str, str]]] = {
    "default": {
        "admin-key": {"create": "A", "list": "A", "read": "AAA", "update": "AAA", "delete": "AAA"},
        "admin-user": {"create": "A", "list": "A", "read": "AAA", "update": "AAA", "delete": "AAA"},
        "user": {"create": "A", "list": "A", "read": "AAA", "update": "DDD", "delete": "DDD"},
        "user-without-uid": {"create": "A", "list": "A", "read": "AAA", "update": "DDD", "delete": "DDD"},
        "guest": {"create": "D", "list": "A", "read": "AAA", "update": "DDD", "delete": "DDD"},
        "guest-with-uid": {"create": "D", "list": "A", "read": "AAA", "update": "DDD", "delete": "DDD"},
    },
    "self-only": {
        "admin-key": {"create": "A", "list": "A", "read": "AAA", "update": "AAA", "delete": "AAA"},
        "admin-user": {"create": "A", "list": "A", "read": "AAA", "update": "AAA", "delete": "AAA"},
        "user": {"create": "A", "list": "F", "read": "ADD", "update": "ADD", "delete": "ADD"},
        "user-without-uid": {"create": "A", "list": "D", "read": "DDD", "update": "DDD", "delete": "DDD"},
        "guest": {"create": "D", "list": "D", "read": "DDD", "update": "DDD", "delete": "DDD"},
        "guest-with-uid": {"create": "D", "list": "F", "read": "ADD", "update": "ADD", "delete": "ADD"},
    },
}


def _expected(letter: str, who: Caller) -> Any:
    return {"A": ALLOW, "D": DENY, "F": own_rows(who)}[letter]


MATRIX_CASES = [
    pytest.param(table, name, op, owner, id=f"{table}-{name}-{op}-{owner}")
    for table, rows in MATRIX.items()
    for name, ops in rows.items()
    for op in OPERATIONS
    for owner in (OWNERS if op in ("read", "update", "delete") else (None,))
]


@pytest.mark.parametrize(("table", "name", "op", "owner"), MATRIX_CASES)
def test_permission_matrix(table: str, name: str, op: str, owner: str | None) -> None:
    who = CALLERS[name]
    letters = MATRIX[table][name][op]
    letter = letters[OWNERS.index(owner)] if owner else letters
    record = record_for(who, owner) if owner else None
    assert authorize(op, TABLES[table], who, record) == _expected(letter, who)


@pytest.mark.parametrize(
    ("table", "name", "op"),
    [(t, n, op) for t, rows in MATRIX.items() for n in rows for op in OPERATIONS],
)
def test_can_ever_agrees_with_the_matrix(table: str, name: str, op: str) -> None:
    assert can_ever(op, TABLES[table], CALLERS[name]) == (
        "A" in MATRIX[table][name][op] or "F" in MATRIX[table][name][op]
    )


def test_missing_role_in_a_permissions_object_denies_everything() -> None:
    table = {"permissions": {"user": ALL_TRUE}}
    assert all(authorize(op, table, CALLERS["guest"], {"createdBy": ""}) is DENY for op in OPERATIONS)


def test_empty_permissions_object_is_not_the_defaults() -> None:
    assert authorize("read", {"permissions": {}}, CALLERS["user"], {"createdBy": "x"}) is DENY
    assert authorize("read", {"permissions": None}, CALLERS["user"], {"createdBy": "x"}) is ALLOW


def test_missing_list_falls_back_to_read_for_every_role() -> None:
    table = {"permissions": {"guest": {"read": True}, "user": {"read": False}, "self": {"read": True}}}
    assert authorize("list", table, CALLERS["guest"]) is ALLOW
    assert authorize("list", table, CALLERS["user"]) == own_rows(CALLERS["user"])
    explicit = {"permissions": {"guest": {"read": True, "list": False}}}
    assert authorize("list", explicit, CALLERS["guest"]) is DENY


def test_group_grant_wins_over_self() -> None:
    table = {"permissions": {"user": {"list": True}, "self": {"list": True}}}
    assert authorize("list", table, CALLERS["user"]) is ALLOW


def test_self_create_is_ignored() -> None:
    table = {"permissions": {"user": {}, "self": {"create": True}}}
    assert authorize("create", table, CALLERS["user"]) is DENY
    assert can_ever("create", table, CALLERS["user"]) is False


@pytest.mark.parametrize("value", ["true", 1, None, {"x": 1}])
def test_non_boolean_permission_values_deny(value: Any) -> None:
    assert authorize("read", {"permissions": {"guest": {"read": value}}}, CALLERS["guest"], {}) is DENY


def test_self_without_the_record_does_not_match() -> None:
    assert authorize("read", TABLES["self-only"], CALLERS["user"]) is DENY


def test_default_permissions_table() -> None:
    assert DEFAULT_PERMISSIONS["guest"] == {
        "create": False,
        "read": True,
        "list": True,
        "update": False,
        "delete": False,
    }
    assert not any(DEFAULT_PERMISSIONS["self"].values())
    assert all(DEFAULT_PERMISSIONS["admin"].values())


# --- expression permissions ------------------------------------------------------------------------------------------

MODERATOR = caller("user", "m1", "moderator")
EDITOR = caller("user", "e1", "editor")


@pytest.mark.parametrize(
    ("expression", "name_or_caller", "expected"),
    [
        ("public", "guest", True),
        ("guest", "guest", True),
        ("guest", "user", True),
        ("user", "guest", False),
        ("user", "guest-with-uid", True),
        ("user", "user", True),
        ("admin", "user", False),
        ("user | guest", "guest", True),
        ("role:moderator", MODERATOR, True),
        ("role:moderator", EDITOR, False),
        ("role:moderator", "user", False),
        ("role:moderator", caller("guest", "", "moderator"), False),
        ("role:*", MODERATOR, True),
        ("role:*", "user", False),
        ("role:*", "guest-with-uid", False),
        ("role:*", "guest", False),
        ("public | user & admin", "guest", True),  # & binds tighter: public | (user & admin)
        ("(public | user) & admin", "guest", False),
        ("user & role:editor | role:moderator", MODERATOR, True),
        ("user & (role:editor | role:moderator)", "user", False),
        ("user || guest", "guest", True),
        ("user && role:editor", EDITOR, True),
    ],
)
def test_expression_terms_and_precedence(expression: str, name_or_caller: Any, expected: bool) -> None:
    who = CALLERS[name_or_caller] if isinstance(name_or_caller, str) else name_or_caller
    assert evaluate(expression, who, "read", {"createdBy": "nobody"}) is expected
    assert authorize("update", {"expressionPermissions": {"update": expression}}, who, {"createdBy": "nobody"}) is (
        ALLOW if expected else DENY
    )


def test_and_binds_tighter_than_or_in_the_tree() -> None:
    assert parse_expression("public | user & admin") == AnyOf((Term("public"), AllOf((Term("user"), Term("admin")))))
    assert parse_expression("(public | user) & admin") == AllOf((AnyOf((Term("public"), Term("user"))), Term("admin")))
    assert parse_expression(" role:editor ") == Term("role", "editor")


@pytest.mark.parametrize(
    ("expression", "record_owner", "expected"),
    [("self", "u1", True), ("self", "u2", False), ("self", "", False), ("self & role:user", "u1", True)],
)
def test_self_term_on_a_record_compares_the_owner(expression: str, record_owner: str, expected: bool) -> None:
    assert evaluate(expression, CALLERS["user"], "delete", {"createdBy": record_owner}) is expected


def test_self_on_create_means_signed_in() -> None:
    table = {"expressionPermissions": {"create": "self"}}
    assert authorize("create", table, CALLERS["user"]) is ALLOW
    assert authorize("create", table, CALLERS["guest"]) is DENY


@pytest.mark.parametrize(
    ("expression", "name", "expected"),
    [
        ("self", "user", "F"),
        ("user | self", "user", "A"),
        ("admin | self", "user", "F"),
        ("self & user", "user", "F"),
        ("self", "guest", "D"),
        ("self | guest", "guest", "A"),
        ("self & admin", "user", "D"),
    ],
)
def test_self_on_list_yields_a_filter(expression: str, name: str, expected: str) -> None:
    who = CALLERS[name]
    assert authorize("list", {"expressionPermissions": {"list": expression}}, who) == _expected(expected, who)


def test_two_self_filters_fold_into_and_or() -> None:
    who = CALLERS["user"]
    assert evaluate("self & self", who, "list") == And((own_rows(who), own_rows(who)))
    assert evaluate("self | self", who, "list") == Or((own_rows(who), own_rows(who)))


def test_list_expression_falls_back_to_read_expression() -> None:
    table = {"expressionPermissions": {"read": "self"}, "permissions": {"user": ALL_TRUE}}
    assert authorize("list", table, CALLERS["user"]) == own_rows(CALLERS["user"])


def test_expression_overrides_boolean_permissions_only_for_its_operation() -> None:
    table = {"permissions": {"guest": {"read": True, "create": True}}, "expressionPermissions": {"read": "user"}}
    assert authorize("read", table, CALLERS["guest"], {}) is DENY
    assert authorize("create", table, CALLERS["guest"]) is ALLOW


def test_admin_is_never_restricted_by_expressions() -> None:
    assert authorize("delete", {"expressionPermissions": {"delete": "role:nobody"}}, CALLERS["admin-key"], {}) is ALLOW


def test_can_ever_with_expressions() -> None:
    table = {"expressionPermissions": {"update": "self", "delete": "admin"}}
    assert can_ever("update", table, CALLERS["user"]) is True
    assert can_ever("update", table, CALLERS["guest"]) is False
    assert can_ever("delete", table, CALLERS["user"]) is False


def test_unparseable_stored_expression_denies() -> None:
    assert authorize("read", {"expressionPermissions": {"read": "user |"}}, CALLERS["user"], {}) is DENY
    assert can_ever("read", {"expressionPermissions": {"read": "bogus"}}, CALLERS["user"]) is False


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "users",
        "User",
        "user |",
        "| user",
        "(user",
        "user)",
        "user admin",
        "role:",
        "user ! admin",
        "((((((((((((((((((user))))))))))))))))))",
    ],
)
def test_malformed_expressions_fail_to_parse(text: str) -> None:
    with pytest.raises(ValueError):
        parse_expression(text)


# --- configuration checks --------------------------------------------------------------------------------------------


def test_valid_configuration_passes() -> None:
    validate_permissions(
        permissions=DEFAULT_PERMISSIONS,
        expression_permissions={"read": "user | guest", "list": "self", "update": "self & role:editor"},
        column_permissions={"email": {"read": "user | admin", "write": "self"}, "notes": {"read": "admin"}},
        row_filters=[
            {"expression": "self", "filter": {"createdBy": "$userId"}},
            {"expression": "guest", "filter": {"status": {"$in": ["published"]}}},
        ],
        schema=SCHEMA,
    )
    validate_permissions()


@pytest.mark.parametrize(
    ("kwargs", "field", "reason"),
    [
        ({"permissions": {"owner": {"read": True}}}, "permissions.owner", "invalid-role"),
        ({"permissions": {"user": {"write": True}}}, "permissions.user.write", "invalid-operation"),
        ({"permissions": {"user": {"read": "yes"}}}, "permissions.user.read", "type"),
        ({"permissions": {"user": True}}, "permissions.user", "type"),
        ({"permissions": ["user"]}, "permissions", "type"),
        ({"expression_permissions": {"read": "users"}}, "expressionPermissions.read", "invalid-expression"),
        ({"expression_permissions": {"read": 5}}, "expressionPermissions.read", "invalid-expression"),
        ({"expression_permissions": {"publish": "user"}}, "expressionPermissions.publish", "invalid-operation"),
        ({"column_permissions": {"email": {"read": "owner"}}}, "columnPermissions.email.read", "invalid-expression"),
        ({"column_permissions": {"email": {"delete": "user"}}}, "columnPermissions.email.delete", "invalid-operation"),
        ({"column_permissions": {"createdBy": {"read": "admin"}}}, "columnPermissions.createdBy", "system-field"),
        ({"row_filters": {"expression": "user"}}, "rowFilters", "type"),
        ({"row_filters": [{"expression": "user"}]}, "rowFilters[0]", "type"),
        ({"row_filters": [{"expression": "nobody", "filter": {}}]}, "rowFilters[0].expression", "invalid-expression"),
        (
            {"row_filters": [{"expression": "user", "filter": {"status": {"$where": "1"}}}]},
            "rowFilters[0].filter.status",
            "invalid-operator",
        ),
        (
            {"row_filters": [{"expression": "user", "filter": {"due": "soon"}}]},
            "rowFilters[0].filter.due",
            "invalid-date",
        ),
    ],
)
def test_bad_configuration_is_rejected_naming_the_entry(kwargs: dict[str, Any], field: str, reason: str) -> None:
    with pytest.raises(BkendError) as info:
        validate_permissions(**kwargs, schema=SCHEMA)
    assert (info.value.code, info.value.status) == ("table/invalid-permissions", 400)
    assert (info.value.details[0]["field"], info.value.details[0]["reason"]) == (field, reason)


def test_every_bad_entry_is_reported_at_once() -> None:
    with pytest.raises(BkendError) as info:
        validate_permissions(permissions={"owner": {}, "user": {"read": 1}}, expression_permissions={"list": "x"})
    assert [d["field"] for d in info.value.details] == [
        "permissions.owner",
        "permissions.user.read",
        "expressionPermissions.list",
    ]


# --- column permissions ----------------------------------------------------------------------------------------------

COLUMNS = {
    "tableName": "people",
    "columnPermissions": {
        "email": {"read": "self", "write": "self"},
        "internalNotes": {"read": "admin", "write": "admin"},
        "price": {"write": "role:editor"},
        "createdBy": {"read": "admin"},  # not accepted by configuration; must still never hide a system field
    },
}
RECORD = {
    "_id": "data_1",
    "name": "n",
    "email": "e@x",
    "internalNotes": "n",
    "price": 3,
    "createdBy": "u1",
    "createdAt": "2026-01-01T00:00:00.000Z",
    "updatedAt": "2026-01-01T00:00:00.000Z",
}


@pytest.mark.parametrize(
    ("who", "hidden"),
    [
        (CALLERS["user"], {"internalNotes"}),
        (caller("user", "u2", "user"), {"internalNotes", "email"}),
        (CALLERS["guest"], {"internalNotes", "email"}),
        (CALLERS["admin-key"], set()),
    ],
)
def test_filter_record_drops_unreadable_columns_only(who: Caller, hidden: set[str]) -> None:
    assert filter_record(COLUMNS, who, RECORD) == {k: v for k, v in RECORD.items() if k not in hidden}


def test_table_without_column_permissions_returns_the_record() -> None:
    assert filter_record({"tableName": "t"}, CALLERS["guest"], RECORD) == RECORD


def test_readable_without_record_excludes_self_columns_but_selectable_includes_them() -> None:
    user = CALLERS["user"]
    assert [readable_fields(COLUMNS, user)(f) for f in ("email", "name", "price", "createdBy")] == [
        False,
        True,
        True,
        True,
    ]
    assert selectable_fields(COLUMNS, user)("email") is True
    assert selectable_fields(COLUMNS, CALLERS["guest"])("email") is False
    assert readable_fields(COLUMNS, user, RECORD)("email") is True


@pytest.mark.parametrize(
    ("who", "keys", "owner", "forbidden"),
    [
        (CALLERS["user"], ["name", "email"], None, None),  # create: self = signed in
        (CALLERS["guest"], ["name", "email"], None, "email"),
        (CALLERS["user"], ["name", "internalNotes", "email"], None, "internalNotes"),
        (CALLERS["user"], ["email"], "u1", None),  # update by the owner
        (CALLERS["user"], ["email"], "u2", "email"),
        (CALLERS["guest"], ["email"], "", "email"),
        (CALLERS["user"], ["price"], "u1", "price"),
        (EDITOR, ["price"], "u1", None),
        (CALLERS["admin-key"], ["internalNotes", "email", "price"], "u1", None),
        (CALLERS["user"], ["createdBy"], "u1", "createdBy"),
    ],
)
def test_column_write_check(who: Caller, keys: list[str], owner: str | None, forbidden: str | None) -> None:
    if forbidden is None:
        check_column_write(COLUMNS, who, keys, owner)
        return
    with pytest.raises(BkendError) as info:
        check_column_write(COLUMNS, who, keys, owner)
    assert (info.value.code, info.value.status) == ("data/permission-denied", 403)
    assert f"'{forbidden}'" in info.value.message


# --- row filters -----------------------------------------------------------------------------------------------------

ROW_FILTERS = {
    "tableName": "posts",
    "schema": SCHEMA,
    "rowFilters": [
        {"expression": "guest", "filter": {"status": "published", "visibility": "public"}},
        {"expression": "user", "filter": {"status": "published"}},
        {"expression": "self", "filter": {"createdBy": "$userId"}},
    ],
}
PUBLIC = And((Cond("status", "eq", "published", True), Cond("visibility", "eq", "public", False)))
PUBLISHED = Cond("status", "eq", "published", True)


def test_row_filters_for_a_guest_skip_user_entries_and_user_id_entries() -> None:
    assert row_filter(ROW_FILTERS, CALLERS["guest"]) == PUBLIC


def test_row_filters_for_a_user_or_every_matching_entry_with_user_id() -> None:
    assert row_filter(ROW_FILTERS, CALLERS["user"]) == Or((PUBLIC, PUBLISHED, Cond("createdBy", "eq", "u1", True)))


def test_row_filters_never_apply_to_admin_or_unconfigured_tables() -> None:
    assert row_filter(ROW_FILTERS, CALLERS["admin-user"]) == MATCH_ALL
    assert row_filter({"tableName": "t"}, CALLERS["guest"]) == MATCH_ALL
    assert row_filter({"rowFilters": None}, CALLERS["guest"]) == MATCH_ALL


def test_configured_row_filters_that_all_miss_match_nothing() -> None:
    table = {
        "rowFilters": [
            {"expression": "role:editor", "filter": {"status": "draft"}},
            {"expression": "self", "filter": {"createdBy": "$userId"}},
        ]
    }
    assert row_filter(table, CALLERS["user"]) == Cond("createdBy", "eq", "u1", True)
    assert row_filter(table, CALLERS["guest"]) == MATCH_NONE


def test_a_matching_empty_row_filter_means_no_restriction() -> None:
    table = {"rowFilters": [{"expression": "user", "filter": {}}, {"expression": "guest", "filter": {"a": 1}}]}
    assert row_filter(table, CALLERS["user"]) == MATCH_ALL


def test_broken_stored_row_filter_is_skipped() -> None:
    table = {
        "rowFilters": [
            {"expression": "guest", "filter": {"a": {"$where": "1"}}},
            {"expression": "guest", "filter": {"b": 2}},
        ]
    }
    assert row_filter(table, CALLERS["guest"]) == Cond("b", "eq", 2, False)
