"""The staff admin of datasets at /admin/datasets: describe, upload and re-ingest files, grant.

A refused change rolls the request back by itself (portal.errors.ServiceError); these views
only choose what to show.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import db, uploads
from portal.datasets import bp, files, grants, jobs, queries, services
from portal.datasets.forms import DatasetForm, GrantForm, UploadForm
from portal.datasets.loaders import get_dataset_or_404, get_file_or_404, get_grant_or_404
from portal.datasets.models import Dataset, DatasetFile
from portal.dates import local_today
from portal.editing import act, edit_form, save_edit
from portal.errors import ServiceError
from portal.htmx import is_htmx, render
from portal.modelforms import form_values
from portal.pagination import paginate
from portal.security import safe_next
from portal.textmatch import clean_search
from portal.vocabulary import FileStatus, Visibility


@bp.get("/admin/datasets")
def admin_index():
    """Every dataset with its visibility and file count."""
    session = db.session()
    q = clean_search(request.args.get("q"))
    page = paginate(session, queries.admin_datasets_query(q), request.args.get("page"))
    counts = queries.file_counts(session, [d.id for d in page.items])
    return render_template("datasets/admin_index.html", page=page, counts=counts, q=q)


def _dataset_form(**kwargs) -> DatasetForm:
    form = DatasetForm(**kwargs)
    titles = queries.technology_titles(db.session())
    form.technology_id.choices = [(0, _("— none —")), *[(row.id, row.title) for row in titles]]
    return form


def _dataset_changes(form: DatasetForm) -> dict:
    """The form's values as the service takes them (the short name apart, 0 = no technology)."""
    values = form_values(form)
    values.pop("slug")
    return {**values, "technology_id": form.technology_id.data or None}


@bp.route("/admin/datasets/new", methods=["GET", "POST"])
def admin_create():
    """Describe a new dataset (files are added on its page)."""
    form = _dataset_form()
    if request.method == "GET":
        form.visibility.data = Visibility.RESTRICTED
    if form.validate_on_submit():
        try:
            dataset = services.create_dataset(
                db.session(), slug=form.slug.data, actor=current_user, **_dataset_changes(form)
            )
        except ServiceError as error:
            form.slug.errors = [*form.slug.errors, error.message]
        else:
            flash(_("Dataset created. Now upload its cycler files."), "success")
            return redirect(url_for("datasets.admin_detail", slug=dataset.slug))
    return render_template("datasets/admin_form.html", form=form, dataset=None)


@bp.route("/admin/datasets/<slug>/edit", methods=["GET", "POST"])
def admin_edit(slug: str):
    """Change a dataset's description and visibility (optimistic locking)."""
    dataset = get_dataset_or_404(slug, current_user)
    form = edit_form(_dataset_form, dataset)
    form.slug.data = dataset.slug  # not editable: addresses and API clients rely on it
    if request.method == "GET":
        form.technology_id.data = dataset.technology_id or 0
    submitted = save_edit(
        form,
        lambda version: services.update_dataset(
            db.session(), dataset, version=version, actor=current_user, **_dataset_changes(form)
        ),
        saved=_("Dataset saved."),
        then=url_for("datasets.admin_detail", slug=dataset.slug),
    )
    if submitted.response:
        return submitted.response
    # Every refusal shows as the conflict box; an invalid form is shown again as it was.
    conflict = submitted.refused.message if submitted.refused else None
    return render_template(
        "datasets/admin_form.html", form=form, dataset=dataset, conflict=conflict
    ), (409 if conflict else 200)


def _grant_form() -> GrantForm:
    session = db.session()
    form = GrantForm()
    organizations = queries.organization_names(session)
    form.organization_id.choices = [(0, _("— choose —")), *[(o.id, o.name) for o in organizations]]
    form.agreement_id.choices = [
        (0, _("— none: access does not depend on an agreement —")),
        *[(a.id, f"{a.reference} ({a.name})") for a in queries.agreement_references(session)],
    ]
    return form


def _admin_detail(dataset: Dataset, status: int = 200, **forms_and_errors):
    """The staff page of a dataset, with the upload and grant forms as given (or fresh ones)."""
    session = db.session()
    if "upload_form" not in forms_and_errors:
        forms_and_errors["upload_form"] = UploadForm()
    if "grant_form" not in forms_and_errors:
        forms_and_errors["grant_form"] = _grant_form()
    return render_template(
        "datasets/admin_detail.html",
        dataset=dataset,
        files=queries.files_of(session, dataset),
        grants=queries.grant_rows(session, dataset, local_today()),
        technology=queries.linked_technology(session, dataset, current_user),
        max_upload_mb=uploads.max_upload_bytes() // (1024 * 1024),
        **forms_and_errors,
    ), status


def _form_errors(form) -> str:
    return "; ".join(str(e) for errors in form.errors.values() for e in errors)


@bp.get("/admin/datasets/<slug>")
def admin_detail(slug: str):
    """The staff page of a dataset: files (upload, re-ingest, delete) and grants."""
    return _admin_detail(get_dataset_or_404(slug, current_user))


@bp.post("/admin/datasets/<slug>/files")
def admin_upload(slug: str):
    """Check and store an upload, then queue its ingest (never run here); htmx gets the result
    fragment with the live progress, others a redirect or the page with the refusal."""
    dataset = get_dataset_or_404(slug, current_user)
    form = UploadForm()
    error = None
    added = None
    status = 400
    if form.validate_on_submit():
        upload = form.file.data
        try:
            session = db.session()
            added = files.receive_file(
                session, dataset, upload.stream, upload.filename, actor=current_user
            )
            jobs.queue_ingest(session, added, actor=current_user, action="")
        except ServiceError as refused:
            error, status = refused.message, refused.status
    else:
        error = _form_errors(form)
    if is_htmx():
        result = render_template(
            "datasets/_upload_result.html", dataset=dataset, added=added, error=error
        )
        if added is None:
            return result
        table = render_template(
            "datasets/_admin_files.html",
            dataset=dataset,
            files=queries.files_of(db.session(), dataset),
            oob=True,
        )
        return result + table
    if added is not None:
        flash(
            _("%(name)s stored; its ingest is queued.", name=added.original_filename),
            "success",
        )
        return redirect(url_for("datasets.admin_detail", slug=dataset.slug) + "#files")
    return _admin_detail(dataset, status, upload_form=form, upload_error=error)


@bp.post("/admin/datasets/<slug>/files/<int:file_id>/reingest")
def admin_reingest(slug: str, file_id: int):
    """Queue a new ingest of a stored original (after a reader fix)."""
    dataset, dataset_file = get_file_or_404(slug, file_id, current_user)
    if dataset_file.unfinished:
        flash(_("This file is already queued or being ingested."), "error")
    else:
        jobs.queue_ingest(
            db.session(), dataset_file, actor=current_user, action="dataset.file_reingest_queued"
        )
        flash(_("Re-ingest queued."), "success")
    return redirect(url_for("datasets.admin_detail", slug=dataset.slug) + "#files")


@bp.post("/admin/datasets/<slug>/files/<int:file_id>/retry")
def admin_retry(slug: str, file_id: int):
    """Queue a failed file's ingest again (once its cause is fixed); back to the page it came from."""
    dataset, dataset_file = get_file_or_404(slug, file_id, current_user)
    if dataset_file.status != FileStatus.FAILED:
        flash(_("Only a failed file can be retried."), "error")
    else:
        jobs.queue_ingest(
            db.session(), dataset_file, actor=current_user, action="dataset.file_retried"
        )
        flash(_("Retry queued."), "success")
    fallback = url_for("datasets.admin_detail", slug=dataset.slug) + "#files"
    return redirect(safe_next(request.form.get("next"), fallback))


@bp.get("/admin/datasets/<slug>/files/<int:file_id>/progress")
def admin_file_progress(slug: str, file_id: int):
    """A file's ingest state; the fragment polls itself every second until the job is done."""
    dataset, dataset_file = get_file_or_404(slug, file_id, current_user)
    return _progress(dataset, dataset_file)


def _progress(dataset: Dataset, dataset_file: DatasetFile):
    response = render(
        "datasets/file_progress.html",
        "datasets/_file_progress.html",
        dataset=dataset,
        f=dataset_file,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/admin/datasets/<slug>/files/<int:file_id>/delete")
def admin_file_delete(slug: str, file_id: int):
    """Delete a file, its normalised table and summary."""
    dataset, dataset_file = get_file_or_404(slug, file_id, current_user)
    files.delete_file(db.session(), dataset_file, actor=current_user)
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
    form = _grant_form()
    error = None
    if form.validate_on_submit():
        try:
            grants.grant_access(
                db.session(),
                dataset,
                organization_id=form.organization_id.data,
                agreement_id=form.agreement_id.data or None,
                expires_on=form.expires_on.data,
                today=local_today(),
                actor=current_user,
            )
        except ServiceError as refused:
            error = refused.message
        else:
            flash(_("Access granted."), "success")
            return redirect(url_for("datasets.admin_detail", slug=dataset.slug) + "#grants")
    else:
        error = _form_errors(form)
    return _admin_detail(dataset, 400, grant_form=form, grant_error=error)


@bp.post("/admin/datasets/<slug>/grants/<int:grant_id>/revoke")
def admin_revoke(slug: str, grant_id: int):
    """End a grant now."""
    dataset, grant = get_grant_or_404(slug, grant_id, current_user)
    return act(
        lambda: grants.revoke_grant(db.session(), grant, actor=current_user),
        done=_("Grant revoked; access ends now."),
        back=url_for("datasets.admin_detail", slug=dataset.slug) + "#grants",
    )
