"""Public catalog pages, the expression-of-interest form, and the staff pages for both."""

from __future__ import annotations

import csv
import io
import logging
import re

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import case, or_
from sqlmodel import select

from portal import db, htmx
from portal.accounts.views import deliver_invitation
from portal.audit.services import client_ip
from portal.catalog import bp
from portal.catalog import services as catalog
from portal.catalog.forms import (
    APPLICATION_LABELS,
    CATEGORY_LABELS,
    CHEMISTRY_LABELS,
    INTEREST_LABELS,
    LICENSING_LABELS,
    STATUS_LABELS,
    ConvertInquiryForm,
    InquiryForm,
    InquiryNoteForm,
    InquiryStatusForm,
    TechnologyForm,
)
from portal.catalog.models import (
    INQUIRY_TRANSITIONS,
    Inquiry,
    InquiryStatus,
    Technology,
)
from portal.catalog.queries import (
    CatalogFilters,
    applications_of,
    filtered_query,
    find_technologies,
)
from portal.csvsafe import csv_cell
from portal.errors import ConflictError, ServiceError
from portal.formdata import parse_int
from portal.mail import send_mail
from portal.pagination import paginate
from portal.security import safe_next

log = logging.getLogger("portal.catalog")

LABELS = {
    "chemistry": CHEMISTRY_LABELS,
    "category": CATEGORY_LABELS,
    "application": APPLICATION_LABELS,
    "licensing": LICENSING_LABELS,
    "interest": INTEREST_LABELS,
    "status": STATUS_LABELS,
}
TRL_MEANING = {
    1: _l("Basic principles observed"),
    2: _l("Technology concept formulated"),
    3: _l("Experimental proof of concept"),
    4: _l("Technology validated in the lab"),
    5: _l("Technology validated in a relevant environment"),
    6: _l("Technology demonstrated in a relevant environment"),
    7: _l("System prototype demonstrated in an operational environment"),
    8: _l("System complete and qualified"),
    9: _l("Actual system proven in an operational environment"),
}
CSV_EXPORT_LIMIT = 10_000


_translated_labels: dict[str, dict[str, dict[str, str]]] = {}


@bp.app_template_global()
def catalog_label(kind: str, value) -> str:
    """The human label of a catalog code (chemistry, category, status, ...)."""
    # Translated once per locale and process: a catalog page shows ~100 labels, and a gettext
    # lookup each time was a third of the page's rendering time.
    locale = str(get_locale() or "en")
    labels = _translated_labels.get(locale)
    if labels is None:
        labels = {k: {code: str(text) for code, text in v.items()} for k, v in LABELS.items()}
        _translated_labels[locale] = labels
    return labels.get(kind, {}).get(str(value), str(value))


@bp.app_template_global()
def trl_meaning(level: int) -> str:
    """What a technology readiness level means, in words."""
    return str(TRL_MEANING.get(level, ""))


# --- public catalog --------------------------------------------------------------------------


@bp.get("/technologies")
def index():
    """The catalog: search, facets with counts, sort and pages; htmx gets only the results."""
    filters = CatalogFilters.from_args(request.args)
    result = find_technologies(db.session(), filters)
    response = htmx.render(
        "catalog/index.html", "catalog/_results.html", result=result, filters=filters
    )
    if htmx.is_htmx():
        # The address bar shows the clean, shareable URL, not the raw form submission.
        response.headers["HX-Push-Url"] = url_for("catalog.index", **filters.to_args())
    return response


CSV_COLUMNS = (
    "slug",
    "title",
    "summary",
    "chemistry",
    "category",
    "applications",
    "trl",
    "licensing_status",
    "ip_status",
    "patent_refs",
    "specific_energy_wh_per_kg",
    "energy_density_wh_per_l",
    "cycle_life",
    "max_c_rate",
    "nominal_voltage_v",
    "capacity_ah",
    "cost_inr_per_kwh",
    "throughput_units_per_hour",
    "indigenous_content_pct",
    "contact_email",
    "url",
)


@bp.get("/technologies.csv")
def export_csv():
    """The filtered list as CSV (every page, up to a limit), safe to open in a spreadsheet."""
    filters = CatalogFilters.from_args(request.args)
    session = db.session()
    technologies = list(
        session.exec(filtered_query(session, filters).limit(CSV_EXPORT_LIMIT)).scalars()
    )
    applications = applications_of(technologies)
    base = current_app.config["BASE_URL"].rstrip("/")

    def rows():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for technology in technologies:
            values = {name: getattr(technology, name, None) for name in CSV_COLUMNS}
            values["applications"] = " ".join(applications.get(technology.id, []))
            values["url"] = base + url_for("catalog.detail", slug=technology.slug)
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


def related_technologies(technology: Technology, limit: int = 4) -> list[Technology]:
    """Public technologies of the same chemistry or category, closest first."""
    same_chemistry = case((Technology.chemistry == technology.chemistry, 0), else_=1)
    same_category = case((Technology.category == technology.category, 0), else_=1)
    return list(
        db.session()
        .exec(
            select(Technology)
            .where(
                Technology.is_published,
                ~Technology.is_archived,
                Technology.id != technology.id,
                or_(
                    Technology.chemistry == technology.chemistry,
                    Technology.category == technology.category,
                ),
            )
            .order_by(same_category, same_chemistry, Technology.trl.desc(), Technology.id)
            .limit(limit)
        )
        .all()
    )


@bp.get("/technologies/<slug>")
def detail(slug: str):
    """A technology's page: its story, metrics, readiness, IP, related work and the inquiry form."""
    technology = catalog.get_technology_or_404(slug, current_user)
    form = InquiryForm(formdata=None)
    return _detail_page(technology, form)


def _detail_page(technology: Technology, form: InquiryForm, error: str | None = None, status=200):
    return (
        render_template(
            "catalog/detail.html",
            technology=technology,
            applications=catalog.applications_for(db.session(), technology),
            related=related_technologies(technology),
            form=form,
            error=error,
        ),
        status,
    )


# --- expressions of interest -----------------------------------------------------------------


@bp.route("/technologies/<slug>/interest", methods=["GET", "POST"])
def inquire_technology(slug: str):
    """Express interest in one technology."""
    technology = catalog.get_technology_or_404(slug, current_user)
    return _handle_inquiry(technology)


@bp.route("/interest", methods=["GET", "POST"])
def inquire():
    """Express interest in the CoE's work in general (no particular technology)."""
    return _handle_inquiry(None)


@bp.get("/interest/sent")
def inquiry_sent():
    """Thanks for writing."""
    return render_template("catalog/inquiry_sent.html")


def _handle_inquiry(technology: Technology | None):
    form = InquiryForm()
    if technology is not None and request.method == "GET":
        form.interest.data = form.interest.data or "licensing"
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return _inquiry_page(technology, form, status=status)
    if form.website.data:
        # The honeypot was filled: almost certainly a bot. Answer as usual and keep nothing.
        log.info("inquiry honeypot filled; discarded")
        return redirect(url_for("catalog.inquiry_sent"))
    try:
        inquiry = catalog.create_inquiry(
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
        db.rollback()
        headers = {"Retry-After": "3600"} if error.status == 429 else {}
        page, status = _inquiry_page(technology, form, error=_(error.message), status=error.status)
        return page, status, headers
    _send_inquiry_mails(inquiry, technology)
    return redirect(url_for("catalog.inquiry_sent"))


def _inquiry_page(technology, form, error=None, status=200):
    return (
        render_template("catalog/inquire.html", technology=technology, form=form, error=error),
        status,
    )


def _send_inquiry_mails(inquiry: Inquiry, technology: Technology | None) -> None:
    """A confirmation to the sender and a notification to the technology-transfer team."""
    base = current_app.config["BASE_URL"].rstrip("/")
    context = {
        "inquiry": inquiry,
        "technology": technology,
        "interest": catalog_label("interest", inquiry.interest),
        "technology_url": base + url_for("catalog.detail", slug=technology.slug)
        if technology
        else None,
        "admin_url": base + url_for("catalog.admin_inquiry", inquiry_id=inquiry.id),
    }
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


# --- staff: technologies ---------------------------------------------------------------------

ADMIN_STATES = ("draft", "published", "archived", "all")


def get_technology_by_id_or_404(tech_id: int) -> Technology:
    """Any technology by id (staff pages only), else 404."""
    technology = db.session().get(Technology, tech_id)
    if technology is None:
        abort(404)
    return technology


def _clean_text(raw: str | None, limit: int = 100) -> str:
    return " ".join(str(raw or "").replace("\x00", " ").split())[:limit]


@bp.get("/admin/technologies")
def admin_index():
    """Every technology with its state; filter by state and title."""
    state = request.args.get("state", "")
    state = state if state in ADMIN_STATES else ""
    q = _clean_text(request.args.get("q"))
    query = select(Technology).order_by(Technology.updated_at.desc(), Technology.id.desc())
    if state == "draft":
        query = query.where(~Technology.is_published, ~Technology.is_archived)
    elif state == "published":
        query = query.where(Technology.is_published, ~Technology.is_archived)
    elif state == "archived":
        query = query.where(Technology.is_archived)
    elif state != "all":
        query = query.where(~Technology.is_archived)
    if q:
        pattern = "%" + re.sub(r"([\\%_])", r"\\\1", q.lower()) + "%"
        query = query.where(Technology.title.ilike(pattern, escape="\\"))
    page = paginate(db.session(), query, request.args.get("page"))
    return render_template("catalog/admin_index.html", page=page, state=state, q=q)


@bp.route("/admin/technologies/new", methods=["GET", "POST"])
def admin_create():
    """Add a technology (it starts unpublished)."""
    form = TechnologyForm()
    if request.method == "GET":
        form.trl.data = form.trl.data or 4
    if form.validate_on_submit():
        try:
            technology = catalog.create_technology(
                db.session(), applications=form.applications.data, **form.technology_fields()
            )
        except ServiceError as error:
            db.rollback()
            form.slug.errors.append(_(error.message))
        else:
            flash(_("Technology saved as a draft. Publish it when it is ready."), "success")
            return redirect(url_for("catalog.admin_edit", tech_id=technology.id))
    return render_template("catalog/admin_form.html", form=form, technology=None, conflict=False)


@bp.route("/admin/technologies/<int:tech_id>/edit", methods=["GET", "POST"])
def admin_edit(tech_id: int):
    """Edit a technology; a stale form (someone saved meanwhile) gets a conflict, not an overwrite."""
    technology = get_technology_by_id_or_404(tech_id)
    session = db.session()
    form = TechnologyForm(obj=technology if request.method == "GET" else None)
    if request.method == "GET":
        form.applications.data = catalog.applications_for(session, technology)
        form.version.data = technology.version
    conflict = False
    status = 200
    if form.validate_on_submit():
        try:
            catalog.update_technology(
                session,
                technology,
                version=parse_int(form.version.data, 0),
                applications=form.applications.data,
                **form.technology_fields(),
            )
        except ConflictError:
            db.rollback()
            conflict, status = True, 409
        except ServiceError as error:
            db.rollback()
            form.slug.errors.append(_(error.message))
            status = 400
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("catalog.admin_edit", tech_id=technology.id))
    elif request.method == "POST":
        status = 400
    if conflict:
        technology = get_technology_by_id_or_404(tech_id)
    return (
        render_template(
            "catalog/admin_form.html", form=form, technology=technology, conflict=conflict
        ),
        status,
    )


def _state_change(tech_id: int, change, message: str):
    technology = get_technology_by_id_or_404(tech_id)
    version = request.form.get("version")
    try:
        change(db.session(), technology, parse_int(version, 0) if version else None)
    except ServiceError as error:
        db.rollback()
        flash(_(error.message), "error")
    else:
        flash(message, "success")
    return redirect(safe_next(request.form.get("next"), url_for("catalog.admin_index")))


@bp.post("/admin/technologies/<int:tech_id>/publish")
def admin_publish(tech_id: int):
    """Publish a technology to the public catalog."""
    return _state_change(tech_id, catalog.publish_technology, _("Published."))


@bp.post("/admin/technologies/<int:tech_id>/unpublish")
def admin_unpublish(tech_id: int):
    """Take a technology off the public catalog."""
    return _state_change(tech_id, catalog.unpublish_technology, _("Unpublished."))


@bp.post("/admin/technologies/<int:tech_id>/archive")
def admin_archive(tech_id: int):
    """Archive a technology."""
    return _state_change(tech_id, catalog.archive_technology, _("Archived."))


@bp.post("/admin/technologies/<int:tech_id>/restore")
def admin_restore(tech_id: int):
    """Bring a technology back from the archive as a draft."""
    return _state_change(tech_id, catalog.restore_technology, _("Restored as a draft."))


# --- staff: inquiries ------------------------------------------------------------------------


def get_inquiry_or_404(inquiry_id: int) -> Inquiry:
    """An inquiry by id (staff pages only), else 404."""
    inquiry = db.session().get(Inquiry, inquiry_id)
    if inquiry is None:
        abort(404)
    return inquiry


def status_form_for(inquiry: Inquiry) -> InquiryStatusForm:
    """The inline status form, offering only the steps allowed from the current status."""
    form = InquiryStatusForm(formdata=None, status=inquiry.status, version=inquiry.version)
    allowed = [inquiry.status, *INQUIRY_TRANSITIONS.get(inquiry.status, ())]
    form.status.choices = [
        (s, STATUS_LABELS[s])
        for s in allowed
        if s != InquiryStatus.CONVERTED or inquiry.status == InquiryStatus.CONVERTED
    ]
    return form


@bp.app_template_global()
def inquiry_status_form(inquiry: Inquiry) -> InquiryStatusForm:
    """Templates build the inline status form per row with this."""
    return status_form_for(inquiry)


@bp.get("/admin/inquiries")
def admin_inquiries():
    """Inquiries, newest first, filterable by status and technology."""
    session = db.session()
    status = request.args.get("status", "")
    status = status if status in {s.value for s in InquiryStatus} else ""
    technology_id = parse_int(request.args.get("technology"), 0) or None
    query = (
        select(Inquiry, Technology)
        .outerjoin(Technology, Technology.id == Inquiry.technology_id)
        .order_by(Inquiry.created_at.desc(), Inquiry.id.desc())
    )
    if status:
        query = query.where(Inquiry.status == status)
    if technology_id:
        query = query.where(Inquiry.technology_id == technology_id)
    page = paginate(session, query, request.args.get("page"))
    technologies = session.exec(
        select(Technology.id, Technology.title).order_by(Technology.title)
    ).all()
    return render_template(
        "catalog/admin_inquiries.html",
        page=page,
        status=status,
        technology_id=technology_id,
        technologies=technologies,
        statuses=[s.value for s in InquiryStatus],
    )


@bp.get("/admin/inquiries/<int:inquiry_id>")
def admin_inquiry(inquiry_id: int):
    """One inquiry: the message, notes, status and conversion into a partner."""
    inquiry = get_inquiry_or_404(inquiry_id)
    return _inquiry_detail(inquiry, ConvertInquiryForm(formdata=None, **_convert_defaults(inquiry)))


def _inquiry_detail(inquiry: Inquiry, convert_form: ConvertInquiryForm, status: int = 200):
    session = db.session()
    technology = session.get(Technology, inquiry.technology_id) if inquiry.technology_id else None
    return (
        render_template(
            "catalog/admin_inquiry.html",
            inquiry=inquiry,
            technology=technology,
            notes=catalog.notes_for(session, inquiry),
            note_form=InquiryNoteForm(formdata=None),
            convert_form=convert_form,
            can_convert=InquiryStatus.CONVERTED in INQUIRY_TRANSITIONS.get(inquiry.status, ()),
        ),
        status,
    )


def _convert_defaults(inquiry: Inquiry) -> dict:
    slug = re.sub(r"[^a-z0-9]+", "-", inquiry.organization_name.lower()).strip("-")[:80]
    return {
        "name": inquiry.organization_name,
        "slug": slug.strip("-"),
        "kind": "company",
        "contact_name": inquiry.name,
        "contact_email": inquiry.email,
    }


@bp.post("/admin/inquiries/<int:inquiry_id>/status")
def admin_inquiry_status(inquiry_id: int):
    """Change an inquiry's status (inline with htmx, or as a plain form)."""
    inquiry = get_inquiry_or_404(inquiry_id)
    form = InquiryStatusForm()
    form.status.choices = [(s.value, s.value) for s in InquiryStatus]
    error = None
    if form.validate_on_submit():
        version = form.version.data
        try:
            catalog.change_inquiry_status(
                db.session(), inquiry, form.status.data, parse_int(version, 0) if version else None
            )
        except ServiceError as problem:
            db.rollback()
            inquiry = get_inquiry_or_404(inquiry_id)
            error = _(problem.message)
    else:
        error = _("Choose a status.")
    if htmx.is_htmx():
        response = htmx.render(
            "catalog/_inquiry_row.html",
            "catalog/_inquiry_row.html",
            inquiry=inquiry,
            technology=db.session().get(Technology, inquiry.technology_id or 0),
            error=error,
        )
        return response
    flash(error or _("Status changed."), "error" if error else "success")
    return redirect(
        safe_next(request.form.get("next"), url_for("catalog.admin_inquiry", inquiry_id=inquiry.id))
    )


@bp.post("/admin/inquiries/<int:inquiry_id>/notes")
def admin_inquiry_note(inquiry_id: int):
    """Add a note to an inquiry."""
    inquiry = get_inquiry_or_404(inquiry_id)
    form = InquiryNoteForm()
    if form.validate_on_submit():
        try:
            catalog.add_inquiry_note(db.session(), inquiry, form.body.data, current_user)
        except ServiceError as error:
            db.rollback()
            flash(_(error.message), "error")
        else:
            flash(_("Note added."), "success")
    else:
        flash(_("Write something in the note."), "error")
    return redirect(url_for("catalog.admin_inquiry", inquiry_id=inquiry.id))


@bp.post("/admin/inquiries/<int:inquiry_id>/convert")
def admin_inquiry_convert(inquiry_id: int):
    """Create an organisation from the inquiry and invite its contact as a partner user."""
    inquiry = get_inquiry_or_404(inquiry_id)
    form = ConvertInquiryForm()
    if not form.validate_on_submit():
        return _inquiry_detail(inquiry, form, status=400)
    try:
        organization, user, token = catalog.convert_inquiry(
            db.session(),
            inquiry,
            organization={
                "name": form.name.data.strip(),
                "slug": form.slug.data.strip(),
                "kind": form.kind.data,
                "description": _("Converted from an inquiry about the catalog."),
            },
            contact_name=form.contact_name.data,
            contact_email=form.contact_email.data,
        )
    except ServiceError as error:
        db.rollback()
        inquiry = get_inquiry_or_404(inquiry_id)
        form.slug.errors.append(_(error.message))
        return _inquiry_detail(inquiry, form, status=400)
    return deliver_invitation(user, token, organization.name)
