"""Every domain's models imported in one place: the registry Alembic and the tests read.

Each import registers its tables on SQLModel.metadata, so a new table in one of these modules
is registered by that alone; only a new models module needs a line here.
"""

import portal.accounts.models
import portal.agreements.models
import portal.alerts.models
import portal.audit.models
import portal.catalog.models
import portal.datasets.models
import portal.licensing.models
import portal.notifications.models
import portal.pages.models
import portal.partners.models
import portal.patents.models
import portal.ratelimit
import portal.resumable.models
import portal.royalties.models  # noqa: F401  (ruff reads the shared name `portal` as used above)
