"""Every table of the portal, imported in one place: the registry Alembic and the tests read."""

from portal.accounts.models import (  # noqa: F401
    ApiToken,
    Invitation,
    LoginThrottle,
    Organization,
    User,
    UserSession,
)
from portal.audit.models import AuditEntry  # noqa: F401
