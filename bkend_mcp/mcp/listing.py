"""How `tools/list` shows a tool: the same contract in fewer tokens, because every listed byte costs the model
context on every turn (tests/bench/tool_footprint.py measures it).

Only what carries no meaning for a caller goes: the titles pydantic derives from names (`"title": "Project"`),
the `null` branch and `default: null` of optional arguments (leaving one out means the same),
`additionalProperties: true` (JSON Schema's default), `$defs` used once (inlined where they are used), the generic
output schema of tools returning a plain object, annotation hints equal to the MCP defaults (readOnlyHint and
idempotentHint false; destructiveHint and openWorldHint default to true, so a false one stays), and the indentation
of docstrings. Descriptions, constraints, enums, defaults and the other annotations stay. The server still
validates arguments against the full schema.
"""

from __future__ import annotations

import json
from typing import Any

from mcp.types import ToolAnnotations

SCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties")
"""Keywords whose value maps names to schemas (the names are data, never keywords to drop)."""
SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
SCHEMA_VALUES = ("items", "additionalProperties", "not", "contains")
GENERIC_OUTPUT = {"type": "object"}
ANNOTATION_DEFAULTS = {"readOnlyHint": False, "destructiveHint": True, "idempotentHint": False, "openWorldHint": True}
"""The MCP defaults of the annotation hints (a hint left out means its default)."""


def compact_tool(tool: dict[str, Any]) -> dict[str, Any]:
    out = dict(tool)
    if isinstance(out.get("description"), str):
        out["description"] = " ".join(out["description"].split())
    if isinstance(out.get("inputSchema"), dict):
        out["inputSchema"] = compact_schema(inline_single_use_defs(out["inputSchema"]))
    annotations = out.get("annotations")
    if isinstance(annotations, dict):
        kept = {k: v for k, v in annotations.items() if v is not None and ANNOTATION_DEFAULTS.get(k, ...) != v}
        if annotations.get("readOnlyHint") is True:  # the other hints mean something only for a tool that writes
            kept = {k: v for k, v in kept.items() if k not in ("destructiveHint", "idempotentHint")}
        if kept:
            out["annotations"] = kept
        else:
            out.pop("annotations")
    output = out.get("outputSchema")
    if isinstance(output, dict):
        output = compact_schema(output)
        if output == GENERIC_OUTPUT:
            out.pop("outputSchema")
        else:
            out["outputSchema"] = output
    return out


def compact_schema(schema: Any) -> Any:
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if (
            (key == "title" and isinstance(value, str))
            or (key == "additionalProperties" and value is True)
            or (key == "default" and value is None)
        ):
            continue
        if key in SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: compact_schema(sub) for name, sub in value.items()}
        elif key in SCHEMA_LISTS and isinstance(value, list):
            out[key] = [compact_schema(sub) for sub in value]
        elif key in SCHEMA_VALUES:
            out[key] = compact_schema(value)
        elif key == "description" and isinstance(value, str):
            out[key] = " ".join(value.split())
        else:
            out[key] = value
    return _without_null_branch(out)


def inline_single_use_defs(schema: dict[str, Any]) -> dict[str, Any]:
    """Replace each `{"$ref": "#/$defs/X"}` whose definition is referenced once (and refers to no definition) by
    the definition itself, until none is left (a definition inlined into another may make that one inlinable); drop
    `$defs` when nothing is left in it."""
    while True:
        inlined = _inline_once(schema)
        if inlined == schema:
            return schema
        schema = inlined


def _inline_once(schema: dict[str, Any]) -> dict[str, Any]:
    defs = schema.get("$defs")
    if not isinstance(defs, dict):
        return schema
    text = json.dumps(schema)
    single = {
        name: body
        for name, body in defs.items()
        if text.count(f'"#/$defs/{name}"') == 1 and "#/$defs/" not in json.dumps(body)
    }
    if not single:
        return schema

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/") and ref[8:] in single:
                return {**single[ref[8:]], **{k: inline(v) for k, v in node.items() if k != "$ref"}}
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    out = inline({k: v for k, v in schema.items() if k != "$defs"})
    left = {name: inline(body) for name, body in defs.items() if name not in single}
    return {**out, "$defs": left} if left else out


def _without_null_branch(schema: dict[str, Any]) -> dict[str, Any]:
    """`{"anyOf": [X, {"type": "null"}], "default": null, …}` → `{…X, …}`: an optional argument left out."""
    branches = schema.get("anyOf")
    if not isinstance(branches, list) or {"type": "null"} not in branches:
        return schema
    kept = [b for b in branches if b != {"type": "null"}]
    rest = {k: v for k, v in schema.items() if k != "anyOf" and not (k == "default" and v is None)}
    if len(kept) == 1 and isinstance(kept[0], dict) and not set(kept[0]) & set(rest):
        return {**kept[0], **rest}
    return {**rest, "anyOf": kept}


def effective_annotations(annotations: ToolAnnotations | None) -> ToolAnnotations:
    """What a client reads from a compactly listed tool's annotations: each hint left out takes its MCP default
    (`ANNOTATION_DEFAULTS`); a read-only tool's destructive and idempotent hints stay unset (they mean nothing
    for a tool that writes nothing)."""
    given = annotations or ToolAnnotations()
    read_only = bool(given.read_only_hint)

    def hint(value: bool | None, key: str) -> bool | None:
        return None if read_only else (ANNOTATION_DEFAULTS[key] if value is None else value)

    return ToolAnnotations(
        title=given.title,
        read_only_hint=read_only,
        destructive_hint=hint(given.destructive_hint, "destructiveHint"),
        idempotent_hint=hint(given.idempotent_hint, "idempotentHint"),
        open_world_hint=ANNOTATION_DEFAULTS["openWorldHint"]
        if given.open_world_hint is None
        else given.open_world_hint,
    )
