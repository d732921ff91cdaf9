"""The two flows of a staff post: an edit page (validate, save from the version shown, then flash
and redirect, or hand the refusal back for the page to show) and a one-button action."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import flash, redirect, request
from werkzeug.wrappers import Response

from portal.errors import ConflictError, ServiceError
from portal.formdata import submitted_version

T = TypeVar("T")


@dataclass(frozen=True)
class Submitted:
    """What became of an edit form: the redirect after a save, or the status to render with."""

    response: Response | None = None
    status: int = 200
    refused: ServiceError | None = None

    @property
    def conflict(self) -> bool:
        """Someone saved the record since the form was loaded."""
        return isinstance(self.refused, ConflictError)


def edit_form(make_form: Callable[..., Any], record) -> Any:
    """The form filled from ``record`` (and its version) on a GET; a post fills it alone, so a
    field left out of the post is not taken from the record."""
    if request.method != "GET":
        return make_form(obj=None)
    form = make_form(obj=record)
    form.version.data = record.version
    return form


def save_edit(
    form, save: Callable[[int], Any], *, saved: str, then: str, code: int = 302
) -> Submitted:
    """On a valid post call ``save(version)``; saved: flash ``saved`` and redirect to ``then``.

    A refusal comes back with its status (409 for a conflict); an invalid post is a 400 and a
    GET a 200, both with nothing saved.
    """
    if not form.validate_on_submit():
        return Submitted(status=400 if request.method == "POST" else 200)
    try:
        save(submitted_version(form.version))
    except ServiceError as refused:
        return Submitted(status=refused.status, refused=refused)
    flash(saved, "success")
    return Submitted(response=redirect(then, code=code))


def act(
    action: Callable[[], T], *, done: str | Callable[[T], str], back: str, code: int = 302
) -> Response:
    """Run a one-button action, flash its refusal or what was ``done``, and redirect ``back``.

    ``done`` may be a function of the action's result, for a message that names what changed.
    """
    try:
        result = action()
    except ServiceError as refused:
        flash(refused.message, "error")
    else:
        flash(done(result) if callable(done) else done, "success")
    return redirect(back, code=code)
