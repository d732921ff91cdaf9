"""Every write about licence applications (flushes, never commits): a visitor or a partner applies,
staff move the application along the pipeline with a message, and approval drafts the agreement."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from typing import IO, Any

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import Session, select

from portal import uploads
from portal.accounts.invitations import invite_user
from portal.accounts.models import User
from portal.accounts.organizations import create_organization
from portal.accounts.queries import user_by_email
from portal.agreements.services import create_agreement
from portal.catalog.inquiries import ip_hash
from portal.catalog.models import Technology
from portal.changes import add_audited, audited_change, check_version
from portal.db import utcnow
from portal.errors import ServiceError, Throttled
from portal.fields import field_names
from portal.licensing.models import (
    REGISTRATION_PATTERN,
    ApplicationFields,
    ApplicationStep,
    ContactFields,
    LicenceApplication,
)
from portal.licensing.pipeline import DEFAULT_MESSAGES, PIPELINE
from portal.mail import send_mail
from portal.notifications.services import notify, staff_for
from portal.vocabulary import (
    AgreementKind,
    CompanySize,
    Exclusivity,
    LicenceType,
    Licensing,
    OrgKind,
    Role,
    Stage,
)

FIELDS = frozenset(field_names(ApplicationFields))
CONTACT = frozenset(field_names(ContactFields))
KIND = "applications"  # the folder under DATA_DIR for plans (the agreements' storage functions)
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EXCLUSIVITY = {
    LicenceType.EVALUATION: Exclusivity.NOT_APPLICABLE,
    LicenceType.NON_EXCLUSIVE: Exclusivity.NON_EXCLUSIVE,
    LicenceType.EXCLUSIVE: Exclusivity.EXCLUSIVE,
    LicenceType.STARTUP: Exclusivity.NON_EXCLUSIVE,
}


def _validate(fields: dict[str, Any]) -> None:
    if fields.get("licence_type") not in LicenceType.values():
        raise ServiceError(_("Choose a licence type."))
    if fields.get("company_size") not in CompanySize.values():
        raise ServiceError(_("Choose the size of the company."))
    for name, message in (
        ("field_of_use", _("Say in which field you would use the technology.")),
        ("territory", _("Say where you would use it (the territory).")),
        ("company_name", _("Give the company's name.")),
        ("business_plan", _("Describe your business and manufacturing plan.")),
    ):
        if not (fields.get(name) or "").strip():
            raise ServiceError(message)
    registration = fields.get("company_registration") or ""
    if registration and not re.match(REGISTRATION_PATTERN, registration):
        raise ServiceError(_("Enter a 21-character CIN or a 15-character GSTIN, in capitals."))


def _reference(db: Session) -> str:
    year = utcnow().year
    prefix = f"APP-{year}-"
    count = db.exec(
        select(func.count())
        .select_from(LicenceApplication)
        .where(LicenceApplication.reference.like(prefix + "%"))
    ).one()
    return f"{prefix}{count + 1:04d}"


def _store_plan(db: Session, stream: IO[bytes]) -> uploads.StoredDocument:
    # Kept through the storage layer; a refusal below rolls back and the object goes with it.
    stored = uploads.store_document(db, stream, KIND)
    if stored.content_type != uploads.PDF:
        raise ServiceError(_("The plan must be a PDF file."))
    return stored


def _new_organization(db: Session, company_name: str, size: str):
    base = re.sub(r"[^a-z0-9]+", "-", company_name.lower()).strip("-")[:60] or "applicant"
    slug = f"{base}-{secrets.token_hex(3)}"
    kind = OrgKind.STARTUP if size == CompanySize.STARTUP else OrgKind.COMPANY
    return create_organization(db, name=company_name[:200], slug=slug, kind=kind)


def _step(db: Session, application: LicenceApplication, from_stage: str, message: str, actor):
    db.add(
        ApplicationStep(
            application_id=application.id,
            from_stage=from_stage,
            to_stage=application.stage,
            message=message,
            actor_id=getattr(actor, "id", None),
            actor_label=getattr(actor, "email", None) or "system",
        )
    )
    db.flush()


def submit_application(
    db: Session,
    technology: Technology,
    fields: dict[str, Any],
    *,
    applicant: User | None,
    ip: str,
    plan: IO[bytes] | None = None,
    plan_filename: str = "",
) -> tuple[LicenceApplication, str | None]:
    """Record an application; a visitor new to the portal gets an organisation and an invitation
    (the raw invite token is returned, for the mail). Staff are notified."""
    if technology.licensing_status != Licensing.AVAILABLE or not technology.is_public:
        raise ServiceError(_("This technology is not open for licensing."))
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}
    values["company_registration"] = (values.get("company_registration") or "").upper()
    _validate(values)
    hashed = ip_hash(ip)
    if applicant is None:
        name = values.get("contact_name") or ""
        email = (values.get("contact_email") or "").lower()
        if not name or not EMAIL_SHAPE.match(email):
            raise ServiceError(_("Give your name and an e-mail address we can answer."))
        since = utcnow() - timedelta(hours=1)
        recent = db.exec(
            select(func.count())
            .select_from(LicenceApplication)
            .where(LicenceApplication.ip_hash == hashed, LicenceApplication.created_at >= since)
        ).one()
        if recent >= current_app.config["INQUIRIES_PER_IP_PER_HOUR"]:
            raise Throttled(
                _("You have sent several applications in the last hour. Please try again later.")
            )
    else:
        name, email = applicant.name, applicant.email
    stored = _store_plan(db, plan) if plan is not None else None

    token = None
    organization_id = getattr(applicant, "organization_id", None)
    applicant_id = getattr(applicant, "id", None)
    if applicant is None and user_by_email(db, email) is None:
        organization = _new_organization(db, values["company_name"], values["company_size"])
        user, token = invite_user(
            db, email=email, name=name, role=Role.PARTNER, organization_id=organization.id
        )
        organization_id, applicant_id = organization.id, user.id
    # An address that already has an account is not linked: whoever typed it may not own it.
    application = LicenceApplication(
        **{k: values.get(k, "") for k in FIELDS},
        contact_name=name[:200],
        contact_email=email[:254],
        reference=_reference(db),
        technology_id=technology.id,
        organization_id=organization_id,
        applicant_id=applicant_id,
        stage=Stage.RECEIVED,
        plan_stored_name=stored.stored_name if stored else None,
        plan_filename=uploads.display_name(plan_filename) if stored else "",
        plan_size_bytes=stored.size_bytes if stored else None,
        plan_sha256=stored.sha256 if stored else "",
        ip_hash=hashed if applicant is None else "",
    )
    add_audited(
        db,
        application,
        "licence_application.submitted",
        label=application.reference,
        changes={
            "technology": technology.slug,
            "licence_type": application.licence_type,
            "company_name": application.company_name,
            "has_plan": stored is not None,
            "invited": token is not None,
        },
        actor=applicant,
    )
    _step(db, application, "", str(DEFAULT_MESSAGES[Stage.RECEIVED]), applicant)
    notify(
        db,
        staff_for(db, None),
        key=f"licence_application.{application.id}.received",
        kind="application_received",
        subject=_(
            "New licence application %(ref)s for “%(title)s” from %(company)s",
            ref=application.reference,
            title=technology.title,
            company=application.company_name,
        ),
        link=("licensing.admin_detail", {"application_id": application.id}),
    )
    return application, token


def _tell_applicant(db: Session, application: LicenceApplication, message: str) -> None:
    technology = db.get(Technology, application.technology_id)
    stage = Stage.label_of(application.stage)
    subject = _(
        "Your licence application %(ref)s: %(stage)s", ref=application.reference, stage=stage
    )
    applicant = db.get(User, application.applicant_id) if application.applicant_id else None
    if applicant is not None and applicant.is_active:
        notify(
            db,
            [applicant],
            key=f"licence_application.{application.id}.v{application.version}",
            kind="application_step",
            subject=subject,
            body=message,
            link=("licensing.detail", {"application_id": application.id}),
        )
        return
    # Not linked to an account (the address had one already): the mail is the only channel.
    send_mail(
        application.contact_email,
        subject,
        render_template(
            "licensing/step_mail.txt",
            application=application,
            technology=technology,
            stage=stage,
            message=message,
        ),
    )


def move_application(
    db: Session,
    application: LicenceApplication,
    to_stage: str,
    *,
    version: int | str | None,
    message: str = "",
    actor: User | None = None,
) -> LicenceApplication:
    """Take an application one step along the pipeline; the applicant reads the message.
    Approving drafts a licence agreement pre-filled from the application."""
    check_version(application, version)
    PIPELINE.check(application.stage, to_stage)
    message = (message or "").strip() or str(DEFAULT_MESSAGES[to_stage])
    from_stage = application.stage
    with audited_change(
        db,
        application,
        version=version,
        action="licence_application.stage_changed",
        watch=("stage", "agreement_id", "organization_id"),
        actor=actor,
        note={"message": message[:500]},
    ):
        application.stage = to_stage
        application.stage_since = utcnow()
        if to_stage == Stage.APPROVED:
            application.agreement_id = draft_agreement(db, application, actor).id
    _step(db, application, from_stage, message, actor)
    _tell_applicant(db, application, message)
    return application


def draft_agreement(db: Session, application: LicenceApplication, actor: User | None):
    """A draft licence agreement pre-filled from the application (an organisation made if none)."""
    technology = db.get(Technology, application.technology_id)
    if application.organization_id is None:
        organization = _new_organization(db, application.company_name, application.company_size)
        application.organization_id = organization.id
    scope = "\n\n".join(
        part
        for part in (
            application.business_plan,
            _("Expected volumes: %(v)s", v=application.expected_volumes)
            if application.expected_volumes
            else "",
            _("Timeline: %(t)s", t=application.timeline) if application.timeline else "",
            _("From licence application %(ref)s.", ref=application.reference),
        )
        if part
    )
    return create_agreement(
        db,
        technology_ids=[technology.id],
        kind=AgreementKind.LICENSE,
        title=_("Licence: %(title)s", title=technology.title)[:200],
        organization_id=application.organization_id,
        responsible_staff_id=getattr(actor, "id", None)
        if getattr(actor, "is_staff", False)
        else None,
        exclusivity=EXCLUSIVITY.get(application.licence_type, Exclusivity.NOT_APPLICABLE),
        field_of_use=application.field_of_use,
        territory=application.territory,
        scope=scope[:20000],
    )
