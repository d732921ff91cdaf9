"""Demo agreements: MoUs with Watthour, Ampere Green and Brandwork, a licence with payment and pilot
milestones, milestones in every state (some overdue, dates relative to today), and an expired MoU.

Safe to run twice: an agreement whose reference exists is left as it is.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlmodel import Session, select

from portal.accounts.models import Organization, User
from portal.agreements import services
from portal.agreements.models import Agreement, MilestoneEvidence
from portal.catalog.models import Technology
from portal.dates import local_today
from portal.royalties import services as royalties

STAFF_EMAIL = "staff@coe-battery.example"

# reference, kind, org slug, title, technology slugs, status, announced, extra fields
AGREEMENTS = [
    (
        "COE-MOU-2025-001",
        "mou",
        "watthour",
        "Co-development of sodium-ion cells for two-wheelers",
        ["sodium-ion-18650-cell", "sodium-ion-prismatic-cell"],
        "active",
        True,
        {"scope": "Joint development and pilot production of sodium-ion cells at the CoE line."},
    ),
    (
        "COE-MOU-2025-002",
        "mou",
        "ampere-green",
        "Hard-carbon anode and layered-oxide cathode materials",
        ["hard-carbon-from-coconut-shell", "layered-oxide-cathode-na"],
        "active",
        True,
        {"scope": "Scale-up of sodium-ion electrode materials with CoE characterisation support."},
    ),
    (
        "COE-MOU-2025-003",
        "mou",
        "brandwork",
        "Lithium-ion cell assembly and BMS integration",
        ["lfp-32700-cell", "modular-bms"],
        "signed",
        True,
        {"scope": "Know-how transfer for LFP cylindrical cell assembly and pack-level BMS."},
    ),
    (
        "COE-LIC-2025-001",
        "license",
        "watthour",
        "Licence: sodium-ion 18650 cell manufacturing know-how",
        ["sodium-ion-18650-cell"],
        "active",
        False,
        {
            "scope": "Non-transferable licence to manufacture the CoE sodium-ion 18650 design.",
            "exclusivity": "exclusive",
            "field_of_use": "Two- and three-wheeler traction batteries",
            "territory": "India",
            "royalty_text": "3 % of net sales, payable quarterly, after a one-time fee",
            "royalty_pct": Decimal("3.00"),
            "minimum_annual_royalty_inr": Decimal("500000"),
            "royalty_period": "quarterly",
        },
    ),
    (
        "COE-NDA-2025-001",
        "nda",
        "deccan-cells",
        "Confidentiality for lithium-ion line evaluation",
        [],
        "draft",
        False,
        {},
    ),
]

# reference, title, kind, owner, days from today, amount, final status, reason
MILESTONES = [
    ("COE-MOU-2025-001", "Cell design freeze", "deliverable", "coe", -60, None, "accepted", ""),
    (
        "COE-MOU-2025-001",
        "Operator training at the CoE line",
        "training",
        "coe",
        -20,
        None,
        "waived",
        "Combined with the pilot batch.",
    ),
    ("COE-MOU-2025-001", "Quarterly progress report", "report", "partner", -5, None, "planned", ""),
    ("COE-MOU-2025-001", "Second progress report", "report", "partner", 6, None, "in_progress", ""),
    (
        "COE-MOU-2025-002",
        "Hard-carbon samples (5 kg)",
        "deliverable",
        "partner",
        -12,
        None,
        "in_progress",
        "",
    ),
    (
        "COE-MOU-2025-002",
        "Material characterisation report",
        "report",
        "partner",
        12,
        None,
        "submitted",
        "",
    ),
    (
        "COE-MOU-2025-002",
        "Cathode slurry recipe",
        "deliverable",
        "partner",
        -30,
        None,
        "rejected",
        "Viscosity data missing; please resubmit with rheology curves.",
    ),
    ("COE-MOU-2025-003", "Kick-off review", "review", "coe", 25, None, "planned", ""),
    (
        "COE-LIC-2025-001",
        "One-time licence fee",
        "payment",
        "partner",
        -40,
        Decimal("2500000"),
        "accepted",
        "",
    ),
    ("COE-LIC-2025-001", "Pilot batch of 500 cells", "pilot", "partner", 20, None, "planned", ""),
    (
        "COE-LIC-2025-001",
        "First royalty payment",
        "payment",
        "partner",
        -2,
        Decimal("350000"),
        "planned",
        "",
    ),
    (
        "COE-LIC-2025-001",
        "Second royalty payment",
        "payment",
        "partner",
        85,
        Decimal("400000"),
        "planned",
        "",
    ),
]

# The status chain each final milestone status is reached by.
PATHS = {
    "planned": [],
    "in_progress": ["in_progress"],
    "submitted": ["in_progress", "submitted"],
    "accepted": ["in_progress", "submitted", "accepted"],
    "rejected": ["submitted", "rejected"],
    "waived": ["waived"],
}
AGREEMENT_PATHS = {
    "draft": [],
    "signed": ["negotiation", "signed"],
    "active": ["negotiation", "signed", "active"],
}


def seed(db: Session) -> list[str]:
    """Create the demo agreements and their milestones that do not exist yet."""
    today = local_today()
    existing = set(db.exec(select(Agreement.reference)).all())
    organizations = {o.slug: o for o in db.exec(select(Organization)).all()}
    technologies = {t.slug: t.id for t in db.exec(select(Technology)).all()}
    staff = db.exec(select(User).where(User.email == STAFF_EMAIL)).first()
    created: dict[str, Agreement] = {}
    for reference, kind, org_slug, title, tech_slugs, status, announced, extra in AGREEMENTS:
        if reference in existing or org_slug not in organizations:
            continue
        agreement = services.create_agreement(
            db,
            reference=reference,
            kind=kind,
            organization_id=organizations[org_slug].id,
            responsible_staff_id=staff.id if staff else None,
            title=title,
            technology_ids=[technologies[s] for s in tech_slugs if s in technologies],
            effective_on=today - timedelta(days=150) if status == "active" else None,
            signed_on=today - timedelta(days=160) if status != "draft" else None,
            expires_on=today + timedelta(days=3 * 365),
            is_announced=announced,
            is_demo=True,
            **extra,
        )
        for step in AGREEMENT_PATHS[status]:
            services.transition_agreement(db, agreement, step, version=agreement.version)
        created[reference] = agreement

    for reference, title, kind, owner, days, amount, final, reason in MILESTONES:
        agreement = created.get(reference)
        if agreement is None:
            continue
        milestone = services.create_milestone(
            db,
            agreement,
            title=title,
            kind=kind,
            owner=owner,
            due_on=today + timedelta(days=days),
            amount_inr=amount,
        )
        for step in PATHS[final]:
            if step == "submitted" and owner == "partner":
                db.add(
                    MilestoneEvidence(
                        milestone_id=milestone.id,
                        note="Demo submission: see the attached summary.",
                    )
                )
            services.transition_milestone(
                db,
                milestone,
                step,
                version=milestone.version,
                reason=reason if step in ("rejected", "waived") else "",
            )

    licence = created.get("COE-LIC-2025-001")
    if licence is not None:
        # The first quarter's royalty report, filed and paid (the licence started 150 days ago).
        report = royalties.file_report(
            db,
            licence,
            licence.effective_on,
            units_sold=4200,
            net_sales_inr=Decimal("12600000"),
            note="First quarter of series production.",
        )
        royalties.record_payment(
            db,
            report,
            amount_inr=report.amount_due_inr,
            received_on=today - timedelta(days=20),
            reference="UTR-DEMO-0001",
        )

    expired_reference = "COE-MOU-2022-007"
    if expired_reference not in existing and "brandwork" in organizations:
        # An MoU that ran its course: expired two months ago (made directly: no live step reaches it).
        agreement = services.create_agreement(
            db,
            reference=expired_reference,
            kind="mou",
            organization_id=organizations["brandwork"].id,
            responsible_staff_id=staff.id if staff else None,
            title="Feasibility study: lithium-ion pack assembly",
            signed_on=today - timedelta(days=3 * 365),
            effective_on=today - timedelta(days=3 * 365),
            expires_on=today - timedelta(days=60),
            is_demo=True,
        )
        agreement.status = "expired"
        db.add(agreement)
        created[expired_reference] = agreement
    db.flush()
    return [f"Demo agreements: {len(created)} created ({len(existing)} already there)"]
