"""Public catalog pages and the expression-of-interest form (staff pages: staff_views.py)."""

from __future__ import annotations

import csv
import io

from flask import (
    Response,
    current_app,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from portal import db, htmx
from portal.audit.services import client_ip
from portal.catalog import bp
from portal.catalog import inquiries as inquiry_service
from portal.catalog.forms import InquiryForm
from portal.catalog.labels import catalog_label
from portal.catalog.loaders import get_technology_or_404
from portal.catalog.models import Inquiry, Technology
from portal.catalog.queries import (
    CatalogFilters,
    filtered_query,
    find_technologies,
    related_technologies,
)
from portal.catalog.schemas import CSV_COLUMNS, to_public
from portal.catalog.sheet import technology_sheet
from portal.csvsafe import csv_cell
from portal.errors import ServiceError
from portal.mail import send_mail
from portal.patents.queries import patents_by_technology, patents_of

CSV_EXPORT_LIMIT = 10_000


@bp.get("/technologies")
def index():
    """The catalog: search, facets with counts, sort and pages; htmx gets only the results."""
    filters = CatalogFilters.from_args(request.args)
    result = find_technologies(db.session(), filters)
    if filters.page > result.pages:
        # Past the last page: go to the last one rather than "17 technologies" above an empty list.
        return redirect(url_for("catalog.index", **filters.to_args(page=result.pages)))
    response = htmx.render(
        "catalog/index.html", "catalog/_results.html", result=result, filters=filters
    )
    if htmx.is_htmx():
        # The address bar shows the clean, shareable URL, not the raw form submission.
        response.headers["HX-Push-Url"] = url_for("catalog.index", **filters.to_args())
    return response


def page_urls(technology: Technology) -> tuple[str, str]:
    """The technology's web page and API addresses, absolute."""
    return (
        url_for("catalog.detail", slug=technology.slug, _external=True),
        url_for("catalog_api.technology", slug=technology.slug, _external=True),
    )


@bp.get("/technologies.csv")
def export_csv():
    """The filtered list as CSV (every page, up to a limit), safe to open in a spreadsheet."""
    filters = CatalogFilters.from_args(request.args)
    session = db.session()
    technologies = list(
        session.exec(filtered_query(session, filters).limit(CSV_EXPORT_LIMIT)).scalars()
    )

    patents = patents_by_technology(session, (t.id for t in technologies))

    def rows():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for technology in technologies:
            values = to_public(technology, *page_urls(technology))
            values["applications"] = " ".join(values["applications"])
            values["patents"] = "; ".join(p.one_line() for p in patents.get(technology.id, ()))
            writer.writerow([csv_cell(values[name]) for name in CSV_COLUMNS])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate(0)
        if not technologies:
            yield buffer.getvalue()

    return Response(
        stream_with_context(rows()),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="technologies.csv"'},
    )


@bp.get("/technologies/<slug>")
def detail(slug: str):
    """A technology's page: its story, metrics, readiness, IP, related work and the inquiry form."""
    technology = get_technology_or_404(slug, current_user)
    return render_template(
        "catalog/detail.html",
        technology=technology,
        related=related_technologies(db.session(), technology),
        form=InquiryForm(formdata=None),
        error=None,
    )


@bp.get("/technologies/<slug>/sheet.pdf")
def sheet(slug: str):
    """The technology's one-page sheet (PDF), for meetings; the QR code leads back here."""
    technology = get_technology_or_404(slug, current_user)
    pdf = technology_sheet(
        technology, page_urls(technology)[0], patents_of(db.session(), technology)
    )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{technology.slug}.pdf"'},
    )


# --- expressions of interest -----------------------------------------------------------------


@bp.route("/technologies/<slug>/interest", methods=["GET", "POST"])
def inquire_technology(slug: str):
    """Express interest in one technology."""
    return _handle_inquiry(get_technology_or_404(slug, current_user))


@bp.route("/interest", methods=["GET", "POST"])
def inquire():
    """Express interest in the CoE's work in general (no particular technology)."""
    return _handle_inquiry(None)


@bp.get("/interest/sent")
def inquiry_sent():
    """Thanks for writing (or: this message had already arrived, nothing was sent twice)."""
    return render_template("catalog/inquiry_sent.html", repeat=request.args.get("repeat") == "1")


def _handle_inquiry(technology: Technology | None):
    form = InquiryForm()
    if technology is not None and request.method == "GET":
        form.interest.data = form.interest.data or "licensing"
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return _inquiry_page(technology, form, status=status)
    if form.caught_a_bot("inquiry"):
        return redirect(url_for("catalog.inquiry_sent"))
    repeat = inquiry_service.recent_duplicate(
        db.session(), email=form.email.data, message=form.message.data, technology=technology
    )
    if repeat is not None:
        return redirect(url_for("catalog.inquiry_sent", repeat=1))
    try:
        inquiry = inquiry_service.create_inquiry(
            db.session(),
            ip=client_ip(),
            name=form.name.data,
            email=form.email.data,
            organization_name=form.organization_name.data,
            interest=form.interest.data,
            message=form.message.data,
            technology=technology,
        )
    except ServiceError as error:
        page, status = _inquiry_page(technology, form, error=error.message, status=error.status)
        return page, status, error.headers
    _send_inquiry_mails(inquiry, technology)
    return redirect(url_for("catalog.inquiry_sent"))


def _inquiry_page(technology, form, error=None, status=200):
    return (
        render_template("catalog/inquire.html", technology=technology, form=form, error=error),
        status,
    )


def _send_inquiry_mails(inquiry: Inquiry, technology: Technology | None) -> None:
    """A confirmation to the sender (naming the technology, never echoing what they typed; a few
    per address a day) and a notification to the technology-transfer team."""
    context = {
        "inquiry": inquiry,
        "technology": technology,
        "interest": catalog_label("interest", inquiry.interest),
        "technology_url": page_urls(technology)[0] if technology else None,
        "admin_url": url_for("catalog.admin_inquiry", inquiry_id=inquiry.id, _external=True),
    }
    if inquiry_service.confirmation_allowed(db.session(), inquiry.email):
        send_mail(
            inquiry.email,
            _("We received your message – CoE Battery Technology-Transfer Portal"),
            render_template("catalog/inquiry_confirmation.txt", **context),
        )
    # One line only: a line break in a header would make the mail library refuse the message.
    about = " ".join(technology.title.split())[:120] if technology else _("general inquiry")
    send_mail(
        current_app.config["STAFF_NOTIFY_EMAIL"],
        _("New inquiry: %(about)s", about=about),
        render_template("catalog/inquiry_staff.txt", **context),
    )
