"""A table's indexes: the four defaults, custom ones, and one `uniq_<field>` per unique column (spec/data.md §2.7)."""

from __future__ import annotations

import re
from typing import Any

from bkend_mcp.domain import schema
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.store.base import DuplicateKey, Index, check_path

INDEX_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]{0,63}$")
DEFAULT_INDEXES = (
    Index("idx_createdAt_desc", (("createdAt", -1),)),
    Index("idx_updatedAt_desc", (("updatedAt", -1),)),
    Index("idx_createdBy", (("createdBy", 1),)),
)
PRIMARY = {"name": "_id_", "fields": {"_id": 1}, "key": {"_id": 1}, "unique": True, "sparse": False, "system": True}
RESERVED_NAMES = {"_id_", *(ix.name for ix in DEFAULT_INDEXES)}
MAX_INDEXES = 64
MAX_INDEX_FIELDS = 32


def _error(code: str, field: str, reason: str, message: str) -> BkendError:
    return BkendError(code, message, [{"field": field, "reason": reason, "message": message}])


def declared(doc: dict[str, Any]) -> list[Index]:
    """Every secondary index the table should have, defaults first."""
    unique_columns = [
        Index(f"uniq_{name}", ((name, 1),), unique=True, sparse=True) for name in schema.unique_fields(doc["schema"])
    ]
    custom = [_from_stored(ix) for ix in doc.get("customIndexes", [])]
    return [*DEFAULT_INDEXES, *custom, *unique_columns]


def _from_stored(ix: dict[str, Any]) -> Index:
    return Index(ix["name"], tuple((f, d) for f, d in ix["fields"]), bool(ix.get("unique")), bool(ix.get("sparse")))


def public(ix: Index) -> dict[str, Any]:
    fields = dict(ix.fields)
    return {
        "name": ix.name,
        "fields": fields,
        "key": fields,
        "unique": ix.unique,
        "sparse": ix.sparse,
        "system": ix.name in RESERVED_NAMES,
    }


def all_public(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [PRIMARY, *(public(ix) for ix in declared(doc))]


def apply_changes(doc: dict[str, Any], to_add: Any, to_remove: Any) -> list[dict[str, Any]]:
    """The table's new custom index list after `indexesToAddOrUpdate` and `indexesToRemove`."""
    custom = {ix["name"]: ix for ix in doc.get("customIndexes", [])}
    if to_remove is not None:
        if not isinstance(to_remove, list) or not all(isinstance(n, str) for n in to_remove):
            raise _error(
                "common/invalid-parameters",
                "indexesToRemove",
                "type",
                "'indexesToRemove' must be a list of index names",
            )
        for name in to_remove:
            if name in RESERVED_NAMES or name.startswith("uniq_"):
                raise _error(
                    "table/system-index-protected",
                    "indexesToRemove",
                    "system-index",
                    f"Index '{name}' is a default or unique-column index and cannot be removed",
                )
            if name not in custom:
                raise _error("common/not-found", "indexesToRemove", "not-found", f"Index '{name}' does not exist")
            del custom[name]
    if to_add is not None:
        if not isinstance(to_add, list):
            raise _error(
                "common/invalid-parameters",
                "indexesToAddOrUpdate",
                "type",
                "'indexesToAddOrUpdate' must be a list of {name, fields, unique, sparse}",
            )
        for position, raw in enumerate(to_add):
            ix = _check_index(raw, f"indexesToAddOrUpdate[{position}]")
            custom[ix["name"]] = ix
    if len(custom) + len(DEFAULT_INDEXES) + 1 > MAX_INDEXES:
        raise BkendError("table/limit-exceeded", f"A table holds at most {MAX_INDEXES} indexes")
    return list(custom.values())


def _check_index(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _error("common/invalid-parameters", where, "type", f"'{where}' must be an object")
    name, fields = raw.get("name"), raw.get("fields")
    if not isinstance(name, str) or not INDEX_NAME.match(name):
        raise _error(
            "table/invalid-name",
            f"{where}.name",
            "pattern",
            "Index name must start with a letter and contain only letters, digits or '_' (at most 64)",
        )
    if name in RESERVED_NAMES or name.startswith("uniq_"):
        raise _error(
            "table/system-index-protected", f"{where}.name", "system-index", f"Index name '{name}' is reserved"
        )
    if not isinstance(fields, dict) or not fields or len(fields) > MAX_INDEX_FIELDS:
        raise _error(
            "common/invalid-parameters",
            f"{where}.fields",
            "type",
            f"'fields' must map 1 to {MAX_INDEX_FIELDS} field names to 1 or -1",
        )
    pairs = []
    for path, direction in fields.items():
        try:
            check_path(path)
        except ValueError:
            raise _error(
                "table/invalid-name", f"{where}.fields", "pattern", f"'{path}' is not a valid field path"
            ) from None
        if direction not in (1, -1) or isinstance(direction, bool):
            raise _error(
                "common/invalid-parameters", f"{where}.fields.{path}", "enum", "Index direction must be 1 or -1"
            )
        pairs.append([path, direction])
    for flag in ("unique", "sparse"):
        if not isinstance(raw.get(flag, False), bool):
            raise _error("common/invalid-parameters", f"{where}.{flag}", "type", f"'{flag}' must be a boolean")
    extra = set(raw) - {"name", "fields", "unique", "sparse"}
    if extra:
        key = sorted(extra)[0]
        raise _error("common/invalid-parameters", f"{where}.{key}", "unknown-field", f"Unknown index option '{key}'")
    return {"name": name, "fields": pairs, "unique": raw.get("unique", False), "sparse": raw.get("sparse", False)}


def sync(backend: Backend, doc: dict[str, Any], previous: dict[str, Any] | None) -> None:
    """Make the store's indexes match `doc`. A unique index over duplicated data → 409 `table/duplicate-data`,
    with every index created by this call removed again."""
    collection = backend.data(doc["environmentId"], doc["tableName"])
    wanted = {ix.name: ix for ix in declared(doc)}
    had = {ix.name: ix for ix in declared(previous)} if previous else {}
    existing = set(collection.index_names())
    for name in existing - set(wanted):
        collection.drop_index(name)
    created: list[str] = []
    try:
        for name, ix in wanted.items():
            if name not in existing or had.get(name) != ix:
                collection.create_index(ix)
                created.append(name)
    except DuplicateKey as exc:
        for name in created:
            collection.drop_index(name)
        for name, ix in had.items():
            if name in created or name not in set(collection.index_names()):
                collection.create_index(ix)
        field = ", ".join(exc.fields) or exc.index
        raise BkendError(
            "table/duplicate-data",
            f"Existing records hold duplicate values for '{field}'",
            [{"field": field, "reason": "duplicate", "message": f"'{field}' has duplicate values"}],
        ) from exc
