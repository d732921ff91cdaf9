"""Every route of the app with sample arguments, for the tests that sweep all of them."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, url_for
from werkzeug.routing import Rule

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
SAMPLE_ARGS = {
    "integer": 987654,
    "unicode": "no-such-thing",
    "string": "no-such-thing",
    "path": "no/such/file",
    "uuid": "00000000-0000-0000-0000-000000000000",
    "float": 1.5,
}


@dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    url: str


def _sample_url(app: Flask, rule: Rule) -> str:
    values = dict(rule.defaults or {})  # e.g. each content page's rule fixes its slug
    for name, converter in rule._converters.items():
        kind = type(converter).__name__.removesuffix("Converter").lower()
        if kind == "any":  # one route for several actions: each runs the same view
            values[name] = min(converter.items)
        else:
            values[name] = SAMPLE_ARGS.get(kind, SAMPLE_ARGS["string"])
    if rule.endpoint == "static":
        values["filename"] = "css/portal.css"
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def all_routes(app: Flask) -> list[Route]:
    """One entry per rule and method (HEAD and OPTIONS left out)."""
    routes = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append(Route(rule.endpoint, method, _sample_url(app, rule)))
    return sorted(routes, key=lambda r: (r.endpoint, r.method))


def state_changing_routes(app: Flask) -> list[Route]:
    """Routes that accept POST, PUT, PATCH or DELETE."""
    return [r for r in all_routes(app) if r.method in STATE_CHANGING]
