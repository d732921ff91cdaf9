"""Dataset pages, plots, downloads and the staff admin at /admin/datasets."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from flask import (
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from portal import db
from portal.accounts.models import Organization
from portal.agreements.models import Agreement
from portal.agreements.services import effective_status, local_today
from portal.catalog.models import Technology
from portal.csvsafe import csv_cell
from portal.datasets import bp, services, storage
from portal.datasets.access import (
    get_dataset_or_404,
    get_file_or_404,
    shared_with_clause,
    visible_datasets_clause,
)
from portal.datasets.evidence import register_template_globals
from portal.datasets.forms import (
    CHEMISTRY_LABELS,
    TEST_TYPE_LABELS,
    DatasetForm,
    GrantForm,
    UploadForm,
    VoltageCyclesForm,
)
from portal.datasets.ingest import voltage_curve
from portal.datasets.models import (
    SUMMARY_FIELDS,
    CycleSummary,
    Dataset,
    DatasetFile,
    DatasetGrant,
    FileStatus,
    Visibility,
)
from portal.errors import ServiceError
from portal.formdata import submitted_version
from portal.htmx import is_htmx, render
from portal.pagination import paginate

CYCLES_PER_PAGE = 25
MAX_CURVE_CYCLES = 8
MAX_COMPARE = 6
CURVE_POINTS = 1000
DOWNLOAD_FORMS = ("original", "csv", "parquet", "summary")
CSV_BATCH_ROWS = 64 * 1024


# --- shared helpers for other domains' templates ---------------------------------------------

register_template_globals(bp)


@bp.app_template_global()
def public_datasets_for(technology, limit: int = 10) -> list[Dataset]:
    """Public datasets behind a technology (one small query; used on technology pages)."""
    if technology is None or getattr(technology, "id", None) is None:
        return []
    return list(
        db.session()
        .exec(
            select(Dataset)
            .where(Dataset.technology_id == technology.id, Dataset.visibility == Visibility.PUBLIC)
            .order_by(Dataset.title)
            .limit(limit)
        )
        .all()
    )


@bp.app_template_global()
def datasets_shared_with_me(limit: int = 20) -> list[Dataset]:
    """Non-public datasets the signed-in partner may open (the "Shared with you" panel)."""
    if not (current_user.is_authenticated and current_user.is_partner):
        return []
    return list(
        db.session()
        .exec(
            select(Dataset)
            .where(shared_with_clause(current_user, local_today()))
            .order_by(Dataset.updated_at.desc())
            .limit(limit)
        )
        .all()
    )


@bp.app_context_processor
def dataset_labels():
    return {
        "chemistry_labels": CHEMISTRY_LABELS,
        "test_type_labels": TEST_TYPE_LABELS,
    }


def _short(value: str | None, limit: int = 100) -> str:
    return (value or "").strip()[:limit]


def _int_arg(name: str) -> int | None:
    raw = _short(request.args.get(name), 12)
    return int(raw) if raw.isdigit() else None


def parse_cycles(raw: str | None) -> list[int]:
    """Cycle numbers typed by a person ("1, 50 200"); junk ignored, at most MAX_CURVE_CYCLES."""
    numbers: list[int] = []
    for token in re.findall(r"\d{1,9}", (raw or "")[:200]):
        number = int(token)
        if number not in numbers:
            numbers.append(number)
    return numbers[:MAX_CURVE_CYCLES]


def _technology_for(dataset: Dataset) -> Technology | None:
    """The linked technology when the viewer may see it (unpublished ones only for staff)."""
    if dataset.technology_id is None:
        return None
    technology = db.session().get(Technology, dataset.technology_id)
    if technology is None or not (technology.is_public or current_user.is_staff):
        return None
    return technology


# --- public pages ----------------------------------------------------------------------------


@bp.get("/datasets")
def index():
    """Datasets the visitor may see, with filters."""
    session = db.session()
    today = local_today()
    visible = visible_datasets_clause(current_user, today)
    filters = {
        "q": _short(request.args.get("q")),
        "chemistry": _short(request.args.get("chemistry"), 20),
        "technology": _short(request.args.get("technology"), 120),
        "test_type": _short(request.args.get("test_type"), 20),
    }
    query = select(Dataset).where(visible)
    if filters["q"]:
        like = "%" + filters["q"].replace("\\", "").replace("%", "").replace("_", "") + "%"
        query = query.where(Dataset.title.ilike(like) | Dataset.cell_format.ilike(like))
    if filters["chemistry"] in CHEMISTRY_LABELS:
        query = query.where(Dataset.chemistry == filters["chemistry"])
    if filters["test_type"] in TEST_TYPE_LABELS:
        query = query.where(Dataset.test_type == filters["test_type"])
    technology_choices = session.exec(
        select(Technology.id, Technology.slug, Technology.title)
        .where(
            Technology.id.in_(select(Dataset.technology_id).where(visible)),
            Technology.is_published,
            Technology.is_archived.is_(False),
        )
        .order_by(Technology.title)
    ).all()
    chosen = next((t for t in technology_choices if t.slug == filters["technology"]), None)
    if chosen is not None:
        query = query.where(Dataset.technology_id == chosen.id)
    page = paginate(session, query.order_by(Dataset.title, Dataset.id), request.args.get("page"))
    counts = services.file_counts(session, [d.id for d in page.items])
    args = {k: v for k, v in filters.items() if v}
    return render(
        "datasets/index.html",
        "datasets/_list.html",
        results=page,
        counts=counts,
        filters=filters,
        args=args,
        technology_choices=technology_choices,
    )


@bp.get("/datasets/compare")
def compare():
    """Capacity fade of several visible datasets, overlaid."""
    slugs = _compare_slugs()
    session = db.session()
    chosen = _visible_by_slug(slugs)
    options = session.exec(
        select(Dataset.slug, Dataset.title)
        .where(visible_datasets_clause(current_user, local_today()))
        .order_by(Dataset.title)
        .limit(200)
    ).all()
    return render_template(
        "datasets/compare.html", chosen=chosen, options=options, slugs=[d.slug for d in chosen]
    )


@bp.get("/datasets/compare.json")
def compare_data():
    """The first ingested file of each chosen dataset: retention and capacity per cycle."""
    chosen = _visible_by_slug(_compare_slugs())
    files = _first_files([d.id for d in chosen])
    series = []
    for dataset in chosen:
        dataset_file = files.get(dataset.id)
        if dataset_file is None:
            continue
        data = dataset_file.capacity_series or {}
        series.append(
            {
                "slug": dataset.slug,
                "title": dataset.title,
                "file_id": dataset_file.id,
                "cycle_index": data.get("cycle_index", []),
                "capacity_retention": data.get("capacity_retention", []),
                "discharge_capacity_ah": data.get("discharge_capacity_ah", []),
            }
        )
    return jsonify({"series": series})


def _compare_slugs() -> list[str]:
    slugs: list[str] = []
    for raw in request.args.getlist("d")[:50]:
        slug = _short(raw, 80).lower()
        if slug and slug not in slugs:
            slugs.append(slug)
    return slugs[:MAX_COMPARE]


def _visible_by_slug(slugs: list[str]) -> list[Dataset]:
    if not slugs:
        return []
    rows = (
        db.session()
        .exec(
            select(Dataset).where(
                Dataset.slug.in_(slugs), visible_datasets_clause(current_user, local_today())
            )
        )
        .all()
    )
    by_slug = {d.slug: d for d in rows}
    return [by_slug[s] for s in slugs if s in by_slug]


def _first_files(dataset_ids: list[int]) -> dict[int, DatasetFile]:
    if not dataset_ids:
        return {}
    rows = (
        db.session()
        .exec(
            select(DatasetFile)
            .where(
                DatasetFile.dataset_id.in_(dataset_ids), DatasetFile.status == FileStatus.INGESTED
            )
            .order_by(DatasetFile.id)
        )
        .all()
    )
    first: dict[int, DatasetFile] = {}
    for row in rows:
        first.setdefault(row.dataset_id, row)
    return first


@bp.get("/datasets/<slug>")
def detail(slug: str):
    """A dataset: metadata, files with their warnings, plots and the per-cycle table."""
    dataset = get_dataset_or_404(slug, current_user)
    session = db.session()
    files = session.exec(
        select(DatasetFile).where(DatasetFile.dataset_id == dataset.id).order_by(DatasetFile.id)
    ).all()
    wanted = _int_arg("file")
    ingested = [f for f in files if f.status == FileStatus.INGESTED]
    selected = next((f for f in ingested if f.id == wanted), ingested[0] if ingested else None)
    cycles_page = _cycles_page(selected) if selected else None
    form = VoltageCyclesForm(request.args)
    chosen_cycles = parse_cycles(request.args.get("cycles"))
    if selected and not chosen_cycles:
        chosen_cycles = [int(c) for c in (selected.voltage_preview or {}) if c.isdigit()]
    form.cycles.data = ", ".join(str(c) for c in chosen_cycles)
    return render_template(
        "datasets/detail.html",
        dataset=dataset,
        files=files,
        selected=selected,
        cycles_page=cycles_page,
        form=form,
        chosen_cycles=chosen_cycles,
        technology=_technology_for(dataset),
    )


def _cycles_page(dataset_file: DatasetFile):
    query = (
        select(CycleSummary)
        .where(CycleSummary.dataset_file_id == dataset_file.id)
        .order_by(CycleSummary.cycle_index)
    )
    return paginate(db.session(), query, request.args.get("page"), per_page=CYCLES_PER_PAGE)


@bp.get("/datasets/<slug>/files/<int:file_id>/cycles")
def cycles(slug: str, file_id: int):
    """The per-cycle table of one file, a page at a time (htmx swaps just the table)."""
    dataset, dataset_file = get_file_or_404(slug, file_id, current_user)
    return render(
        "datasets/cycles.html",
        "datasets/_cycles_table.html",
        dataset=dataset,
        selected=dataset_file,
        cycles_page=_cycles_page(dataset_file),
    )


@bp.get("/datasets/<slug>/files/<int:file_id>/capacity.json")
def capacity_data(slug: str, file_id: int):
    """Capacity and retention per cycle (downsampled at ingest, read from the database)."""
    dataset, dataset_file = get_file_or_404(slug, file_id, current_user)
    data = dict(dataset_file.capacity_series or {})
    return jsonify(
        {
            "dataset": dataset.slug,
            "file_id": dataset_file.id,
            "reference_capacity_ah": dataset_file.reference_capacity_ah,
            "reference_rule": dataset_file.reference_rule,
            "cycles_to_80_soh": dataset_file.cycles_to_80_soh,
            **{key: data.get(key, []) for key in data},
        }
    )


@bp.get("/datasets/<slug>/files/<int:file_id>/voltage.json")
def voltage_data(slug: str, file_id: int):
    """Voltage vs capacity of chosen cycles, at most CURVE_POINTS points each."""
    _dataset, dataset_file = get_file_or_404(slug, file_id, current_user)
    preview = dataset_file.voltage_preview or {}
    wanted = parse_cycles(request.args.get("cycles")) or [int(c) for c in preview if c.isdigit()]
    if all(str(c) in preview for c in wanted):
        curves = {str(c): preview[str(c)] for c in wanted}
    elif dataset_file.parquet_name and dataset_file.status == FileStatus.INGESTED:
        curves = services.json_safe(
            voltage_curve(storage.path_for(dataset_file.parquet_name), wanted, CURVE_POINTS)
        )
    else:
        curves = {}
    return jsonify({"file_id": dataset_file.id, "cycles": curves})


# --- downloads -------------------------------------------------------------------------------


@bp.get("/datasets/<slug>/files/<int:file_id>/download/<form>")
def download(slug: str, file_id: int, form: str):
    """The original, the normalised table (CSV or Parquet) or the per-cycle summary (CSV)."""
    dataset, dataset_file = get_file_or_404(slug, file_id, current_user)
    if form not in DOWNLOAD_FORMS:
        abort(404)
    if form != "original" and (
        dataset_file.status != FileStatus.INGESTED or not dataset_file.parquet_name
    ):
        abort(404)
    stem = storage.download_name(dataset_file.original_filename.rsplit(".", 1)[0] or dataset.slug)
    session = db.session()
    services.record_download(session, dataset, dataset_file, form)
    if form == "original":
        path = storage.path_for(dataset_file.stored_name)
        if not path.exists():
            abort(404)
        return send_file(
            path,
            mimetype="application/octet-stream",
            as_attachment=True,
            download_name=storage.download_name(dataset_file.original_filename),
        )
    parquet = storage.path_for(dataset_file.parquet_name)
    if not parquet.exists():
        abort(404)
    if form == "parquet":
        return send_file(
            parquet,
            mimetype="application/vnd.apache.parquet",
            as_attachment=True,
            download_name=f"{stem}.normalised.parquet",
        )
    if form == "csv":
        return _attachment(_parquet_as_csv(str(parquet)), f"{stem}.normalised.csv")
    rows = session.exec(
        select(CycleSummary)
        .where(CycleSummary.dataset_file_id == dataset_file.id)
        .order_by(CycleSummary.cycle_index)
    ).all()
    return _attachment(_summary_csv(rows), f"{stem}.cycles.csv")


def _attachment(body: Iterator[bytes], filename: str) -> Response:
    response = Response(stream_with_context(body), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _parquet_as_csv(path: str) -> Iterator[bytes]:
    """Stream the canonical table as CSV one row group batch at a time (never all in memory)."""
    parquet = pq.ParquetFile(path)
    first = True
    for batch in parquet.iter_batches(batch_size=CSV_BATCH_ROWS):
        buffer = io.BytesIO()
        pa_csv.write_csv(batch, buffer, pa_csv.WriteOptions(include_header=first))
        first = False
        yield buffer.getvalue()
    if first:  # an empty table still gets its header
        buffer = io.BytesIO()
        pa_csv.write_csv(parquet.schema_arrow.empty_table(), buffer)
        yield buffer.getvalue()


def _summary_csv(rows) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SUMMARY_FIELDS)
    for start in range(0, max(len(rows), 1), 500):
        for row in rows[start : start + 500]:
            writer.writerow([csv_cell(getattr(row, key)) for key in SUMMARY_FIELDS])
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()


# --- staff admin -----------------------------------------------------------------------------


@bp.get("/admin/datasets")
def admin_index():
    """Every dataset with its visibility and file count."""
    session = db.session()
    q = _short(request.args.get("q"))
    query = select(Dataset)
    if q:
        like = "%" + q.replace("\\", "").replace("%", "").replace("_", "") + "%"
        query = query.where(Dataset.title.ilike(like) | Dataset.slug.ilike(like))
    page = paginate(
        session,
        query.order_by(Dataset.updated_at.desc(), Dataset.id.desc()),
        request.args.get("page"),
    )
    counts = services.file_counts(session, [d.id for d in page.items])
    return render_template("datasets/admin_index.html", page=page, counts=counts, q=q)


def _technology_choices() -> list[tuple[int, str]]:
    rows = (
        db.session().exec(select(Technology.id, Technology.title).order_by(Technology.title)).all()
    )
    return [(0, _("— none —")), *[(row.id, row.title) for row in rows]]


def _dataset_fields(form: DatasetForm) -> dict:
    return {
        "title": form.title.data.strip(),
        "description": form.description.data or "",
        "technology_id": form.technology_id.data or None,
        "chemistry": form.chemistry.data,
        "cell_format": (form.cell_format.data or "").strip(),
        "nominal_capacity_ah": form.nominal_capacity_ah.data,
        "test_type": form.test_type.data,
        "temperature_c": form.temperature_c.data,
        "visibility": form.visibility.data,
        "licence_terms": form.licence_terms.data or "",
        "attribution": form.attribution.data or "",
    }


@bp.route("/admin/datasets/new", methods=["GET", "POST"])
def admin_create():
    """Describe a new dataset (files are added on its page)."""
    form = DatasetForm()
    form.technology_id.choices = _technology_choices()
    if request.method == "GET":
        form.visibility.data = Visibility.RESTRICTED
    if form.validate_on_submit():
        try:
            dataset = services.create_dataset(
                db.session(), slug=form.slug.data, actor=current_user, **_dataset_fields(form)
            )
        except ServiceError as error:
            db.rollback()
            form.slug.errors = [*form.slug.errors, error.message]
        else:
            flash(_("Dataset created. Now upload its cycler files."), "success")
            return redirect(url_for("datasets.admin_detail", slug=dataset.slug))
    return render_template("datasets/admin_form.html", form=form, dataset=None)


@bp.route("/admin/datasets/<slug>/edit", methods=["GET", "POST"])
def admin_edit(slug: str):
    """Change a dataset's description and visibility (optimistic locking)."""
    dataset = get_dataset_or_404(slug, current_user)
    form = DatasetForm(obj=dataset if request.method == "GET" else None)
    form.technology_id.choices = _technology_choices()
    form.slug.data = dataset.slug  # not editable: addresses and API clients rely on it
    if request.method == "GET":
        form.version.data = dataset.version
        form.technology_id.data = dataset.technology_id or 0
    conflict = None
    if form.validate_on_submit():
        try:
            services.update_dataset(
                db.session(),
                dataset,
                version=submitted_version(form.version),
                actor=current_user,
                **_dataset_fields(form),
            )
        except ServiceError as error:
            db.rollback()
            conflict = error.message
        else:
            flash(_("Dataset saved."), "success")
            return redirect(url_for("datasets.admin_detail", slug=dataset.slug))
    status = 409 if conflict else 200
    return render_template(
        "datasets/admin_form.html", form=form, dataset=dataset, conflict=conflict
    ), status


def _grant_form(dataset: Dataset) -> GrantForm:
    session = db.session()
    form = GrantForm()
    organizations = session.exec(
        select(Organization.id, Organization.name).order_by(Organization.name)
    ).all()
    form.organization_id.choices = [(0, _("— choose —")), *[(o.id, o.name) for o in organizations]]
    agreements = session.exec(
        select(Agreement.id, Agreement.reference, Organization.name)
        .join(Organization, Organization.id == Agreement.organization_id)
        .order_by(Organization.name, Agreement.reference)
    ).all()
    form.agreement_id.choices = [
        (0, _("— none: access does not depend on an agreement —")),
        *[(a.id, f"{a.reference} ({a.name})") for a in agreements],
    ]
    return form


def _admin_detail_context(dataset: Dataset) -> dict:
    session = db.session()
    files = session.exec(
        select(DatasetFile).where(DatasetFile.dataset_id == dataset.id).order_by(DatasetFile.id)
    ).all()
    grants = session.exec(
        select(DatasetGrant, Organization.name, Agreement)
        .join(Organization, Organization.id == DatasetGrant.organization_id)
        .outerjoin(Agreement, Agreement.id == DatasetGrant.agreement_id)
        .where(DatasetGrant.dataset_id == dataset.id)
        .order_by(DatasetGrant.created_at.desc())
    ).all()
    today = local_today()
    grant_rows = [
        {
            "grant": grant,
            "organization": org_name,
            "agreement": agreement,
            "agreement_status": effective_status(agreement, today) if agreement else None,
            "in_force": grant.is_current(today)
            and (agreement is None or effective_status(agreement, today) == "active"),
        }
        for grant, org_name, agreement in grants
    ]
    return {
        "dataset": dataset,
        "files": files,
        "grants": grant_rows,
        "technology": _technology_for(dataset),
        "max_upload_mb": storage.max_upload_bytes() // (1024 * 1024),
    }


@bp.get("/admin/datasets/<slug>")
def admin_detail(slug: str):
    """The staff page of a dataset: files (upload, re-ingest, delete) and grants."""
    dataset = get_dataset_or_404(slug, current_user)
    return render_template(
        "datasets/admin_detail.html",
        upload_form=UploadForm(),
        grant_form=_grant_form(dataset),
        **_admin_detail_context(dataset),
    )


@bp.post("/admin/datasets/<slug>/files")
def admin_upload(slug: str):
    """Upload and ingest a file; htmx gets the result fragment, others a redirect or the page."""
    dataset = get_dataset_or_404(slug, current_user)
    form = UploadForm()
    error = None
    added = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            added = services.add_file(
                db.session(), dataset, upload.stream, upload.filename, actor=current_user
            )
        except ServiceError as refused:
            db.rollback()
            error = refused.message
    else:
        error = "; ".join(str(e) for errors in form.errors.values() for e in errors)
    if is_htmx():
        return render_template(
            "datasets/_upload_result.html", dataset=dataset, added=added, error=error
        )
    if added is not None:
        flash(
            _(
                "%(name)s ingested: %(cycles)d cycles.",
                name=added.original_filename,
                cycles=added.cycle_count or 0,
            ),
            "success",
        )
        return redirect(url_for("datasets.admin_detail", slug=dataset.slug))
    return render_template(
        "datasets/admin_detail.html",
        upload_form=form,
        grant_form=_grant_form(dataset),
        upload_error=error,
        **_admin_detail_context(dataset),
    ), 400


def _staff_file(slug: str, file_id: int) -> tuple[Dataset, DatasetFile]:
    return get_file_or_404(slug, file_id, current_user)


@bp.post("/admin/datasets/<slug>/files/<int:file_id>/reingest")
def admin_reingest(slug: str, file_id: int):
    """Read a stored original again; on failure nothing changes and the reason is shown."""
    dataset, dataset_file = _staff_file(slug, file_id)
    try:
        services.reingest_file(db.session(), dataset_file, actor=current_user)
    except ServiceError as error:
        db.rollback()
        flash(_("Re-ingest refused: %(reason)s", reason=error.message), "error")
    else:
        flash(
            _("File re-ingested: %(cycles)d cycles.", cycles=dataset_file.cycle_count or 0),
            "success",
        )
    return redirect(url_for("datasets.admin_detail", slug=dataset.slug))


@bp.post("/admin/datasets/<slug>/files/<int:file_id>/delete")
def admin_file_delete(slug: str, file_id: int):
    """Delete a file, its normalised table and summary."""
    dataset, dataset_file = _staff_file(slug, file_id)
    services.delete_file(db.session(), dataset_file, actor=current_user)
    flash(_("File deleted."), "success")
    return redirect(url_for("datasets.admin_detail", slug=dataset.slug))


@bp.post("/admin/datasets/<slug>/delete")
def admin_delete(slug: str):
    """Delete a dataset with all its files and grants."""
    dataset = get_dataset_or_404(slug, current_user)
    services.delete_dataset(db.session(), dataset, actor=current_user)
    flash(_("Dataset deleted."), "success")
    return redirect(url_for("datasets.admin_index"))


@bp.post("/admin/datasets/<slug>/grants")
def admin_grant(slug: str):
    """Open a restricted dataset to an organisation."""
    dataset = get_dataset_or_404(slug, current_user)
    form = _grant_form(dataset)
    error = None
    if form.validate_on_submit():
        try:
            services.grant_access(
                db.session(),
                dataset,
                organization_id=form.organization_id.data,
                agreement_id=form.agreement_id.data or None,
                expires_on=form.expires_on.data,
                today=local_today(),
                actor=current_user,
            )
        except ServiceError as refused:
            db.rollback()
            error = refused.message
        else:
            flash(_("Access granted."), "success")
            return redirect(url_for("datasets.admin_detail", slug=dataset.slug) + "#grants")
    else:
        error = "; ".join(str(e) for errors in form.errors.values() for e in errors)
    return render_template(
        "datasets/admin_detail.html",
        upload_form=UploadForm(),
        grant_form=form,
        grant_error=error,
        **_admin_detail_context(dataset),
    ), 400


@bp.post("/admin/datasets/<slug>/grants/<int:grant_id>/revoke")
def admin_revoke(slug: str, grant_id: int):
    """End a grant now."""
    dataset = get_dataset_or_404(slug, current_user)
    session = db.session()
    grant = session.get(DatasetGrant, grant_id)
    if grant is None or grant.dataset_id != dataset.id:
        abort(404)
    try:
        services.revoke_grant(session, grant, actor=current_user)
    except ServiceError as error:
        db.rollback()
        flash(error.message, "error")
    else:
        flash(_("Grant revoked; access ends now."), "success")
    return redirect(url_for("datasets.admin_detail", slug=dataset.slug) + "#grants")
