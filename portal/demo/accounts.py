"""Demo organisations from the CoE's partner landscape, and one demo user per role."""

from __future__ import annotations

from sqlmodel import Session, select

from portal.accounts.models import Organization, User
from portal.accounts.organizations import create_organization
from portal.accounts.users import create_user

ORGANIZATIONS = [
    # slug, name, kind, city, state, description
    (
        "watthour",
        "Watthour Private Limited",
        "startup",
        "Bengaluru",
        "Karnataka",
        "Startup building sodium-ion cells for two-wheelers and stationary storage; MoU with the CoE.",
    ),
    (
        "ampere-green",
        "Ampere Green Material",
        "startup",
        "Chennai",
        "Tamil Nadu",
        "Makes hard-carbon anode and layered-oxide cathode materials for sodium-ion cells.",
    ),
    (
        "brandwork",
        "Brandwork Technologies",
        "startup",
        "Pune",
        "Maharashtra",
        "Battery-pack and BMS integrator moving into lithium-ion cell assembly.",
    ),
    (
        "elcina",
        "ELCINA Electronic Industries Association of India",
        "association",
        "New Delhi",
        "Delhi",
        "Industry association of electronics manufacturers.",
    ),
    (
        "iesa",
        "India Energy Storage Alliance (IESA)",
        "association",
        "Pune",
        "Maharashtra",
        "Alliance promoting energy storage and e-mobility manufacturing in India.",
    ),
    (
        "icea",
        "India Cellular & Electronics Association (ICEA)",
        "association",
        "New Delhi",
        "Delhi",
        "Association of mobile handset and electronics makers.",
    ),
    (
        "deccan-cells",
        "Deccan Cell Manufacturing Ltd",
        "company",
        "Hyderabad",
        "Telangana",
        "Lead-acid manufacturer evaluating a move to lithium-ion and sodium-ion lines.",
    ),
    (
        "sahyadri-machines",
        "Sahyadri Coating Machines",
        "company",
        "Nashik",
        "Maharashtra",
        "Builds roll-to-roll coating and calendering machines; interested in electrode lines.",
    ),
]

DEMO_PASSWORD = "battery-demo-2026"
USERS = [
    # email, name, role, organisation slug
    ("admin@coe-battery.example", "Anita Rao (demo admin)", "admin", None),
    ("staff@coe-battery.example", "Vikram Iyer (demo staff)", "staff", None),
    ("partner@watthour.example", "Meera Shah (Watthour, demo)", "partner", "watthour"),
    ("partner@brandwork.example", "Arjun Nair (Brandwork, demo)", "partner", "brandwork"),
    ("partner@ampere-green.example", "Kavya Menon (Ampere Green, demo)", "partner", "ampere-green"),
]


def seed(db: Session) -> list[str]:
    """Create the demo organisations and users that do not exist yet."""
    by_slug = {o.slug: o for o in db.exec(select(Organization)).all()}
    for slug, name, kind, city, state, description in ORGANIZATIONS:
        if slug not in by_slug:
            by_slug[slug] = create_organization(
                db,
                slug=slug,
                name=name,
                kind=kind,
                city=city,
                state=state,
                description=description,
                is_demo=True,
            )
    lines = ["Demo logins (password for all: " + DEMO_PASSWORD + "):"]
    for email, name, role, org_slug in USERS:
        if db.exec(select(User).where(User.email == email)).first() is None:
            create_user(
                db,
                email=email,
                name=name,
                role=role,
                organization_id=by_slug[org_slug].id if org_slug else None,
                password=DEMO_PASSWORD,
                is_demo=True,
            )
        lines.append(f"  {role:<8} {email}")
    return lines
