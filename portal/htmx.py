"""htmx helpers: answer a fragment to htmx requests and the full page otherwise."""

from __future__ import annotations

from flask import make_response, render_template, request


def is_htmx() -> bool:
    """True when htmx sent this request (and it is not a history restore needing a full page)."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def render(page: str, fragment: str, **context):
    """Render `fragment` for htmx, `page` (which includes the fragment) for everyone else."""
    response = make_response(render_template(fragment if is_htmx() else page, **context))
    response.headers.add("Vary", "HX-Request")
    return response
