"""Every closed set of codes in the portal, with its human labels: the one place to add a value.

Each code list is declared once as (code, label) and read by models (check constraints), forms
(choices), templates (labels) and the API (enums). The lists are grouped by the domain that owns
them; rules about a code (which status may follow which) stay in that domain's ``status.py``."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Choices(StrEnum):
    """A StrEnum whose members carry a translatable label: ``LI_ION = "li_ion", _l("Lithium-ion")``."""

    def __new__(cls, value: str, label=None):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label if label is not None else value.replace("_", " ").capitalize()
        return member

    @classmethod
    def values(cls) -> tuple[str, ...]:
        """Every code, in declaration order."""
        return tuple(member.value for member in cls)

    @classmethod
    def choices(cls) -> list[tuple[str, object]]:
        """(code, label) pairs for a select field."""
        return [(member.value, member.label) for member in cls]

    @classmethod
    def labels(cls) -> dict[str, object]:
        """{code: label} for templates."""
        return {member.value: member.label for member in cls}

    @classmethod
    def label_of(cls, code) -> str:
        """The label of a code as text, or the code itself when it is not one of ours."""
        try:
            return str(cls(str(code)).label)
        except ValueError:
            return str(code or "")

    @classmethod
    def sql_check(cls, column: str) -> str:
        """A CHECK constraint body allowing exactly these codes in ``column``."""
        return f"{column} IN ({', '.join(repr(member.value) for member in cls)})"


class Chemistry(Choices):
    """Cell chemistry of a technology or a dataset."""

    LI_ION = "li_ion", _l("Lithium-ion")
    NA_ION = "na_ion", _l("Sodium-ion")
    LI_POLYMER = "li_polymer", _l("Lithium-polymer")
    OTHER = "other", _l("Other")


# --- Accounts and organisations ----------------------------------------------------------------


class Role(Choices):
    ADMIN = "admin", _l("Admin")
    STAFF = "staff", _l("Staff")
    PARTNER = "partner", _l("Partner")


class OrgKind(Choices):
    STARTUP = "startup", _l("Startup")
    COMPANY = "company", _l("Company")
    ASSOCIATION = "association", _l("Association")
    ACADEMIC = "academic", _l("Academic")
    GOVERNMENT = "government", _l("Government")


class LinkPurpose(Choices):
    """What a mailed single-use link is for."""

    INVITE = "invite", _l("Invitation")
    PASSWORD_RESET = "password_reset", _l("Password reset")
    EMAIL_CHANGE = "email_change", _l("E-mail address change")


class TokenScope(Choices):
    """What a personal API token may do. The API only reads today, so reading is the only scope;
    a write route added later declares the scope it needs in portal/policy.py."""

    READ = "read", _l("Read: the API and the data downloads")


# --- The technology catalog and its inquiries --------------------------------------------------


class Category(Choices):
    CELL = "cell", _l("Cells")
    MATERIALS = "materials", _l("Materials")
    PROCESS = "process", _l("Processes")
    EQUIPMENT = "equipment", _l("Equipment and machinery")
    BMS = "bms", _l("Battery management (BMS)")
    RECYCLING = "recycling", _l("Recycling")
    TESTING = "testing", _l("Testing services")


class Application(Choices):
    EV = "ev", _l("Electric vehicles")
    MOBILE = "mobile", _l("Mobile devices")
    ELECTRONICS = "electronics", _l("Consumer electronics")
    STATIONARY = "stationary", _l("Stationary storage")


class Licensing(Choices):
    AVAILABLE = "available", _l("Available for licensing")
    LICENSED = "licensed", _l("Licensed")
    NOT_AVAILABLE = "not_available", _l("Not available")


class InterestKind(Choices):
    LICENSING = "licensing", _l("Licensing")
    CO_DEVELOPMENT = "co_development", _l("Co-development")
    TESTING_SERVICES = "testing_services", _l("Testing services")
    DATASET_ACCESS = "dataset_access", _l("Dataset access")


class InquiryStatus(Choices):
    NEW = "new", _l("New")
    CONTACTED = "contacted", _l("Contacted")
    IN_DISCUSSION = "in_discussion", _l("In discussion")
    CONVERTED = "converted", _l("Converted")
    CLOSED = "closed", _l("Closed")


# --- Patents -----------------------------------------------------------------------------------


class Jurisdiction(Choices):
    IN = "IN", _l("India (IP India)")
    WO = "WO", _l("PCT application (WIPO)")
    EP = "EP", _l("Europe (EPO)")
    US = "US", _l("United States (USPTO)")
    CN = "CN", _l("China (CNIPA)")
    JP = "JP", _l("Japan (JPO)")
    KR = "KR", _l("Korea (KIPO)")
    OTHER = "XX", _l("Other office")


class PatentStatus(Choices):
    FILED = "filed", _l("Filed")
    PUBLISHED = "published", _l("Published")
    EXAMINATION = "examination", _l("Under examination")
    GRANTED = "granted", _l("Granted")
    LAPSED = "lapsed", _l("Lapsed")
    ABANDONED = "abandoned", _l("Abandoned")
    EXPIRED = "expired", _l("Expired")


# --- Agreements and milestones -----------------------------------------------------------------


class AgreementKind(Choices):
    MOU = "mou", _l("MoU")
    LICENSE = "license", _l("Licence")
    NDA = "nda", _l("NDA")
    MTA = "mta", _l("MTA")


class AgreementStatus(Choices):
    DRAFT = "draft", _l("Draft")
    NEGOTIATION = "negotiation", _l("In negotiation")
    SIGNED = "signed", _l("Signed")
    ACTIVE = "active", _l("Active")
    COMPLETED = "completed", _l("Completed")
    EXPIRED = "expired", _l("Expired")
    TERMINATED = "terminated", _l("Terminated")


class ChangeKind(Choices):
    """How an agreement relates to the one before it in its history."""

    ORIGINAL = "", _l("Original")
    RENEWAL = "renewal", _l("Renewal")
    AMENDMENT = "amendment", _l("Amendment")


class Exclusivity(Choices):
    NOT_APPLICABLE = "", _l("Not applicable")
    EXCLUSIVE = "exclusive", _l("Exclusive")
    NON_EXCLUSIVE = "non_exclusive", _l("Non-exclusive")
    SOLE = "sole", _l("Sole")


class RoyaltyPeriod(Choices):
    QUARTERLY = "quarterly", _l("Quarterly")
    HALF_YEARLY = "half_yearly", _l("Half-yearly")
    ANNUAL = "annual", _l("Annual")


class MilestoneKind(Choices):
    DELIVERABLE = "deliverable", _l("Deliverable")
    PAYMENT = "payment", _l("Payment")
    REPORT = "report", _l("Report")
    TRAINING = "training", _l("Training")
    PILOT = "pilot", _l("Pilot batch")
    REVIEW = "review", _l("Review")


class MilestoneOwner(Choices):
    COE = "coe", _l("CoE")
    PARTNER = "partner", _l("Partner")


class MilestoneStatus(Choices):
    PLANNED = "planned", _l("Planned")
    IN_PROGRESS = "in_progress", _l("In progress")
    SUBMITTED = "submitted", _l("Submitted")
    ACCEPTED = "accepted", _l("Accepted")
    REJECTED = "rejected", _l("Rejected")
    WAIVED = "waived", _l("Waived")


# --- Licence applications ----------------------------------------------------------------------


class LicenceType(Choices):
    EVALUATION = "evaluation", _l("Evaluation (research)")
    NON_EXCLUSIVE = "non_exclusive", _l("Non-exclusive commercial")
    EXCLUSIVE = "exclusive", _l("Exclusive")
    STARTUP = "startup", _l("Startup licence")


class CompanySize(Choices):
    STARTUP = "startup", _l("Startup")
    MSME = "msme", _l("MSME")
    LARGE = "large", _l("Large enterprise")


class Stage(Choices):
    RECEIVED = "received", _l("Received")
    UNDER_REVIEW = "under_review", _l("Under review")
    TERM_SHEET_SENT = "term_sheet_sent", _l("Term sheet sent")
    NEGOTIATION = "negotiation", _l("In negotiation")
    APPROVED = "approved", _l("Approved")
    DECLINED = "declined", _l("Declined")


# --- Datasets, their files and access ----------------------------------------------------------


class Visibility(Choices):
    """Who may open a dataset (the rule itself is portal.datasets.access)."""

    PUBLIC = "public", _l("Public: everyone")
    PARTNERS = "partners", _l("Partners: organisations with an active agreement")
    RESTRICTED = "restricted", _l("Restricted: organisations granted access")


class TestType(Choices):
    """What the cells in a dataset were put through."""

    __test__ = False  # a vocabulary, not a pytest test class

    CYCLE_LIFE = "cycle_life", _l("Cycle life")
    RATE_CAPABILITY = "rate_capability", _l("Rate capability")
    FORMATION = "formation", _l("Formation")
    CALENDAR_AGEING = "calendar_ageing", _l("Calendar ageing")
    CHARACTERISATION = "characterisation", _l("Characterisation")
    OTHER = "other", _l("Other")


class CellType(Choices):
    """What the cell is: its efficiency convention and plausible windows follow from it."""

    FULL = "full", _l("Full cell")
    HALF_LI_ANODE = (
        "half_li_anode",
        _l("Half cell vs lithium, anode working electrode (graphite, Si)"),
    )
    HALF_LI_CATHODE = "half_li_cathode", _l("Half cell vs lithium, cathode working electrode")
    HALF_NA_ANODE = (
        "half_na_anode",
        _l("Half cell vs sodium, anode working electrode (hard carbon)"),
    )
    HALF_NA_CATHODE = "half_na_cathode", _l("Half cell vs sodium, cathode working electrode")


class FileStatus(Choices):
    """Where an uploaded file stands (a refused upload leaves no record at all)."""

    PENDING = "pending", _l("Pending")
    QUEUED = "queued", _l("Queued")
    RUNNING = "running", _l("Running")
    INGESTED = "ingested", _l("Ingested")
    FAILED = "failed", _l("Failed")


class ClaimFigure(Choices):
    """The dataset measures a technology's key figure can be checked against."""

    CYCLES_TO_80 = "cycles_to_80", _l("Cycles until capacity falls to 80 %")
    RETENTION_AFTER = "retention_after", _l("Capacity retention after N cycles (%)")
    COULOMBIC_EFFICIENCY = "coulombic_efficiency", _l("Coulombic efficiency (%)")
    CAPACITY = "capacity", _l("Capacity (Ah)")


class AccessRequestStatus(Choices):
    PENDING = "pending", _l("Waiting for a decision")
    APPROVED = "approved", _l("Approved")
    DECLINED = "declined", _l("Declined")


# --- Notifications -----------------------------------------------------------------------------


class Delivery(Choices):
    IMMEDIATE = "immediate", _l("A mail for each notification")
    DIGEST = "digest", _l("One mail a day (daily digest)")


# --- Content pages and feedback ----------------------------------------------------------------


class PageSlug(Choices):
    """The content pages GIGW 3.0 expects, each at /<code>."""

    PRIVACY = "privacy", _l("Privacy policy")
    TERMS = "terms", _l("Terms of use")
    COPYRIGHT = "copyright", _l("Copyright policy")
    HYPERLINKING = "hyperlinking", _l("Hyperlinking policy")
    ACCESSIBILITY = "accessibility", _l("Accessibility statement")
    HELP = "help", _l("Help")


class FeedbackKind(Choices):
    SUGGESTION = "suggestion", _l("A suggestion")
    PROBLEM = "problem", _l("Something does not work")
    ACCESSIBILITY = "accessibility", _l("An accessibility barrier")
    CONTENT = "content", _l("Wrong or missing information")
    OTHER = "other", _l("Something else")
