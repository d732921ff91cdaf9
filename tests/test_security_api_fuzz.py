"""Schemathesis against /api/v1/openapi.json, in-process: generated requests, anonymous and with a
partner's bearer token, never get a server error or a response that breaks the document, and the
partner never receives anything of the other organisation (nor staff-only content)."""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.security_world import World, seed_world

pytestmark = pytest.mark.slow

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def world(app, db, tmp_path) -> World:
    return seed_world(app, db, tmp_path)


def _text(response) -> str:
    return response.text + "\n" + json.dumps(dict(response.headers))


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 7
    return operations


def _fuzz(app, world: World, headers: dict, forbidden: tuple[str, ...]) -> int:
    """Run every operation's generated cases (schemathesis' checks on each); count the calls."""
    calls = 0
    for operation in _operations(app):

        @SETTINGS
        @given(case=operation.as_strategy())
        def run(case):
            nonlocal calls
            response = case.call_and_validate(headers=headers)
            calls += 1
            assert response.status_code < 500, (case.path, response.status_code)
            for key in forbidden:
                found = world.leaks(key, _text(response))
                assert not found, (case.formatted_path, found)

        run()
    return calls


def test_anonymous_calls_conform_and_leak_nothing(app, world):
    assert _fuzz(app, world, {}, ("A", "B", "S")) > 50


def test_partner_token_calls_conform_and_see_only_their_own(app, world):
    headers = {"Authorization": f"Bearer {world.b.api_token}"}
    assert _fuzz(app, world, headers, ("A", "S")) > 50


def test_fuzzing_reaches_real_records(app, client, world):
    """The generated calls above use random slugs; the partner's real ones conform too."""
    api = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {world.b.api_token}"}
    b = world.b
    calls = {
        ("/datasets/{slug}", "GET"): {"slug": b.dataset_slug},
        ("/datasets/{slug}/files/{file_id}/cycles", "GET"): {
            "slug": b.dataset_slug,
            "file_id": b.dataset_file_id,
        },
        ("/technologies/{slug}", "GET"): {"slug": world.published_slug},
        ("/me/agreements", "GET"): {},
        ("/me/milestones", "GET"): {},
        ("/datasets", "GET"): {},
        ("/technologies", "GET"): {},
    }
    seen = ""
    for (path, method), parameters in calls.items():
        operation = api[path][method]
        case = operation.Case(path_parameters=parameters)
        response = case.call_and_validate(headers=headers)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
        seen += response.text
        assert not world.leaks("A", _text(response)), path
    assert b.m("agreement_title") in seen and b.m("dataset_title") in seen
    assert b.m("milestone_title") in seen
