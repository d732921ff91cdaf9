"""The accounts' services under their former single address, for code written against it.

Each job has a room of its own; new code imports from the room:
``organizations`` (register, edit), ``users`` (create, (de)activate, password, second factor),
``sessions`` (session records, sign-in outcomes, throttling), ``tokens`` (API tokens, secrets),
``invitations`` (invite, re-invite, accept, deliver) and ``queries`` (reads).
"""

from __future__ import annotations

from portal.accounts.invitations import (
    invitation_for_token,
    invite_user,
    reissue_invitation,
)
from portal.accounts.models import normalise_email
from portal.accounts.organizations import SLUG as SLUG_PATTERN
from portal.accounts.organizations import create_organization, update_organization
from portal.accounts.queries import open_sessions, user_by_email
from portal.accounts.sessions import (
    LoginOutcome,
    attempt_login,
    attempt_second_factor,
    begin_session,
    end_all_sessions,
    end_own_session,
    end_session,
    sign_out_everywhere,
    user_for_session_token,
)
from portal.accounts.tokens import (
    TOKEN_PREFIX,
    create_api_token,
    digest,
    revoke_all_api_tokens,
    revoke_api_token,
    use_api_token,
)
from portal.accounts.users import (
    change_password,
    create_user,
    disable_totp,
    enable_totp,
    set_active,
)

__all__ = [
    "SLUG_PATTERN",
    "TOKEN_PREFIX",
    "LoginOutcome",
    "attempt_login",
    "attempt_second_factor",
    "begin_session",
    "change_password",
    "create_api_token",
    "create_organization",
    "create_user",
    "digest",
    "disable_totp",
    "enable_totp",
    "end_all_sessions",
    "end_own_session",
    "end_session",
    "invitation_for_token",
    "invite_user",
    "normalise_email",
    "open_sessions",
    "reissue_invitation",
    "revoke_all_api_tokens",
    "revoke_api_token",
    "set_active",
    "sign_out_everywhere",
    "update_organization",
    "use_api_token",
    "user_by_email",
    "user_for_session_token",
]
