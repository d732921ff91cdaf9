"""Staff pages that link a technology's key figures to dataset measures (claims checked against data)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlmodel import select
from wtforms import FloatField, IntegerField, SelectField
from wtforms.validators import DataRequired, NumberRange, Optional

from portal import db
from portal.catalog.loaders import get_technology_by_id_or_404
from portal.datasets import bp, claims
from portal.datasets.models import Dataset, TechnologyClaim
from portal.errors import ServiceError
from portal.vocabulary import ClaimFigure


class ClaimForm(FlaskForm):
    figure = SelectField(_l("Figure"), choices=ClaimFigure.choices(), validators=[DataRequired()])
    dataset_id = SelectField(_l("Dataset"), coerce=int, validators=[DataRequired()])
    claimed_value = FloatField(
        _l("Claimed value (%)"),
        description=_l(
            "For retention and coulombic efficiency only; the others are read from the technology."
        ),
        validators=[Optional(), NumberRange(min=0, max=100)],
    )
    after_cycles = IntegerField(
        _l("After how many cycles"),
        description=_l("For retention only."),
        validators=[Optional(), NumberRange(min=1, max=1_000_000)],
    )
    tolerance_pct = FloatField(
        _l("Tolerance (%)"), default=5.0, validators=[Optional(), NumberRange(min=0, max=50)]
    )


def _form() -> ClaimForm:
    form = ClaimForm()
    datasets = db.session().exec(select(Dataset).order_by(Dataset.title)).all()
    form.dataset_id.choices = [(d.id, d.title) for d in datasets]
    return form


def _page(technology, form: ClaimForm, status: int = 200):
    checks = claims.check_claims(db.session(), [technology.id])
    return (
        render_template(
            "datasets/admin_claims.html",
            technology=technology,
            form=form,
            checks=[(c, claims.describe(c)) for c in checks],
        ),
        status,
    )


@bp.get("/admin/technologies/<int:tech_id>/claims")
def admin_claims(tech_id: int):
    """A technology's key figures linked to test data, each with its verdict, and a form for more."""
    return _page(get_technology_by_id_or_404(tech_id), _form())


@bp.post("/admin/technologies/<int:tech_id>/claims")
def admin_claim_create(tech_id: int):
    """Link one more key figure to a dataset measure."""
    technology = get_technology_by_id_or_404(tech_id)
    form = _form()
    if not form.validate_on_submit():
        return _page(technology, form, 400)
    try:
        claims.link_claim(
            db.session(),
            technology,
            figure=form.figure.data,
            dataset_id=form.dataset_id.data,
            claimed_value=form.claimed_value.data,
            after_cycles=form.after_cycles.data,
            tolerance_pct=form.tolerance_pct.data,
        )
    except ServiceError as refused:
        form.figure.errors = [refused.message]
        return _page(technology, form, refused.status)
    flash(_("The figure is linked; its check is below."), "success")
    return redirect(url_for("datasets.admin_claims", tech_id=technology.id), code=303)


@bp.post("/admin/claims/<int:claim_id>/delete")
def admin_claim_delete(claim_id: int):
    """Remove the link between a key figure and a dataset."""
    claim = db.session().get(TechnologyClaim, claim_id)
    if claim is None:
        return redirect(url_for("catalog.admin_index"), code=303)
    tech_id = claim.technology_id
    claims.unlink_claim(db.session(), claim)
    flash(_("The link is removed."), "success")
    return redirect(url_for("datasets.admin_claims", tech_id=tech_id), code=303)
