"""Argument types shared by the core tools (spec/mcp-and-console.md §6.2) and the annotation presets of §6.3.

Each type carries its description and constraints, so they appear in the tool's input schema once. FieldDef and
IndexDef are TypedDicts: a tool receives plain dicts holding only the keys the caller sent.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

from mcp.types import ToolAnnotations
from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict

READ = ToolAnnotations(read_only_hint=True, open_world_hint=False)
WRITE = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False)
WRITE_IDEMPOTENT = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)
DESTRUCTIVE = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=False)

Project = Annotated[str | None, Field(description="Project id or slug (default: the only project)")]
Environment = Annotated[
    str | None,
    Field(description="Environment name or env_ id (default: dev)"),
]
Table = Annotated[str, Field(description="Table name or tbl_ id")]
Page = Annotated[int, Field(ge=1)]
Limit = Annotated[int, Field(ge=1, le=100)]
Confirm = Annotated[
    str | None,
    Field(description="The exact name (slug for a project) of what is deleted, after the user agreed", max_length=64),
]
FIELD_NAME = r"^[A-Za-z][A-Za-z0-9_]{0,63}$"
FieldType = Literal["string", "number", "integer", "boolean", "date", "object", "array", "reference"]


@with_config(ConfigDict(extra="forbid"))
class ItemsDef(TypedDict):
    """Element definition of an array field."""

    type: FieldType
    enum: NotRequired[list[str | float]]
    properties: NotRequired[list[dict[str, Any]]]


@with_config(ConfigDict(extra="forbid"))
class FieldDef(TypedDict):
    """One column (id, createdAt, updatedAt, createdBy exist on every table: never define them)."""

    name: Annotated[str, Field(pattern=FIELD_NAME)]
    type: Annotated[FieldType, Field(description="integer = BSON int; number = double (integers accepted)")]
    required: NotRequired[Annotated[bool, Field(description="Required on insert")]]
    default: NotRequired[Annotated[Any, Field(description="Applied on insert when absent; '$now' for dates")]]
    unique: NotRequired[Annotated[bool, Field(description="Unique values (sparse index uniq_<name>)")]]
    description: NotRequired[Annotated[str, Field(max_length=1000)]]
    enum: NotRequired[Annotated[list[str | float], Field(description="Allowed values", min_length=1)]]
    minLength: NotRequired[Annotated[int, Field(ge=0)]]
    maxLength: NotRequired[Annotated[int, Field(ge=0)]]
    pattern: NotRequired[Annotated[str, Field(description="Regular expression")]]
    minimum: NotRequired[float]
    maximum: NotRequired[float]
    items: NotRequired[Annotated[ItemsDef, Field(description="Arrays: the element definition")]]
    properties: NotRequired[Annotated[list[dict[str, Any]], Field(description="Objects: nested FieldDefs")]]
    ref: NotRequired[Annotated[str, Field(description="reference: the target table (stores its record id)")]]


@with_config(ConfigDict(extra="forbid"))
class IndexDef(TypedDict):
    """A custom index."""

    fields: Annotated[
        dict[str, Literal[1, -1]] | list[str],
        Field(description='{"field": 1 | -1} in order, or field names (ascending)'),
    ]
    name: NotRequired[
        Annotated[
            str,
            Field(description="Default: idx_<field>_<asc|desc>…", pattern=r"^[A-Za-z][A-Za-z0-9_]{0,63}$"),
        ]
    ]
    unique: NotRequired[bool]
    sparse: NotRequired[Annotated[bool, Field(description="Skip records without the field")]]


Permissions = Annotated[
    dict[str, dict[str, bool]] | None,
    Field(
        description='{"admin"|"user"|"guest"|"self": {"create"|"read"|"list"|"update"|"delete": bool}}, replaced '
        "whole. Own rows only: user false + self true"
    ),
]
ExpressionPermissions = Annotated[
    dict[str, str] | None,
    Field(
        description='Rules overriding the matrix, e.g. {"read": "user | guest", "update": "self"}; terms public guest '
        "user admin self role:NAME role:* with & | ( )"
    ),
]
ColumnPermissions = Annotated[
    dict[str, dict[str, str]] | None,
    Field(description='Per-field rules, e.g. {"email": {"read": "self | admin", "write": "self"}}'),
]
RowFilters = Annotated[
    list[dict[str, Any]] | None,
    Field(description='List filters per audience, e.g. [{"expression": "user", "filter": {"createdBy": "$userId"}}]'),
]
