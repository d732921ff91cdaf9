"""Demo technologies of the CoE across the three chemistries, materials, machines and services,
plus a few inquiries in different states."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from portal.catalog import services as catalog
from portal.catalog.models import Inquiry, InquiryStatus, Technology
from portal.db import utcnow

CONTACT = ("Dr. Meera Raghavan, Technology Transfer Cell", "techtransfer@coe-battery.example")

# slug, title, chemistry, category, applications, trl, licensing, published, metrics, texts
TECHNOLOGIES = [
    {
        "slug": "sodium-ion-18650-cell",
        "title": "Sodium-ion 18650 cell with hard-carbon anode",
        "chemistry": "na_ion",
        "category": "cell",
        "applications": ["ev", "stationary"],
        "trl": 6,
        "licensing_status": "available",
        "ip_status": "Indian patent application filed; process know-how",
        "patent_refs": "IN 202341012345",
        "metrics": dict(
            specific_energy_wh_per_kg=140,
            energy_density_wh_per_l=290,
            cycle_life=3000,
            max_c_rate=5,
            nominal_voltage_v=3.1,
            capacity_ah=1.5,
            cost_inr_per_kwh=9500,
            indigenous_content_pct=85,
        ),
        "summary": "A cylindrical sodium-ion cell built from layered-oxide cathode and "
        "bio-waste hard carbon, made entirely without lithium, cobalt or nickel imports.",
        "problem": "India imports almost all of its lithium and cobalt. Two-wheeler and "
        "storage makers need a cell whose raw materials are available at home.",
        "advantage": "- No lithium, cobalt or copper current collector (aluminium on both sides)\n"
        "- Can be shipped at 0 V, so transport is safer\n"
        "- Keeps 90 % of its capacity at −20 °C",
        "applications_text": "Electric two- and three-wheelers, telecom tower back-up, "
        "solar home systems.",
        "description": "## What is transferred\n\nCell design, electrode recipes, formation "
        "protocol and the **bill of materials** with qualified Indian suppliers.\n\n"
        "| Parameter | Value |\n|---|---|\n| Format | 18650 |\n| Voltage window | 1.5–4.0 V |\n"
        "| Capacity | 1.5 Ah |\n\nPilot line of 500 cells/day demonstrated at the CoE.",
    },
    {
        "slug": "sodium-ion-prismatic-cell",
        "title": "Sodium-ion prismatic cell for stationary storage",
        "chemistry": "na_ion",
        "category": "cell",
        "applications": ["stationary"],
        "trl": 5,
        "licensing_status": "available",
        "ip_status": "Know-how (trade secret)",
        "metrics": dict(
            specific_energy_wh_per_kg=125,
            cycle_life=4000,
            max_c_rate=2,
            nominal_voltage_v=3.0,
            capacity_ah=50,
            cost_inr_per_kwh=8200,
            indigenous_content_pct=80,
        ),
        "summary": "A 50 Ah prismatic sodium-ion cell for grid and telecom storage, "
        "designed for long calendar life in hot climates.",
        "problem": "Lead-acid batteries in hot Indian sites last two to three years.",
        "advantage": "Three times the cycle life of lead-acid and stable up to 55 °C.",
        "applications_text": "Telecom towers, rooftop solar, micro-grids.",
        "description": "Prismatic aluminium can, laser-welded, with a **Prussian white** "
        "cathode variant under evaluation.",
    },
    {
        "slug": "lfp-32700-cell",
        "title": "LFP 32700 cylindrical cell",
        "chemistry": "li_ion",
        "category": "cell",
        "applications": ["ev", "stationary"],
        "trl": 7,
        "licensing_status": "licensed",
        "ip_status": "Licensed non-exclusively; further licences possible by field of use",
        "metrics": dict(
            specific_energy_wh_per_kg=150,
            energy_density_wh_per_l=330,
            cycle_life=3500,
            max_c_rate=3,
            nominal_voltage_v=3.2,
            capacity_ah=6,
            cost_inr_per_kwh=11000,
            indigenous_content_pct=60,
        ),
        "summary": "A lithium iron phosphate 32700 cell qualified to AIS-156 for "
        "electric two- and three-wheeler packs.",
        "problem": "Pack makers depend on imported cells with long lead times.",
        "advantage": "Qualified to AIS-156 and IS 16893; thermally stable chemistry.",
        "applications_text": "E-rickshaws, two-wheelers, energy storage racks.",
        "description": "Electrode formulation, winding parameters and the AIS-156 test "
        "dossier are part of the transfer package.",
    },
    {
        "slug": "nmc811-pouch-cell",
        "title": "High-energy NMC811 / graphite pouch cell",
        "chemistry": "li_ion",
        "category": "cell",
        "applications": ["ev"],
        "trl": 4,
        "licensing_status": "not_available",
        "ip_status": "Under development; co-development welcome",
        "metrics": dict(
            specific_energy_wh_per_kg=260,
            energy_density_wh_per_l=620,
            cycle_life=1200,
            max_c_rate=2,
            nominal_voltage_v=3.65,
            capacity_ah=20,
        ),
        "summary": "A 20 Ah nickel-rich pouch cell for passenger electric vehicles, at lab scale.",
        "problem": "Passenger EVs need energy density that LFP cannot reach.",
        "advantage": "260 Wh/kg with a single-crystal NMC811 cathode that resists cracking.",
        "applications_text": "Passenger cars, drones.",
        "description": "Looking for a partner to scale up coating and stacking.",
    },
    {
        "slug": "li-polymer-pouch-wearables",
        "title": "Thin lithium-polymer pouch cells for wearables",
        "chemistry": "li_polymer",
        "category": "cell",
        "applications": ["mobile", "electronics"],
        "trl": 7,
        "licensing_status": "available",
        "ip_status": "Indian patent granted",
        "patent_refs": "IN 412345",
        "metrics": dict(
            specific_energy_wh_per_kg=210,
            energy_density_wh_per_l=480,
            cycle_life=800,
            max_c_rate=1,
            nominal_voltage_v=3.85,
            capacity_ah=0.3,
            indigenous_content_pct=55,
        ),
        "summary": "Gel-polymer pouch cells from 0.1 to 0.5 Ah, 3 mm thin, for smart "
        "watches, hearing aids and trackers.",
        "problem": "India's wearable makers import every cell they use.",
        "advantage": "Custom footprints in six weeks; gel electrolyte that does not leak.",
        "applications_text": "Smart watches, fitness bands, hearing aids, asset trackers.",
        "description": "Includes the **tooling drawings** for the pouch forming dies.",
    },
    {
        "slug": "hard-carbon-from-coconut-shell",
        "title": "Hard carbon anode from coconut shells",
        "chemistry": "na_ion",
        "category": "materials",
        "applications": ["ev", "stationary"],
        "trl": 6,
        "licensing_status": "licensed",
        "ip_status": "Indian patent application filed",
        "patent_refs": "IN 202241054321",
        "metrics": dict(indigenous_content_pct=100, cost_inr_per_kwh=900),
        "summary": "A two-step pyrolysis that turns coconut shells into battery-grade hard "
        "carbon with 300 mAh/g reversible capacity.",
        "problem": "Hard carbon for sodium-ion cells is imported at high cost.",
        "advantage": "Agricultural waste as feedstock; 88 % first-cycle efficiency.",
        "applications_text": "Anodes for sodium-ion cells.",
        "description": "Reversible capacity **300 mAh/g**, tap density 0.9 g/cm³. "
        "Licensed to a materials start-up; further regions open.",
    },
    {
        "slug": "layered-oxide-cathode-na",
        "title": "Layered-oxide cathode for sodium-ion cells",
        "chemistry": "na_ion",
        "category": "materials",
        "applications": ["ev", "stationary"],
        "trl": 5,
        "licensing_status": "available",
        "ip_status": "Know-how",
        "metrics": dict(indigenous_content_pct=90),
        "summary": "An O3-type Na(Ni,Fe,Mn)O₂ cathode made by co-precipitation, "
        "stable in air for handling in ordinary dry rooms.",
        "problem": "Most layered oxides degrade in humid air, raising dry-room cost.",
        "advantage": "Air-stable for 72 hours at 40 % relative humidity.",
        "applications_text": "Cathodes for sodium-ion cells.",
        "description": "Specific capacity 145 mAh/g at C/10; kilogram batches made.",
    },
    {
        "slug": "nvp-cathode",
        "title": "NVP (Na₃V₂(PO₄)₃) carbon-coated cathode",
        "chemistry": "na_ion",
        "category": "materials",
        "applications": ["stationary"],
        "trl": 4,
        "licensing_status": "available",
        "ip_status": "Patent applied",
        "metrics": dict(cycle_life=10000, max_c_rate=20),
        "summary": "A polyanionic sodium vanadium phosphate cathode for very high power "
        "and long life.",
        "problem": "Grid frequency regulation needs cells that take fast charge for years.",
        "advantage": "Over 10,000 cycles at 10 C in half cells.",
        "applications_text": "Frequency regulation, fast-charging buffers.",
        "description": "Sol-gel synthesis scaled to 500 g batches.",
    },
    {
        "slug": "non-flammable-electrolyte",
        "title": "Non-flammable localised high-concentration electrolyte",
        "chemistry": "li_ion",
        "category": "materials",
        "applications": ["ev", "electronics"],
        "trl": 3,
        "licensing_status": "not_available",
        "ip_status": "Invention disclosure",
        "summary": "A fluorinated-ether diluted electrolyte that does not ignite and "
        "supports 4.5 V cathodes.",
        "problem": "Electrolyte fires are the main hazard in lithium-ion packs.",
        "advantage": "Self-extinguishing time of zero in the UL 94 test.",
        "applications_text": "Safer cells for vehicles and consumer electronics.",
        "description": "Early stage: we are looking for electrolyte makers to co-develop.",
    },
    {
        "slug": "slot-die-electrode-coater",
        "title": "Indigenous slot-die electrode coating machine",
        "chemistry": "other",
        "category": "equipment",
        "applications": ["ev", "stationary", "electronics"],
        "trl": 7,
        "licensing_status": "available",
        "ip_status": "Design registration; drawings",
        "metrics": dict(throughput_units_per_hour=180, indigenous_content_pct=92),
        "summary": "A roll-to-roll slot-die coater with infrared-assisted drying, 300 mm "
        "web, built with Indian machine-tool partners.",
        "problem": "Electrode coaters are imported at several crore rupees each.",
        "advantage": "One third of the import price; ±2 µm coating thickness.",
        "applications_text": "Cell makers and materials companies setting up pilot lines.",
        "description": "Line speed up to 3 m/min (180 m/hour). Manufacturing drawings, "
        "PLC program and commissioning support are transferred.",
    },
    {
        "slug": "electrode-calendering-machine",
        "title": "Hot-roll electrode calendering machine",
        "chemistry": "other",
        "category": "equipment",
        "applications": ["ev", "stationary"],
        "trl": 6,
        "licensing_status": "available",
        "ip_status": "Drawings and know-how",
        "metrics": dict(throughput_units_per_hour=300, indigenous_content_pct=88),
        "summary": "A two-roll hydraulic calender with heated rolls up to 120 °C and "
        "closed-loop gap control.",
        "problem": "Uneven calendering wrinkles foils and ruins electrode porosity.",
        "advantage": "Gap held to ±1 µm by servo-hydraulics designed at the CoE.",
        "applications_text": "Electrode production lines, pilot plants.",
        "description": "Roll width 400 mm; line force up to 1.5 t/cm.",
    },
    {
        "slug": "formation-and-grading-system",
        "title": "Formation and grading system with energy recovery",
        "chemistry": "other",
        "category": "process",
        "applications": ["ev", "stationary", "mobile"],
        "trl": 6,
        "licensing_status": "available",
        "ip_status": "Software copyright; hardware drawings",
        "metrics": dict(throughput_units_per_hour=512, indigenous_content_pct=75),
        "summary": "A 512-channel formation and grading system that feeds discharge "
        "energy back to the grid, with a formation recipe library.",
        "problem": "Formation takes days and wastes the energy put into the cells.",
        "advantage": "Regenerative channels cut formation energy use by 70 %.",
        "applications_text": "Cell factories of any chemistry.",
        "description": "Includes **grading software** that sorts cells into capacity and "
        "impedance bins for pack assembly.",
    },
    {
        "slug": "modular-bms",
        "title": "Modular battery management system (BMS) for 2W/3W packs",
        "chemistry": "li_ion",
        "category": "bms",
        "applications": ["ev"],
        "trl": 8,
        "licensing_status": "licensed",
        "ip_status": "Firmware copyright; licensed",
        "metrics": dict(indigenous_content_pct=70),
        "summary": "A 16-series BMS with active balancing, CAN and Bluetooth, and state "
        "of health estimation tuned for Indian duty cycles.",
        "problem": "Imported BMS boards are tuned for other climates and duty cycles.",
        "advantage": "SoH error under 3 % on field data from 2,000 vehicles.",
        "applications_text": "Electric two- and three-wheeler packs.",
        "description": "Hardware files, firmware source and the AIS-156 compliance report.",
    },
    {
        "slug": "hydrometallurgical-recycling",
        "title": "Hydrometallurgical recycling of spent Li-ion cells",
        "chemistry": "li_ion",
        "category": "recycling",
        "applications": ["ev", "mobile", "electronics"],
        "trl": 5,
        "licensing_status": "available",
        "ip_status": "Indian patent granted",
        "patent_refs": "IN 398765",
        "summary": "Leaching and selective precipitation that recover lithium, cobalt, "
        "nickel and manganese salts at battery grade.",
        "problem": "India's spent batteries are exported or dumped; their metals are lost.",
        "advantage": "Over 95 % recovery of Co and Ni with organic-acid leaching.",
        "applications_text": "Recyclers under the Battery Waste Management Rules, 2022.",
        "description": "Pilot plant of 100 kg/day black mass at the CoE.",
    },
    {
        "slug": "cell-testing-services",
        "title": "Cell and pack testing services",
        "chemistry": "other",
        "category": "testing",
        "applications": ["ev", "mobile", "electronics", "stationary"],
        "trl": 9,
        "licensing_status": "available",
        "ip_status": "Service",
        "summary": "Cycle life, rate capability, abuse and thermal tests on 256 cycler "
        "channels, with data shared as datasets.",
        "problem": "Start-ups wait months for slots at test labs.",
        "advantage": "Cycler data delivered through this portal, plotted and downloadable.",
        "applications_text": "Cell qualification, supplier audits, research.",
        "description": "Arbin and Neware cyclers, thermal chambers from −40 to 85 °C, "
        "nail penetration and crush rigs.",
    },
    {
        "slug": "solid-state-electrolyte-draft",
        "title": "Garnet solid electrolyte (in preparation)",
        "chemistry": "li_ion",
        "category": "materials",
        "applications": ["ev"],
        "trl": 2,
        "licensing_status": "not_available",
        "ip_status": "Confidential",
        "published": False,
        "summary": "A lithium-garnet ceramic electrolyte; not yet public.",
        "description": "Draft entry to show staff how unpublished technologies look.",
    },
]

INQUIRIES = [
    # technology slug, name, email, organisation, interest, status, message, days ago
    (
        "sodium-ion-18650-cell",
        "Arjun Mehta",
        "arjun.mehta@example.in",
        "Voltcraft Mobility Pvt Ltd",
        "licensing",
        InquiryStatus.NEW,
        "We build electric scooters in Pune and want to evaluate sodium-ion cells for a "
        "budget model. What are the licence terms?",
        1,
    ),
    (
        "slot-die-electrode-coater",
        "Kavitha Subramanian",
        "kavitha@example.in",
        "Sri Lakshmi Engineering Works",
        "co_development",
        InquiryStatus.CONTACTED,
        "We are a machine builder in Coimbatore and would like to manufacture the coater.",
        6,
    ),
    (
        "cell-testing-services",
        "Rahul Verma",
        "rahul.verma@example.in",
        "GreenGrid Storage",
        "testing_services",
        InquiryStatus.IN_DISCUSSION,
        "We need cycle-life tests on 40 LFP prismatic cells, 1C/1C at 45 °C.",
        12,
    ),
    (
        None,
        "Priya Nair",
        "priya.nair@example.in",
        "IIT research group",
        "dataset_access",
        InquiryStatus.CLOSED,
        "Could we use your sodium-ion cycling data for a degradation-model paper?",
        30,
    ),
]


def seed(db: Session) -> list[str]:
    """Create the demo technologies and inquiries that are not there yet."""
    created = 0
    now = utcnow()
    for index, spec in enumerate(TECHNOLOGIES):
        if db.exec(select(Technology.id).where(Technology.slug == spec["slug"])).first():
            continue
        fields = {
            key: value
            for key, value in spec.items()
            if key not in {"applications", "metrics", "published"}
        }
        fields.update(spec.get("metrics", {}))
        technology = catalog.create_technology(
            db,
            applications=spec["applications"],
            contact_name=CONTACT[0],
            contact_email=CONTACT[1],
            is_published=spec.get("published", True),
            is_demo=True,
            **fields,
        )
        if technology.published_at:
            # Spread the listing dates so "newest" means something in the demo.
            technology.published_at = now - timedelta(days=7 * index)
            db.add(technology)
        created += 1
    inquiries = 0
    for slug, name, email, org, interest, status, message, days in INQUIRIES:
        if db.exec(select(Inquiry.id).where(Inquiry.email == email)).first():
            continue
        technology_id = (
            db.exec(select(Technology.id).where(Technology.slug == slug)).first() if slug else None
        )
        db.add(
            Inquiry(
                technology_id=technology_id,
                name=name,
                email=email,
                organization_name=org,
                interest=interest,
                status=status,
                message=message,
                is_demo=True,
                created_at=now - timedelta(days=days),
                updated_at=now - timedelta(days=days),
            )
        )
        inquiries += 1
    db.flush()
    return [f"catalog: {created} technologies and {inquiries} inquiries added"]
