"""Argument types shared by the core tools (spec/mcp-and-console.md §6.2) and the annotation presets of §6.3.

Each type carries its description and constraints, so they appear in the tool's input schema once. FieldDef and
IndexDef are TypedDicts: a tool receives plain dicts holding only the keys the caller sent.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

from mcp.types import ToolAnnotations
from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict

from bkend_mcp.domain.query import MAX_PAGE

READ = ToolAnnotations(read_only_hint=True, open_world_hint=False)
WRITE = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False)
WRITE_IDEMPOTENT = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)
DESTRUCTIVE = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=False)

Project = str | None
"""A project id or slug; default: the only project. Said once in the server instructions (`mcp/server.py`), not
on each of the ~30 tools taking it: every listed byte costs context on every turn (`mcp/listing.py`)."""
Environment = str | None
"""An environment name or env_ id; default: dev (said once in the server instructions)."""
Table = str
"""A table name or tbl_ id (said once in the server instructions)."""
Page = Annotated[int, Field(ge=1, le=MAX_PAGE)]
"""A page number, bounded as the REST API bounds it (`domain/query.py`)."""
Limit = Annotated[int, Field(ge=1, le=100)]
Confirm = Annotated[
    str | None,
    Field(description="Its name, once the user agreed", max_length=64),
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
    """A column (not id, createdAt, updatedAt, createdBy: built in)."""

    name: Annotated[str, Field(pattern=FIELD_NAME)]
    type: Annotated[FieldType, Field(description="integer: BSON int; number: double")]
    required: NotRequired[bool]
    default: NotRequired[Annotated[Any, Field(description="On insert; '$now' for dates")]]
    unique: NotRequired[Annotated[bool, Field(description="Sparse index uniq_<name>")]]
    description: NotRequired[Annotated[str, Field(max_length=1000)]]
    enum: NotRequired[Annotated[list[str | float], Field(min_length=1)]]
    minLength: NotRequired[Annotated[int, Field(ge=0)]]
    maxLength: NotRequired[Annotated[int, Field(ge=0)]]
    pattern: NotRequired[str]
    minimum: NotRequired[float]
    maximum: NotRequired[float]
    items: NotRequired[ItemsDef]
    properties: NotRequired[Annotated[list[dict[str, Any]], Field(description="Object: nested FieldDefs")]]
    ref: NotRequired[Annotated[str, Field(description="reference: target table")]]


@with_config(ConfigDict(extra="forbid"))
class IndexDef(TypedDict):
    fields: Annotated[
        dict[str, Literal[1, -1]] | list[str],
        Field(description='{"field": 1|-1} in order, or names (ascending)'),
    ]
    name: NotRequired[
        Annotated[
            str,
            Field(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,63}$"),
        ]
    ]
    unique: NotRequired[bool]
    sparse: NotRequired[Annotated[bool, Field()]]


Permissions = Annotated[
    dict[str, dict[str, bool]] | None,
    Field(
        description="{admin|user|guest|self: {create|read|list|update|delete: bool}}. Own rows only: user false, "
        "self true"
    ),
]
ExpressionPermissions = Annotated[
    dict[str, str] | None,
    Field(description='e.g. {"read": "user | guest"}; terms public guest user admin self role:NAME, & | ( )'),
]
ColumnPermissions = Annotated[
    dict[str, dict[str, str]] | None,
    Field(description='e.g. {"email": {"read": "self | admin", "write": "self"}}'),
]
RowFilters = Annotated[
    list[dict[str, Any]] | None,
    Field(description='e.g. [{"expression": "user", "filter": {"createdBy": "$userId"}}]'),
]
