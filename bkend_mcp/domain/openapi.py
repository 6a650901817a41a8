"""`GET /v1/data/{table}/spec` and `/openapi`: a table's contract, generated from its current schema (§6)."""

from __future__ import annotations

from typing import Any

from bkend_mcp.domain import indexes, permissions, records
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.validation import NOW_DEFAULT

BSON_TO_OPENAPI: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "int": {"type": "integer", "format": "int32"},
    "long": {"type": "integer", "format": "int64"},
    "double": {"type": "number", "format": "double"},
    "decimal": {"type": "number", "format": "double"},
    "bool": {"type": "boolean"},
    "date": {"type": "string", "format": "date-time"},
    "object": {"type": "object"},
    "array": {"type": "array"},
}
COPIED = (
    "minLength",
    "maxLength",
    "pattern",
    "enum",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "uniqueItems",
    "default",
    "description",
    "exclusiveMinimum",
    "exclusiveMaximum",
)
SYSTEM_PROPERTIES = {
    "id": {"type": "string", "readOnly": True},
    "createdBy": {"type": "string", "readOnly": True},
    "createdAt": {"type": "string", "format": "date-time", "readOnly": True},
    "updatedAt": {"type": "string", "format": "date-time", "readOnly": True},
}


def _readable_table(backend: Backend, caller: Caller, table_name: str) -> dict[str, Any]:
    table = records.resolve_table(backend, caller, table_name, "read")
    if not caller.is_admin and not permissions.can_ever("read", table, caller):
        records.deny_unless(permissions.DENY, table, "read")
    return table


def _visible_schema(table: dict[str, Any], caller: Caller) -> dict[str, Any]:
    readable = permissions.readable_fields(table, caller)
    schema = table["schema"]
    props = {k: v for k, v in schema.get("properties", {}).items() if readable(k)}
    out = {**schema, "properties": props}
    if "required" in schema:
        out["required"] = [f for f in schema["required"] if f in props]
    return out


def table_spec(backend: Backend, caller: Caller, table_name: str) -> dict[str, Any]:
    table = _readable_table(backend, caller, table_name)
    return {
        "tableName": table["tableName"],
        "schema": _visible_schema(table, caller),
        "indexes": indexes.all_public(table),
        "permissions": table.get("permissions"),
        "expressionPermissions": table.get("expressionPermissions"),
        "columnPermissions": table.get("columnPermissions"),
        "rowFilters": table.get("rowFilters"),
        "schemaVersion": table["schemaVersion"],
    }


def property_schema(prop: dict[str, Any]) -> dict[str, Any]:
    types = prop.get("bsonType")
    names = [types] if isinstance(types, str) else list(types or [])
    concrete = [t for t in names if t != "null"]
    out: dict[str, Any] = dict(BSON_TO_OPENAPI.get(concrete[0], {})) if len(concrete) == 1 else {}
    if "null" in names:
        out["nullable"] = True
    for key in COPIED:
        if key in prop and not (key == "default" and prop[key] == NOW_DEFAULT):
            out[key] = prop[key]
    if "x-ref" in prop:
        out["x-ref"] = prop["x-ref"]
    if out.get("type") == "object" and "properties" in prop:
        out["properties"] = {k: property_schema(v) for k, v in prop["properties"].items()}
        if prop.get("required"):
            out["required"] = list(prop["required"])
    if out.get("type") == "array":
        out["items"] = property_schema(prop["items"]) if "items" in prop else {}
    return out


def _pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.replace("-", "_").split("_") if part)


def openapi_document(backend: Backend, caller: Caller, table_name: str) -> dict[str, Any]:
    table = _readable_table(backend, caller, table_name)
    schema = _visible_schema(table, caller)
    name, pascal = table["tableName"], _pascal(table["tableName"])
    props = {k: property_schema(v) for k, v in schema.get("properties", {}).items()}
    ref = lambda n: {"$ref": f"#/components/schemas/{n}"}  # noqa: E731
    errors = {
        str(s): {"description": d, "content": {"application/json": {"schema": ref("Error")}}}
        for s, d in (
            ("400", "Invalid request"),
            ("401", "Invalid credentials"),
            ("403", "Permission denied"),
            ("404", "Not found"),
            ("429", "Rate limited"),
        )
    }
    conflict = {"409": {"description": "Duplicate value", "content": {"application/json": {"schema": ref("Error")}}}}

    def ok(status: str, schema_name: str) -> dict[str, Any]:
        return {status: {"description": "Success", "content": {"application/json": {"schema": ref(schema_name)}}}}

    def body(schema_name: str) -> dict[str, Any]:
        return {"required": True, "content": {"application/json": {"schema": ref(schema_name)}}}

    id_param = {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 64}}
    list_params = [
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
        {"name": "sortBy", "in": "query", "schema": {"type": "string"}},
        {"name": "sortDirection", "in": "query", "schema": {"type": "string", "enum": ["asc", "desc"]}},
        {"name": "search", "in": "query", "schema": {"type": "string"}},
        {"name": "searchType", "in": "query", "schema": {"type": "string"}},
        {"name": "andFilters", "in": "query", "schema": {"type": "string", "description": "URL-encoded JSON"}},
        {"name": "orFilters", "in": "query", "schema": {"type": "string", "description": "URL-encoded JSON"}},
        {"name": "select", "in": "query", "schema": {"type": "string", "description": "comma-separated fields"}},
    ]
    return {
        "openapi": "3.0.0",
        "info": {"title": f"{name} API", "version": "1.0.0", "description": f"REST API of the '{name}' table"},
        "servers": [{"url": backend.config.base_url}],
        "security": [{"ApiKey": []}, {"ApiKey": [], "BearerAuth": []}],
        "paths": {
            f"/v1/data/{name}": {
                "get": {
                    "operationId": f"list{pascal}",
                    "parameters": list_params,
                    "responses": {**ok("200", f"{pascal}List"), **errors},
                },
                "post": {
                    "operationId": f"create{pascal}",
                    "requestBody": body(f"{pascal}Create"),
                    "responses": {**ok("201", pascal), **errors, **conflict},
                },
            },
            f"/v1/data/{name}/{{id}}": {
                "get": {
                    "operationId": f"get{pascal}",
                    "parameters": [id_param],
                    "responses": {**ok("200", pascal), **errors},
                },
                "patch": {
                    "operationId": f"update{pascal}",
                    "parameters": [id_param],
                    "requestBody": body(f"{pascal}Update"),
                    "responses": {**ok("200", pascal), **errors, **conflict},
                },
                "delete": {
                    "operationId": f"delete{pascal}",
                    "parameters": [id_param],
                    "responses": {**ok("200", "DeleteResult"), **errors},
                },
            },
        },
        "components": {
            "securitySchemes": {
                "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
                "BearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            },
            "schemas": {
                pascal: {
                    "type": "object",
                    "properties": {**SYSTEM_PROPERTIES, **props},
                    "required": ["id", "createdBy", "createdAt"],
                },
                f"{pascal}Create": {
                    "type": "object",
                    "properties": props,
                    **({"required": schema["required"]} if schema.get("required") else {}),
                },
                f"{pascal}Update": {"type": "object", "properties": props},
                f"{pascal}List": {
                    "type": "object",
                    "properties": {"items": {"type": "array", "items": ref(pascal)}, "pagination": ref("Pagination")},
                },
                "Pagination": {
                    "type": "object",
                    "properties": {
                        "total": {"type": "integer"},
                        "page": {"type": "integer"},
                        "limit": {"type": "integer"},
                        "totalPages": {"type": "integer"},
                        "hasNext": {"type": "boolean"},
                        "hasPrev": {"type": "boolean"},
                    },
                },
                "DeleteResult": {"type": "object", "properties": {"success": {"type": "boolean"}}},
                "Error": {
                    "type": "object",
                    "properties": {
                        "success": {"type": "boolean"},
                        "statusCode": {"type": "integer"},
                        "message": {"type": "string"},
                        "error": {
                            "type": "object",
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                                "details": {"type": "array"},
                            },
                        },
                    },
                },
            },
        },
    }
