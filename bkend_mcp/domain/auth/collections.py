"""Where auth keeps its state, and the indexes that make it correct under concurrency (spec/auth.md §1.5).

Per environment (the environment's namespace, dropped with it): the built-in tables `users`, `accounts`,
`sessions` (data.md §5.8: never writable through `/v1/data`), plus `_auth_config`, `_auth_counters`,
`_email_outbox`, `_invitations` and `_memberships` (organization memberships granted by invitations).
Deployment-wide (control plane): `_auth_tokens`, the one-time tokens, so a link followed from a mail client finds
its environment without an API key.
"""

from __future__ import annotations

from bkend_mcp.domain.backend import Backend
from bkend_mcp.store.base import Index

USERS = "users"
ACCOUNTS = "accounts"
SESSIONS = "sessions"
CONFIG = "_auth_config"
COUNTERS = "_auth_counters"
OUTBOX = "_email_outbox"
INVITATIONS = "_invitations"
MEMBERSHIPS = "_memberships"
TOKENS = "_auth_tokens"
"""Control-plane collection of one-time tokens."""

ENVIRONMENT_INDEXES: dict[str, tuple[Index, ...]] = {
    USERS: (
        # `email` is removed (not nulled) when a user is deleted, so the sparse index frees the address.
        Index("uniq_email", (("email", 1),), unique=True, sparse=True),
        Index("idx_createdAt", (("createdAt", -1),)),
        # a slug is removed (never stored as null) when cleared, so the sparse index ignores users without one
        Index("uniq_public_slug", (("publicSettings.slug", 1),), unique=True, sparse=True),
    ),
    ACCOUNTS: (
        Index("uniq_provider_account", (("provider", 1), ("providerAccountId", 1)), unique=True),
        Index("uniq_user_provider", (("userId", 1), ("provider", 1)), unique=True),
    ),
    SESSIONS: (Index("idx_user_activity", (("userId", 1), ("lastActivityAt", -1))),),
    COUNTERS: (Index("idx_key_at", (("key", 1), ("at", 1))),),
    OUTBOX: (Index("idx_createdAt", (("createdAt", -1),)),),
    INVITATIONS: (
        Index("uniq_token_hash", (("tokenHash", 1),), unique=True),
        Index("idx_email_status", (("email", 1), ("status", 1))),
        Index("idx_createdAt", (("createdAt", -1),)),
    ),
    MEMBERSHIPS: (Index("uniq_user_org", (("userId", 1), ("organizationId", 1)), unique=True),),
}
CONTROL_INDEXES: dict[str, tuple[Index, ...]] = {
    TOKENS: (
        Index("uniq_token_hash", (("tokenHash", 1),), unique=True),
        Index("idx_purpose_email", (("environmentId", 1), ("purpose", 1), ("email", 1))),
    ),
}


def prepare_environment(backend: Backend, environment_id: str) -> None:
    """Create the auth indexes of one environment if missing. Idempotent; called when an environment is created
    and before a user is created (environments made before auth existed get them then)."""
    for name, indexes in ENVIRONMENT_INDEXES.items():
        collection = backend.data(environment_id, name)
        existing = set(collection.index_names())
        for index in indexes:
            if index.name not in existing:
                collection.create_index(index)
