"""Demo licence applications: two from demo partners, at different stages of the pipeline."""

from __future__ import annotations

from sqlmodel import Session, select

from portal.accounts.models import User
from portal.catalog.models import Technology
from portal.licensing.models import LicenceApplication
from portal.licensing.services import move_application, submit_application
from portal.vocabulary import Licensing, Stage

# partner e-mail, technology slug, application fields, stages staff took it through
APPLICATIONS = [
    (
        "partner@ampere-green.example",
        "sodium-ion-prismatic-cell",
        {
            "licence_type": "non_exclusive",
            "field_of_use": "Stationary storage for telecom towers",
            "territory": "India",
            "company_name": "Ampere Green Material",
            "company_registration": "U24299TN2019PTC131234",
            "company_size": "msme",
            "business_plan": "A 200 MWh/year prismatic line in Chennai next to our cathode plant.",
            "expected_volumes": "200 MWh a year by 2029",
            "timeline": "Pilot line in 2027, full line in 2029",
        },
        [
            (Stage.UNDER_REVIEW, ""),
            (
                Stage.TERM_SHEET_SENT,
                "Term sheet sent by mail on the 2nd; royalty 3 % of net sales.",
            ),
            (Stage.NEGOTIATION, "Meeting on the minimum annual royalty next week."),
        ],
    ),
    (
        "partner@brandwork.example",
        "layered-oxide-cathode-na",
        {
            "licence_type": "evaluation",
            "field_of_use": "Cathode material trials",
            "territory": "India",
            "company_name": "Brandwork",
            "company_registration": "",
            "company_size": "large",
            "business_plan": "Six months of evaluation in our lab before a commercial decision.",
            "expected_volumes": "50 kg of material",
            "timeline": "Evaluation in 2027",
        },
        [],
    ),
]
STAFF_EMAIL = "staff@coe-battery.example"


def seed(db: Session) -> list[str]:
    """Create the demo applications once (none is made when any application exists)."""
    if db.exec(select(LicenceApplication.id)).first():
        return []
    staff = db.exec(select(User).where(User.email == STAFF_EMAIL)).first()
    lines = []
    for email, slug, fields, steps in APPLICATIONS:
        applicant = db.exec(select(User).where(User.email == email)).first()
        technology = db.exec(select(Technology).where(Technology.slug == slug)).first()
        if applicant is None or technology is None:
            continue
        if technology.licensing_status != Licensing.AVAILABLE or not technology.is_public:
            continue
        application, _token = submit_application(
            db, technology, fields, applicant=applicant, ip="127.0.0.1"
        )
        for stage, message in steps:
            move_application(
                db, application, stage, version=application.version, message=message, actor=staff
            )
        lines.append(f"licensing: {application.reference} for {slug} ({application.stage})")
    return lines
