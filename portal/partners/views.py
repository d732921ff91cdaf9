"""The partner dashboard (/me), personal API tokens, the calendar feed and the public partner list."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import db
from portal.accounts.models import Organization
from portal.accounts.tokens import create_api_token, revoke_api_token
from portal.dates import local_today
from portal.errors import ServiceError
from portal.licensing.queries import applications_of_organization
from portal.partners import bp, queries
from portal.partners import services as partners
from portal.partners.forms import TokenForm


@bp.get("/me")
def dashboard():
    """What the signed-in partner's organisation has with the CoE."""
    session = db.session()
    today = local_today()
    return render_template(
        "partners/dashboard.html",
        organization=session.get(Organization, current_user.organization_id),
        today=today,
        applications=applications_of_organization(session, current_user.organization_id),
        **vars(queries.partner_dashboard(session, current_user, today)),
    )


# --- personal API tokens ---------------------------------------------------------------------


def _tokens_page(form: TokenForm, new_token: str | None = None, status: int = 200):
    tokens = queries.tokens_of(db.session(), current_user)
    return render_template(
        "partners/tokens.html", form=form, tokens=tokens, new_token=new_token, today=local_today()
    ), status


# The raw value of a token just created waits in the session for the one GET that follows the
# redirect (POST/redirect/GET: reloading the page shows the list, it never creates a second token).
NEW_TOKEN_KEY = "new_token"
NEW_FEED_KEY = "new_calendar_feed"


@bp.get("/me/tokens")
def tokens():
    """The user's personal API tokens and a form for a new one (and a new token's value, once)."""
    return _tokens_page(TokenForm(formdata=None), new_token=session.pop(NEW_TOKEN_KEY, None))


@bp.post("/me/tokens")
def token_create():
    """Create a token; its value is shown on this response only, never again."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _tokens_page(form, status=400)
    try:
        _token, raw = create_api_token(
            db.session(),
            current_user._get_current_object(),
            form.name.data,
            expires_on=form.expires_on.data,
            scopes=form.chosen_scopes(),
        )
    except ServiceError as error:
        form.expires_on.errors.append(error.message)
        return _tokens_page(form, status=400)
    session[NEW_TOKEN_KEY] = raw
    return redirect(url_for("partners.tokens"), code=303)


@bp.post("/me/tokens/<int:token_id>/revoke")
def token_revoke(token_id: int):
    """Revoke one of one's own tokens (another user's token id answers 404)."""
    token = queries.get_own_token_or_404(db.session(), token_id, current_user)
    revoke_api_token(db.session(), token)
    flash(_("Token “%(name)s” revoked.", name=token.name), "success")
    return redirect(url_for("partners.tokens"), code=303)


# --- calendar feed ---------------------------------------------------------------------------


@bp.get("/me/calendar")
def calendar():
    """Whether the user has a calendar feed, and buttons to make a new one or revoke it."""
    feed = partners.active_feed(db.session(), current_user)
    secret = session.pop(NEW_FEED_KEY, None)
    # The public address, as calendar apps outside the network must reach it.
    feed_url = url_for("partners.calendar_feed", secret=secret, _external=True) if secret else None
    return render_template("partners/calendar.html", feed=feed, feed_url=feed_url)


@bp.post("/me/calendar")
def calendar_create():
    """A new secret feed URL (any earlier one stops working); shown once."""
    _feed, raw = partners.create_calendar_feed(db.session(), current_user._get_current_object())
    session[NEW_FEED_KEY] = raw  # shown by the GET that follows, once (POST/redirect/GET)
    return redirect(url_for("partners.calendar"), code=303)


@bp.post("/me/calendar/revoke")
def calendar_revoke():
    """Revoke the feed URL: calendar apps using it get 404 from now on."""
    partners.revoke_calendar_feed(db.session(), current_user._get_current_object())
    flash(_("Your calendar link is revoked."), "success")
    return redirect(url_for("partners.calendar"), code=303)


@bp.get("/calendar/<secret>.ics")
def calendar_feed(secret: str):
    """The iCalendar feed behind a secret URL (no cookie: calendar apps fetch it on their own)."""
    session = db.session()
    user = partners.user_for_calendar_secret(session, secret)
    if user is None:
        abort(404)
    body = partners.build_calendar(partners.milestones_for(session, user))
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="milestones.ics"'
    response.headers["Cache-Control"] = "no-store"
    return response


# --- public list -----------------------------------------------------------------------------


@bp.get("/partners")
def public_list():
    """Organisations with publicly announced agreements, and the technologies involved."""
    partners_list = queries.announced_partners(db.session(), local_today())
    return render_template("partners/public_list.html", partners=partners_list)
