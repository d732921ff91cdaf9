"""The catalog's part of the OpenAPI 3.1 document."""

from __future__ import annotations

from portal.api.openapi import error_responses, list_schema, model_schema
from portal.catalog.models import Chemistry
from portal.catalog.schemas import PatentPublic, TechnologyDetail, TechnologyPublic
from portal.vocabulary import Application, Category, Licensing


def _array_query(name: str, values, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description + " Repeat the parameter to allow several values (OR).",
        "schema": {"type": "array", "items": {"type": "string", "enum": list(values.values())}},
        "style": "form",
        "explode": True,
    }


_TRL = {"type": "integer", "minimum": 1, "maximum": 9}
_ETAG_HEADER = {
    "ETag": {"description": "Entity tag of this representation", "schema": {"type": "string"}}
}
_IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "An ETag from an earlier answer; 304 when nothing changed.",
    "schema": {"type": "string"},
}

PART = {
    "paths": {
        "/technologies": {
            "get": {
                "operationId": "listTechnologies",
                "tags": ["catalog"],
                "summary": "Search and filter the public technology catalog",
                "description": "The same filters as the /technologies page; newest first unless "
                "`sort` says otherwise (relevance applies when `q` is given).",
                "security": [{}, {"bearerToken": []}, {"sessionCookie": []}],
                "parameters": [
                    {
                        "name": "q",
                        "in": "query",
                        "required": False,
                        "description": "Full-text search over title, summary and description.",
                        "schema": {"type": "string", "maxLength": 200},
                    },
                    _array_query("chemistry", Chemistry, "Cell chemistry."),
                    _array_query("category", Category, "Kind of technology."),
                    _array_query("application", Application, "Where it is used."),
                    _array_query("licensing", Licensing, "Licensing status."),
                    {"name": "trl_min", "in": "query", "required": False, "schema": _TRL},
                    {"name": "trl_max", "in": "query", "required": False, "schema": _TRL},
                    {
                        "name": "sort",
                        "in": "query",
                        "required": False,
                        "schema": {
                            "type": "string",
                            "enum": ["relevance", "newest", "trl", "title"],
                            "default": "relevance",
                        },
                    },
                    {
                        "name": "page",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 1, "default": 1},
                    },
                    {
                        "name": "per_page",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                    },
                    _IF_NONE_MATCH,
                ],
                "responses": {
                    "200": {
                        "description": "One page of technologies; `next` links the following page",
                        "headers": _ETAG_HEADER,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/TechnologyList"}
                            }
                        },
                    },
                    "304": {"description": "Not modified since the ETag given"},
                    **error_responses(401),
                },
            }
        },
        "/technologies/{slug}": {
            "get": {
                "operationId": "getTechnology",
                "tags": ["catalog"],
                "summary": "One published technology",
                "security": [{}, {"bearerToken": []}, {"sessionCookie": []}],
                "parameters": [
                    {
                        "name": "slug",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$"},
                    },
                    _IF_NONE_MATCH,
                ],
                "responses": {
                    "200": {
                        "description": "The technology",
                        "headers": _ETAG_HEADER,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/TechnologyDetail"}
                            }
                        },
                    },
                    "304": {"description": "Not modified since the ETag given"},
                    **error_responses(401, 404),
                },
            }
        },
    },
    "schemas": {
        "Technology": model_schema(TechnologyPublic),
        "TechnologyDetail": model_schema(TechnologyDetail),
        "PatentPublic": model_schema(PatentPublic),
        "TechnologyList": list_schema("#/components/schemas/Technology"),
    },
}
