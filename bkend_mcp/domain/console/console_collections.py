"""Where the console keeps its state in the control plane, and the indexes that keep it correct.

Tenants (console accounts) are deployment-wide, like organizations: `tenants` gains a unique sparse `email`
(the local owner has none until it is set up). Sessions, setup tokens and invitations are stored by the SHA-256
of their token, never the token. Sign-in counters reuse the app-user rate limiter's `_auth_counters` shape.
"""

from __future__ import annotations

from bkend_mcp.domain.auth import collections as auth_collections
from bkend_mcp.store.base import Index

TENANTS = "tenants"
SESSIONS = "console_sessions"
SETUP_TOKENS = "console_setup_tokens"
INVITATIONS = "console_invitations"
OUTBOX = "console_outbox"

CONTROL_INDEXES: dict[str, tuple[Index, ...]] = {
    TENANTS: (Index("uniq_email", (("email", 1),), unique=True, sparse=True),),
    SESSIONS: (Index("idx_tenant", (("tenantId", 1),)),),
    INVITATIONS: (
        Index("uniq_token_hash", (("tokenHash", 1),), unique=True),
        Index("idx_org_email", (("organizationId", 1), ("email", 1))),
    ),
    OUTBOX: (Index("idx_org_created", (("organizationId", 1), ("createdAt", -1))),),
    auth_collections.COUNTERS: auth_collections.ENVIRONMENT_INDEXES[auth_collections.COUNTERS],
}
