"""Every table of the portal, imported in one place: the registry Alembic and the tests read."""

from portal.accounts.models import (  # noqa: F401
    ApiToken,
    Invitation,
    LoginThrottle,
    Organization,
    User,
    UserSession,
)
from portal.agreements.models import (  # noqa: F401
    Agreement,
    AgreementDocument,
    AgreementTechnology,
    Milestone,
    MilestoneEvent,
    MilestoneEvidence,
    MilestoneReminder,
)
from portal.alerts.models import SearchAlert  # noqa: F401
from portal.audit.models import AuditEntry  # noqa: F401
from portal.catalog.models import (  # noqa: F401
    Inquiry,
    InquiryNote,
    Technology,
)
from portal.datasets.models import (  # noqa: F401
    AccessRequest,
    CycleSummary,
    Dataset,
    DatasetFile,
    DatasetGrant,
    TechnologyClaim,
)
from portal.licensing.models import ApplicationStep, LicenceApplication  # noqa: F401
from portal.notifications.models import Notification, NotificationPreference  # noqa: F401
from portal.pages.models import ContentPage, Feedback  # noqa: F401
from portal.partners.models import CalendarFeed  # noqa: F401
from portal.patents.models import Patent, PatentReminder  # noqa: F401
from portal.ratelimit import RateCounter  # noqa: F401
from portal.resumable.models import ResumableUpload  # noqa: F401
from portal.royalties.models import RoyaltyPayment, RoyaltyReport  # noqa: F401
