"""The OpenAPI 3.1 document, assembled from each domain's part."""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "message", "reference"],
            "properties": {
                "status": {"type": "integer"},
                "message": {"type": "string"},
                "reference": {"type": "string"},
            },
        }
    },
}


def model_schema(model) -> dict[str, Any]:
    """The JSON schema of an API schema class, generated from its declared fields.

    Nested schema classes are referenced as components: register each under its class name."""
    schema = model.model_json_schema(
        mode="serialization", by_alias=True, ref_template="#/components/schemas/{model}"
    )
    schema.pop("title", None)
    schema.pop("$defs", None)
    for prop in schema.get("properties", {}).values():
        prop.pop("title", None)  # the field name says it; descriptions carry the meaning
    return schema


def list_schema(item_ref: str) -> dict[str, Any]:
    """The shape every list answers: items, total and the next page's URL."""
    return {
        "type": "object",
        "required": ["items", "total", "next"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": item_ref}},
            "total": {"type": "integer", "minimum": 0},
            "next": {"type": ["string", "null"]},
        },
    }


def error_responses(*codes: int) -> dict[str, Any]:
    """Error responses that share the error schema."""
    return {
        str(code): {
            "description": {401: "Not signed in", 404: "Not found", 400: "Bad request"}.get(
                code, "Error"
            ),
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for code in codes
    }


def build_document(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Merge the domains' paths and schemas into one OpenAPI document."""
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "Battery Technology-Transfer Portal API",
            "version": "1.0.0",
            "description": (
                "Public catalog, partner agreements and shared battery test datasets. "
                "Authenticate scripts with `Authorization: Bearer <personal API token>`; "
                "records the caller may not see answer 404."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {},
        "components": {
            "schemas": {"Error": ERROR_SCHEMA},
            "securitySchemes": {
                "bearerToken": {"type": "http", "scheme": "bearer"},
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "portal_session"},
            },
        },
    }
    for part in parts:
        document["paths"].update(part.get("paths", {}))
        document["components"]["schemas"].update(part.get("schemas", {}))
    return document
