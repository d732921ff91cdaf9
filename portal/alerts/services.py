"""Subscribe (double opt-in), confirm, unsubscribe, and the weekly run that mails what is new.

The rules: a subscription mails a confirmation link and nothing else until it is confirmed; a
confirmed alert is mailed at most once a week, and only when a technology matching its filters was
listed since the last check; every mail carries a one-click unsubscribe link.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlmodel import Session, select
from werkzeug.datastructures import MultiDict

from portal import ratelimit
from portal.accounts.models import normalise_email
from portal.accounts.tokens import digest, new_secret
from portal.alerts.models import SearchAlert
from portal.catalog.models import Technology
from portal.catalog.queries import CatalogFilters, filtered_query
from portal.db import utcnow
from portal.errors import Throttled
from portal.mail import send_mail

WEEK = timedelta(days=7)
SUBSCRIBE_WINDOW = timedelta(hours=1)
MAX_NEW = 20


def urlencode_args(values: dict) -> str:
    """Query parameters (lists repeat the name) as a query string."""
    return urlencode(values, doseq=True)


def canonical_query(args) -> str:
    """The filters of a catalog address as a canonical query string (page and sort dropped)."""
    return urlencode_args(CatalogFilters.from_args(args).to_args(page=1, sort="relevance"))


def filters_of(alert: SearchAlert) -> CatalogFilters:
    """The catalog filters an alert follows."""
    from urllib.parse import parse_qsl

    return CatalogFilters.from_args(MultiDict(parse_qsl(alert.query)))


def subscribe(db: Session, email: str, args, *, client: str) -> None:
    """Record an unconfirmed alert and mail its confirmation link (the same answer whatever the
    address's state, so the form tells nobody who follows what)."""
    address = normalise_email(email)
    limit = current_app.config.get("ALERTS_PER_IP_PER_HOUR", 10)
    if ratelimit.retry_after(db, "alert", client, limit=limit, window=SUBSCRIBE_WINDOW):
        raise Throttled(_("Too many subscriptions from here; try again in an hour."))
    ratelimit.hit(db, "alert", client, window=SUBSCRIBE_WINDOW)
    query = canonical_query(args)
    alert = db.exec(
        select(SearchAlert).where(SearchAlert.email == address, SearchAlert.query == query)
    ).first()
    if alert is not None and alert.confirmed_at is not None:
        return  # already following: nothing to confirm, nothing mailed
    secret = new_secret()
    if alert is None:
        alert = SearchAlert(email=address, query=query, secret_hash=digest(secret))
    else:
        alert.secret_hash = digest(secret)  # a new link replaces the unused one
    db.add(alert)
    db.flush()
    send_mail(
        address,
        _("Confirm your catalog alert – CoE Battery Technology-Transfer Portal"),
        render_template(
            "alerts/confirm_mail.txt",
            confirm=url_for("alerts.confirm", secret=secret, _external=True),
            search=url_for("catalog.index", _external=True) + ("?" + query if query else ""),
        ),
    )


def alert_for(db: Session, secret: str) -> SearchAlert | None:
    """The alert behind a mailed link, or None."""
    if not secret or len(secret) > 200:
        return None
    return db.exec(select(SearchAlert).where(SearchAlert.secret_hash == digest(secret))).first()


def confirm(db: Session, alert: SearchAlert) -> None:
    """Start the weekly mails; what is listed from now on is new."""
    if alert.confirmed_at is None:
        alert.confirmed_at = alert.checked_at = utcnow()
        db.add(alert)
        db.flush()


def unsubscribe(db: Session, alert: SearchAlert) -> None:
    """Forget the alert (nothing of it is kept)."""
    db.delete(alert)
    db.flush()


def _new_matches(db: Session, alert: SearchAlert) -> list[Technology]:
    query = filtered_query(db, filters_of(alert)).order_by(None)
    technologies = [
        t for t in db.exec(query).scalars() if t.published_at and t.published_at > alert.checked_at
    ]
    return sorted(technologies, key=lambda t: t.published_at, reverse=True)[:MAX_NEW]


def send_weekly_alerts(db: Session, now: datetime | None = None) -> int:
    """Mail each confirmed alert due this week that has new matches; returns mails sent."""
    now = now or utcnow()
    sent = 0
    alerts = db.exec(select(SearchAlert).where(SearchAlert.confirmed_at.is_not(None))).all()
    # Outside a request: straight from the Jinja environment, in the default language.
    template = current_app.jinja_env.get_template("alerts/weekly_mail.txt")
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        for alert in alerts:
            sent += _send_one(db, alert, now, template)
    db.flush()
    return sent


def _send_one(db: Session, alert: SearchAlert, now: datetime, template) -> int:
    """Mail one alert if its week is up and something new matches; 1 when a mail went out."""
    if alert.last_sent_at is not None and now - alert.last_sent_at < WEEK:
        return 0
    new = _new_matches(db, alert)
    if not new:
        return 0
    secret = new_secret()
    alert.secret_hash = digest(secret)  # each mail's unsubscribe link is fresh
    search = url_for("catalog.index", _external=True) + ("?" + alert.query if alert.query else "")
    body = template.render(
        technologies=new,
        search=search,
        unsubscribe=url_for("alerts.unsubscribe", secret=secret, _external=True),
    )
    db.add(alert)
    if not send_mail(alert.email, _("New in the battery technology catalog"), body):
        return 0
    alert.last_sent_at = alert.checked_at = now
    return 1
