"""OpenAPI description of /api/v1/me/agreements and /api/v1/me/milestones."""

from __future__ import annotations

from portal.agreements.api import AgreementPublic, MilestonePublic
from portal.api.openapi import error_responses, list_schema, model_schema

_PAGE = {
    "name": "page",
    "in": "query",
    "required": False,
    "schema": {"type": "integer", "minimum": 1, "default": 1},
}
_SECURITY = [{"bearerToken": []}, {"sessionCookie": []}]


PART = {
    "paths": {
        "/me/agreements": {
            "get": {
                "summary": "The caller's agreements",
                "description": (
                    "A partner sees their organisation's agreements (status as in force today: an "
                    "active agreement past its expiry date reads `expired`); staff see the "
                    "agreements they are responsible for."
                ),
                "operationId": "listMyAgreements",
                "security": _SECURITY,
                "parameters": [_PAGE],
                "responses": {
                    "200": {
                        "description": "A page of agreements",
                        "content": {
                            "application/json": {
                                "schema": list_schema("#/components/schemas/AgreementPublic")
                            }
                        },
                    },
                    **error_responses(401),
                },
            }
        },
        "/me/milestones": {
            "get": {
                "summary": "Milestones of the caller's agreements",
                "description": "Soonest due first; `is_overdue` is past due and not accepted or waived.",
                "operationId": "listMyMilestones",
                "security": _SECURITY,
                "parameters": [_PAGE],
                "responses": {
                    "200": {
                        "description": "A page of milestones",
                        "content": {
                            "application/json": {
                                "schema": list_schema("#/components/schemas/MilestonePublic")
                            }
                        },
                    },
                    **error_responses(401),
                },
            }
        },
    },
    "schemas": {
        "AgreementPublic": model_schema(AgreementPublic),
        "MilestonePublic": model_schema(MilestonePublic),
    },
}
