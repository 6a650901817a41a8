"""Schema evolution: one `manage_fields` change applied to a stored schema (spec/data.md §2.8).

Updates merge attributes into the existing property; the result is re-validated as a whole by `normalize_schema`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from copy import deepcopy
from typing import Any

from bkend_mcp.domain.schema import (
    ALIASES,
    APPLIES_TO,
    SYSTEM_FIELDS,
    Problems,
    column_type,
    names_list,
    normalize_schema,
    problem,
    schema_error,
)
from bkend_mcp.domain.validation import prop_types


def _merge(existing: Mapping[str, Any], change: Mapping[str, Any]) -> dict[str, Any]:
    """An update's attributes merged into the stored property (§2.8). A new type drops the keywords that do not
    apply to it and, unless it is `reference`, the old target; `itemType` replaces `items`; null removes."""
    merged = dict(existing)
    change = {k if ALIASES.get(k, k) in change else ALIASES.get(k, k): v for k, v in change.items()}
    typed = {k: change[k] for k in ("type", "bsonType") if k in change}
    if typed or "integer" in change:
        spec = {**(typed or {"bsonType": existing.get("bsonType")}), "integer": change.get("integer", False)}
        kind = column_type(spec, "", [])
        types = prop_types({"bsonType": kind.bson}) if kind else None
        stale = [k for k, scope in APPLIES_TO.items() if scope is not None and not (types and types & scope[0])]
        if typed:
            stale += ["bsonType"] + ([] if str(typed.get("type", "")).lower() == "reference" else ["x-ref"])
        for keyword in stale:
            merged.pop(keyword, None)
    if "itemType" in change:
        merged.pop("items", None)
    merged.update(change)
    return merged


def apply_field_changes(
    schema: Mapping[str, Any],
    fields_to_add_or_update: Mapping[str, Any] | None = None,
    fields_to_remove: Sequence[str] | None = None,
    required_to_add: Sequence[str] | None = None,
    required_to_remove: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The schema after one `manage_fields` change (§2.8), fully re-validated. The input is not modified."""
    problems: Problems = []
    updates = dict(fields_to_add_or_update or {})
    removals = names_list(fields_to_remove, "fieldsToRemove", problems)
    require = names_list(required_to_add, "requiredFieldsToAdd", problems)
    unrequire = names_list(required_to_remove, "requiredFieldsToRemove", problems)
    properties = deepcopy(dict(schema.get("properties") or {}))
    for name in dict.fromkeys([*updates, *removals, *require, *unrequire]):
        if name in SYSTEM_FIELDS:
            problem(problems, name, "system-field-protected", f"'{name}' is a system field and cannot be changed")
        elif name in updates and name in removals:
            problem(problems, name, "field-conflict", f"'{name}' is both added/updated and removed")
        elif name in removals and name not in properties:
            problem(problems, name, "unknown-field", f"'{name}' cannot be removed: the table has no such field")
        if name in require and name in unrequire:
            problem(problems, name, "required-conflict", f"'{name}' is both added to and removed from required")
    required = [n for n in schema.get("required") or [] if n not in removals and n not in unrequire]
    for name, change in updates.items():
        if not isinstance(change, Mapping):
            problem(problems, name, "invalid-schema", f"'{name}' must be an object describing the column")
            continue
        if isinstance(change.get("required"), bool):
            required = [n for n in required if n != name] + ([name] if change["required"] else [])
            change = {k: v for k, v in change.items() if k != "required"}
        properties[name] = _merge(properties[name], change) if name in properties else dict(change)
    if problems:
        raise schema_error(problems)
    root = {
        "bsonType": "object",
        "properties": {k: v for k, v in properties.items() if k not in removals},
        "required": [*required, *require],
        "additionalProperties": schema.get("additionalProperties", True),
    }
    return normalize_schema(root)
