"""OpenAPI description of the datasets endpoints."""

from __future__ import annotations

from portal.api.openapi import error_responses, list_schema

_NUMBER_OR_NULL = {"type": ["number", "null"]}
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
        "Dataset": {
            "type": "object",
            "required": ["slug", "title", "visibility", "url", "api_url"],
            "properties": {
                "slug": {"type": "string"},
                "title": {"type": "string"},
                "description": {"type": "string", "description": "Markdown"},
                "chemistry": {
                    "type": "string",
                    "enum": ["li_ion", "na_ion", "li_polymer", "other"],
                },
                "cell_format": {"type": "string"},
                "nominal_capacity_ah": _NUMBER_OR_NULL,
                "test_type": {"type": "string"},
                "temperature_c": _NUMBER_OR_NULL,
                "visibility": {"type": "string", "enum": ["public", "partners", "restricted"]},
                "licence_terms": {"type": "string"},
                "attribution": {"type": "string"},
                "technology_slug": {"type": ["string", "null"]},
                "updated_at": {"type": "string", "format": "date-time"},
                "url": {"type": "string", "format": "uri"},
                "api_url": {"type": "string", "format": "uri"},
            },
        },
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
        "DatasetFile": {
            "type": "object",
            "required": ["id", "original_filename", "format", "status", "cycle_count", "flags"],
            "properties": {
                "id": {"type": "integer"},
                "original_filename": {"type": "string"},
                "format": {
                    "type": "string",
                    "description": "Detected from the content, e.g. maccor_txt, neware_csv, arbin_csv",
                },
                "status": {"type": "string", "enum": ["pending", "ingested", "failed"]},
                "size_bytes": {"type": "integer"},
                "sha256": {"type": "string"},
                "row_count": {"type": ["integer", "null"]},
                "cycle_count": {"type": ["integer", "null"]},
                "reference_capacity_ah": _NUMBER_OR_NULL,
                "reference_rule": {"type": "string"},
                "cycles_to_80_soh": {
                    "type": ["integer", "null"],
                    "description": "First cycle below 80 % of the reference capacity; null = not reached",
                },
                "flags": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "Data-quality warnings found at ingest",
                },
                "cycles_url": {"type": "string", "format": "uri"},
                "downloads": {
                    "type": "object",
                    "description": "Attachment URLs: original, csv and parquet (normalised table), summary_csv",
                    "additionalProperties": {"type": "string", "format": "uri"},
                },
            },
        },
        "Cycle": {
            "type": "object",
            "required": ["cycle_index"],
            "properties": {
                "cycle_index": {"type": "integer"},
                "charge_capacity_ah": _NUMBER_OR_NULL,
                "discharge_capacity_ah": _NUMBER_OR_NULL,
                "charge_energy_wh": _NUMBER_OR_NULL,
                "discharge_energy_wh": _NUMBER_OR_NULL,
                "coulombic_efficiency": _NUMBER_OR_NULL,
                "energy_efficiency": _NUMBER_OR_NULL,
                "min_voltage_v": _NUMBER_OR_NULL,
                "max_voltage_v": _NUMBER_OR_NULL,
                "duration_s": _NUMBER_OR_NULL,
                "capacity_retention": _NUMBER_OR_NULL,
            },
        },
        "CycleList": list_schema("#/components/schemas/Cycle"),
    },
}
