"""OpenAPI description of the datasets endpoints; the component schemas are generated from the
API schemas (portal.datasets.schemas), so they list exactly the declared fields."""

from __future__ import annotations

from portal.api.openapi import error_responses, list_schema, model_schema
from portal.datasets.schemas import CycleSummaryPublic, DatasetFilePublic, DatasetPublic

_SECURITY = [{"bearerToken": []}, {"sessionCookie": []}, {}]
_SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
_FILE_ID = {"name": "file_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_PAGE = {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}}


def _json(ref: str) -> dict:
    return {"application/json": {"schema": {"$ref": ref}}}


PART = {
    "paths": {
        "/datasets": {
            "get": {
                "summary": "Datasets the caller may see",
                "description": (
                    "Public datasets for everyone; partners also see `partners` datasets while "
                    "their organisation has an active agreement, and `restricted` ones granted to it."
                ),
                "operationId": "listDatasets",
                "security": _SECURITY,
                "parameters": [_PAGE],
                "responses": {
                    "200": {
                        "description": "A page of datasets",
                        "content": _json("#/components/schemas/DatasetList"),
                    },
                    **error_responses(401),
                },
            }
        },
        "/datasets/{slug}": {
            "get": {
                "summary": "One dataset with its files",
                "operationId": "getDataset",
                "security": _SECURITY,
                "parameters": [_SLUG],
                "responses": {
                    "200": {
                        "description": "The dataset",
                        "content": _json("#/components/schemas/DatasetDetail"),
                    },
                    **error_responses(401, 404),
                },
            }
        },
        "/datasets/{slug}/files/{file_id}/cycles": {
            "get": {
                "summary": "Per-cycle summary of one file",
                "description": (
                    "Capacities in Ah, energies in Wh, voltages in V, durations in s; "
                    "`coulombic_efficiency` = Q_dis/Q_chg and `energy_efficiency` = E_dis/E_chg as "
                    "fractions; `capacity_retention` relative to the file's reference capacity."
                ),
                "operationId": "listCycles",
                "security": _SECURITY,
                "parameters": [
                    _SLUG,
                    _FILE_ID,
                    _PAGE,
                    {
                        "name": "per_page",
                        "in": "query",
                        "schema": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": 1000,
                            "default": 200,
                        },
                    },
                ],
                "responses": {
                    "200": {
                        "description": "A page of cycles",
                        "content": _json("#/components/schemas/CycleList"),
                    },
                    **error_responses(401, 404),
                },
            }
        },
    },
    "schemas": {
        "Dataset": model_schema(DatasetPublic),
        "DatasetList": list_schema("#/components/schemas/Dataset"),
        "DatasetDetail": {
            "allOf": [
                {"$ref": "#/components/schemas/Dataset"},
                {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/DatasetFile"},
                        }
                    },
                },
            ]
        },
        "DatasetFile": model_schema(DatasetFilePublic),
        "Cycle": model_schema(CycleSummaryPublic),
        "CycleList": list_schema("#/components/schemas/Cycle"),
    },
}
